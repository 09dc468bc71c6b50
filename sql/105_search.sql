-- 105: one search over what a resident looks for (the geoportal's search box, GET /search):
-- PRG addresses, street names, zoning plans (number and title) and their zones, place names
-- (green spaces, administrative units, localities), tree inventory numbers and advertising
-- carrier ids. PostgreSQL only: unaccent makes Polish diacritics optional, pg_trgm makes the
-- match typo-tolerant. msip.search_entry is a plain view over the source tables (never stale,
-- no refresh after a load); each branch's `norm` expression has a trigram index of its own,
-- which a query's filter on the view reaches through the UNION ALL.

-- Trusted extensions: the database owner may create them (sql/admin/database.sql does too).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Index expressions need an IMMUTABLE function: unaccent() is only STABLE because its
-- dictionary could change; naming the dictionary explicitly pins it (the usual idiom).
CREATE FUNCTION msip.search_norm(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));
COMMENT ON FUNCTION msip.search_norm(text) IS
    'Search form of a text: lower case without diacritics (Żeromskiego → zeromskiego)';

-- A street name without its kind word, as people type it ("ulica Żeromskiego" → "Żeromskiego").
CREATE FUNCTION msip.search_street(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(value, '^(ulica|ul\.|aleja|al\.|plac|pl\.|osiedle|os\.|rondo|skwer)\s+', '', 'i');
COMMENT ON FUNCTION msip.search_street(text) IS
    'A street name without its leading kind word (ulica, aleja, plac, osiedle, rondo, skwer)';

CREATE VIEW msip.search_entry AS
SELECT 'address'::text AS kind, 1 AS kind_rank, a.address_pk::text AS ref, NULL::text AS collection,
       coalesce(a.street, a.locality, '') || ' ' || a.house_number
           || coalesce(', ' || a.postcode, '') || coalesce(' ' || a.locality, '') AS label,
       msip.search_norm(coalesce(a.street, a.locality, '') || ' ' || a.house_number || ' '
           || coalesce(a.postcode, '') || ' ' || coalesce(a.locality, '')) AS norm,
       a.geom::geometry AS geom
FROM msip.address a
UNION ALL
SELECT 'street', 2, min(e.id)::text, NULL, msip.search_street(e.name),
       msip.search_norm(msip.search_street(e.name)), ST_Collect(e.geom)
FROM msip.walk_edge_current e
WHERE e.name IS NOT NULL AND e.road_class IS DISTINCT FROM 'footway'
GROUP BY msip.search_norm(msip.search_street(e.name)), msip.search_street(e.name)
UNION ALL
SELECT 'street', 2, 'prg:' || min(a.address_pk)::text, NULL, a.street,
       msip.search_norm(a.street), ST_Collect(a.geom)
FROM msip.address a
WHERE a.street IS NOT NULL
GROUP BY msip.search_norm(a.street), a.street
UNION ALL
SELECT 'plan', 3, p.plan_pk::text, 'zoning_plans', p.title || ' (' || p.local_id || ')',
       msip.search_norm(p.local_id || ' ' || p.title), p.geom
FROM msip.zoning_plan_current p
UNION ALL
SELECT 'zone', 4, z.zone_pk::text, 'zoning_zones',
       z.designation || coalesce(' — ' || z.name_label, '') || coalesce(' (' || z.plan_title || ')', ''),
       msip.search_norm(coalesce(z.designation, z.symbol) || ' ' || coalesce(z.name_label, '')), z.geom
FROM msip.zoning_zone_current z
UNION ALL
SELECT 'place', 5, g.green_space_pk::text, 'green_spaces', g.name, msip.search_norm(g.name), g.geom
FROM msip.green_space_current g
WHERE g.name IS NOT NULL
UNION ALL
SELECT 'place', 5, 'boundary:' || b.boundary_pk::text, NULL, b.name, msip.search_norm(b.name), b.geom
FROM msip.admin_boundary b
WHERE b.name IS NOT NULL AND b.level <> 'country'
UNION ALL
SELECT 'place', 5, 'locality:' || min(a.address_pk)::text, NULL, a.locality,
       msip.search_norm(a.locality), ST_Envelope(ST_Collect(a.geom))
FROM msip.address a
WHERE a.locality IS NOT NULL
GROUP BY msip.search_norm(a.locality), a.locality
UNION ALL
SELECT 'tree', 6, t.tree_id::text, 'trees', t.source_id || coalesce(' — ' || t.species, ''),
       msip.search_norm(t.source_id), t.geom
FROM msip.tree t
WHERE t.valid_to IS NULL
UNION ALL
SELECT 'ad', 7, d.ad_id::text, 'advertisements',
       d.source_id || coalesce(' — ' || d.carrier_type, '') || coalesce(' (' || d.permit_no || ')', ''),
       msip.search_norm(d.source_id || ' ' || coalesce(d.permit_no, '')), d.geom
FROM msip.advertisement d
WHERE d.valid_to IS NULL;
COMMENT ON VIEW msip.search_entry IS
    'Everything the geoportal search finds (pl: wyszukiwarka): kind, item reference, label, search form, geometry';
COMMENT ON COLUMN msip.search_entry.kind IS 'address, street, plan, zone, place, tree or ad';
COMMENT ON COLUMN msip.search_entry.kind_rank IS 'Order of the kinds among equally good hits (addresses first)';
COMMENT ON COLUMN msip.search_entry.ref IS 'The item: its key in its table (prefixed where one kind has several sources)';
COMMENT ON COLUMN msip.search_entry.collection IS 'OGC API collection holding the item, NULL where none does';
COMMENT ON COLUMN msip.search_entry.label IS 'What the search shows';
COMMENT ON COLUMN msip.search_entry.norm IS 'What the search matches: msip.search_norm of the searchable text';
COMMENT ON COLUMN msip.search_entry.geom IS 'The item''s geometry, EPSG:2180';

-- One trigram index per branch, on exactly the expression the view matches.
CREATE INDEX address_search_idx ON msip.address USING gin (
    msip.search_norm(coalesce(street, locality, '') || ' ' || house_number || ' '
        || coalesce(postcode, '') || ' ' || coalesce(locality, '')) gin_trgm_ops);
CREATE INDEX address_street_search_idx ON msip.address USING gin (msip.search_norm(street) gin_trgm_ops);
CREATE INDEX address_locality_search_idx ON msip.address USING gin (msip.search_norm(locality) gin_trgm_ops);
CREATE INDEX walk_edge_search_idx ON msip.walk_edge USING gin (
    msip.search_norm(msip.search_street(name)) gin_trgm_ops);
CREATE INDEX tree_search_idx ON msip.tree USING gin (msip.search_norm(source_id) gin_trgm_ops)
    WHERE valid_to IS NULL;
CREATE INDEX advertisement_search_idx ON msip.advertisement USING gin (
    msip.search_norm(source_id || ' ' || coalesce(permit_no, '')) gin_trgm_ops) WHERE valid_to IS NULL;
CREATE INDEX green_space_search_idx ON msip.green_space USING gin (msip.search_norm(name) gin_trgm_ops);
CREATE INDEX admin_boundary_search_idx ON msip.admin_boundary USING gin (msip.search_norm(name) gin_trgm_ops);

GRANT SELECT ON msip.search_entry TO msip_reader;
GRANT EXECUTE ON FUNCTION msip.search_norm(text), msip.search_street(text) TO msip_reader;
