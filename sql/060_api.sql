-- 060: indexes for publishing through the OGC API. The API serves the *_current views, whose
-- rows are those with valid_to IS NULL; partial GiST indexes on exactly those rows keep bbox
-- and vector-tile queries on the current inventories from scanning retired versions.
CREATE INDEX IF NOT EXISTS tree_current_geom_idx ON msip.tree USING gist (geom) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS advertisement_current_geom_idx ON msip.advertisement USING gist (geom) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS landscape_zone_current_geom_idx ON msip.landscape_zone USING gist (geom) WHERE valid_to IS NULL;
COMMENT ON INDEX msip.tree_current_geom_idx IS 'API: bbox/tile queries on current trees (pl: indeks przestrzenny bieżących drzew)';
COMMENT ON INDEX msip.advertisement_current_geom_idx IS 'API: bbox/tile queries on current advertising carriers (pl: bieżące nośniki)';
COMMENT ON INDEX msip.landscape_zone_current_geom_idx IS 'API: bbox queries on current landscape zones (pl: bieżące strefy krajobrazowe)';
