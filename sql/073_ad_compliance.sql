-- 073: advertising rules as data (uchwała krajobrazowa + opłata reklamowa) and the compliance
-- analysis of every advertising carrier (msip run ad-compliance).
--
-- A rule set is one load of the rules YAML the city edits (msip load ad-rules): the zone ×
-- carrier-type table, the global rules (distances, LED / illumination bans), the fee rates per
-- year with the statutory maxima they were checked against, and the protected objects
-- (monuments) the rules name. Rule sets are kept side by side; an analysis names the one it
-- used. The analysis keeps one assessment per epoch: a rerun replaces it.

CREATE TABLE msip.ad_rule_set (
    rule_set_id            bigserial PRIMARY KEY,
    name                   text NOT NULL,
    version                text,
    in_force_from          date,
    source_file            text NOT NULL,
    source_sha256          text NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    free_standing_types    text[] NOT NULL,
    building_mounted_types text[] NOT NULL,
    zone_rules             text[] NOT NULL,
    fee_area_basis         text CHECK (fee_area_basis IN ('all_faces', 'one_face')),
    penalty_multiple       numeric(8, 2) CHECK (penalty_multiple > 0),
    document               jsonb NOT NULL,
    load_run_id            bigint NOT NULL REFERENCES msip.load_run
);
COMMENT ON TABLE msip.ad_rule_set IS 'Advertising rule sets loaded from the rules file the city edits (pl: zestawy zasad uchwały krajobrazowej)';
COMMENT ON COLUMN msip.ad_rule_set.name IS 'Rule set name: the file''s `name`, else the file name without extension (pl: nazwa)';
COMMENT ON COLUMN msip.ad_rule_set.version IS 'The file''s `version` (pl: wersja)';
COMMENT ON COLUMN msip.ad_rule_set.in_force_from IS 'Date the resolution took effect, when the file gives it (pl: obowiązuje od)';
COMMENT ON COLUMN msip.ad_rule_set.source_file IS 'File name of the rules (and fee-rate) file(s) loaded';
COMMENT ON COLUMN msip.ad_rule_set.source_sha256 IS 'SHA-256 over the rules file and every file it names';
COMMENT ON COLUMN msip.ad_rule_set.free_standing_types IS 'Carrier type codes (msip.advertisement.carrier_type) counted as free-standing (pl: wolnostojące)';
COMMENT ON COLUMN msip.ad_rule_set.building_mounted_types IS 'Carrier type codes counted as mounted on buildings (pl: na budynkach)';
COMMENT ON COLUMN msip.ad_rule_set.zone_rules IS 'Zone rules in force: TYPE_NOT_ALLOWED, FACE_AREA_EXCEEDED, HEIGHT_EXCEEDED';
COMMENT ON COLUMN msip.ad_rule_set.fee_area_basis IS 'Area the variable fee part is charged on: all_faces = faces × face area, one_face = face area; NULL when the file sets no fees';
COMMENT ON COLUMN msip.ad_rule_set.penalty_multiple IS 'Penalty per day = multiple × (statutory maximum fixed part + statutory maximum variable part × area), art. 37d ust. 9 u.p.z.p. (default 40)';
COMMENT ON COLUMN msip.ad_rule_set.document IS 'The validated rules as loaded (normalised JSON), for audit';
COMMENT ON COLUMN msip.ad_rule_set.load_run_id IS 'Load run that loaded the rule set';
CREATE INDEX ad_rule_set_name_idx ON msip.ad_rule_set (name);

