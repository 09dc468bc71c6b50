-- 074: results of the living-conditions indicator grid (processing/living_conditions.py,
-- `msip run living-conditions`, OGC process living-conditions): per grid cell (100 m, 250 m or
-- 1 km; EPSG:2180-aligned or the EU grid EPSG:3035) population, canopy, biologically active
-- surface, building coverage, mean air temperature, residents meeting 3-30-300, trees per 100
-- residents, advertising density and compliance with the zoning indicators; per zoning zone
-- the measured shares against its indicators. Every run keeps its rows (load_run_id); the view
-- msip.living_conditions_cell publishes each cell's latest result (is_current).

CREATE TABLE msip.living_conditions_result (
    result_id               bigserial PRIMARY KEY,
    load_run_id             bigint NOT NULL REFERENCES msip.load_run,
    is_current              boolean NOT NULL DEFAULT true,
    epoch                   date,
    grid_epsg               integer NOT NULL CHECK (grid_epsg IN (2180, 3035)),
    cell_size_m             integer NOT NULL CHECK (cell_size_m > 0),
    cell_code               text NOT NULL,
    area_m2                 double precision NOT NULL CHECK (area_m2 > 0),
    data_pct                double precision CHECK (data_pct BETWEEN 0 AND 100),
    population              integer NOT NULL CHECK (population >= 0),
    buildings               integer NOT NULL CHECK (buildings >= 0),
    canopy_pct              double precision CHECK (canopy_pct BETWEEN 0 AND 100),
    bio_active_pct          double precision CHECK (bio_active_pct BETWEEN 0 AND 100),
    built_pct               double precision CHECK (built_pct BETWEEN 0 AND 100),
    t_air_mean_c            double precision,
    t_air_data_pct          double precision CHECK (t_air_data_pct BETWEEN 0 AND 100),
    pct_3                   double precision CHECK (pct_3 BETWEEN 0 AND 100),
    pct_30                  double precision CHECK (pct_30 BETWEEN 0 AND 100),
    pct_300                 double precision CHECK (pct_300 BETWEEN 0 AND 100),
    pct_3_30_300            double precision CHECK (pct_3_30_300 BETWEEN 0 AND 100),
    trees                   integer NOT NULL CHECK (trees >= 0),
    trees_per_100_residents double precision CHECK (trees_per_100_residents >= 0),
    ads                     integer NOT NULL CHECK (ads >= 0),
    ads_per_km2             double precision NOT NULL CHECK (ads_per_km2 >= 0),
    zoned_pct               double precision CHECK (zoned_pct BETWEEN 0 AND 100),
    zoning_compliant_pct    double precision CHECK (zoning_compliant_pct BETWEEN 0 AND 100),
    geom                    geometry(Polygon, 2180) NOT NULL
);
COMMENT ON TABLE msip.living_conditions_result IS 'Living-conditions indicators per grid cell and analysis run (pl: wskaźniki warunków życia w oczkach siatki)';
COMMENT ON COLUMN msip.living_conditions_result.result_id IS 'Row id (pl: identyfikator wyniku)';
COMMENT ON COLUMN msip.living_conditions_result.load_run_id IS 'Analysis run (msip.load_run, source_kind analysis:living-conditions) with its parameters';
COMMENT ON COLUMN msip.living_conditions_result.is_current IS 'True for the latest computed result of the cell (pl: wynik aktualny)';
COMMENT ON COLUMN msip.living_conditions_result.epoch IS 'Epoch of the building snapshot (the analysis date) (pl: stan na dzień)';
COMMENT ON COLUMN msip.living_conditions_result.grid_epsg IS '2180: cells aligned to PUWG-1992 multiples of the size; 3035: EU statistical grid (ETRS89-LAEA)';
COMMENT ON COLUMN msip.living_conditions_result.cell_size_m IS 'Cell side in the grid CRS, m (100, 250 or 1000)';
COMMENT ON COLUMN msip.living_conditions_result.cell_code IS 'Cell code: 100mE614000N334600 (EPSG:2180, lower-left corner) or CRS3035RES100mN3138100E5065600 (INSPIRE)';
COMMENT ON COLUMN msip.living_conditions_result.area_m2 IS 'Cell area in EPSG:2180, m²';
COMMENT ON COLUMN msip.living_conditions_result.data_pct IS 'Share of the cell with NDVI or CHM data, %';
COMMENT ON COLUMN msip.living_conditions_result.population IS 'Residents of the residential buildings whose centroid lies in the cell (pl: liczba mieszkańców)';
COMMENT ON COLUMN msip.living_conditions_result.buildings IS 'Residential buildings whose centroid lies in the cell';
COMMENT ON COLUMN msip.living_conditions_result.canopy_pct IS 'Tree canopy: CHM ≥ 2 m (default) pixels / pixels with CHM data, % (pl: pokrycie koronami drzew)';
COMMENT ON COLUMN msip.living_conditions_result.bio_active_pct IS 'Biologically active: not under a building and NDVI ≥ 0.3 (default; CHM canopy where no orthophoto), of pixels with data, % (pl: powierzchnia biologicznie czynna)';
COMMENT ON COLUMN msip.living_conditions_result.built_pct IS 'Building coverage: pixels in building footprints / all pixels, % (pl: powierzchnia zabudowy)';
COMMENT ON COLUMN msip.living_conditions_result.t_air_mean_c IS 'Mean modelled air temperature of the latest heat-island run, °C; NULL when not run (pl: średnia temperatura powietrza)';
COMMENT ON COLUMN msip.living_conditions_result.t_air_data_pct IS 'Share of the cell covered by the T_air raster, %';
COMMENT ON COLUMN msip.living_conditions_result.pct_3 IS 'Residents in buildings meeting 3 (trees), % of residents with a green-access result';
COMMENT ON COLUMN msip.living_conditions_result.pct_30 IS 'Residents meeting 30 (canopy), %';
COMMENT ON COLUMN msip.living_conditions_result.pct_300 IS 'Residents meeting 300 (park walk), %';
COMMENT ON COLUMN msip.living_conditions_result.pct_3_30_300 IS 'Residents meeting all of 3-30-300, %';
COMMENT ON COLUMN msip.living_conditions_result.trees IS 'Trees in the cell: inventory valid on the date + LiDAR-only (pl: liczba drzew)';
COMMENT ON COLUMN msip.living_conditions_result.trees_per_100_residents IS '100 × trees / population; NULL where nobody lives (pl: drzewa na 100 mieszkańców)';
COMMENT ON COLUMN msip.living_conditions_result.ads IS 'Advertising carriers valid on the date in the cell (pl: nośniki reklamowe)';
COMMENT ON COLUMN msip.living_conditions_result.ads_per_km2 IS 'Carriers per km² of the cell (pl: gęstość nośników)';
COMMENT ON COLUMN msip.living_conditions_result.zoned_pct IS 'Share of the cell in zoning zones that set a biologically active minimum or a coverage maximum (and could be checked), %';
COMMENT ON COLUMN msip.living_conditions_result.zoning_compliant_pct IS 'Of that zoned part, the share in zones meeting every indicator they set, % (see msip.living_conditions_zone)';
COMMENT ON COLUMN msip.living_conditions_result.geom IS 'Cell outline, EPSG:2180 (EU cells: their corners transformed)';
CREATE INDEX living_conditions_result_run_idx ON msip.living_conditions_result (load_run_id);
CREATE INDEX living_conditions_result_cell_idx ON msip.living_conditions_result (grid_epsg, cell_size_m, cell_code) WHERE is_current;
CREATE INDEX living_conditions_result_geom_idx ON msip.living_conditions_result USING gist (geom) WHERE is_current;

