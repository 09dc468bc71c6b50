-- 080: one geometry type per published collection. msip.change_event holds trunk/carrier points
-- and changed-area multipolygons side by side; a desktop client types a layer from its first
-- geometry (QGIS made it MultiPolygon and hid the points; ogr2ogr wrote a non-conformant GPKG).
-- Two views split it by geometry type, each with a typed geometry column (so geometry_columns,
-- QGIS and GDAL see Point and MultiPolygon) and a partial GiST index on the same expression.
CREATE VIEW msip.change_event_point AS
SELECT event_id, type, epoch_from, epoch_to, area_m2, height_change_m, object_id, evidence,
       geom::geometry(Point, 2180) AS geom, load_run_id
FROM msip.change_event
WHERE GeometryType(geom) = 'POINT';
COMMENT ON VIEW msip.change_event_point IS 'Changes at a point between two survey epochs: felled trees, crown NDVI decline, new and removed advertising carriers (pl: zmiany punktowe między epokami)';

CREATE VIEW msip.change_event_area AS
SELECT event_id, type, epoch_from, epoch_to, area_m2, height_change_m, object_id, evidence,
       ST_Multi(geom)::geometry(MultiPolygon, 2180) AS geom, load_run_id
FROM msip.change_event
WHERE GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON');
COMMENT ON VIEW msip.change_event_area IS 'Changed areas between two survey epochs: new, raised, demolished and lowered buildings, canopy lost and gained, terrain changes (pl: obszary zmian między epokami)';

DO $$
DECLARE
    v text;
    c record;
BEGIN
    FOREACH v IN ARRAY ARRAY['change_event_point', 'change_event_area'] LOOP
        FOR c IN SELECT a.attname, col_description('msip.change_event'::regclass, a.attnum) AS d
                 FROM pg_attribute a
                 WHERE a.attrelid = 'msip.change_event'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        LOOP
            IF c.d IS NOT NULL THEN
                EXECUTE format('COMMENT ON COLUMN msip.%I.%I IS %L', v, c.attname, c.d);
            END IF;
        END LOOP;
    END LOOP;
END $$;
COMMENT ON COLUMN msip.change_event_point.geom IS 'Object position (tree trunk, carrier), EPSG:2180';
COMMENT ON COLUMN msip.change_event_area.geom IS 'Changed area, EPSG:2180';

CREATE INDEX change_event_point_geom_idx ON msip.change_event
    USING gist ((geom::geometry(Point, 2180))) WHERE GeometryType(geom) = 'POINT';
CREATE INDEX change_event_area_geom_idx ON msip.change_event
    USING gist ((ST_Multi(geom)::geometry(MultiPolygon, 2180)))
    WHERE GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON');

GRANT SELECT ON msip.change_event_point, msip.change_event_area TO msip_reader;
