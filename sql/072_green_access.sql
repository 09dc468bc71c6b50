-- 072: results of the green-access analysis (processing/green_access.py, `msip run green-access`,
-- OGC process green-access): per residential building the 3-30-300 rule (3 trees within 15 m,
-- 30 % canopy in the neighbourhood, a public green space ≥ 0.5 ha within 300 m walk) and the
-- art. 13f u.p.z.p. access standard (public green ≥ 3 ha within 1500 m, one ≥ 20 ha within
-- 3000 m, a primary school within 1500 m), plus population-weighted shares per district.
-- Every run keeps its rows (load_run_id = the analysis run in msip.load_run); is_current marks
-- each building's latest computed result, which the view msip.greenspace_access publishes.

CREATE TABLE msip.greenspace_access_result (
    access_id             bigserial PRIMARY KEY,
    load_run_id           bigint NOT NULL REFERENCES msip.load_run,
    is_current            boolean NOT NULL DEFAULT true,
    epoch                 date,
    building_pk           bigint NOT NULL,
    building_id           text NOT NULL,
    population            integer NOT NULL CHECK (population >= 0),
    district_id           text,
    trees_15m             integer NOT NULL CHECK (trees_15m >= 0),
    trees_inventory_15m   integer NOT NULL CHECK (trees_inventory_15m >= 0),
    trees_lidar_15m       integer NOT NULL CHECK (trees_lidar_15m >= 0),
    canopy_pct            double precision CHECK (canopy_pct BETWEEN 0 AND 100),
    canopy_data_pct       double precision CHECK (canopy_data_pct BETWEEN 0 AND 100),
    snap_m                double precision CHECK (snap_m >= 0),
    park_distance_m       double precision CHECK (park_distance_m >= 0),
    park_walk_min         double precision CHECK (park_walk_min >= 0),
    park_id               text,
    green_1500m_ha        double precision CHECK (green_1500m_ha >= 0),
    park_20ha_distance_m  double precision CHECK (park_20ha_distance_m >= 0),
    school_distance_m     double precision CHECK (school_distance_m >= 0),
    meets_3               boolean NOT NULL,
    meets_30              boolean,
    meets_300             boolean NOT NULL,
    meets_3_30_300        boolean NOT NULL,
    meets_13f_green       boolean NOT NULL,
    meets_13f_school      boolean,
    meets_13f             boolean NOT NULL,
    geom                  geometry(MultiPolygon, 2180) NOT NULL
);
COMMENT ON TABLE msip.greenspace_access_result IS 'Green-space access per residential building and analysis run: 3-30-300 rule and art. 13f u.p.z.p. (pl: dostęp do zieleni – wyniki)';
COMMENT ON COLUMN msip.greenspace_access_result.access_id IS 'Row id (pl: identyfikator wyniku)';
COMMENT ON COLUMN msip.greenspace_access_result.load_run_id IS 'Analysis run (msip.load_run, source_kind analysis:green-access) with its parameters';
COMMENT ON COLUMN msip.greenspace_access_result.is_current IS 'True for the latest computed result of the building (pl: wynik aktualny)';
COMMENT ON COLUMN msip.greenspace_access_result.epoch IS 'Epoch of the building snapshot analysed (pl: stan budynków na dzień)';
COMMENT ON COLUMN msip.greenspace_access_result.building_pk IS 'msip.building row analysed';
COMMENT ON COLUMN msip.greenspace_access_result.building_id IS 'Building id in its source (pl: id budynku)';
COMMENT ON COLUMN msip.greenspace_access_result.population IS 'Residents of the building (pl: liczba mieszkańców)';
COMMENT ON COLUMN msip.greenspace_access_result.district_id IS 'District of the summary: grid cell (lower-left E_N) or zoning zone local id (pl: rejon)';
COMMENT ON COLUMN msip.greenspace_access_result.trees_15m IS 'Trees whose trunk/apex lies within the radius (default 15 m) of the outline: inventory + LiDAR-only (pl: drzewa w promieniu 15 m)';
COMMENT ON COLUMN msip.greenspace_access_result.trees_inventory_15m IS 'Of which inventory trees valid on the epoch (pl: z inwentaryzacji)';
COMMENT ON COLUMN msip.greenspace_access_result.trees_lidar_15m IS 'Of which LiDAR-detected trees with no inventory tree within the de-duplication distance (pl: tylko z LiDAR)';
COMMENT ON COLUMN msip.greenspace_access_result.canopy_pct IS 'Canopy cover in the circle (default 250 m) around the centroid: CHM cells ≥ 2 m / cells with data, % (pl: pokrycie koronami drzew)';
COMMENT ON COLUMN msip.greenspace_access_result.canopy_data_pct IS 'Share of the circle covered by the CHM, % (below 100 near the survey edge) (pl: pokrycie danymi)';
COMMENT ON COLUMN msip.greenspace_access_result.snap_m IS 'Distance from the centroid to the nearest walk edge, m; NULL = no edge within the snap limit (pl: dojście do sieci)';
COMMENT ON COLUMN msip.greenspace_access_result.park_distance_m IS 'Walk to the nearest public green space ≥ 0.5 ha: snap leg + network path to a point within the entrance tolerance of its outline, m; NULL = none within 3000 m (pl: odległość dojścia do parku)';
COMMENT ON COLUMN msip.greenspace_access_result.park_walk_min IS 'park_distance_m at the walking speed (default 4.8 km/h), minutes (pl: czas dojścia)';
COMMENT ON COLUMN msip.greenspace_access_result.park_id IS 'Source id of that green space (pl: id terenu zieleni)';
COMMENT ON COLUMN msip.greenspace_access_result.green_1500m_ha IS 'Total area of the public green spaces reached within 1500 m walk, ha (pl: zieleń publiczna w zasięgu 1500 m)';
COMMENT ON COLUMN msip.greenspace_access_result.park_20ha_distance_m IS 'Walk to the nearest public green space ≥ 20 ha, m; NULL = none within 3000 m';
COMMENT ON COLUMN msip.greenspace_access_result.school_distance_m IS 'Walk to the nearest school building (kind school), m; NULL = none within 3000 m or no schools loaded';
COMMENT ON COLUMN msip.greenspace_access_result.meets_3 IS '3: at least 3 trees within the radius';
COMMENT ON COLUMN msip.greenspace_access_result.meets_30 IS '30: canopy_pct ≥ 30; NULL when no CHM covers the circle';
COMMENT ON COLUMN msip.greenspace_access_result.meets_300 IS '300: park_distance_m ≤ 300';
COMMENT ON COLUMN msip.greenspace_access_result.meets_3_30_300 IS 'All three of the 3-30-300 rule (an unknown 30 counts as not met)';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f_green IS 'Art. 13f: green_1500m_ha ≥ 3 and park_20ha_distance_m ≤ 3000';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f_school IS 'Art. 13f: school_distance_m ≤ 1500; NULL when no schools are loaded';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f IS 'Art. 13f green standard and (where schools are loaded) the school standard';
COMMENT ON COLUMN msip.greenspace_access_result.geom IS 'Building outline, EPSG:2180';
CREATE INDEX greenspace_access_result_run_idx ON msip.greenspace_access_result (load_run_id);
CREATE INDEX greenspace_access_result_building_idx ON msip.greenspace_access_result (building_id) WHERE is_current;
CREATE INDEX greenspace_access_result_geom_idx ON msip.greenspace_access_result USING gist (geom) WHERE is_current;

