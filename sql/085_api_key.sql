-- 085: API keys for the OGC API's writes and work (starting processes, listing, reading and
-- deleting jobs). Reading stays public. A key is shown once by `msip api-key create`; only its
-- SHA-256 is stored, so the table holds nothing a caller could present. The API connects as
-- msip_reader, which may not read this table: it checks a presented key through
-- msip.api_key_lookup(hash), a SECURITY DEFINER function answering for one hash at a time.

CREATE TABLE msip.api_key (
    id            bigserial PRIMARY KEY,
    uid           uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$'),
    hash          text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['execute', 'jobs']::text[] AND cardinality(scopes) > 0),
    created       timestamptz NOT NULL DEFAULT now(),
    revoked       timestamptz,
    rate_per_min  integer CHECK (rate_per_min > 0)
);
CREATE UNIQUE INDEX api_key_active_name_idx ON msip.api_key (name) WHERE revoked IS NULL;
COMMENT ON TABLE msip.api_key IS 'API keys (hashed) for starting processes and managing jobs (pl: klucze API, skróty SHA-256)';
COMMENT ON COLUMN msip.api_key.id IS 'Key id, for `msip api-key revoke` (pl: identyfikator klucza)';
COMMENT ON COLUMN msip.api_key.uid IS 'Random id that jobs record as their owner: unique even across recreated databases (pl: identyfikator właściciela zadań)';
COMMENT ON COLUMN msip.api_key.name IS 'Who holds the key, unique among active keys (pl: nazwa/posiadacz klucza)';
COMMENT ON COLUMN msip.api_key.hash IS 'SHA-256 (hex) of the key; the key itself is never stored (pl: skrót klucza)';
COMMENT ON COLUMN msip.api_key.scopes IS 'What the key may do: execute (start processes), jobs (list, read, delete its own jobs)';
COMMENT ON COLUMN msip.api_key.created IS 'When the key was created (pl: utworzono)';
COMMENT ON COLUMN msip.api_key.revoked IS 'When the key was revoked; NULL while active (pl: unieważniono)';
COMMENT ON COLUMN msip.api_key.rate_per_min IS 'Most process executions per minute; NULL: the API default MSIP_API_RATE_PER_MIN';

-- The default privileges of 001 grant SELECT on new tables to the reader: not on this one.
REVOKE ALL ON msip.api_key FROM msip_reader;
REVOKE ALL ON SEQUENCE msip.api_key_id_seq FROM msip_reader;

CREATE FUNCTION msip.api_key_lookup(key_hash text)
RETURNS TABLE (id bigint, uid uuid, name text, scopes text[], rate_per_min integer)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.id, k.uid, k.name, k.scopes, k.rate_per_min
    FROM msip.api_key k
    WHERE k.hash = key_hash AND k.revoked IS NULL
$$;
COMMENT ON FUNCTION msip.api_key_lookup(text) IS 'The active key with this SHA-256 (hex), if any: how the API (msip_reader) checks a key without reading msip.api_key';
REVOKE ALL ON FUNCTION msip.api_key_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msip.api_key_lookup(text) TO msip_reader;
