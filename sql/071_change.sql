-- 071: results of the `change` analysis (processing/change.py): what changed between two survey
-- epochs — new, raised, demolished and lowered buildings, canopy lost and gained, felled trees,
-- crown NDVI decline, terrain changes and new/removed advertising carriers. One row per event,
-- written by an analysis run recorded in msip.load_run (source_kind 'analysis:change'); a run
-- replaces the earlier events of the same epoch pair that intersect its area.
CREATE TABLE msip.change_event (
    event_id         bigserial PRIMARY KEY,
    type             text NOT NULL CHECK (type IN (
                         'new_building', 'raised_building', 'demolished_building', 'lowered_building',
                         'canopy_lost', 'canopy_gained', 'felled_tree', 'health_decline', 'terrain_change',
                         'new_ad', 'removed_ad')),
    epoch_from       date NOT NULL,
    epoch_to         date NOT NULL,
    area_m2          double precision CHECK (area_m2 >= 0),
    height_change_m  double precision,
    object_id        text,
    evidence         jsonb NOT NULL,
    geom             geometry(Geometry, 2180) NOT NULL
                     CHECK (GeometryType(geom) IN ('POINT', 'MULTIPOLYGON')),
    load_run_id      bigint NOT NULL REFERENCES msip.load_run,
    CONSTRAINT change_event_epochs CHECK (epoch_from < epoch_to)
);
COMMENT ON TABLE msip.change_event IS 'Changes detected between two survey epochs (pl: zmiany wykryte między epokami)';
COMMENT ON COLUMN msip.change_event.event_id IS 'Event identifier';
COMMENT ON COLUMN msip.change_event.type IS 'new_building, raised_building, demolished_building, lowered_building, canopy_lost, canopy_gained, felled_tree, health_decline (crown NDVI fell), terrain_change, new_ad, removed_ad (pl: rodzaj zmiany)';
COMMENT ON COLUMN msip.change_event.epoch_from IS 'Earlier epoch compared, survey date (pl: epoka wcześniejsza)';
COMMENT ON COLUMN msip.change_event.epoch_to IS 'Later epoch compared, survey date (pl: epoka późniejsza)';
COMMENT ON COLUMN msip.change_event.area_m2 IS 'Changed area, m²: the region for raster changes, the inventory crown area (π r²) for trees; NULL for carriers (pl: powierzchnia zmiany)';
COMMENT ON COLUMN msip.change_event.height_change_m IS 'Mean height change over the region, m (later − earlier; built surface, CHM or DTM); for trees the change of the highest CHM value at the trunk; NULL for carriers (pl: zmiana wysokości)';
COMMENT ON COLUMN msip.change_event.object_id IS 'Identifier of the object concerned: register building id, inventory tree number, carrier id (pl: identyfikator obiektu)';
COMMENT ON COLUMN msip.change_event.evidence IS 'Measured values behind the decision (pixels, mean heights before/after, thresholds, canopy shares, NDVI before/after, register matches) (pl: dowody)';
COMMENT ON COLUMN msip.change_event.geom IS 'Changed area (MultiPolygon) or the object position (Point: tree trunk, carrier), EPSG:2180';
COMMENT ON COLUMN msip.change_event.load_run_id IS 'Analysis run that found the event (msip.load_run, source_kind analysis:change)';
CREATE INDEX change_event_geom_idx ON msip.change_event USING gist (geom);
CREATE INDEX change_event_epochs_type_idx ON msip.change_event (epoch_from, epoch_to, type);
CREATE INDEX change_event_run_idx ON msip.change_event (load_run_id);
