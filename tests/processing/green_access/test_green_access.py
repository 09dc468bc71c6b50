"""Green access end to end on the hand-built toy world (tests/support/green_toy.py), plus its pure pieces."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner

from msip.core.errors import MsipError, ValidationError
from processing.epochs import pick_epoch
from processing.green_access.analysis import GreenAccessParams, run_green_access
from processing.green_access.canopy import disc_counts
from tests.support.green_toy import HOMES, PARK_M, SCHOOL_M, raster_folder, segment_share, world

#: Exact walks need tolerance 0 (no buffer arcs); a 40 m canopy circle fits inside the toy CHM.
TOY = GreenAccessParams(entrance_tolerance_m=0.0, canopy_radius_m=40.0)


@pytest.fixture
def toy(empty_db, tmp_path, settings):
    """The toy world in the emptied test database (its CHM in the test raster store)."""
    with (
        raster_folder(settings, tmp_path.name) as folder,
        psycopg.connect(empty_db, autocommit=True) as c,
    ):
        world(c, folder)
        yield empty_db


def _rows(url: str, run_id: int) -> dict[str, dict]:
    with psycopg.connect(url) as c:
        cur = c.execute(
            "SELECT * FROM msip.greenspace_access_result WHERE load_run_id = %s", (run_id,)
        )
        names = [d.name for d in cur.description]
        return {r[names.index("building_id")]: dict(zip(names, r, strict=True)) for r in cur}


@pytest.mark.parametrize(
    "available, on, expected, noted",
    [
        ([date(2024, 1, 1), date(2025, 1, 1)], date(2024, 6, 1), date(2024, 1, 1), False),
        ([date(2024, 1, 1), date(2025, 1, 1)], date(2025, 6, 1), date(2025, 1, 1), False),
        ([date(2024, 1, 1), date(2025, 1, 1)], date(2023, 1, 1), date(2024, 1, 1), True),
        ([None], date(2023, 1, 1), None, False),
        ([], None, None, False),
    ],
)
def test_layers_are_read_at_their_latest_epoch_before_the_analysis_date(
    available, on, expected, noted
):
    epoch, note = pick_epoch(available, on)
    assert epoch == expected and (note is not None) == noted


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"tree_radius_m": 0.5}, "tree_radius_m=0.5 is out of range: use 1–100 m"),
        ({"min_canopy_pct": 101}, "min_canopy_pct=101 is out of range"),
        ({"min_trees": 2.5}, "min_trees=2.5 must be a whole number"),
        ({"district": "county"}, "district='county' is not one of"),
        ({"bbox": (10, 10, 5, 20)}, "must be minx,miny,maxx,maxy"),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        GreenAccessParams(**kwargs)


def test_equal_numbers_make_equal_parameters():
    assert GreenAccessParams(park_max_distance_m=300).record(None) == GreenAccessParams().record(
        None
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_circle_counts_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    canopy, valid = rng.random((300, 260)) < 0.3, rng.random((300, 260)) < 0.9
    canopy &= valid
    left, top, res, radius = 1000.0, 2000.0, 0.5, 31.7
    xy = np.column_stack([rng.uniform(1035, 1095, 20), rng.uniform(1885, 1965, 20)])
    n, v, a = disc_counts(canopy, valid, left, top, res, xy, radius)
    cx, cy = left + (np.arange(260) + 0.5) * res, top - (np.arange(300) + 0.5) * res
    for i, (x, y) in enumerate(xy):
        inside = (cx[None, :] - x) ** 2 + (cy[:, None] - y) ** 2 <= radius**2
        assert (n[i], v[i], a[i]) == ((canopy & inside).sum(), (valid & inside).sum(), inside.sum())


@pytest.mark.db
def test_toy_world_values_are_the_hand_computed_ones(toy):
    result = run_green_access(TOY, url=toy, workers=1)
    rows = _rows(toy, result.report.run_id)
    assert result.report.status == "succeeded" and set(rows) == set(HOMES)
    for hid, dist in PARK_M.items():
        assert rows[hid]["park_distance_m"] == pytest.approx(dist, abs=1e-6)
        assert rows[hid]["school_distance_m"] == pytest.approx(SCHOOL_M[hid], abs=1e-6)
        assert rows[hid]["park_id"] == "BIG"  # the private park next to H2 does not count
    assert rows["H2"]["park_walk_min"] == pytest.approx(55 / (4.8 * 1000 / 60))
    # H4 lies beyond the network's snap limit, the CHM and the inventory: unknown, not "not met"
    assert (rows["H4"]["snap_m"], rows["H4"]["park_distance_m"]) == (None, None)
    flags = ("meets_3", "meets_30", "meets_300", "meets_3_30_300", "meets_13f")
    assert {k: rows["H4"][k] for k in flags} == dict.fromkeys(flags)
    assert (rows["H2"]["meets_3"], rows["H2"]["meets_3_30_300"]) == (False, False)  # known: inside the CHM
    # 3: two inventory trunks within 15 m of H1 and one LiDAR apex; the apex beside the trunk at (60, 5) is that tree
    assert (
        rows["H1"]["trees_inventory_15m"],
        rows["H1"]["trees_lidar_15m"],
        rows["H1"]["meets_3"],
    ) == (2, 1, True)
    # 30: H3's circle reaches 5 m past the canopy edge x = 200
    assert rows["H3"]["canopy_pct"] == pytest.approx(segment_share(5, 40), abs=0.3)
    assert (rows["H2"]["canopy_pct"], rows["H2"]["canopy_data_pct"]) == (0, 100)
    assert rows["H4"]["canopy_pct"] is None and rows["H4"]["meets_30"] is None
    # all public green (0.6 + 0.04 ha) is within 1500 m, but no 20 ha park: art. 13f green fails
    assert rows["H1"]["green_1500m_ha"] == pytest.approx(0.64) and not rows["H1"]["meets_13f_green"]
    t = result.totals
    # shares of the 60 residents of H1–H3, whose flags are known (H4's 40 are unknown, not "not met")
    assert (t["population"], t["pct_3"], t["pct_30"], t["pct_300"], t["pct_13f_school"]) == (
        100,
        pytest.approx(100 * 10 / 60),
        pytest.approx(100 * 30 / 60),
        100,
        100,
    )
    assert t["population_known"]["pct_3"] == t["population_known"]["pct_300"] == 60
    # H3's 30 are half of the 60 residents with a walking distance (H4's 40 have none: not "beyond 3000 m")
    assert t["median_park_distance_m"] == pytest.approx(PARK_M["H3"])


@pytest.mark.db
def test_thresholds_and_districts_follow_the_parameters(toy):
    params = replace(
        TOY, large_park_ha=0.5, green_total_ha=0.6, park_max_distance_m=100, district_cell_m=1000
    )
    result = run_green_access(params, url=toy, workers=1)
    rows = _rows(toy, result.report.run_id)
    assert {h: r["meets_13f"] for h, r in rows.items()} == {
        "H1": True,
        "H2": True,
        "H3": True,
        "H4": None,
    }
    assert {h: r["meets_300"] for h, r in rows.items()} == {
        "H1": False,
        "H2": True,
        "H3": True,
        "H4": None,
    }
    assert {r["district_id"] for r in rows.values()} == {"600000_300000", "601000_301000"}
    with psycopg.connect(toy) as c:
        districts = c.execute(
            "SELECT district_id, population, pct_300, ST_Area(geom) FROM msip.greenspace_access_district "
            "WHERE load_run_id = %s AND district_kind = 'grid' ORDER BY 1",
            (result.report.run_id,),
        ).fetchall()
    assert districts == [
        ("600000_300000", 60, pytest.approx(100 * 50 / 60), 1e6),
        ("601000_301000", 40, None, 1e6),  # H4 alone: no walking distance, 300 unknown
    ]


@pytest.mark.db
def test_bbox_limits_the_buildings_not_the_reach(toy):
    result = run_green_access(
        replace(TOY, bbox=(600000, 300000, 600160, 300100)), url=toy, workers=1
    )
    rows = _rows(toy, result.report.run_id)
    assert set(rows) == {"H1", "H2"}
    assert rows["H1"]["park_distance_m"] == pytest.approx(
        PARK_M["H1"]
    )  # the park itself is outside the bbox


@pytest.mark.db
def test_without_a_chm_canopy_is_unknown_and_said_so(toy):
    with psycopg.connect(toy, autocommit=True) as c:
        c.execute("DELETE FROM msip.raster_asset")
    result = run_green_access(TOY, url=toy, workers=1)
    rows = _rows(toy, result.report.run_id)
    assert all(r["canopy_pct"] is None and r["meets_30"] is None for r in rows.values())
    assert any("no canopy height model" in n for n in result.report.notes)
    assert result.totals["pct_30"] is None  # unknown, not 0 %
    assert "30: unknown (no data)" in result.summary() and "30: 0.0 %" not in result.summary()
    with psycopg.connect(toy) as c:
        assert c.execute("SELECT pct_30 FROM msip.greenspace_access_district WHERE load_run_id = %s",
                         (result.report.run_id,)).fetchall() == [(None,)] * 3  # the whole area and 2 grid cells
    # without the CHM only the inventory's hull says where trees are known: H1 (3 trees found) meets 3,
    # H2 and H3 (outside the three inventory trunks' hull) are unknown, not "fewer than 3"
    assert {h: r["meets_3"] for h, r in rows.items()} == {"H1": True, "H2": None, "H3": None, "H4": None}
    assert any("outside the tree inventory and the LiDAR survey" in n for n in result.report.notes)


@pytest.mark.db
def test_without_tree_data_or_green_spaces_3_and_300_are_unknown(toy):
    with psycopg.connect(toy, autocommit=True) as c:
        c.execute("DELETE FROM msip.raster_asset")
        c.execute("DELETE FROM msip.tree")
        c.execute("DELETE FROM msip.green_space")
    result = run_green_access(TOY, url=toy, workers=1)
    rows = _rows(toy, result.report.run_id)
    assert {r["meets_3"] for r in rows.values()} == {None}  # H1's two LiDAR apexes are not "fewer than 3"
    assert {r["meets_300"] for r in rows.values()} == {r["meets_13f_green"] for r in rows.values()} == {None}
    assert {r["meets_3_30_300"] for r in rows.values()} == {None}
    t = result.totals
    assert (t["pct_3"], t["pct_30"], t["pct_300"], t["pct_3_30_300"], t["pct_13f_green"]) == (None,) * 5
    assert t["pct_13f_school"] == 100  # the school is still known to be reachable
    summary = result.summary()
    assert "meeting 3: unknown (no data), 30: unknown (no data), 300: unknown (no data)" in summary
    assert any("no green spaces are loaded: 300 and art. 13f are unknown" in n for n in result.report.notes)


@pytest.mark.db
def test_results_are_current_per_building_and_reruns_are_unchanged(toy):
    first = run_green_access(TOY, url=toy, workers=1)
    again = run_green_access(replace(TOY, park_max_distance_m=300), url=toy, workers=1)
    assert (again.report.status, again.report.run_id, again.checksum) == (
        "unchanged",
        first.report.run_id,
        first.checksum,
    )
    other = run_green_access(replace(TOY, park_max_distance_m=100), url=toy, workers=1)
    with psycopg.connect(toy) as c:
        current = c.execute(
            "SELECT DISTINCT load_run_id, count(*) FROM msip.greenspace_access GROUP BY 1"
        ).fetchall()
    assert current == [(other.report.run_id, 4)]
    assert other.checksum != first.checksum


@pytest.mark.db
def test_refusals(empty_db, toy):
    with pytest.raises(
        ValidationError,
        match=r"no buildings of epoch 2020-01-01 are loaded \(loaded epochs: 2025-06-15\)",
    ):
        run_green_access(replace(TOY, epoch=date(2020, 1, 1)), url=toy)
    with psycopg.connect(toy, autocommit=True) as c:
        c.execute("TRUNCATE msip.building CASCADE")
    with pytest.raises(MsipError, match="no residential buildings are loaded; load them first"):
        run_green_access(TOY, url=toy)


@pytest.mark.db
def test_cli_prints_the_shares(toy, monkeypatch):
    from msip.cli.commands.run.green_access import command

    monkeypatch.setenv("MSIP_DATABASE_URL", toy)
    result = CliRunner().invoke(
        command, ["--entrance-tolerance-m", "0", "--canopy-radius-m", "40", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "analysis:green-access: succeeded" in result.output
    assert "300: 100.0 % of the 60 % of residents with data" in result.output  # H4's 40 have no walking distance
    bad = CliRunner().invoke(command, ["--walk-speed-kmh", "40"])
    assert bad.exit_code == 2 and "40.0 is not in the range 1<=x<=10" in bad.output


@pytest.mark.db
@pytest.mark.parametrize(
    "table",
    [
        "greenspace_access_result",
        "greenspace_access_district",
        "living_conditions_result",
        "living_conditions_zone",
    ],
)
def test_every_result_column_is_documented(conn, table):
    missing = [
        r[0]
        for r in conn.execute(
            "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 "
            "AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL",
            (f"msip.{table}",),
        )
    ]
    assert missing == []
