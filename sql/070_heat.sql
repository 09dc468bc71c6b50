-- 070: results of the heat-island analysis (InVEST Urban Cooling Model on MSIP layers,
-- processing/heat_islands.py). One analysis run = one msip.load_run (source_kind
-- 'analysis:heat-island', parameters in load_run.params); every row carries its load_run_id, the
-- epoch of the rasters it used and the mode (day: CC from shade, albedo and ETI; night: CC = 1 −
-- building intensity). The HM and T_air rasters are COGs catalogued in msip.raster_asset as kinds
-- heat_hm and heat_tair. The *_latest views show the rows of the newest successful run per mode.
-- Temperatures in °C, areas in m², geometry EPSG:2180.

CREATE TABLE msip.heat_hotspot (
    hotspot_id     bigserial PRIMARY KEY,
    load_run_id    bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    epoch          date NOT NULL,
    mode           text NOT NULL CHECK (mode IN ('day', 'night')),
    percentile     double precision NOT NULL,
    threshold_c    double precision NOT NULL,
    cells          integer NOT NULL CHECK (cells > 0),
    area_m2        double precision NOT NULL CHECK (area_m2 > 0),
    t_air_mean_c   double precision NOT NULL,
    t_air_max_c    double precision NOT NULL,
    hm_mean        double precision NOT NULL,
    geom           geometry(MultiPolygon, 2180) NOT NULL
);
COMMENT ON TABLE msip.heat_hotspot IS 'Heat hot spots: connected model cells with T_air at or above a percentile (pl: gorące punkty, wyspy ciepła)';
COMMENT ON COLUMN msip.heat_hotspot.load_run_id IS 'The heat-island analysis run (msip.load_run) that found it';
COMMENT ON COLUMN msip.heat_hotspot.epoch IS 'Survey date of the rasters the run used (pl: epoka)';
COMMENT ON COLUMN msip.heat_hotspot.mode IS 'day (shade, albedo, evapotranspiration) or night (building intensity) (pl: dzień / noc)';
COMMENT ON COLUMN msip.heat_hotspot.percentile IS 'Percentile of T_air over the analysed cells that defines a hot cell, %';
COMMENT ON COLUMN msip.heat_hotspot.threshold_c IS 'T_air of that percentile, °C: hot cells have T_air >= this';
COMMENT ON COLUMN msip.heat_hotspot.cells IS 'Model grid cells in the hot spot (edge-connected)';
COMMENT ON COLUMN msip.heat_hotspot.area_m2 IS 'Area = cells × cell size², m² (pl: powierzchnia)';
COMMENT ON COLUMN msip.heat_hotspot.t_air_mean_c IS 'Mean air temperature of the cells, °C';
COMMENT ON COLUMN msip.heat_hotspot.t_air_max_c IS 'Highest air temperature of the cells, °C';
COMMENT ON COLUMN msip.heat_hotspot.hm_mean IS 'Mean heat-mitigation index HM (0–1) of the cells';
COMMENT ON COLUMN msip.heat_hotspot.geom IS 'Outline of the cells (dissolved), EPSG:2180';
CREATE INDEX heat_hotspot_geom_idx ON msip.heat_hotspot USING gist (geom);
CREATE INDEX heat_hotspot_run_idx ON msip.heat_hotspot (load_run_id);

