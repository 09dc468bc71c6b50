-- 002: provenance. Every load (and every analysis run) is a load_run; every row a loader
-- refuses is kept in rejected_record with its row number, raw values and the reason.
CREATE TABLE msip.load_run (
    run_id          bigserial PRIMARY KEY,
    source_kind     text NOT NULL,
    source_path     text NOT NULL,
    source_sha256   text NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    source_bytes    bigint,
    epoch           date,
    params          jsonb NOT NULL DEFAULT '{}'::jsonb,
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'failed')),
    rows_in         bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    rows_inserted   bigint NOT NULL DEFAULT 0,
    rows_updated    bigint NOT NULL DEFAULT 0,
    rows_unchanged  bigint NOT NULL DEFAULT 0,
    rows_retired    bigint NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    duration_s      double precision,
    message         text,
    msip_version    text,
    CONSTRAINT load_run_counts_add_up CHECK (status <> 'succeeded' OR rows_in = rows_loaded + rows_rejected)
);
COMMENT ON TABLE msip.load_run IS 'One row per load or analysis run: source file, checksum, epoch, row counts, status (pl: rejestr wczytań)';
COMMENT ON COLUMN msip.load_run.source_kind IS 'trees, ads, zoning, base, orthophoto, lidar, or an analysis name';
COMMENT ON COLUMN msip.load_run.source_sha256 IS 'SHA-256 of the source file (or of the inputs of an analysis)';
COMMENT ON COLUMN msip.load_run.epoch IS 'Date of capture of the data (survey or inventory date)';
COMMENT ON COLUMN msip.load_run.rows_in IS 'Rows (features, tiles, points) read from the source; always rows_loaded + rows_rejected';
COMMENT ON COLUMN msip.load_run.rows_loaded IS 'Rows accepted: inserted + updated + unchanged';
COMMENT ON COLUMN msip.load_run.rows_retired IS 'Earlier rows closed (valid_to set) because the new version no longer has them';
COMMENT ON COLUMN msip.load_run.duration_s IS 'Wall time of the run in seconds';
CREATE INDEX load_run_source_idx ON msip.load_run (source_kind, source_sha256, epoch);

CREATE TABLE msip.rejected_record (
    rejected_id  bigserial PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    row_number   bigint,
    source_id    text,
    field        text,
    reason       text NOT NULL,
    raw          jsonb
);
COMMENT ON TABLE msip.rejected_record IS 'Quarantine: rows a load refused, with the raw values and why (pl: odrzucone rekordy)';
COMMENT ON COLUMN msip.rejected_record.row_number IS 'Row (1 = first data row), feature index, tile or band the reason is about';
COMMENT ON COLUMN msip.rejected_record.raw IS 'The raw source values, as read';
CREATE INDEX rejected_record_run_idx ON msip.rejected_record (run_id);

-- Public view for the API: no parameters or messages that might carry local paths.
CREATE VIEW msip.load_run_public AS
SELECT run_id, source_kind, regexp_replace(source_path, '^.*/', '') AS source_file, source_sha256,
       epoch, status, rows_in, rows_loaded, rows_rejected, rows_inserted, rows_updated,
       rows_unchanged, rows_retired, started_at, finished_at, duration_s
FROM msip.load_run;
COMMENT ON VIEW msip.load_run_public IS 'Load runs without local paths: what the public API shows';
