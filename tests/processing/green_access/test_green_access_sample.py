"""Green access on the sample world, scored against the generator's ground truth.

Walking distances must match an independent Dijkstra on base/streets.gpkg within 1 m; tree
counts and canopy cover are compared with truth/trees.csv and the true land cover.
"""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest

from processing.green_access.analysis import GreenAccessParams, run_green_access
from tests.support.toys.green_truth import (
    true_canopy_pct,
    true_green_within,
    true_park_distances,
    true_school_distances,
    true_tree_counts,
)

pytestmark = [pytest.mark.db, pytest.mark.slow]
PARAMS = GreenAccessParams()


@pytest.fixture(scope="module")
def run(sample_db_url):
    """The default run on the sample world: (result, {building_id: row dict})."""
    result = run_green_access(PARAMS, url=sample_db_url, force=True, workers=1)
    with psycopg.connect(sample_db_url) as c:
        cur = c.execute(
            "SELECT * FROM msip.greenspace_access_result WHERE load_run_id = %s",
            (result.report.run_id,),
        )
        names = [d.name for d in cur.description]
        rows = {r[names.index("building_id")]: dict(zip(names, r, strict=True)) for r in cur}
    return result, rows


def test_every_residential_building_has_a_row(run, sample_dir):
    result, rows = run
    truth = true_tree_counts(sample_dir, PARAMS.tree_radius_m)
    assert result.report.status == "succeeded"
    assert set(rows) == set(truth)
    assert result.totals["population"] == sum(r["population"] for r in rows.values()) > 0


def test_park_distances_match_an_independent_dijkstra(run, sample_dir):
    _, rows = run
    truth = true_park_distances(
        sample_dir,
        min_area_m2=PARAMS.park_min_area_ha * 1e4,
        tolerance_m=PARAMS.entrance_tolerance_m,
        max_snap_m=PARAMS.max_snap_m,
    )
    worst = max(abs(rows[b]["park_distance_m"] - d) for b, d in truth.items())
    assert worst <= 1.0, f"largest difference {worst:.3f} m"
    assert {r["meets_300"] for r in rows.values()} == {d <= 300 for d in truth.values()}


def test_school_distances_match(run, sample_dir):
    _, rows = run
    truth = true_school_distances(
        sample_dir, tolerance_m=PARAMS.entrance_tolerance_m, max_snap_m=PARAMS.max_snap_m
    )
    assert max(abs(rows[b]["school_distance_m"] - d) for b, d in truth.items()) <= 1.0


def test_green_within_reach_matches(sample_db_url, sample_dir):
    """With 150 m the parks are reached by some buildings only, so the sums differ between buildings."""
    params = replace(PARAMS, green_total_distance_m=150.0)
    result = run_green_access(params, url=sample_db_url, workers=1)
    truth = true_green_within(
        sample_dir,
        max_m=150.0,
        tolerance_m=params.entrance_tolerance_m,
        max_snap_m=params.max_snap_m,
    )
    with psycopg.connect(sample_db_url) as c:
        got = dict(
            c.execute(
                "SELECT building_id, green_1500m_ha FROM msip.greenspace_access_result "
                "WHERE load_run_id = %s",
                (result.report.run_id,),
            ).fetchall()
        )
    assert len(set(truth.values())) > 1
    assert got == pytest.approx(truth, abs=1e-6)


def test_tree_counts_match_the_true_trees(run, sample_dir):
    """Inventory ∪ LiDAR-only trees within 15 m: ≥ 95 % of buildings exact, none off by more than 1."""
    _, rows = run
    truth = true_tree_counts(sample_dir, PARAMS.tree_radius_m)
    diffs = [rows[b]["trees_15m"] - n for b, n in truth.items()]
    assert sum(d == 0 for d in diffs) >= 0.95 * len(diffs)
    assert max(abs(d) for d in diffs) <= 1
    assert any(
        r["trees_lidar_15m"] for r in rows.values()
    )  # laser-only trees are found and counted


def test_canopy_matches_the_true_crowns(run, sample_dir):
    """CHM ≥ 2 m vs true crown land cover in the 250 m circle: within 1.5 percentage points."""
    _, rows = run
    truth = true_canopy_pct(sample_dir, PARAMS.canopy_radius_m)
    assert max(abs(rows[b]["canopy_pct"] - pct) for b, pct in truth.items()) <= 1.5
    assert all(
        0 < r["canopy_data_pct"] < 100 for r in rows.values()
    )  # the 250 m circles leave the 400 m world


def test_rerun_is_unchanged_and_forced_rerun_reproduces_the_checksum(run, sample_db_url):
    result, _ = run
    again = run_green_access(PARAMS, url=sample_db_url, workers=1)
    assert (again.report.status, again.report.run_id) == ("unchanged", result.report.run_id)
    forced = run_green_access(PARAMS, url=sample_db_url, force=True, workers=1)
    assert forced.report.run_id != result.report.run_id
    assert forced.checksum == result.checksum