CREATE TABLE msip.heat_building_stats (
    stat_id            bigserial PRIMARY KEY,
    load_run_id        bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    building_pk        bigint NOT NULL,
    source_id          text NOT NULL,
    building_epoch     date,
    epoch              date NOT NULL,
    mode               text NOT NULL CHECK (mode IN ('day', 'night')),
    cells              integer NOT NULL CHECK (cells > 0),
    sampled_at_point   boolean NOT NULL,
    t_air_mean_c       double precision NOT NULL,
    t_air_max_c        double precision NOT NULL,
    hm_mean            double precision NOT NULL,
    hot_share_pct      double precision NOT NULL CHECK (hot_share_pct BETWEEN 0 AND 100),
    geom               geometry(MultiPolygon, 2180) NOT NULL,
    UNIQUE (load_run_id, building_pk)
);
COMMENT ON TABLE msip.heat_building_stats IS 'Mean modelled air temperature per building (pl: temperatura powietrza przy budynkach)';
COMMENT ON COLUMN msip.heat_building_stats.building_pk IS 'msip.building.building_pk of the building';
COMMENT ON COLUMN msip.heat_building_stats.source_id IS 'Id of the building in its source (msip.building.source_id)';
COMMENT ON COLUMN msip.heat_building_stats.building_epoch IS 'Epoch of the building snapshot used';
COMMENT ON COLUMN msip.heat_building_stats.epoch IS 'Survey date of the rasters the run used';
COMMENT ON COLUMN msip.heat_building_stats.mode IS 'day or night model';
COMMENT ON COLUMN msip.heat_building_stats.cells IS 'Model cells averaged: cells whose centre lies in the footprint (1 when sampled at a point)';
COMMENT ON COLUMN msip.heat_building_stats.sampled_at_point IS 'True when no cell centre lies in the footprint: the cell under its representative point is used';
COMMENT ON COLUMN msip.heat_building_stats.t_air_mean_c IS 'Mean air temperature T_air of the cells, °C';
COMMENT ON COLUMN msip.heat_building_stats.t_air_max_c IS 'Highest T_air of the cells, °C';
COMMENT ON COLUMN msip.heat_building_stats.hm_mean IS 'Mean heat-mitigation index HM (0–1)';
COMMENT ON COLUMN msip.heat_building_stats.hot_share_pct IS 'Share of the cells that are hot-spot cells, %';
COMMENT ON COLUMN msip.heat_building_stats.geom IS 'Building footprint (copy of msip.building.geom), EPSG:2180';
COMMENT ON COLUMN msip.heat_building_stats.stat_id IS 'Row id (the API''s feature id)';
CREATE INDEX heat_building_stats_geom_idx ON msip.heat_building_stats USING gist (geom);

CREATE TABLE msip.heat_zone_stats (
    stat_id            bigserial PRIMARY KEY,
    load_run_id        bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    zone_pk            bigint NOT NULL,
    symbol             text NOT NULL,
    designation        text,
    epoch              date NOT NULL,
    mode               text NOT NULL CHECK (mode IN ('day', 'night')),
    cells              integer NOT NULL CHECK (cells > 0),
    t_air_mean_c       double precision NOT NULL,
    t_air_max_c        double precision NOT NULL,
    hm_mean            double precision NOT NULL,
    hot_share_pct      double precision NOT NULL CHECK (hot_share_pct BETWEEN 0 AND 100),
    geom               geometry(MultiPolygon, 2180) NOT NULL,
    UNIQUE (load_run_id, zone_pk)
);
COMMENT ON TABLE msip.heat_zone_stats IS 'Modelled air temperature per zoning zone (pl: temperatura powietrza w strefach planistycznych)';
COMMENT ON COLUMN msip.heat_zone_stats.zone_pk IS 'msip.zoning_zone.zone_pk of the zone';
COMMENT ON COLUMN msip.heat_zone_stats.symbol IS 'Zone symbol, e.g. MN, U, ZP (pl: symbol)';
COMMENT ON COLUMN msip.heat_zone_stats.designation IS 'Zone designation, e.g. 1MN (pl: oznaczenie)';
COMMENT ON COLUMN msip.heat_zone_stats.epoch IS 'Survey date of the rasters the run used';
COMMENT ON COLUMN msip.heat_zone_stats.mode IS 'day or night model';
COMMENT ON COLUMN msip.heat_zone_stats.cells IS 'Model cells whose centre lies in the zone and that have data';
COMMENT ON COLUMN msip.heat_zone_stats.t_air_mean_c IS 'Mean air temperature T_air, °C';
COMMENT ON COLUMN msip.heat_zone_stats.t_air_max_c IS 'Highest T_air, °C';
COMMENT ON COLUMN msip.heat_zone_stats.hm_mean IS 'Mean heat-mitigation index HM (0–1)';
COMMENT ON COLUMN msip.heat_zone_stats.hot_share_pct IS 'Share of the cells that are hot-spot cells, %';
COMMENT ON COLUMN msip.heat_zone_stats.geom IS 'Zone area (copy of msip.zoning_zone.geom), EPSG:2180';
COMMENT ON COLUMN msip.heat_zone_stats.stat_id IS 'Row id (the API''s feature id)';
CREATE INDEX heat_zone_stats_geom_idx ON msip.heat_zone_stats USING gist (geom);