CREATE TABLE msip.ad_zone_rule (
    rule_set_id       bigint NOT NULL REFERENCES msip.ad_rule_set ON DELETE CASCADE,
    zone_code         text NOT NULL CHECK (zone_code IN ('A', 'B', 'C', 'D')),
    carrier_type      text NOT NULL,
    type_label        text NOT NULL,
    mounting          text NOT NULL CHECK (mounting IN ('free_standing', 'building_mounted')),
    allowed           boolean NOT NULL,
    max_face_area_m2  double precision CHECK (max_face_area_m2 > 0),
    max_height_m      double precision CHECK (max_height_m > 0),
    PRIMARY KEY (rule_set_id, zone_code, carrier_type)
);
COMMENT ON TABLE msip.ad_zone_rule IS 'Zone × carrier-type table: allowed, largest face, highest carrier (pl: dopuszczalne nośniki w strefach)';
COMMENT ON COLUMN msip.ad_zone_rule.zone_code IS 'Landscape zone class A–D (msip.landscape_zone.zone_code)';
COMMENT ON COLUMN msip.ad_zone_rule.carrier_type IS 'Carrier type code as in msip.advertisement.carrier_type (board, led_screen, pylon, column, banner, mural …)';
COMMENT ON COLUMN msip.ad_zone_rule.type_label IS 'The carrier type as the rules file writes it, e.g. wolnostojący (pl: typ nośnika w uchwale)';
COMMENT ON COLUMN msip.ad_zone_rule.mounting IS 'free_standing or building_mounted';
COMMENT ON COLUMN msip.ad_zone_rule.allowed IS 'Carrier type allowed in the zone (pl: dopuszczalny)';
COMMENT ON COLUMN msip.ad_zone_rule.max_face_area_m2 IS 'Largest area of one face, m²; NULL = no limit (pl: maks. powierzchnia ekspozycji)';
COMMENT ON COLUMN msip.ad_zone_rule.max_height_m IS 'Highest carrier above ground, m; NULL = no limit (pl: maks. wysokość)';

CREATE TABLE msip.ad_global_rule (
    rule_set_id     bigint NOT NULL REFERENCES msip.ad_rule_set ON DELETE CASCADE,
    rule_code       text NOT NULL,
    check_kind      text NOT NULL CHECK (check_kind IN ('min_spacing', 'min_distance_intersection',
                    'min_distance_tree', 'min_distance_road_edge', 'min_distance_park',
                    'min_distance_monument', 'led_forbidden', 'illumination_forbidden')),
    applies_to      text NOT NULL CHECK (applies_to IN ('free_standing', 'building_mounted', 'all')),
    zones           text[],
    road_class      text NOT NULL DEFAULT '',
    min_distance_m  double precision CHECK (min_distance_m >= 0),
    forbidden_zones text[],
    params          jsonb NOT NULL DEFAULT '{}'::jsonb,
    description     text,
    PRIMARY KEY (rule_set_id, rule_code, road_class)
);
COMMENT ON TABLE msip.ad_global_rule IS 'Rules beyond the zone table: distances (carriers, intersections, trees, road edge, parks, monuments) and LED / illumination bans (pl: zasady ogólne)';
COMMENT ON COLUMN msip.ad_global_rule.rule_code IS 'Code reported when violated, e.g. MIN_DISTANCE_TREE (pl: kod zasady)';
COMMENT ON COLUMN msip.ad_global_rule.check_kind IS 'What is measured: min_spacing (to other free-standing carriers), min_distance_* (to that object), led_forbidden / illumination_forbidden (zone bans)';
COMMENT ON COLUMN msip.ad_global_rule.applies_to IS 'Carriers the rule applies to: free_standing, building_mounted or all';
COMMENT ON COLUMN msip.ad_global_rule.zones IS 'Zones where the rule applies; NULL = everywhere';
COMMENT ON COLUMN msip.ad_global_rule.road_class IS 'For min_distance_road_edge: the road class this row''s distance is for; empty otherwise';
COMMENT ON COLUMN msip.ad_global_rule.min_distance_m IS 'Least allowed horizontal distance, m (for the road edge: from the carriageway edge = centreline distance − width_m/2)';
COMMENT ON COLUMN msip.ad_global_rule.forbidden_zones IS 'For led_forbidden / illumination_forbidden: zones where LED screens / lit carriers are banned';
COMMENT ON COLUMN msip.ad_global_rule.params IS 'Further parameters: road_classes and min_legs (intersections), public_only and min_area_m2 (parks)';
COMMENT ON COLUMN msip.ad_global_rule.description IS 'The rule in words, from the file (pl: opis)';

