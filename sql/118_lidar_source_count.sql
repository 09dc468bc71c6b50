-- 118: per LiDAR source file, its points, patches and extent, kept by the database itself. The
-- point-cloud downloads (a LAZ per source tile and epoch), their open-data links and the LiDAR
-- catalogue records summed PC_NumPoints / PC_EnvelopeGeometry over all of msip.lidar_patch on each
-- request: on a 100 km² city (443 M points) that read every patch and took 10–15 s per
-- GET /collections (issue 17's whole-city run). msip.lidar_source_count holds the same sums, kept by
-- statement triggers from the rows each statement touched (transition tables), so a load keeps them
-- current in its own transaction, whichever code wrote the patches.

CREATE TABLE msip.lidar_source_count (
    epoch date NOT NULL,
    source_file text NOT NULL,
    load_run_id bigint NOT NULL,
    points bigint NOT NULL CHECK (points > 0),
    patches bigint NOT NULL CHECK (patches > 0),
    extent geometry(Geometry, 2180) NOT NULL,
    PRIMARY KEY (epoch, source_file, load_run_id)
);
COMMENT ON TABLE msip.lidar_source_count IS
    'Per epoch, source file and load run: the points, patches and extent of its rows in msip.lidar_patch, '
    'kept by triggers on msip.lidar_patch (pl: liczba punktów i zasięg na plik źródłowy)';
COMMENT ON COLUMN msip.lidar_source_count.epoch IS 'Survey date (pl: data nalotu)';
COMMENT ON COLUMN msip.lidar_source_count.source_file IS 'Name of the LAS/LAZ file the points came from';
COMMENT ON COLUMN msip.lidar_source_count.load_run_id IS 'Load run that stored the patches';
COMMENT ON COLUMN msip.lidar_source_count.points IS 'SUM(PC_NumPoints(pa)) of those patches';
COMMENT ON COLUMN msip.lidar_source_count.patches IS 'Number of those patches';
COMMENT ON COLUMN msip.lidar_source_count.extent IS 'Envelope of the patches'' envelopes, EPSG:2180 (a point or line where they are degenerate)';

-- Inserted rows are added to their keys; for deleted or updated rows the keys they touched are
-- counted again from the table (the index on (epoch, source_file) serves it: a reload deletes one
-- file's patches), and a key with no patch left goes. An UPDATE's keys are those of its old and its
-- new rows. The transition tables are named in EXECUTE, which sees them as the trigger's other queries do.
CREATE FUNCTION msip.lidar_source_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO msip.lidar_source_count AS c (epoch, source_file, load_run_id, points, patches, extent)
        SELECT epoch, source_file, load_run_id, sum(PC_NumPoints(pa))::bigint, count(*),
               ST_Envelope(ST_Collect(PC_EnvelopeGeometry(pa)))
        FROM new_rows GROUP BY 1, 2, 3
        ON CONFLICT (epoch, source_file, load_run_id) DO UPDATE
        SET points = c.points + EXCLUDED.points, patches = c.patches + EXCLUDED.patches,
            extent = ST_Envelope(ST_Collect(c.extent, EXCLUDED.extent));
        RETURN NULL;
    END IF;
    FOREACH changed IN ARRAY CASE TG_OP WHEN 'UPDATE' THEN ARRAY['old_rows', 'new_rows'] ELSE ARRAY['old_rows'] END
    LOOP
        EXECUTE format($q$
            INSERT INTO msip.lidar_source_count AS c (epoch, source_file, load_run_id, points, patches, extent)
            SELECT p.epoch, p.source_file, p.load_run_id, sum(PC_NumPoints(p.pa))::bigint, count(*),
                   ST_Envelope(ST_Collect(PC_EnvelopeGeometry(p.pa)))
            FROM msip.lidar_patch p JOIN (SELECT DISTINCT epoch, source_file, load_run_id FROM %1$I) t
              ON (p.epoch, p.source_file, p.load_run_id) = (t.epoch, t.source_file, t.load_run_id)
            GROUP BY 1, 2, 3
            ON CONFLICT (epoch, source_file, load_run_id) DO UPDATE
            SET points = EXCLUDED.points, patches = EXCLUDED.patches, extent = EXCLUDED.extent$q$, changed);
        EXECUTE format($q$
            DELETE FROM msip.lidar_source_count c USING (SELECT DISTINCT epoch, source_file, load_run_id FROM %1$I) t
            WHERE (c.epoch, c.source_file, c.load_run_id) = (t.epoch, t.source_file, t.load_run_id)
              AND NOT EXISTS (SELECT FROM msip.lidar_patch p WHERE (p.epoch, p.source_file, p.load_run_id)
                                                               = (t.epoch, t.source_file, t.load_run_id))$q$, changed);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION msip.lidar_source_count_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM msip.lidar_source_count;
    RETURN NULL;
END
$$;

CREATE TRIGGER lidar_source_count_insert AFTER INSERT ON msip.lidar_patch
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION msip.lidar_source_count_apply();
CREATE TRIGGER lidar_source_count_delete AFTER DELETE ON msip.lidar_patch
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION msip.lidar_source_count_apply();
CREATE TRIGGER lidar_source_count_update AFTER UPDATE ON msip.lidar_patch
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION msip.lidar_source_count_apply();
CREATE TRIGGER lidar_source_count_truncate AFTER TRUNCATE ON msip.lidar_patch
    FOR EACH STATEMENT EXECUTE FUNCTION msip.lidar_source_count_clear();

INSERT INTO msip.lidar_source_count (epoch, source_file, load_run_id, points, patches, extent)
SELECT epoch, source_file, load_run_id, sum(PC_NumPoints(pa))::bigint, count(*),
       ST_Envelope(ST_Collect(PC_EnvelopeGeometry(pa)))
FROM msip.lidar_patch GROUP BY 1, 2, 3;

GRANT SELECT ON msip.lidar_source_count TO msip_reader;
