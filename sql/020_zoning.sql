-- 020: zoning plans from APP GML (Akt Planowania Przestrzennego, APP 1.0/2.0): the plans
-- (acts) with their extent, their formal documents and drawings, the zones with planning
-- indicators (plan ogólny: StrefaPlanistyczna; local plans: designation areas from GPKG),
-- and the topology issues (overlaps, gaps) found when a load checked them.
-- Objects are versioned as in APP: (iip_namespace, local_id, version_id) is one version;
-- the *_current views keep the latest version of each object.

CREATE TABLE msip.zoning_plan (
    plan_pk           bigserial PRIMARY KEY,
    iip_namespace     text NOT NULL,
    local_id          text NOT NULL,
    version_id        text NOT NULL DEFAULT '',
    gml_id            text,
    teryt             text,
    title             text NOT NULL,
    plan_type         text,
    plan_type_label   text,
    hierarchy_level   text,
    status            text,
    status_label      text,
    valid_from        date,
    valid_to          date,
    version_start     timestamptz,
    app_namespace     text NOT NULL,
    source_epsg       integer NOT NULL,
    attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,
    row_hash          text NOT NULL,
    geom              geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id       bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (iip_namespace, local_id, version_id)
);
COMMENT ON TABLE msip.zoning_plan IS 'Spatial planning acts (pl: akty planowania przestrzennego, APP) with their extent';
COMMENT ON COLUMN msip.zoning_plan.iip_namespace IS 'idIIP przestrzenNazw, e.g. PL.ZIPPZP.9389/226101-POG (namespace of the source id)';
COMMENT ON COLUMN msip.zoning_plan.local_id IS 'idIIP lokalnyId (local id of the act)';
COMMENT ON COLUMN msip.zoning_plan.version_id IS 'idIIP wersjaId (version of the act; empty when the file gives none)';
COMMENT ON COLUMN msip.zoning_plan.teryt IS 'TERYT code of the gmina, taken from the namespace (pl: kod TERYT gminy)';
COMMENT ON COLUMN msip.zoning_plan.title IS 'tytul: official title (pl: tytuł aktu)';
COMMENT ON COLUMN msip.zoning_plan.plan_type IS 'typPlanu code, e.g. planOgolnyGminy, miejscowyPlanZagospodarowaniaPrzestrzennego';
COMMENT ON COLUMN msip.zoning_plan.hierarchy_level IS 'poziomHierarchii code: regional, local, sublocal';
COMMENT ON COLUMN msip.zoning_plan.status IS 'status code (INSPIRE ProcessStepGeneralValue), e.g. elaboration, adoption, legalForce';
COMMENT ON COLUMN msip.zoning_plan.valid_from IS 'obowiazujeOd (pl: obowiązuje od)';
COMMENT ON COLUMN msip.zoning_plan.valid_to IS 'obowiazujeDo (pl: obowiązuje do)';
COMMENT ON COLUMN msip.zoning_plan.app_namespace IS 'XML namespace of the source file (APP 1.0, 2.0 or the 2020 draft)';
COMMENT ON COLUMN msip.zoning_plan.source_epsg IS 'EPSG code of the source geometry (before transformation to 2180)';
COMMENT ON COLUMN msip.zoning_plan.attributes IS 'Other APP properties as read (document references, alternative titles …)';
COMMENT ON COLUMN msip.zoning_plan.geom IS 'zasiegPrzestrzenny: extent of the act, EPSG:2180';
CREATE INDEX zoning_plan_geom_idx ON msip.zoning_plan USING gist (geom);