CREATE TABLE msip.ad_fee_rate (
    rule_set_id                  bigint NOT NULL REFERENCES msip.ad_rule_set ON DELETE CASCADE,
    year                         integer NOT NULL CHECK (year BETWEEN 2015 AND 2100),
    fixed_pln_per_day            numeric(10, 4) NOT NULL CHECK (fixed_pln_per_day >= 0),
    variable_pln_per_m2_day      numeric(10, 4) NOT NULL CHECK (variable_pln_per_m2_day >= 0),
    max_fixed_pln_per_day        numeric(10, 4) NOT NULL,
    max_variable_pln_per_m2_day  numeric(10, 4) NOT NULL,
    maxima_source                text NOT NULL,
    PRIMARY KEY (rule_set_id, year),
    CHECK (fixed_pln_per_day <= max_fixed_pln_per_day),
    CHECK (variable_pln_per_m2_day <= max_variable_pln_per_m2_day)
);
COMMENT ON TABLE msip.ad_fee_rate IS 'Advertising fee rates per year set by the city, capped at the statutory maxima (pl: stawki opłaty reklamowej)';
COMMENT ON COLUMN msip.ad_fee_rate.fixed_pln_per_day IS 'Fixed part, PLN per carrier per day (pl: część stała, zł/dzień)';
COMMENT ON COLUMN msip.ad_fee_rate.variable_pln_per_m2_day IS 'Variable part, PLN per m² of advertising area per day (pl: część zmienna, zł/m²/dzień)';
COMMENT ON COLUMN msip.ad_fee_rate.max_fixed_pln_per_day IS 'Statutory maximum of the fixed part that year (art. 19 pkt 1 lit. g u.p.o.l., indexed yearly)';
COMMENT ON COLUMN msip.ad_fee_rate.max_variable_pln_per_m2_day IS 'Statutory maximum of the variable part that year (art. 19 pkt 1 lit. h u.p.o.l., indexed yearly)';
COMMENT ON COLUMN msip.ad_fee_rate.maxima_source IS 'Where the maxima come from: MSIP''s built-in table (with the publication) or the rules file';

CREATE TABLE msip.ad_protected_object (
    rule_set_id  bigint NOT NULL REFERENCES msip.ad_rule_set ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('monument')),
    source_id    text NOT NULL,
    name         text,
    geom         geometry(Geometry, 2180) NOT NULL,
    PRIMARY KEY (rule_set_id, kind, source_id)
);
COMMENT ON TABLE msip.ad_protected_object IS 'Objects the rules protect with a distance, listed in the rules file: monuments (pl: obiekty chronione, zabytki)';
COMMENT ON COLUMN msip.ad_protected_object.source_id IS 'Identifier in the rules file, e.g. the register number (pl: nr rejestru zabytków)';
COMMENT ON COLUMN msip.ad_protected_object.geom IS 'Point or outline, EPSG:2180';
CREATE INDEX ad_protected_object_geom_idx ON msip.ad_protected_object USING gist (geom);

