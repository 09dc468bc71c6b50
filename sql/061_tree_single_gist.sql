-- 061: one spatial index on msip.tree, not two. The partial GiST on current trees (060) serves
-- the API, the web map and the analyses; earlier versions of trees are looked up by dataset,
-- source id and epoch. A second, full GiST index only made every bulk load rebuild it
-- (≈ 2–3 s per million trees).
DROP INDEX IF EXISTS msip.tree_geom_idx;
