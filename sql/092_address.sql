-- 092: address points from PRG (państwowy rejestr granic, punkty adresowe; GML models 2012 and
-- 2021): commune TERYT, locality, street, number, postcode and the point in EPSG:2180. Keyed by
-- the PRG identifier (idIIP), so a newer delivery updates the points it lists.

CREATE TABLE msip.address (
    address_pk     bigserial PRIMARY KEY,
    iip_namespace  text NOT NULL,
    local_id       text NOT NULL,
    version_id     text NOT NULL DEFAULT '',
    source_id      text,
    prg_model      text NOT NULL CHECK (prg_model IN ('2012', '2021')),
    teryt          text CHECK (teryt ~ '^[0-9]{7}$'),
    commune        text,
    locality       text,
    locality_simc  text,
    street         text,
    street_ulic    text,
    house_number   text NOT NULL,
    postcode       text,
    status         text,
    valid_from     date,
    source_epsg    integer NOT NULL,
    located_in     text,
    row_hash       text NOT NULL,
    geom           geometry(Point, 2180) NOT NULL,
    load_run_id    bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (iip_namespace, local_id)
);
COMMENT ON TABLE msip.address IS 'Address points (pl: punkty adresowe, PRG)';
COMMENT ON COLUMN msip.address.iip_namespace IS 'idIIP przestrzenNazw, e.g. PL.PZGIK.200';
COMMENT ON COLUMN msip.address.local_id IS 'idIIP lokalnyId (UUID of the point)';
COMMENT ON COLUMN msip.address.version_id IS 'idIIP wersjaId (version timestamp of the point)';
COMMENT ON COLUMN msip.address.source_id IS 'gml:identifier (whitespace trimmed), else gml:id';
COMMENT ON COLUMN msip.address.prg_model IS 'PRG GML model the point was read from: 2012 (prg-ad) or 2021 (prgad)';
COMMENT ON COLUMN msip.address.teryt IS 'TERYT of the commune (gmina), 7 digits with the type digit; NULL where the file does not say';
COMMENT ON COLUMN msip.address.commune IS 'Name of the commune as the file gives it';
COMMENT ON COLUMN msip.address.locality IS 'Locality (pl: miejscowość)';
COMMENT ON COLUMN msip.address.locality_simc IS 'TERYT SIMC identifier of the locality';
COMMENT ON COLUMN msip.address.street IS 'Street or square name (pl: ulica); NULL for addresses without a street';
COMMENT ON COLUMN msip.address.street_ulic IS 'TERYT ULIC identifier of the street';
COMMENT ON COLUMN msip.address.house_number IS 'Address number (pl: numer porządkowy), e.g. 21A';
COMMENT ON COLUMN msip.address.postcode IS 'Postcode (pl: kod pocztowy), e.g. 25-001';
COMMENT ON COLUMN msip.address.status IS 'PRG status, e.g. istniejacy, prognozowany; NULL when the file gives none';
COMMENT ON COLUMN msip.address.valid_from IS 'waznyOd (2012) or dataNadania (2021)';
COMMENT ON COLUMN msip.address.source_epsg IS 'EPSG code of the source position (before transformation to 2180)';
COMMENT ON COLUMN msip.address.located_in IS 'What the point was checked to lie in when loaded: commune/county/voivodeship TERYT, or poland (no boundary loaded)';
COMMENT ON COLUMN msip.address.geom IS 'Address point, EPSG:2180';
CREATE INDEX address_geom_idx ON msip.address USING gist (geom);
CREATE INDEX address_teryt_idx ON msip.address (teryt);