CREATE TABLE msip.greenspace_access_district (
    summary_id        bigserial PRIMARY KEY,
    load_run_id       bigint NOT NULL REFERENCES msip.load_run,
    district_kind     text NOT NULL CHECK (district_kind IN ('all', 'grid', 'zone')),
    district_id       text,
    buildings         integer NOT NULL,
    population        integer NOT NULL,
    pct_3             double precision,
    pct_30            double precision,
    pct_300           double precision,
    pct_3_30_300      double precision,
    pct_13f_green     double precision,
    pct_13f_school    double precision,
    pct_13f           double precision,
    median_park_distance_m double precision,
    geom              geometry(MultiPolygon, 2180)
);
COMMENT ON TABLE msip.greenspace_access_district IS 'Green-space access per district and run: shares of residents meeting each standard (pl: dostęp do zieleni – rejony)';
COMMENT ON COLUMN msip.greenspace_access_district.summary_id IS 'Row id';
COMMENT ON COLUMN msip.greenspace_access_district.load_run_id IS 'Analysis run (msip.load_run) the shares belong to';
COMMENT ON COLUMN msip.greenspace_access_district.district_kind IS 'all (the whole analysed area), grid (square cells aligned to EPSG:2180 multiples of the cell size) or zone (zoning zone holding the centroid)';
COMMENT ON COLUMN msip.greenspace_access_district.district_id IS 'Grid cell lower-left corner E_N, zoning zone local id; NULL for all, or for buildings outside every zone';
COMMENT ON COLUMN msip.greenspace_access_district.buildings IS 'Residential buildings analysed';
COMMENT ON COLUMN msip.greenspace_access_district.population IS 'Their residents';
COMMENT ON COLUMN msip.greenspace_access_district.pct_3 IS 'Residents in buildings meeting 3, % of population (NULL when nobody lives there)';
COMMENT ON COLUMN msip.greenspace_access_district.pct_30 IS 'Residents meeting 30 (unknown counts as not met), %';
COMMENT ON COLUMN msip.greenspace_access_district.pct_300 IS 'Residents meeting 300, %';
COMMENT ON COLUMN msip.greenspace_access_district.pct_3_30_300 IS 'Residents meeting all of 3-30-300, %';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f_green IS 'Residents meeting the art. 13f green standard, %';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f_school IS 'Residents within 1500 m of a school, %; NULL when no schools are loaded';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f IS 'Residents meeting art. 13f (green, and school where schools are loaded), %';
COMMENT ON COLUMN msip.greenspace_access_district.median_park_distance_m IS 'Population-weighted median walk to a park ≥ 0.5 ha, m (NULL if more than half live beyond 3000 m)';
COMMENT ON COLUMN msip.greenspace_access_district.geom IS 'District area (grid cell, zone, or the bounding box of the analysed buildings), EPSG:2180';
CREATE INDEX greenspace_access_district_run_idx ON msip.greenspace_access_district (load_run_id);

CREATE VIEW msip.greenspace_access AS
SELECT * FROM msip.greenspace_access_result WHERE is_current;
COMMENT ON VIEW msip.greenspace_access IS 'Latest green-space access result of every residential building (pl: dostęp do zieleni – stan aktualny)';

CREATE VIEW msip.greenspace_access_district_current AS
SELECT * FROM msip.greenspace_access_district
WHERE load_run_id = (SELECT max(load_run_id) FROM msip.greenspace_access_district);
COMMENT ON VIEW msip.greenspace_access_district_current IS 'District shares of the latest green-access run (pl: dostęp do zieleni w rejonach – ostatnie obliczenie)';
