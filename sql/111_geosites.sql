-- 111: geological sites (geostanowiska: former quarries, reserves, exposed rock walls) with
-- their 3D viewpoints, loaded by `msip load geosites FILE` (GeoJSON/GPKG). A load replaces the
-- sites of the same source file; each row keeps its source id and load run.

CREATE TABLE msip.geosite (
    site_pk        bigserial PRIMARY KEY,
    source_file    text NOT NULL,
    source_id      text NOT NULL,
    name           text NOT NULL,
    protection     text,
    description    text,
    viewpoints     jsonb NOT NULL DEFAULT '[]'::jsonb,
    source_epsg    integer NOT NULL,
    outline        geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id    bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (source_file, source_id)
);
COMMENT ON TABLE msip.geosite IS 'Geological sites with 3D viewpoints (pl: geostanowiska)';
COMMENT ON COLUMN msip.geosite.source_id IS 'Identifier of the site in the source file (site_id, id), else its name';
COMMENT ON COLUMN msip.geosite.name IS 'Name (pl: nazwa)';
COMMENT ON COLUMN msip.geosite.protection IS 'Protection status, e.g. rezerwat przyrody, pomnik przyrody (pl: forma ochrony)';
COMMENT ON COLUMN msip.geosite.description IS 'Description (pl: opis)';
COMMENT ON COLUMN msip.geosite.viewpoints IS 'Camera positions for the 3D view: [{name, x, y (EPSG:2180 m), z (m PL-EVRF2007-NH), heading_deg (0 = north, clockwise), pitch_deg (negative = looking down)}]';
COMMENT ON COLUMN msip.geosite.source_epsg IS 'CRS of the source file';
COMMENT ON COLUMN msip.geosite.outline IS 'Outline of the site, EPSG:2180';
CREATE INDEX geosite_outline_idx ON msip.geosite USING gist (outline);