CREATE TABLE msip.zoning_zone (
    zone_pk                          bigserial PRIMARY KEY,
    iip_namespace                    text NOT NULL,
    local_id                         text NOT NULL,
    version_id                       text NOT NULL DEFAULT '',
    gml_id                           text,
    zone_kind                        text NOT NULL CHECK (zone_kind IN ('strefa', 'teren')),
    plan_namespace                   text,
    plan_local_id                    text,
    designation                      text,
    symbol                           text NOT NULL,
    name_code                        text,
    name_label                       text,
    profile_basic                    text[] NOT NULL DEFAULT '{}',
    profile_additional               text[] NOT NULL DEFAULT '{}',
    max_above_ground_intensity       numeric CHECK (max_above_ground_intensity >= 0),
    max_building_coverage_pct        numeric CHECK (max_building_coverage_pct BETWEEN 0 AND 100),
    max_height_m                     numeric CHECK (max_height_m >= 0),
    min_biologically_active_pct      numeric CHECK (min_biologically_active_pct BETWEEN 0 AND 100),
    status                           text,
    legal_nature                     text,
    valid_from                       date,
    valid_to                         date,
    source_epsg                      integer,
    attributes                       jsonb NOT NULL DEFAULT '{}'::jsonb,
    row_hash                         text NOT NULL,
    geom                             geometry(MultiPolygon, 2180) NOT NULL,
    load_run_id                      bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (iip_namespace, local_id, version_id)
);
COMMENT ON TABLE msip.zoning_zone IS 'Planning zones with indicators (pl: strefy planistyczne planu ogólnego, tereny planu miejscowego)';
COMMENT ON COLUMN msip.zoning_zone.zone_kind IS 'strefa = StrefaPlanistyczna of a plan ogólny; teren = designation area (przeznaczenie terenu)';
COMMENT ON COLUMN msip.zoning_zone.plan_namespace IS 'Namespace of the act the zone belongs to (from app:plan, else from the zone id)';
COMMENT ON COLUMN msip.zoning_zone.plan_local_id IS 'Local id of the act the zone belongs to';
COMMENT ON COLUMN msip.zoning_zone.designation IS 'oznaczenie, e.g. 1SJ (pl: oznaczenie strefy/terenu)';
COMMENT ON COLUMN msip.zoning_zone.symbol IS 'symbol: SW SJ SZ SU SH SP SR SI SN SC SG SO SK for zones; free (MN, U, ZP …) for designation areas';
COMMENT ON COLUMN msip.zoning_zone.name_code IS 'nazwa code (RodzajStrefyPlanistycznejKod), e.g. strefaUslugowa';
COMMENT ON COLUMN msip.zoning_zone.profile_basic IS 'profilPodstawowy: land-use classes, e.g. {MN,U,K} (pl: profil podstawowy)';
COMMENT ON COLUMN msip.zoning_zone.profile_additional IS 'profilDodatkowy: optional land-use classes (pl: profil dodatkowy)';
COMMENT ON COLUMN msip.zoning_zone.max_above_ground_intensity IS 'maksNadziemnaIntensywnoscZabudowy: max above-ground floor area / plot area (ratio)';
COMMENT ON COLUMN msip.zoning_zone.max_building_coverage_pct IS 'maksUdzialPowierzchniZabudowy: max built-up share of the plot, %';
COMMENT ON COLUMN msip.zoning_zone.max_height_m IS 'maksWysokoscZabudowy: max building height, m';
COMMENT ON COLUMN msip.zoning_zone.min_biologically_active_pct IS 'minUdzialPowierzchniBiologicznieCzynnej: min biologically active share, %';
COMMENT ON COLUMN msip.zoning_zone.legal_nature IS 'charakterUstalenia code, e.g. generallyBinding';
COMMENT ON COLUMN msip.zoning_zone.attributes IS 'Other properties as read (extra GPKG columns, alternative names …)';
COMMENT ON COLUMN msip.zoning_zone.geom IS 'geometria: zone area, EPSG:2180';
CREATE INDEX zoning_zone_geom_idx ON msip.zoning_zone USING gist (geom);
CREATE INDEX zoning_zone_plan_idx ON msip.zoning_zone (plan_namespace, plan_local_id);

CREATE TABLE msip.zoning_document (
    document_pk     bigserial PRIMARY KEY,
    document_kind   text NOT NULL CHECK (document_kind IN ('dokument', 'rysunek')),
    iip_namespace   text NOT NULL,
    local_id        text NOT NULL,
    version_id      text NOT NULL DEFAULT '',
    gml_id          text,
    title           text NOT NULL,
    issued_on       date,
    link            text,
    plan_refs       text[] NOT NULL DEFAULT '{}',
    attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
    row_hash        text NOT NULL,
    load_run_id     bigint NOT NULL REFERENCES msip.load_run,
    UNIQUE (iip_namespace, local_id, version_id)
);
COMMENT ON TABLE msip.zoning_document IS 'Formal documents and drawings of acts (pl: DokumentFormalny, RysunekAktuPlanowaniaPrzestrzennego)';
COMMENT ON COLUMN msip.zoning_document.document_kind IS 'dokument = DokumentFormalny (resolution, notice); rysunek = georeferenced drawing';
COMMENT ON COLUMN msip.zoning_document.issued_on IS 'data (document date) or obowiazujeOd (drawing)';
COMMENT ON COLUMN msip.zoning_document.link IS 'lacze: URI of the document or drawing';
COMMENT ON COLUMN msip.zoning_document.plan_refs IS 'xlink references to the acts the document adopts, changes, repeals … or the drawing belongs to';

CREATE TABLE msip.zoning_issue (
    issue_id        bigserial PRIMARY KEY,
    load_run_id     bigint NOT NULL REFERENCES msip.load_run ON DELETE CASCADE,
    plan_namespace  text,
    plan_local_id   text,
    issue_kind      text NOT NULL CHECK (issue_kind IN ('overlap', 'gap', 'outside_plan')),
    zone_ids        text[] NOT NULL DEFAULT '{}',
    area_m2         double precision NOT NULL,
    geom            geometry(MultiPolygon, 2180) NOT NULL
);
COMMENT ON TABLE msip.zoning_issue IS 'Topology issues a zoning load found: overlapping zones, gaps inside a plan, zones outside it (pl: błędy topologii stref)';
COMMENT ON COLUMN msip.zoning_issue.zone_ids IS 'Local ids of the zones involved (two for an overlap, none for a gap)';
COMMENT ON COLUMN msip.zoning_issue.area_m2 IS 'Area of the issue, m²';
CREATE INDEX zoning_issue_run_idx ON msip.zoning_issue (load_run_id);

-- The latest version of each act and zone (wersjaId is a timestamp such as 20250731T135628).
CREATE VIEW msip.zoning_plan_current AS
SELECT DISTINCT ON (iip_namespace, local_id) *
FROM msip.zoning_plan
ORDER BY iip_namespace, local_id, version_id DESC;
COMMENT ON VIEW msip.zoning_plan_current IS 'Latest version of each planning act (pl: aktualne wersje aktów)';

CREATE VIEW msip.zoning_zone_current AS
SELECT DISTINCT ON (z.iip_namespace, z.local_id) z.*, p.title AS plan_title
FROM msip.zoning_zone z
LEFT JOIN msip.zoning_plan_current p
       ON p.iip_namespace = z.plan_namespace AND p.local_id = z.plan_local_id
ORDER BY z.iip_namespace, z.local_id, z.version_id DESC;
COMMENT ON VIEW msip.zoning_zone_current IS 'Latest version of each zone, with the title of its act when loaded (pl: aktualne strefy)';
