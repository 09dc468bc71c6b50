-- 112: terrain change with uncertainty (processing/terrain, `msip run terrain-change`, OGC process
-- terrain-change). Watched areas are loaded from GeoJSON/GPKG (`msip load watched-areas`); every
-- analysis run stores, per consecutive epoch pair, the connected areas of change above the level
-- of detection (LoD) with their volumes, and the cut/fill volumes of every watched area with
-- their uncertainty (the time series). The DEM of difference itself is a COG (raster kind
-- terrain_dod: bands dz, LoD95, significant dz) catalogued in msip.raster_asset.

CREATE TABLE msip.terrain_watched_area (
    area_id      bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    description  text,
    geom         geometry(MultiPolygon, 2180) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    load_run_id  bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.terrain_watched_area IS 'Areas whose terrain is monitored across LiDAR epochs (pl: obszary monitorowania zmian terenu)';
COMMENT ON COLUMN msip.terrain_watched_area.name IS 'Name, unique; loading a file again replaces areas of the same name (pl: nazwa)';
COMMENT ON COLUMN msip.terrain_watched_area.description IS 'Free text from the source file (pl: opis)';
COMMENT ON COLUMN msip.terrain_watched_area.geom IS 'Outline, EPSG:2180';
COMMENT ON COLUMN msip.terrain_watched_area.load_run_id IS 'Load run that brought the area';
CREATE INDEX terrain_watched_area_geom_idx ON msip.terrain_watched_area USING gist (geom);

CREATE TABLE msip.terrain_change_region (
    region_id        bigserial PRIMARY KEY,
    epoch_from       date NOT NULL,
    epoch_to         date NOT NULL CHECK (epoch_to > epoch_from),
    kind             text NOT NULL CHECK (kind IN ('fill', 'cut')),
    area_m2          double precision NOT NULL CHECK (area_m2 > 0),
    volume_m3        double precision NOT NULL CHECK (volume_m3 >= 0),
    volume_sigma_m3  double precision NOT NULL CHECK (volume_sigma_m3 >= 0),
    max_abs_dz_m     double precision NOT NULL,
    mean_lod_m       double precision NOT NULL,
    geom             geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id      bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.terrain_change_region IS 'Connected areas of terrain change above the level of detection between two LiDAR epochs (pl: obszary zmian terenu powyżej progu wykrywalności)';
COMMENT ON COLUMN msip.terrain_change_region.kind IS 'fill (ground rose, pl: nasyp) or cut (ground fell, pl: wykop/ubytek)';
COMMENT ON COLUMN msip.terrain_change_region.area_m2 IS 'Area of the cells above the LoD, m²';
COMMENT ON COLUMN msip.terrain_change_region.volume_m3 IS 'Volume of the change above the LoD (sum of |dz| × cell area), m³ (pl: objętość)';
COMMENT ON COLUMN msip.terrain_change_region.volume_sigma_m3 IS 'Standard uncertainty of the volume (independent cells: cell area × √Σσ²), m³';
COMMENT ON COLUMN msip.terrain_change_region.max_abs_dz_m IS 'Largest height change, m';
COMMENT ON COLUMN msip.terrain_change_region.mean_lod_m IS 'Mean level of detection over the region, m';
CREATE INDEX terrain_change_region_geom_idx ON msip.terrain_change_region USING gist (geom);
CREATE INDEX terrain_change_region_run_idx ON msip.terrain_change_region (load_run_id);

CREATE TABLE msip.terrain_volume (
    volume_id          bigserial PRIMARY KEY,
    area_id            bigint NOT NULL REFERENCES msip.terrain_watched_area ON DELETE CASCADE,
    epoch_from         date NOT NULL,
    epoch_to           date NOT NULL CHECK (epoch_to > epoch_from),
    fill_m3            double precision NOT NULL CHECK (fill_m3 >= 0),
    cut_m3             double precision NOT NULL CHECK (cut_m3 >= 0),
    net_m3             double precision NOT NULL,
    fill_sigma_m3      double precision NOT NULL CHECK (fill_sigma_m3 >= 0),
    cut_sigma_m3       double precision NOT NULL CHECK (cut_sigma_m3 >= 0),
    net_sigma_m3       double precision NOT NULL CHECK (net_sigma_m3 >= 0),
    raw_net_m3         double precision,
    raw_net_sigma_m3   double precision,
    area_m2            double precision NOT NULL CHECK (area_m2 > 0),
    known_m2           double precision NOT NULL CHECK (known_m2 >= 0),
    significant_m2     double precision NOT NULL CHECK (significant_m2 >= 0),
    load_run_id        bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.terrain_volume IS 'Cut and fill volumes with uncertainty per watched area and epoch pair: the time series (pl: objętości nasypów i ubytków z niepewnością)';
COMMENT ON COLUMN msip.terrain_volume.fill_m3 IS 'Volume of the rise above the LoD, m³ (pl: nasyp)';
COMMENT ON COLUMN msip.terrain_volume.cut_m3 IS 'Volume of the fall above the LoD, m³ (pl: ubytek)';
COMMENT ON COLUMN msip.terrain_volume.net_m3 IS 'fill − cut, m³';
COMMENT ON COLUMN msip.terrain_volume.net_sigma_m3 IS 'Standard uncertainty of the net volume (cell area × √Σσ² over the significant cells), m³';
COMMENT ON COLUMN msip.terrain_volume.raw_net_m3 IS 'Net volume over every known cell, without the LoD threshold, m³; NULL without known cells';
COMMENT ON COLUMN msip.terrain_volume.area_m2 IS 'Area of the watched area on the DoD grid, m²';
COMMENT ON COLUMN msip.terrain_volume.known_m2 IS 'Part of the area where both DTMs have data; the rest is unknown, never counted as 0 change';
COMMENT ON COLUMN msip.terrain_volume.significant_m2 IS 'Part of the area with change above the LoD, m²';
CREATE INDEX terrain_volume_area_idx ON msip.terrain_volume (area_id, epoch_from);
CREATE INDEX terrain_volume_run_idx ON msip.terrain_volume (load_run_id);

-- The latest result per watched area and epoch pair (what the API and the notebook read).
CREATE VIEW msip.terrain_volume_current AS
SELECT DISTINCT ON (v.area_id, v.epoch_from, v.epoch_to) v.*, a.name, a.geom
FROM msip.terrain_volume v JOIN msip.terrain_watched_area a USING (area_id)
ORDER BY v.area_id, v.epoch_from, v.epoch_to, v.load_run_id DESC;
COMMENT ON VIEW msip.terrain_volume_current IS 'Latest cut/fill volumes per watched area and epoch pair (pl: aktualne objętości zmian terenu)';
