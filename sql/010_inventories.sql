-- 010: municipal inventories with history: trees (inwentaryzacja drzew), advertising carriers
-- (nośniki reklamowe) and the landscape (advertising) zones of the uchwała krajobrazowa.
--
-- Each table holds versions of a dataset (an inventory, scoped by `dataset`): a row is valid
-- from the epoch of the load that brought it (valid_from) until a later version changed or
-- dropped it (valid_to, exclusive; NULL = current). Loading a new version closes changed and
-- vanished rows and inserts the new state, so nothing is ever overwritten. The *_current views
-- show what is valid now. Source columns MSIP does not model are kept in `attrs` (jsonb).

CREATE TABLE msip.tree (
    tree_id                  bigserial PRIMARY KEY,
    dataset                  text NOT NULL,
    source_id                text NOT NULL,
    valid_from               date NOT NULL,
    valid_to                 date,
    species                  text,
    species_latin            text,
    trunk_circumference_cm   real CHECK (trunk_circumference_cm > 0),
    trunk_circumferences_cm  real[],
    dbh_cm                   real CHECK (dbh_cm > 0),
    height_m                 real CHECK (height_m > 0),
    crown_diameter_m         real CHECK (crown_diameter_m > 0),
    health                   text,
    attrs                    jsonb,
    load_run_id              bigint NOT NULL REFERENCES msip.load_run,
    retired_run_id           bigint REFERENCES msip.load_run,
    geom                     geometry(Point, 2180) NOT NULL,
    CONSTRAINT tree_validity CHECK (valid_to IS NULL OR valid_to > valid_from)
);
COMMENT ON TABLE msip.tree IS 'Tree inventory with history, one row per tree version (pl: inwentaryzacja drzew z historią zmian)';
COMMENT ON COLUMN msip.tree.dataset IS 'Inventory the row belongs to (default: source file name without its date); history is kept per dataset (pl: zbiór danych)';
COMMENT ON COLUMN msip.tree.source_id IS 'Inventory number in the source, or the data row number when the source has none (pl: nr inwentarzowy)';
COMMENT ON COLUMN msip.tree.valid_from IS 'Epoch (inventory date) of the version that brought this state (pl: ważny od)';
COMMENT ON COLUMN msip.tree.valid_to IS 'Epoch of the later version that changed or dropped the tree (e.g. felled); NULL = current (pl: ważny do)';
COMMENT ON COLUMN msip.tree.species IS 'Species, common (Polish) name as in the source (pl: gatunek)';
COMMENT ON COLUMN msip.tree.species_latin IS 'Species, Latin name (pl: gatunek łacińska nazwa)';
COMMENT ON COLUMN msip.tree.trunk_circumference_cm IS 'Trunk circumference at 1.3 m, cm; for multi-stem trees the equivalent single stem sqrt(sum c_i^2) (pl: obwód pnia)';
COMMENT ON COLUMN msip.tree.trunk_circumferences_cm IS 'Per-stem circumferences, cm, for multi-stem trees only (e.g. {47,52,56}); NULL for single-stem trees (pl: obwody pni)';
COMMENT ON COLUMN msip.tree.dbh_cm IS 'Diameter at breast height (1.3 m), cm (pl: pierśnica)';
COMMENT ON COLUMN msip.tree.height_m IS 'Tree height, m (pl: wysokość)';
COMMENT ON COLUMN msip.tree.crown_diameter_m IS 'Crown diameter, m (pl: średnica korony)';
COMMENT ON COLUMN msip.tree.health IS 'Health as in the source, e.g. dobry / średni / zły (pl: stan zdrowotny)';
COMMENT ON COLUMN msip.tree.attrs IS 'Every other source column, by its source name, as read (pl: pozostałe atrybuty źródła)';
COMMENT ON COLUMN msip.tree.load_run_id IS 'Load run that inserted this version';
COMMENT ON COLUMN msip.tree.retired_run_id IS 'Load run that closed this version (set together with valid_to)';
COMMENT ON COLUMN msip.tree.geom IS 'Trunk position, EPSG:2180';
CREATE UNIQUE INDEX tree_current_key ON msip.tree (dataset, source_id) WHERE valid_to IS NULL;
CREATE INDEX tree_geom_idx ON msip.tree USING gist (geom);

