"""Zone topology checks without the plan's outline, re-checks when it arrives, and each issue once per plan version."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from lxml import etree
from shapely.geometry import box

from pipelines.readers.validate import EXTENTS
from pipelines.zoning.checks import find_issues
from pipelines.zoning.load import load_zoning
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
DATA = TEST_DATA / "zoning"
KIELCE = EXTENTS["kielce"]
NS = "PL.ZIPPZP.9999/266101-POG"
APP2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"


def _issues(url: str) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT issue_kind, plan_version_id, round(area_m2::numeric, -1)::int FROM msip.zoning_issue "
            "ORDER BY issue_kind, area_m2"
        ).fetchall()


def _act_only(tmp_path: Path) -> Path:
    """kielce_plan.gml without its zones: the plan's outline (400 × 400 m) and its documents."""
    tree = etree.parse(str(DATA / "kielce_plan.gml"))
    for zone in tree.iter(f"{{{APP2}}}StrefaPlanistyczna"):
        member = zone.getparent()
        member.getparent().remove(member)
    path = tmp_path / "akt.gml"
    tree.write(str(path), xml_declaration=True, encoding="utf-8")
    return path


def _zones(tmp_path: Path) -> Path:
    """Three zones of plan 1POG inside its outline with a 20 × 20 m hole where two meet and a
    0.5 m wide sliver between the other two, open to the east."""
    west = box(614000, 334600, 614200, 335000).difference(box(614190, 334690, 614210, 334710))
    north_east = box(614200, 334800.25, 614400, 335000)
    south_east = box(614200, 334600, 614400, 334799.75).difference(box(614190, 334690, 614210, 334710))
    frame = gpd.GeoDataFrame(
        {
            "lokalnyId": ["T-1SJ", "T-1SU", "T-1SN"],
            "przestrzenNazw": [NS] * 3,
            "plan_namespace": [NS] * 3,
            "plan_local_id": ["1POG"] * 3,
            "symbol": ["SJ", "SU", "SN"],
        },
        geometry=[west, north_east, south_east],
        crs="EPSG:2180",
    )
    path = tmp_path / "strefy.gpkg"
    frame.to_file(path, layer="strefy")
    return path


def test_hole_and_sliver_found_from_the_zones_alone(empty_db, tmp_path):
    report = load_zoning(_zones(tmp_path), url=empty_db, extent=KIELCE)
    assert report.rows_loaded == 3
    assert _issues(empty_db) == [("gap", "", 400), ("sliver", "", 100)]
    line = next(n for n in report.notes if "zones checked" in n)
    assert "1 gaps (400.00 m²) inside the zones, 1 slivers (100.00 m²) between them" in line


def test_loading_the_plan_later_rechecks_its_zones(empty_db, tmp_path):
    load_zoning(_zones(tmp_path), url=empty_db, extent=KIELCE)
    report = load_zoning(_act_only(tmp_path), url=empty_db, extent=KIELCE)
    # The outline is written in EPSG:2178, so its edges move by millimetres in EPSG:2180.
    assert any("3 zones checked: 0 overlaps, 2 gaps (500." in n for n in report.notes), report.notes
    # Checked against the outline of version 20250101T000000; the zones-only issues are replaced.
    assert _issues(empty_db) == [("gap", "20250101T000000", 100), ("gap", "20250101T000000", 400)]


def test_each_issue_once_per_plan_version_across_forced_reloads(empty_db, tmp_path):
    zones, act = _zones(tmp_path), _act_only(tmp_path)
    for _ in range(2):
        load_zoning(zones, url=empty_db, extent=KIELCE, force=True)
        assert _issues(empty_db) == [("gap", "", 400), ("sliver", "", 100)] or _issues(empty_db) == [
            ("gap", "20250101T000000", 100), ("gap", "20250101T000000", 400)]
        load_zoning(act, url=empty_db, extent=KIELCE, force=True)
        assert _issues(empty_db) == [("gap", "20250101T000000", 100), ("gap", "20250101T000000", 400)]


def test_forced_reload_of_the_fixture_keeps_one_copy(empty_db):
    load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE)
    for _ in range(3):
        load_zoning(DATA / "kielce_zones_overlap_gap.gml", url=empty_db, extent=KIELCE, force=True)
    assert _issues(empty_db) == [("gap", "20250101T000000", 4000), ("overlap", "20250101T000000", 2000)]


def test_the_database_refuses_a_second_copy_of_an_issue(empty_db):
    load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE)
    load_zoning(DATA / "kielce_zones_overlap_gap.gml", url=empty_db, extent=KIELCE)
    with psycopg.connect(empty_db) as c, pytest.raises(psycopg.errors.UniqueViolation, match="zoning_issue_once"):
        c.execute(
            "INSERT INTO msip.zoning_issue (load_run_id, plan_namespace, plan_local_id, plan_version_id, "
            "issue_kind, zone_ids, area_m2, geom) SELECT load_run_id, plan_namespace, plan_local_id, "
            "plan_version_id, issue_kind, zone_ids, area_m2, geom FROM msip.zoning_issue LIMIT 1"
        )


@pytest.mark.parametrize(
    "zones, expected",
    [
        # two zones sharing an edge: nothing to report
        ([box(0, 0, 10, 10), box(10, 0, 20, 10)], []),
        # an L-shaped union keeps its concave corner (the mitred closing adds nothing there)
        ([box(0, 0, 10, 10), box(10, 0, 20, 10), box(0, 10, 10, 20)], []),
        # a 3 m wide notch between zones is wider than a sliver: not reported
        ([box(0, 0, 10, 30), box(13, 0, 23, 30), box(0, 30, 23, 40)], []),
        # a 1 m wide notch is a sliver (1 × 30 m)
        ([box(0, 0, 10, 30), box(11, 0, 21, 30), box(0, 30, 21, 40)], [("sliver", 30.0)]),
        # a hole in the middle of four zones
        ([box(0, 0, 10, 10).difference(box(8, 8, 10, 10)), box(10, 0, 20, 10).difference(box(10, 8, 12, 10)),
          box(0, 10, 10, 20).difference(box(8, 10, 10, 12)), box(10, 10, 20, 20).difference(box(10, 10, 12, 12))],
         [("gap", 16.0)]),
    ],
)
def test_gaps_from_zones_alone(zones, expected):
    issues, _ = find_issues([(f"z{i}", z) for i, z in enumerate(zones)], None)
    assert [(i.kind, round(i.area_m2, 3)) for i in issues] == expected
