-- 091: administrative boundaries (PRG: państwowy rejestr granic): the country, voivodeships,
-- counties and communes with their TERYT code, name and outline in EPSG:2180. They locate
-- address points (each must lie in its commune) and feed search and reports.

CREATE TABLE msip.admin_boundary (
    boundary_pk   bigserial PRIMARY KEY,
    level         text NOT NULL CHECK (level IN ('country', 'voivodeship', 'county', 'commune')),
    teryt         text NOT NULL CHECK (teryt = 'PL' OR teryt ~ '^[0-9]{2}([0-9]{2}([0-9]{3})?)?$'),
    name          text,
    source_epsg   integer NOT NULL,
    repaired      boolean NOT NULL DEFAULT false,
    attributes    jsonb NOT NULL DEFAULT '{}'::jsonb,
    row_hash      text NOT NULL,
    geom          geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id   bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (level, teryt),
    CHECK (level <> 'voivodeship' OR length(teryt) = 2),
    CHECK (level <> 'county' OR length(teryt) = 4),
    CHECK (level <> 'commune' OR length(teryt) = 7)
);
COMMENT ON TABLE msip.admin_boundary IS 'Administrative units with their outline (pl: jednostki podziału terytorialnego, PRG)';
COMMENT ON COLUMN msip.admin_boundary.level IS 'country, voivodeship (województwo), county (powiat) or commune (gmina)';
COMMENT ON COLUMN msip.admin_boundary.teryt IS 'TERYT code: 2 digits voivodeship, 4 county, 7 commune (with the type digit); PL for the country';
COMMENT ON COLUMN msip.admin_boundary.name IS 'Official name, e.g. świętokrzyskie, Kielce (pl: JPT_NAZWA_)';
COMMENT ON COLUMN msip.admin_boundary.source_epsg IS 'EPSG code of the source geometry (before transformation to 2180)';
COMMENT ON COLUMN msip.admin_boundary.repaired IS 'The source polygon was invalid (e.g. self-intersecting after simplification) and was repaired';
COMMENT ON COLUMN msip.admin_boundary.attributes IS 'Other source columns as read';
COMMENT ON COLUMN msip.admin_boundary.geom IS 'Outline of the unit, EPSG:2180';
CREATE INDEX admin_boundary_geom_idx ON msip.admin_boundary USING gist (geom);
CREATE INDEX admin_boundary_teryt_idx ON msip.admin_boundary (teryt);