CREATE TABLE msip.advertisement (
    ad_id                 bigserial PRIMARY KEY,
    dataset               text NOT NULL,
    source_id             text NOT NULL,
    valid_from            date NOT NULL,
    valid_to              date,
    carrier_type          text CHECK (carrier_type IN
                          ('board', 'banner', 'mural', 'led_screen', 'pylon', 'citylight', 'column', 'sign', 'other')),
    carrier_type_source   text,
    faces                 smallint CHECK (faces > 0),
    face_area_m2          real CHECK (face_area_m2 > 0),
    illuminated           boolean,
    led                   boolean,
    height_m              real CHECK (height_m > 0),
    owner                 text,
    permit_no             text,
    installed_on          date,
    occupies_road_lane    boolean,
    road_lane_area_m2     real CHECK (road_lane_area_m2 >= 0),
    location              text,
    description           text,
    attrs                 jsonb,
    load_run_id           bigint NOT NULL REFERENCES msip.load_run,
    retired_run_id        bigint REFERENCES msip.load_run,
    geom                  geometry(Point, 2180) NOT NULL,
    CONSTRAINT advertisement_validity CHECK (valid_to IS NULL OR valid_to > valid_from)
);
COMMENT ON TABLE msip.advertisement IS 'Advertising carriers with history, one row per carrier version (pl: nośniki reklamowe)';
COMMENT ON COLUMN msip.advertisement.dataset IS 'Inventory the row belongs to; history is kept per dataset (pl: zbiór danych)';
COMMENT ON COLUMN msip.advertisement.source_id IS 'Carrier identifier in the source, or the data row number when the source has none (pl: id nośnika)';
COMMENT ON COLUMN msip.advertisement.valid_from IS 'Epoch of the version that brought this state (pl: ważny od)';
COMMENT ON COLUMN msip.advertisement.valid_to IS 'Epoch of the later version that changed or dropped the carrier; NULL = current (pl: ważny do)';
COMMENT ON COLUMN msip.advertisement.carrier_type IS 'board (free-standing), banner (on a building), mural, led_screen, pylon, citylight, column, sign, other (pl: typ nośnika)';
COMMENT ON COLUMN msip.advertisement.carrier_type_source IS 'Carrier type as written in the source (pl: typ nośnika w źródle)';
COMMENT ON COLUMN msip.advertisement.faces IS 'Number of advertising faces (pl: liczba stron)';
COMMENT ON COLUMN msip.advertisement.face_area_m2 IS 'Area of one face, m² (pl: powierzchnia ekspozycji)';
COMMENT ON COLUMN msip.advertisement.illuminated IS 'Lit (pl: podświetlenie)';
COMMENT ON COLUMN msip.advertisement.led IS 'LED / digital screen (pl: ekran LED)';
COMMENT ON COLUMN msip.advertisement.height_m IS 'Height of the carrier, m (pl: wysokość)';
COMMENT ON COLUMN msip.advertisement.owner IS 'Owner or operator (pl: właściciel)';
COMMENT ON COLUMN msip.advertisement.permit_no IS 'Permit or decision number (pl: nr zezwolenia)';
COMMENT ON COLUMN msip.advertisement.installed_on IS 'Installation date (pl: data instalacji)';
COMMENT ON COLUMN msip.advertisement.occupies_road_lane IS 'Stands in the road lane (pl: zajęcie pasa drogowego)';
COMMENT ON COLUMN msip.advertisement.road_lane_area_m2 IS 'Road lane area occupied, m² (pl: powierzchnia zajęcia pasa)';
COMMENT ON COLUMN msip.advertisement.location IS 'Address or place description (pl: lokalizacja)';
COMMENT ON COLUMN msip.advertisement.description IS 'Free-text description (pl: opis)';
COMMENT ON COLUMN msip.advertisement.attrs IS 'Every other source column, by its source name, as read (pl: pozostałe atrybuty źródła)';
COMMENT ON COLUMN msip.advertisement.load_run_id IS 'Load run that inserted this version';
COMMENT ON COLUMN msip.advertisement.retired_run_id IS 'Load run that closed this version';
COMMENT ON COLUMN msip.advertisement.geom IS 'Carrier position, EPSG:2180';
CREATE UNIQUE INDEX advertisement_current_key ON msip.advertisement (dataset, source_id) WHERE valid_to IS NULL;
CREATE INDEX advertisement_geom_idx ON msip.advertisement USING gist (geom);