CREATE TABLE msip.ad_compliance (
    result_id             bigserial PRIMARY KEY,
    ad_id                 bigint NOT NULL REFERENCES msip.advertisement,
    source_id             text NOT NULL,
    dataset               text NOT NULL,
    assessed_epoch        date NOT NULL,
    rule_set_id           bigint NOT NULL REFERENCES msip.ad_rule_set,
    zone_code             text,
    carrier_type          text,
    mounting              text,
    verdict               text NOT NULL CHECK (verdict IN ('compliant', 'non_compliant', 'not_assessed')),
    violated_rules        text[] NOT NULL DEFAULT '{}',
    violations            jsonb NOT NULL DEFAULT '[]'::jsonb,
    unchecked_rules       text[] NOT NULL DEFAULT '{}',
    note                  text,
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    fee_days              integer,
    fee_area_m2           double precision,
    fee_pln               numeric(14, 2),
    penalty_days          integer,
    penalty_estimate_pln  numeric(14, 2),
    load_run_id           bigint NOT NULL REFERENCES msip.load_run,
    geom                  geometry(Point, 2180) NOT NULL,
    CHECK (period_end >= period_start)
);
COMMENT ON TABLE msip.ad_compliance IS 'Compliance of each advertising carrier with the landscape resolution, with its fee and penalty estimate (pl: zgodność nośników reklamowych z uchwałą krajobrazową)';
COMMENT ON COLUMN msip.ad_compliance.ad_id IS 'The carrier version assessed (msip.advertisement)';
COMMENT ON COLUMN msip.ad_compliance.source_id IS 'Carrier identifier in the inventory (pl: id nośnika)';
COMMENT ON COLUMN msip.ad_compliance.dataset IS 'Inventory the carrier belongs to';
COMMENT ON COLUMN msip.ad_compliance.assessed_epoch IS 'Date the carriers, trees and network were taken at (pl: stan na dzień)';
COMMENT ON COLUMN msip.ad_compliance.rule_set_id IS 'Rule set applied (msip.ad_rule_set)';
COMMENT ON COLUMN msip.ad_compliance.zone_code IS 'Landscape zone A–D containing the carrier; NULL when outside every zone (pl: strefa)';
COMMENT ON COLUMN msip.ad_compliance.carrier_type IS 'Carrier type code (pl: typ nośnika)';
COMMENT ON COLUMN msip.ad_compliance.mounting IS 'free_standing or building_mounted under the rule set; NULL when the rules do not name the type';
COMMENT ON COLUMN msip.ad_compliance.verdict IS 'non_compliant (a rule is violated), compliant (every rule checked and met), not_assessed (a rule could not be checked: missing value, type or zone; see note) (pl: ocena)';
COMMENT ON COLUMN msip.ad_compliance.violated_rules IS 'Codes of the violated rules, sorted (pl: naruszone zasady)';
COMMENT ON COLUMN msip.ad_compliance.violations IS 'Each violation: {rule, measured, limit, unit, related_id, detail} (pl: naruszenia z wartością zmierzoną i dopuszczalną)';
COMMENT ON COLUMN msip.ad_compliance.unchecked_rules IS 'Rules that could not be checked for this carrier (missing data); reasons in note';
COMMENT ON COLUMN msip.ad_compliance.note IS 'Why rules were not checked, or other remarks (pl: uwagi)';
COMMENT ON COLUMN msip.ad_compliance.period_start IS 'First day of the fee period (pl: okres od)';
COMMENT ON COLUMN msip.ad_compliance.period_end IS 'Last day of the fee period, inclusive (pl: okres do)';
COMMENT ON COLUMN msip.ad_compliance.fee_days IS 'Days charged: from max(period_start, installed_on) to period_end, inclusive';
COMMENT ON COLUMN msip.ad_compliance.fee_area_m2 IS 'Area the variable part is charged on, m² (faces × face area, or one face, per the rule set)';
COMMENT ON COLUMN msip.ad_compliance.fee_pln IS 'Advertising fee for the period, PLN: Σ over days (fixed rate + variable rate × area) with each year''s rates, rounded to grosze (pl: opłata reklamowa)';
COMMENT ON COLUMN msip.ad_compliance.penalty_days IS 'Days of non-compliance in the period (= fee_days for non-compliant carriers, else 0)';
COMMENT ON COLUMN msip.ad_compliance.penalty_estimate_pln IS 'Penalty estimate, PLN: Σ over non-compliant days of multiple × (statutory max fixed + statutory max variable × area); an estimate, the decision is the mayor''s (pl: szacunek kary pieniężnej)';
COMMENT ON COLUMN msip.ad_compliance.load_run_id IS 'Analysis run (msip.load_run) that wrote the row';
COMMENT ON COLUMN msip.ad_compliance.geom IS 'Carrier position, EPSG:2180';
CREATE INDEX ad_compliance_geom_idx ON msip.ad_compliance USING gist (geom);
CREATE INDEX ad_compliance_epoch_idx ON msip.ad_compliance (assessed_epoch);
CREATE INDEX ad_compliance_run_idx ON msip.ad_compliance (load_run_id);

CREATE TABLE msip.ad_violation (
    result_id    bigint NOT NULL REFERENCES msip.ad_compliance ON DELETE CASCADE,
    rule_code    text NOT NULL,
    measured     double precision,
    limit_value  double precision,
    unit         text,
    related_id   text,
    detail       text NOT NULL,
    load_run_id  bigint NOT NULL REFERENCES msip.load_run,
    PRIMARY KEY (result_id, rule_code)
);
COMMENT ON TABLE msip.ad_violation IS 'One row per violated rule per carrier, for queries by rule (pl: naruszenia zasad)';
COMMENT ON COLUMN msip.ad_violation.rule_code IS 'Code of the violated rule';
COMMENT ON COLUMN msip.ad_violation.measured IS 'Measured value (m, m²) when the rule is numeric; NULL for bans';
COMMENT ON COLUMN msip.ad_violation.limit_value IS 'The limit it broke (m, m²); NULL for bans';
COMMENT ON COLUMN msip.ad_violation.unit IS 'Unit of measured and limit_value: m or m2';
COMMENT ON COLUMN msip.ad_violation.related_id IS 'The object measured to: other carrier, tree, street vertex, road edge, park or monument id';
COMMENT ON COLUMN msip.ad_violation.detail IS 'The violation in words, with the values';
CREATE INDEX ad_violation_rule_idx ON msip.ad_violation (rule_code);
