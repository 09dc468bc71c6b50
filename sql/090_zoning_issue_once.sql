-- 090: each zoning topology issue once per plan version. Before, every `--force` reload of the
-- same zones appended the same issues again; checks ran only when the plan's outline was loaded
-- first. Now an issue belongs to a plan version (plan_version_id, '' while the plan's outline is
-- not loaded: issues then come from the zones alone), a re-check of a plan replaces that plan
-- version's issues, and a unique key makes a second copy impossible. 'sliver' is a narrow gap
-- between zones open to the outside of their union (found without the plan's outline).

ALTER TABLE msip.zoning_issue ADD COLUMN plan_version_id text NOT NULL DEFAULT '';
COMMENT ON COLUMN msip.zoning_issue.plan_version_id IS
    'wersjaId of the plan the zones were checked against; empty when its outline was not loaded (checked from the zones alone)';

-- Issues recorded before this migration were found against the plan's outline when one was loaded.
UPDATE msip.zoning_issue i SET plan_version_id = p.version_id
FROM msip.zoning_plan_current p
WHERE p.iip_namespace = i.plan_namespace AND p.local_id = i.plan_local_id
  AND i.issue_kind IN ('gap', 'outside_plan');

ALTER TABLE msip.zoning_issue DROP CONSTRAINT zoning_issue_issue_kind_check;
ALTER TABLE msip.zoning_issue ADD CONSTRAINT zoning_issue_issue_kind_check
    CHECK (issue_kind IN ('overlap', 'gap', 'sliver', 'outside_plan'));
COMMENT ON COLUMN msip.zoning_issue.issue_kind IS
    'overlap (two zones), gap (area inside the plan or a hole inside the zones covered by none), '
    'sliver (narrow gap between zones, open to the outside), outside_plan (zone part beyond the plan)';

-- The same area found twice: its geometry normalised and rounded to 1 cm, as a digest.
ALTER TABLE msip.zoning_issue ADD COLUMN geom_key text GENERATED ALWAYS AS
    (md5(ST_AsEWKB(ST_Normalize(ST_SnapToGrid(geom, 0.01))))) STORED;
COMMENT ON COLUMN msip.zoning_issue.geom_key IS 'md5 of the issue area normalised and snapped to 1 cm (part of the unique key)';

-- Duplicates left by earlier reloads: keep the latest copy.
DELETE FROM msip.zoning_issue a
USING msip.zoning_issue b
WHERE a.issue_id < b.issue_id
  AND a.plan_namespace IS NOT DISTINCT FROM b.plan_namespace
  AND a.plan_local_id IS NOT DISTINCT FROM b.plan_local_id
  AND a.plan_version_id = b.plan_version_id
  AND a.issue_kind = b.issue_kind
  AND a.zone_ids = b.zone_ids
  AND a.geom_key = b.geom_key;

ALTER TABLE msip.zoning_issue ADD CONSTRAINT zoning_issue_once UNIQUE NULLS NOT DISTINCT
    (plan_namespace, plan_local_id, plan_version_id, issue_kind, zone_ids, geom_key);
CREATE INDEX zoning_issue_plan_idx ON msip.zoning_issue (plan_namespace, plan_local_id);
