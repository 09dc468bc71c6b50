-- 030: base layers for the living-conditions analyses: buildings (with residents), green
-- spaces and the pedestrian network as a pgRouting graph (walk_edge / walk_vertex).
-- Each layer is a snapshot per epoch (date of the source); loading a layer for an epoch
-- replaces that epoch's snapshot (rows missing from the new file are retired, i.e. deleted,
-- and counted as such in load_run). The *_current views show the latest epoch; rows
-- without an epoch (NULL) are current only while no dated epoch is loaded.

CREATE TABLE msip.building (
    building_pk          bigserial PRIMARY KEY,
    source_id            text NOT NULL,
    epoch                date,
    kind                 text,
    residential          boolean NOT NULL,
    storeys              integer CHECK (storeys BETWEEN 1 AND 200),
    height_m             double precision CHECK (height_m > 0 AND height_m < 1000),
    population           integer NOT NULL CHECK (population >= 0),
    population_estimated boolean NOT NULL,
    footprint_m2         double precision NOT NULL CHECK (footprint_m2 > 0),
    source_format        text NOT NULL,
    row_hash             text NOT NULL,
    geom                 geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id          bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE NULLS NOT DISTINCT (epoch, source_id)
);
COMMENT ON TABLE msip.building IS 'Building footprints with use, storeys, height and residents (pl: budynki)';
COMMENT ON COLUMN msip.building.source_id IS 'Id of the building in the source (building_id column, or way/relation id for OSM)';
COMMENT ON COLUMN msip.building.epoch IS 'Date of the source data (pl: stan na dzień)';
COMMENT ON COLUMN msip.building.kind IS 'Use as given by the source: residential, retail, school …, or the OSM building=* value';
COMMENT ON COLUMN msip.building.residential IS 'True when people live there (pl: budynek mieszkalny)';
COMMENT ON COLUMN msip.building.storeys IS 'Above-ground storeys (pl: liczba kondygnacji nadziemnych)';
COMMENT ON COLUMN msip.building.height_m IS 'Height, m';
COMMENT ON COLUMN msip.building.population IS 'Residents (pl: liczba mieszkańców); estimated when the source has none, see population_estimated';
COMMENT ON COLUMN msip.building.population_estimated IS 'True when population = floor(footprint_m2 × storeys / 35 m² per person) for residential buildings (0 otherwise)';
COMMENT ON COLUMN msip.building.footprint_m2 IS 'Footprint area in EPSG:2180, m²';
COMMENT ON COLUMN msip.building.source_format IS 'gpkg, geojson, shp … or osm';
CREATE INDEX building_geom_idx ON msip.building USING gist (geom);
CREATE INDEX building_epoch_idx ON msip.building (epoch);

CREATE TABLE msip.green_space (
    green_space_pk  bigserial PRIMARY KEY,
    source_id       text NOT NULL,
    epoch           date,
    name            text,
    kind            text,
    public_access   boolean,
    area_m2         double precision NOT NULL CHECK (area_m2 > 0),
    source_format   text NOT NULL,
    row_hash        text NOT NULL,
    geom            geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id     bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE NULLS NOT DISTINCT (epoch, source_id)
);
COMMENT ON TABLE msip.green_space IS 'Parks, squares and other green spaces (pl: tereny zieleni)';
COMMENT ON COLUMN msip.green_space.kind IS 'park, skwer, zieleniec … or the OSM leisure/landuse value';
COMMENT ON COLUMN msip.green_space.public_access IS 'True when open to the public (pl: ogólnodostępny); NULL when the source does not say';
COMMENT ON COLUMN msip.green_space.area_m2 IS 'Area in EPSG:2180, m²';
CREATE INDEX green_space_geom_idx ON msip.green_space USING gist (geom);
CREATE INDEX green_space_epoch_idx ON msip.green_space (epoch);