CREATE TABLE msip.landscape_zone (
    zone_id         bigserial PRIMARY KEY,
    dataset         text NOT NULL,
    source_id       text NOT NULL,
    valid_from      date NOT NULL,
    valid_to        date,
    zone_code       text NOT NULL CHECK (zone_code IN ('A', 'B', 'C', 'D')),
    name            text,
    attrs           jsonb,
    load_run_id     bigint NOT NULL REFERENCES msip.load_run,
    retired_run_id  bigint REFERENCES msip.load_run,
    geom            geometry(MultiPolygon, 2180) NOT NULL,
    CONSTRAINT landscape_zone_validity CHECK (valid_to IS NULL OR valid_to > valid_from)
);
COMMENT ON TABLE msip.landscape_zone IS 'Landscape (advertising) zones of the landscape resolution, with history (pl: strefy uchwały krajobrazowej)';
COMMENT ON COLUMN msip.landscape_zone.dataset IS 'Zone set the row belongs to; history is kept per dataset (pl: zbiór danych)';
COMMENT ON COLUMN msip.landscape_zone.source_id IS 'Zone identifier in the source, or the feature number when it has none';
COMMENT ON COLUMN msip.landscape_zone.zone_code IS 'Zone class A–D whose advertising rules apply (pl: symbol strefy)';
COMMENT ON COLUMN msip.landscape_zone.name IS 'Zone name (pl: nazwa strefy)';
COMMENT ON COLUMN msip.landscape_zone.attrs IS 'Every other source column, by its source name (pl: pozostałe atrybuty źródła)';
COMMENT ON COLUMN msip.landscape_zone.load_run_id IS 'Load run that inserted this version';
COMMENT ON COLUMN msip.landscape_zone.retired_run_id IS 'Load run that closed this version';
COMMENT ON COLUMN msip.landscape_zone.geom IS 'Zone area, EPSG:2180 (invalid source polygons repaired with ST_MakeValid rules, see the load notes)';
CREATE UNIQUE INDEX landscape_zone_current_key ON msip.landscape_zone (dataset, source_id) WHERE valid_to IS NULL;
CREATE INDEX landscape_zone_geom_idx ON msip.landscape_zone USING gist (geom);

CREATE VIEW msip.tree_current AS
SELECT tree_id, dataset, source_id, valid_from, species, species_latin, trunk_circumference_cm,
       trunk_circumferences_cm, dbh_cm, height_m, crown_diameter_m, health, attrs, load_run_id, geom
FROM msip.tree WHERE valid_to IS NULL;
COMMENT ON VIEW msip.tree_current IS 'Trees as they are now: the current version of every tree not retired (pl: drzewa – stan aktualny)';

CREATE VIEW msip.advertisement_current AS
SELECT ad_id, dataset, source_id, valid_from, carrier_type, carrier_type_source, faces, face_area_m2,
       illuminated, led, height_m, owner, permit_no, installed_on, occupies_road_lane,
       road_lane_area_m2, location, description, attrs, load_run_id, geom
FROM msip.advertisement WHERE valid_to IS NULL;
COMMENT ON VIEW msip.advertisement_current IS 'Advertising carriers standing now (pl: nośniki reklamowe – stan aktualny)';

CREATE VIEW msip.landscape_zone_current AS
SELECT zone_id, dataset, source_id, valid_from, zone_code, name, attrs, load_run_id, geom
FROM msip.landscape_zone WHERE valid_to IS NULL;
COMMENT ON VIEW msip.landscape_zone_current IS 'Landscape zones in force now (pl: strefy krajobrazowe – stan aktualny)';
