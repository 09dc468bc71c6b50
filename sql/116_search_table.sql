-- 116: the geoportal search (GET /search) reads a stored copy of msip.search_entry (sql/105), so a
-- request no longer plans the ten-branch view, re-normalises rows or projects geometries, and can
-- rank from indexes (issue 19: p95 320 ms on the demo district, target 50 ms). msip.search_entry
-- stays the one definition of what is searchable; msip.search_item is its stored copy, kept
-- current by the database itself: every statement that changes a source table marks the kinds it
-- feeds as stale, and at COMMIT of that transaction (a deferred trigger) those kinds are copied
-- again from the view (only entries that differ are rewritten). A load therefore refreshes the search in its own transaction, all or
-- nothing, whichever loader (or test) wrote the rows; readers see the old copy until it commits.

CREATE TABLE msip.search_item (
    kind text NOT NULL,
    kind_rank integer NOT NULL,
    ref text NOT NULL,
    collection text,
    label text NOT NULL,
    -- byte order: one btree serves both `LIKE 'q%'` ranges and ORDER BY norm (exact, then
    -- "q …" as whole words, then longer words: a space sorts before every other character)
    norm text COLLATE "C" NOT NULL,
    lon double precision,
    lat double precision,
    west double precision,
    south double precision,
    east double precision,
    north double precision,
    geom geometry NOT NULL,
    PRIMARY KEY (kind, ref)
);
COMMENT ON TABLE msip.search_item IS
    'Stored copy of msip.search_entry (what the geoportal search finds), refreshed per kind at the commit '
    'of every transaction that changes a source table; lon/lat/bbox precomputed in EPSG:4326';
COMMENT ON COLUMN msip.search_item.kind IS 'address, street, plan, zone, place, tree or ad';
COMMENT ON COLUMN msip.search_item.kind_rank IS 'Order of the kinds among equally good hits (addresses first)';
COMMENT ON COLUMN msip.search_item.ref IS 'The item: its key in its table (prefixed where one kind has several sources)';
COMMENT ON COLUMN msip.search_item.collection IS 'OGC API collection holding the item, NULL where none does';
COMMENT ON COLUMN msip.search_item.label IS 'What the search shows';
COMMENT ON COLUMN msip.search_item.norm IS 'What the search matches: msip.search_norm of the searchable text';
COMMENT ON COLUMN msip.search_item.lon IS 'A point on the item (ST_PointOnSurface), longitude in degrees (EPSG:4326)';
COMMENT ON COLUMN msip.search_item.lat IS 'A point on the item (ST_PointOnSurface), latitude in degrees (EPSG:4326)';
COMMENT ON COLUMN msip.search_item.west IS 'The item''s extent, west bound in degrees of longitude';
COMMENT ON COLUMN msip.search_item.south IS 'The item''s extent, south bound in degrees of latitude';
COMMENT ON COLUMN msip.search_item.east IS 'The item''s extent, east bound in degrees of longitude';
COMMENT ON COLUMN msip.search_item.north IS 'The item''s extent, north bound in degrees of latitude';
COMMENT ON COLUMN msip.search_item.geom IS
    'The item''s geometry, EPSG:2180, as the view gives it (a refresh rewrites only rows that changed)';
-- Prefix matches per kind in index order; substrings (and word starts) through trigrams (GIN);
-- fuzzy matches nearest first by word similarity (GiST KNN, `q <<-> lower(norm)`). The GiST index is
-- on lower(norm), which equals norm, so that the planner never takes it for a LIKE, where it scans
-- the whole index; its signature is longer than the default 12 bytes because with 12 the KNN walk
-- for an id or a plan number visited most of the index (8–13 ms; 1–6 ms with 64 on the district).
CREATE INDEX search_item_kind_norm_idx ON msip.search_item (kind, norm);
CREATE INDEX search_item_trgm_idx ON msip.search_item USING gin (norm gin_trgm_ops);
CREATE INDEX search_item_knn_idx ON msip.search_item USING gist (lower(norm) gist_trgm_ops(siglen = 64));

CREATE TABLE msip.search_stale (kind text NOT NULL);
COMMENT ON TABLE msip.search_stale IS
    'Kinds of msip.search_item to copy again at the commit of the transaction that marked them '
    '(each transaction sees and clears only its own rows; empty between transactions)';
COMMENT ON COLUMN msip.search_stale.kind IS 'A kind of msip.search_item whose source rows changed';