CREATE TABLE msip.walk_vertex (
    id           bigserial PRIMARY KEY,
    epoch        date,
    geom         geometry(Point, 2180) NOT NULL,
    load_run_id  bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.walk_vertex IS 'Nodes of the pedestrian network: ends of edges (pl: węzły sieci pieszej), pgRouting vertices';
CREATE INDEX walk_vertex_geom_idx ON msip.walk_vertex USING gist (geom);
CREATE INDEX walk_vertex_epoch_idx ON msip.walk_vertex (epoch);

CREATE TABLE msip.walk_edge (
    id            bigserial PRIMARY KEY,
    source        bigint NOT NULL REFERENCES msip.walk_vertex,
    target        bigint NOT NULL REFERENCES msip.walk_vertex,
    source_id     text NOT NULL,
    epoch         date,
    name          text,
    road_class    text,
    width_m       double precision,
    length_m      double precision NOT NULL CHECK (length_m > 0),
    cost          double precision NOT NULL,
    reverse_cost  double precision NOT NULL,
    source_format text NOT NULL,
    geom          geometry(LineString, 2180) NOT NULL,
    load_run_id   bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.walk_edge IS 'Pedestrian network edges split at intersections, pgRouting-ready (pl: odcinki sieci pieszej)';
COMMENT ON COLUMN msip.walk_edge.source IS 'walk_vertex id at the start of the edge (pgRouting source)';
COMMENT ON COLUMN msip.walk_edge.target IS 'walk_vertex id at the end of the edge (pgRouting target)';
COMMENT ON COLUMN msip.walk_edge.source_id IS 'Id of the source line the edge was cut from (street_id, or OSM way id)';
COMMENT ON COLUMN msip.walk_edge.road_class IS 'Street class or OSM highway=* value, e.g. residential, footway';
COMMENT ON COLUMN msip.walk_edge.width_m IS 'Width of the street or path, m (when the source gives it)';
COMMENT ON COLUMN msip.walk_edge.length_m IS 'Length in EPSG:2180, m';
COMMENT ON COLUMN msip.walk_edge.cost IS 'Walking cost source→target = length_m (metres)';
COMMENT ON COLUMN msip.walk_edge.reverse_cost IS 'Walking cost target→source = length_m (walking has no one-way streets)';
CREATE INDEX walk_edge_geom_idx ON msip.walk_edge USING gist (geom);
CREATE INDEX walk_edge_epoch_idx ON msip.walk_edge (epoch);
CREATE INDEX walk_edge_source_idx ON msip.walk_edge (source);
CREATE INDEX walk_edge_target_idx ON msip.walk_edge (target);

-- Latest epoch of each layer (NULL epochs only while no dated epoch exists).
CREATE VIEW msip.building_current AS
SELECT * FROM msip.building
WHERE epoch IS NOT DISTINCT FROM (SELECT max(epoch) FROM msip.building);
COMMENT ON VIEW msip.building_current IS 'Buildings of the latest epoch (pl: budynki – stan aktualny)';

CREATE VIEW msip.green_space_current AS
SELECT * FROM msip.green_space
WHERE epoch IS NOT DISTINCT FROM (SELECT max(epoch) FROM msip.green_space);
COMMENT ON VIEW msip.green_space_current IS 'Green spaces of the latest epoch (pl: tereny zieleni – stan aktualny)';

CREATE VIEW msip.walk_edge_current AS
SELECT * FROM msip.walk_edge
WHERE epoch IS NOT DISTINCT FROM (SELECT max(epoch) FROM msip.walk_edge);
COMMENT ON VIEW msip.walk_edge_current IS 'Pedestrian network of the latest epoch; feed to pgRouting as SELECT id, source, target, cost, reverse_cost FROM msip.walk_edge_current';

CREATE VIEW msip.walk_vertex_current AS
SELECT * FROM msip.walk_vertex
WHERE epoch IS NOT DISTINCT FROM (SELECT max(epoch) FROM msip.walk_edge);
COMMENT ON VIEW msip.walk_vertex_current IS 'Vertices of the latest pedestrian network';
