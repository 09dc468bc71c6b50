-- 117: no search entry without a label. A zone without a designation (only its symbol, e.g. "sw")
-- or a plan without a title had a NULL label in msip.search_entry (sql/105): the result showed nothing,
-- and since 116 its stored copy msip.search_item (label NOT NULL) refused it, failing the load that
-- brought the zone. The label falls back to the symbol / the plan's number; the label column of the
-- copy accepts NULL anyway, so a future branch can never fail a load through the search.

CREATE OR REPLACE VIEW msip.search_entry AS
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
SELECT 'plan', 3, p.plan_pk::text, 'zoning_plans', coalesce(p.title || ' (' || p.local_id || ')', p.local_id),
       msip.search_norm(p.local_id || ' ' || coalesce(p.title, '')), p.geom
FROM msip.zoning_plan_current p
UNION ALL
SELECT 'zone', 4, z.zone_pk::text, 'zoning_zones',
       coalesce(z.designation, z.symbol, '') || coalesce(' — ' || z.name_label, '')
           || coalesce(' (' || z.plan_title || ')', ''),
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

ALTER TABLE msip.search_item ALTER COLUMN label DROP NOT NULL;
