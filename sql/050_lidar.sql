-- 050: airborne laser scanning (LiDAR). Points are stored as pgpointcloud patches in
-- msip.lidar_patch under one registered point schema (scaled integers, EPSG:2180); the
-- rasters derived from them (DTM, DSM, nDSM, CHM) are COGs in msip.raster_asset; trees found
-- in the canopy height model are msip.tree_detected, compared with the inventory in
-- msip.tree_match. Every row carries its epoch (survey date) and the load_run that made it.
--
-- Stored points = points read minus rejected ones (absurd heights, outside the extent),
-- which load_run/rejected_record count per file and reason. Noise (classes 7, 18) and
-- statistical outliers ARE stored (with their classification) but left out of the rasters.

-- The point schema (PDAL-compatible XML). X/Y/Z are int32 with scale 0.001 and offset 0, so
-- every EPSG:2180 coordinate fits to the millimetre. GpsTime is 0 for formats without it.
-- The pcid is the existing one with this exact schema, else the next free number.
DO $$
DECLARE
    xml text := '<?xml version="1.0" encoding="UTF-8"?>
<pc:PointCloudSchema xmlns:pc="http://pointcloud.org/schemas/PC/1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<pc:dimension><pc:position>1</pc:position><pc:size>4</pc:size><pc:description>Easting EPSG:2180 (m = value * scale)</pc:description><pc:name>X</pc:name><pc:interpretation>int32_t</pc:interpretation><pc:scale>0.001</pc:scale><pc:offset>0</pc:offset></pc:dimension>
<pc:dimension><pc:position>2</pc:position><pc:size>4</pc:size><pc:description>Northing EPSG:2180 (m = value * scale)</pc:description><pc:name>Y</pc:name><pc:interpretation>int32_t</pc:interpretation><pc:scale>0.001</pc:scale><pc:offset>0</pc:offset></pc:dimension>
<pc:dimension><pc:position>3</pc:position><pc:size>4</pc:size><pc:description>Height PL-EVRF2007-NH (m = value * scale)</pc:description><pc:name>Z</pc:name><pc:interpretation>int32_t</pc:interpretation><pc:scale>0.001</pc:scale><pc:offset>0</pc:offset></pc:dimension>
<pc:dimension><pc:position>4</pc:position><pc:size>2</pc:size><pc:description>Pulse return magnitude</pc:description><pc:name>Intensity</pc:name><pc:interpretation>uint16_t</pc:interpretation></pc:dimension>
<pc:dimension><pc:position>5</pc:position><pc:size>1</pc:size><pc:description>Return number of the pulse</pc:description><pc:name>ReturnNumber</pc:name><pc:interpretation>uint8_t</pc:interpretation></pc:dimension>
<pc:dimension><pc:position>6</pc:position><pc:size>1</pc:size><pc:description>Number of returns of the pulse</pc:description><pc:name>NumberOfReturns</pc:name><pc:interpretation>uint8_t</pc:interpretation></pc:dimension>
<pc:dimension><pc:position>7</pc:position><pc:size>1</pc:size><pc:description>ASPRS classification as in the source file</pc:description><pc:name>Classification</pc:name><pc:interpretation>uint8_t</pc:interpretation></pc:dimension>
<pc:dimension><pc:position>8</pc:position><pc:size>8</pc:size><pc:description>GPS time as in the source file (0 when the format has none)</pc:description><pc:name>GpsTime</pc:name><pc:interpretation>double</pc:interpretation></pc:dimension>
<pc:metadata><Metadata name="compression">dimensional</Metadata></pc:metadata>
</pc:PointCloudSchema>';
    id integer;
BEGIN
    SELECT pcid INTO id FROM pointcloud_formats WHERE schema = xml AND srid = 2180;
    IF id IS NULL THEN
        SELECT coalesce(max(pcid), 0) + 1 INTO id FROM pointcloud_formats;
        INSERT INTO pointcloud_formats (pcid, srid, schema) VALUES (id, 2180, xml);
    END IF;
    EXECUTE format($f$
        CREATE TABLE msip.lidar_patch (
            patch_id     bigserial PRIMARY KEY,
            epoch        date NOT NULL,
            source_file  text NOT NULL,
            load_run_id  bigint NOT NULL REFERENCES msip.load_run,
            pa           pcpatch(%s) NOT NULL
        )$f$, id);
END
$$;
COMMENT ON TABLE msip.lidar_patch IS 'LiDAR points as pgpointcloud patches, EPSG:2180 (pl: chmura punktów ALS w łatach)';
COMMENT ON COLUMN msip.lidar_patch.epoch IS 'Survey date (pl: data nalotu)';
COMMENT ON COLUMN msip.lidar_patch.source_file IS 'Name of the LAS/LAZ file the points came from (pl: plik źródłowy)';
COMMENT ON COLUMN msip.lidar_patch.load_run_id IS 'Load run (one per file) that stored the patch';
COMMENT ON COLUMN msip.lidar_patch.pa IS 'Points of one grid cell: X, Y, Z (m), Intensity, ReturnNumber, NumberOfReturns, Classification, GpsTime';
-- PC_Intersects(pa, geom) is ST_Intersects(geom, PC_EnvelopeGeometry(pa)): this index serves it.
CREATE INDEX lidar_patch_envelope_idx ON msip.lidar_patch USING gist (PC_EnvelopeGeometry(pa));
CREATE INDEX lidar_patch_epoch_file_idx ON msip.lidar_patch (epoch, source_file);
CREATE INDEX lidar_patch_run_idx ON msip.lidar_patch (load_run_id);