CREATE TABLE msip.heat_cell_stats (
    stat_id            bigserial PRIMARY KEY,
    load_run_id        bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    cell_id            text NOT NULL,
    cell_size_m        integer NOT NULL CHECK (cell_size_m > 0),
    epoch              date NOT NULL,
    mode               text NOT NULL CHECK (mode IN ('day', 'night')),
    cells              integer NOT NULL CHECK (cells > 0),
    valid_share_pct    double precision NOT NULL CHECK (valid_share_pct BETWEEN 0 AND 100),
    t_air_mean_c       double precision NOT NULL,
    t_air_max_c        double precision NOT NULL,
    hm_mean            double precision NOT NULL,
    hot_share_pct      double precision NOT NULL CHECK (hot_share_pct BETWEEN 0 AND 100),
    geom               geometry(Polygon, 2180) NOT NULL,
    UNIQUE (load_run_id, cell_id)
);
COMMENT ON TABLE msip.heat_cell_stats IS 'Modelled air temperature per statistics grid cell, EPSG:2180-aligned (pl: temperatura powietrza w oczkach siatki)';
COMMENT ON COLUMN msip.heat_cell_stats.cell_id IS '<size>mE<minx>N<miny>: size and lower-left corner of the cell in EPSG:2180 metres';
COMMENT ON COLUMN msip.heat_cell_stats.cell_size_m IS 'Side of the statistics cell, m (100, 250, 500 or 1000)';
COMMENT ON COLUMN msip.heat_cell_stats.epoch IS 'Survey date of the rasters the run used';
COMMENT ON COLUMN msip.heat_cell_stats.mode IS 'day or night model';
COMMENT ON COLUMN msip.heat_cell_stats.cells IS 'Model cells with data whose centre lies in the statistics cell';
COMMENT ON COLUMN msip.heat_cell_stats.valid_share_pct IS 'Share of the statistics cell covered by model cells with data, %';
COMMENT ON COLUMN msip.heat_cell_stats.t_air_mean_c IS 'Mean air temperature T_air, °C';
COMMENT ON COLUMN msip.heat_cell_stats.t_air_max_c IS 'Highest T_air, °C';
COMMENT ON COLUMN msip.heat_cell_stats.hm_mean IS 'Mean heat-mitigation index HM (0–1)';
COMMENT ON COLUMN msip.heat_cell_stats.hot_share_pct IS 'Share of the model cells that are hot-spot cells, %';
COMMENT ON COLUMN msip.heat_cell_stats.geom IS 'The statistics cell, EPSG:2180';
COMMENT ON COLUMN msip.heat_cell_stats.stat_id IS 'Row id (the API''s feature id)';
CREATE INDEX heat_cell_stats_geom_idx ON msip.heat_cell_stats USING gist (geom);

-- The newest successful heat-island run of each mode.
CREATE VIEW msip.heat_run_latest AS
SELECT DISTINCT ON (params->>'mode') run_id AS load_run_id, params->>'mode' AS mode, epoch, finished_at
FROM msip.load_run
WHERE source_kind = 'analysis:heat-island' AND status = 'succeeded'
ORDER BY params->>'mode', run_id DESC;
COMMENT ON VIEW msip.heat_run_latest IS 'The newest successful heat-island run per mode (day, night) (pl: najnowsze przebiegi analizy wysp ciepła)';

CREATE VIEW msip.heat_hotspot_latest AS
SELECT h.* FROM msip.heat_hotspot h JOIN msip.heat_run_latest r USING (load_run_id);
COMMENT ON VIEW msip.heat_hotspot_latest IS 'Hot spots of the newest heat-island run per mode (pl: aktualne wyspy ciepła)';
CREATE VIEW msip.heat_building_stats_latest AS
SELECT b.* FROM msip.heat_building_stats b JOIN msip.heat_run_latest r USING (load_run_id);
COMMENT ON VIEW msip.heat_building_stats_latest IS 'Per-building T_air of the newest heat-island run per mode';
CREATE VIEW msip.heat_zone_stats_latest AS
SELECT z.* FROM msip.heat_zone_stats z JOIN msip.heat_run_latest r USING (load_run_id);
COMMENT ON VIEW msip.heat_zone_stats_latest IS 'Per-zone T_air of the newest heat-island run per mode';
CREATE VIEW msip.heat_cell_stats_latest AS
SELECT c.* FROM msip.heat_cell_stats c JOIN msip.heat_run_latest r USING (load_run_id);
COMMENT ON VIEW msip.heat_cell_stats_latest IS 'Per-grid-cell T_air of the newest heat-island run per mode';