CREATE TABLE msip.living_conditions_zone (
    zone_result_id    bigserial PRIMARY KEY,
    load_run_id       bigint NOT NULL REFERENCES msip.load_run,
    zone_pk           bigint NOT NULL,
    local_id          text NOT NULL,
    symbol            text NOT NULL,
    min_bio_pct       double precision,
    bio_active_pct    double precision,
    max_coverage_pct  double precision,
    coverage_pct      double precision,
    compliant         boolean,
    geom              geometry(MultiPolygon, 2180) NOT NULL
);
COMMENT ON TABLE msip.living_conditions_zone IS 'Zoning zones checked against their indicators in a living-conditions run (pl: zgodność ze wskaźnikami planu)';
COMMENT ON COLUMN msip.living_conditions_zone.zone_result_id IS 'Row id';
COMMENT ON COLUMN msip.living_conditions_zone.load_run_id IS 'Analysis run (msip.load_run) that checked the zone';
COMMENT ON COLUMN msip.living_conditions_zone.zone_pk IS 'msip.zoning_zone row checked';
COMMENT ON COLUMN msip.living_conditions_zone.local_id IS 'Zone local id (pl: identyfikator lokalny strefy)';
COMMENT ON COLUMN msip.living_conditions_zone.symbol IS 'Zone symbol, e.g. SW, SJ (pl: symbol strefy)';
COMMENT ON COLUMN msip.living_conditions_zone.min_bio_pct IS 'Required minimum biologically active share, % (pl: minimalny udział powierzchni biologicznie czynnej)';
COMMENT ON COLUMN msip.living_conditions_zone.bio_active_pct IS 'Measured biologically active share of the zone, % (same rule as the grid)';
COMMENT ON COLUMN msip.living_conditions_zone.max_coverage_pct IS 'Allowed maximum building coverage, % (pl: maksymalna powierzchnia zabudowy)';
COMMENT ON COLUMN msip.living_conditions_zone.coverage_pct IS 'Measured building coverage: footprint area inside the zone / zone area, %';
COMMENT ON COLUMN msip.living_conditions_zone.compliant IS 'Meets every indicator it sets; NULL when it sets none or a measurement is missing';
COMMENT ON COLUMN msip.living_conditions_zone.geom IS 'Zone area, EPSG:2180';
CREATE INDEX living_conditions_zone_run_idx ON msip.living_conditions_zone (load_run_id);

CREATE VIEW msip.living_conditions_cell AS
SELECT * FROM msip.living_conditions_result WHERE is_current;
COMMENT ON VIEW msip.living_conditions_cell IS 'Latest living-conditions indicators of every grid cell (pl: warunki życia – stan aktualny)';