CREATE TABLE msip.tree_detected (
    detected_id     bigserial PRIMARY KEY,
    epoch           date NOT NULL,
    tile            text NOT NULL,
    height_m        real NOT NULL CHECK (height_m > 0 AND height_m < 150),
    crown_area_m2   real NOT NULL CHECK (crown_area_m2 > 0),
    crown_diameter_m real NOT NULL CHECK (crown_diameter_m > 0),
    ground_z_m      real,
    geom            geometry(Point, 2180) NOT NULL,
    crown           geometry(Polygon, 2180),
    load_run_id     bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.tree_detected IS 'Trees found in the LiDAR canopy height model (pl: drzewa wykryte w chmurze punktów)';
COMMENT ON COLUMN msip.tree_detected.epoch IS 'Survey date (pl: data nalotu)';
COMMENT ON COLUMN msip.tree_detected.tile IS 'Processing tile (lower-left corner E_N, m) whose core holds the apex';
COMMENT ON COLUMN msip.tree_detected.height_m IS 'Tree height above the DTM, m (pl: wysokość)';
COMMENT ON COLUMN msip.tree_detected.crown_area_m2 IS 'Crown projection area, m² (pl: powierzchnia korony)';
COMMENT ON COLUMN msip.tree_detected.crown_diameter_m IS 'Diameter of a circle with the crown area, m (pl: średnica korony)';
COMMENT ON COLUMN msip.tree_detected.ground_z_m IS 'DTM height under the apex, m PL-EVRF2007-NH';
COMMENT ON COLUMN msip.tree_detected.geom IS 'Apex (treetop) position, EPSG:2180 (pl: wierzchołek)';
COMMENT ON COLUMN msip.tree_detected.crown IS 'Crown outline from watershed segmentation of the CHM (pl: obrys korony)';
CREATE INDEX tree_detected_geom_idx ON msip.tree_detected USING gist (geom);
CREATE INDEX tree_detected_epoch_idx ON msip.tree_detected (epoch);

CREATE TABLE msip.tree_match (
    match_id            bigserial PRIMARY KEY,
    epoch               date NOT NULL,
    status              text NOT NULL CHECK (status IN ('matched', 'not_detected', 'not_in_inventory')),
    detected_id         bigint REFERENCES msip.tree_detected ON DELETE CASCADE,
    tree_id             bigint REFERENCES msip.tree ON DELETE CASCADE,
    inventory_source_id text,
    distance_m          real CHECK (distance_m >= 0),
    height_detected_m   real,
    height_inventory_m  real,
    height_diff_m       real,
    expected_visible    boolean,
    geom                geometry(Point, 2180) NOT NULL,
    load_run_id         bigint NOT NULL REFERENCES msip.load_run,
    CONSTRAINT tree_match_sides CHECK (
        (status = 'matched' AND detected_id IS NOT NULL AND tree_id IS NOT NULL)
        OR (status = 'not_detected' AND detected_id IS NULL AND tree_id IS NOT NULL)
        OR (status = 'not_in_inventory' AND detected_id IS NOT NULL AND tree_id IS NULL))
);
COMMENT ON TABLE msip.tree_match IS 'Inventory trees compared with LiDAR-detected trees per survey (pl: porównanie inwentaryzacji z ALS)';
COMMENT ON COLUMN msip.tree_match.status IS 'matched; not_detected = inventory tree the laser does not see; not_in_inventory = tall detected tree missing from the inventory';
COMMENT ON COLUMN msip.tree_match.tree_id IS 'Inventory tree version (msip.tree) valid on the survey date';
COMMENT ON COLUMN msip.tree_match.inventory_source_id IS 'Inventory number (pl: nr inwentarzowy)';
COMMENT ON COLUMN msip.tree_match.distance_m IS 'Distance between inventory position and detected apex, m';
COMMENT ON COLUMN msip.tree_match.height_diff_m IS 'Detected minus inventory height, m';
COMMENT ON COLUMN msip.tree_match.expected_visible IS 'For not_detected: the inventory height is at least the lowest detectable tree (2 m by default)';
COMMENT ON COLUMN msip.tree_match.geom IS 'Inventory position (matched, not_detected) or detected apex (not_in_inventory), EPSG:2180';
CREATE INDEX tree_match_epoch_status_idx ON msip.tree_match (epoch, status);
CREATE INDEX tree_match_geom_idx ON msip.tree_match USING gist (geom);

-- For QGIS and the API: where the points are (one polygon per patch) and the latest trees.
CREATE VIEW msip.lidar_patch_extent AS
SELECT patch_id, epoch, source_file, PC_NumPoints(pa) AS points, PC_EnvelopeGeometry(pa) AS geom
FROM msip.lidar_patch;
COMMENT ON VIEW msip.lidar_patch_extent IS 'Extent and point count of every LiDAR patch (pl: zasięg łat chmury punktów)';

CREATE VIEW msip.tree_detected_current AS
SELECT * FROM msip.tree_detected WHERE epoch = (SELECT max(epoch) FROM msip.tree_detected);
COMMENT ON VIEW msip.tree_detected_current IS 'Trees detected in the latest LiDAR survey (pl: drzewa z ostatniego nalotu)';