-- Copy `kinds` again from the view. Per-kind advisory locks (taken in one order) serialise two
-- transactions refreshing the same kind; each statement then sees the other's committed copy.
-- Only rows that changed are rewritten (a new tree inventory keeps most rows as they were, and
-- writing the district's 19 188 tree entries with their four indexes took 1.2 s). JIT off: the
-- projection's estimated cost made PostgreSQL compile the query (1.5 s of 1.8 s for the trees).
CREATE FUNCTION msip.search_refresh(kinds text[]) RETURNS void
    LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    k text;
BEGIN
    FOR k IN SELECT DISTINCT x FROM unnest(kinds) x ORDER BY x LOOP
        PERFORM pg_advisory_xact_lock(hashtext('msip.search_item'), hashtext(k));
    END LOOP;
    DELETE FROM msip.search_item s
    WHERE s.kind = ANY(kinds) AND NOT EXISTS (
        SELECT FROM msip.search_entry e
        WHERE e.kind = ANY(kinds) AND e.kind = s.kind AND e.ref = s.ref AND e.kind_rank = s.kind_rank
          AND e.collection IS NOT DISTINCT FROM s.collection AND e.label = s.label AND e.norm = s.norm
          AND ST_OrderingEquals(e.geom, s.geom));
    INSERT INTO msip.search_item (kind, kind_rank, ref, collection, label, norm, lon, lat, west, south, east, north, geom)
    SELECT kind, kind_rank, ref, collection, label, norm, ST_X(p), ST_Y(p), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b),
           geom
    FROM (
        SELECT e.*, ST_Transform(ST_PointOnSurface(e.geom), 4326) AS p,
               ST_Transform(ST_Envelope(e.geom), 4326)::box2d AS b
        FROM msip.search_entry e
        WHERE e.kind = ANY(kinds)
          AND NOT EXISTS (SELECT FROM msip.search_item s WHERE s.kind = e.kind AND s.ref = e.ref)
    ) e;
END
$$;
COMMENT ON FUNCTION msip.search_refresh(text[]) IS
    'Copy the given kinds of msip.search_entry into msip.search_item again (run at commit by the triggers)';

-- Statement trigger on a source table: its TG_ARGV are the kinds it feeds. Only statements
-- that changed rows mark them (a no-op UPDATE of an unchanged load refreshes nothing).
CREATE FUNCTION msip.search_mark_stale() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'TRUNCATE' THEN  -- nested: a TRUNCATE trigger has no transition table to plan
        IF NOT EXISTS (SELECT 1 FROM changed) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO msip.search_stale (kind)
    SELECT k FROM unnest(TG_ARGV) k WHERE NOT EXISTS (SELECT 1 FROM msip.search_stale s WHERE s.kind = k);
    RETURN NULL;
END
$$;

CREATE FUNCTION msip.search_refresh_stale() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kinds text[] := ARRAY(SELECT DISTINCT kind FROM msip.search_stale ORDER BY kind);
BEGIN
    IF cardinality(kinds) > 0 THEN
        DELETE FROM msip.search_stale;
        PERFORM msip.search_refresh(kinds);
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER search_refresh_at_commit AFTER INSERT ON msip.search_stale
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION msip.search_refresh_stale();

-- Which source table feeds which kinds (the FROM clauses of msip.search_entry and the views
-- they read: walk_edge_current, zoning_plan_current, zoning_zone_current (plan titles),
-- green_space_current).
DO $$
DECLARE
    src record;
    op text;
BEGIN
    FOR src IN SELECT * FROM (VALUES
        ('address', ARRAY['address', 'street', 'place']), ('walk_edge', ARRAY['street']),
        ('zoning_plan', ARRAY['plan', 'zone']), ('zoning_zone', ARRAY['zone']),
        ('green_space', ARRAY['place']), ('admin_boundary', ARRAY['place']),
        ('tree', ARRAY['tree']), ('advertisement', ARRAY['ad'])) AS t(tab, kinds)
    LOOP
        FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
            EXECUTE format(
                'CREATE TRIGGER %I AFTER %s ON msip.%I REFERENCING %s TABLE AS changed '
                'FOR EACH STATEMENT EXECUTE FUNCTION msip.search_mark_stale(%s)',
                'search_stale_' || op, op, src.tab, CASE op WHEN 'delete' THEN 'OLD' ELSE 'NEW' END,
                array_to_string(ARRAY(SELECT quote_literal(k) FROM unnest(src.kinds) k), ', '));
        END LOOP;
        EXECUTE format(
            'CREATE TRIGGER search_stale_truncate AFTER TRUNCATE ON msip.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION msip.search_mark_stale(%s)',
            src.tab, array_to_string(ARRAY(SELECT quote_literal(k) FROM unnest(src.kinds) k), ', '));
    END LOOP;
END
$$;

DO $$ BEGIN PERFORM msip.search_refresh(ARRAY['address', 'street', 'plan', 'zone', 'place', 'tree', 'ad']); END $$;

GRANT SELECT ON msip.search_item, msip.search_stale TO msip_reader;
