"""The district's city forest is a stand real ALS processing can resolve (issue #17, branch cityforest):
planted as the generator plants it, surveyed at the district's pulse density and run through the loader's
tree detector (benchmarks/district_world/forest_stand.py), its trees > 5 m are found within 2 m."""

from __future__ import annotations

import numpy as np
from shapely.geometry import box

from benchmarks.district_world.forest_stand import chm_of, classify
from msip.sample_world.constants import DISTRICT_PULSE_DENSITY_PER_M2
from msip.sample_world.world.blocks import TreeArea
from msip.sample_world.world.district import fill
from msip.sample_world.world.district.build import STREET_CROWN_GAP
from msip.sample_world.world.trees import TreeSite, plant_areas
from pipelines.lidar.algorithms.trees import detect

SIDE_M = 120.0
MARGIN_M = 10.0


def _stand(seed: int) -> list:
    trees: list = []
    area = TreeArea(box(0, 0, SIDE_M, SIDE_M), 0.0, "forest", fill.FOREST_STAND_M, fill.FOREST_SPACING_M)
    plant_areas(np.random.default_rng(seed), TreeSite([], [], [], crown_gap=STREET_CROWN_GAP), trees, [area])
    return trees


def test_forest_stand_is_even_aged_closed_and_regular() -> None:
    trees = _stand(7)
    heights = np.array([t.height_m for t in trees])
    lo, hi = fill.FOREST_STAND_M
    assert heights.min() >= lo and heights.max() <= hi + 0.1
    per_ha = len(trees) / (SIDE_M**2 / 1e4)
    assert 150 <= per_ha <= 260, per_ha  # a thinned mature stand, not a thicket
    xy = np.array([(t.x, t.y) for t in trees])
    r = np.array([t.crown_radius_m for t in trees])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    # no trunk inside the crown-overlap limit of a neighbour (crowns overlap by at most 30 %)
    assert (d >= np.maximum(3.0, STREET_CROWN_GAP * (r[:, None] + r[None, :])) - 1e-6).all()


def test_forest_trees_are_found_by_the_loaders_detector() -> None:
    trees = _stand(11)
    chm, grid = chm_of(trees, SIDE_M, np.random.default_rng(12), DISTRICT_PULSE_DENSITY_PER_M2)
    canopy = float((chm > 2.0).mean())
    assert canopy >= 0.65, canopy  # a closed forest canopy: it cools the forest park
    found = detect(chm, grid, core=(0.0, 0.0, SIDE_M, SIDE_M), min_height_m=2.0)
    det = np.array([(t.x, t.y, t.height_m) for t in found])
    inner = [t for t in trees if MARGIN_M <= t.x <= SIDE_M - MARGIN_M and MARGIN_M <= t.y <= SIDE_M - MARGIN_M]
    _, recall, misses, _ = classify(inner, det)  # the stand's edge trees (no neighbours outside) left out
    core = (det[:, :2] >= MARGIN_M).all(axis=1) & (det[:, :2] <= SIDE_M - MARGIN_M).all(axis=1)
    precision, _, _, _ = classify(trees, det[core])
    assert recall >= 0.9, (recall, misses)
    assert precision >= 0.9, precision
