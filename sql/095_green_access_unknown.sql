-- 095: green access — unknown is not zero (issue 16). A building's 3, 300 and art. 13f flags are
-- NULL (unknown) where the data to decide them is missing: no tree inventory or LiDAR survey covers
-- the building (and fewer than 3 trees were found), no walking distance (the building is beyond the
-- snap limit of the network), or no green spaces are loaded at all. The combined flags follow SQL's
-- three-valued AND (false when any part is false, unknown when a part is unknown and none false).
-- District shares are of the residents whose flag is known; NULL when it is known for nobody.

ALTER TABLE msip.greenspace_access_result
    ALTER COLUMN meets_3 DROP NOT NULL,
    ALTER COLUMN meets_300 DROP NOT NULL,
    ALTER COLUMN meets_3_30_300 DROP NOT NULL,
    ALTER COLUMN meets_13f_green DROP NOT NULL,
    ALTER COLUMN meets_13f DROP NOT NULL;

COMMENT ON COLUMN msip.greenspace_access_result.trees_15m IS 'Trees found within the radius (default 15 m) of the outline: inventory + LiDAR-only; where no tree data covers the building this is what was found, not a count (see meets_3) (pl: drzewa w promieniu 15 m)';
COMMENT ON COLUMN msip.greenspace_access_result.meets_3 IS '3: at least 3 trees within the radius; NULL (unknown) when fewer were found and neither the tree inventory (the convex hull of its trees) nor the LiDAR survey (CHM data around the centroid) covers the building';
COMMENT ON COLUMN msip.greenspace_access_result.meets_300 IS '300: park_distance_m ≤ 300; NULL (unknown) when the building has no walking distance (beyond the snap limit) or no green spaces are loaded';
COMMENT ON COLUMN msip.greenspace_access_result.meets_3_30_300 IS 'All three of the 3-30-300 rule: false when one is not met, NULL when one is unknown and none is failed';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f_green IS 'Art. 13f: green_1500m_ha ≥ 3 and park_20ha_distance_m ≤ 3000; NULL (unknown) without a walking distance or without green spaces';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f_school IS 'Art. 13f: school_distance_m ≤ 1500; NULL when no schools are loaded or the building has no walking distance';
COMMENT ON COLUMN msip.greenspace_access_result.meets_13f IS 'Art. 13f green standard and (where schools are loaded) the school standard; NULL when a part is unknown and none is failed';

COMMENT ON COLUMN msip.greenspace_access_district.pct_3 IS 'Residents in buildings meeting 3, % of the residents whose 3 is known (NULL when known for nobody, or nobody lives there)';
COMMENT ON COLUMN msip.greenspace_access_district.pct_30 IS 'Residents meeting 30, % of the residents whose 30 is known (NULL without canopy data)';
COMMENT ON COLUMN msip.greenspace_access_district.pct_300 IS 'Residents meeting 300, % of the residents whose 300 is known';
COMMENT ON COLUMN msip.greenspace_access_district.pct_3_30_300 IS 'Residents meeting all of 3-30-300, % of the residents for whom it is known';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f_green IS 'Residents meeting the art. 13f green standard, % of those for whom it is known';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f_school IS 'Residents within 1500 m of a school, % of those for whom it is known; NULL when no schools are loaded';
COMMENT ON COLUMN msip.greenspace_access_district.pct_13f IS 'Residents meeting art. 13f (green, and school where schools are loaded), % of those for whom it is known';
COMMENT ON COLUMN msip.greenspace_access_district.median_park_distance_m IS 'Population-weighted median walk to a park ≥ 0.5 ha among residents whose 300 is known, m (NULL if more than half of them live beyond 3000 m)';
