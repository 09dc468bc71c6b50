"""Round trip load → export → load into a fresh database: the same acts, zones, attributes and areas
(within 0.01 m²), on the sample world's plan and on every real APP file MSIP loads; each export is XSD-valid."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from pipelines.app_export.export import export_app
from pipelines.zoning.app_schema import validate_app_gml
from pipelines.zoning.load import acts_first, load_zoning
from tests.pipelines.app_export.conftest import assert_same_rows, snapshot

pytestmark = pytest.mark.db
TABLES = ("msip.zoning_plan", "msip.zoning_zone", "msip.zoning_document")
#: Every real APP file tests/data/real/EXPECTED.yaml says MSIP loads, grouped by plan.
REAL_PLANS = {
    "pog_test_121201": ("AktPlanowaniaPrzestrzennego.gml", "StrefaPlanistyczna_OK.gml"),
    "pog_gmina_321202": ("AktPlanowaniaPrzestrzennego.gml", "StrefaPlanistyczna.gml"),
    "pog_gdansk_226101": ("AktPlanowaniaPrzestrzennego.gml",),
}


def _plans(url: str) -> list[int]:
    with psycopg.connect(url) as c:
        return [r[0] for r in c.execute("SELECT plan_pk FROM msip.zoning_plan_current ORDER BY plan_pk")]


def round_trip(files: list[Path], source_db: str, target_db: str, out_dir: Path) -> list[Path]:
    """Load `files`, export every plan (XSD-checked), load the exports into `target_db`; returns the exports."""
    for path in acts_first(files):
        report = load_zoning(path, url=source_db)
        assert report.status == "succeeded" and report.rows_rejected == 0, report.summary()
    exports = []
    for pk in _plans(source_db):
        out = out_dir / f"plan_{pk}.gml"
        export_app(pk, out, url=source_db)
        checked = validate_app_gml(out)
        assert checked.ok, checked.summary()
        exports.append(out)
    for out in exports:
        report = load_zoning(out, url=target_db)
        assert report.status == "succeeded" and report.rows_rejected == 0, report.summary()
    return exports


def _assert_same(source_db: str, target_db: str) -> None:
    assert_same_rows(snapshot(source_db, "msip.zoning_plan"), snapshot(target_db, "msip.zoning_plan"))
    assert_same_rows(snapshot(source_db, "msip.zoning_zone"), snapshot(target_db, "msip.zoning_zone"))


@pytest.mark.parametrize("folder", sorted(REAL_PLANS))
def test_real_app_files_round_trip(folder, empty_db, fresh_db, shared_data, tmp_path):
    files = [shared_data / "zoning" / folder / name for name in REAL_PLANS[folder]]
    round_trip(files, empty_db, fresh_db, tmp_path)
    _assert_same(empty_db, fresh_db)
    before = snapshot(empty_db, "msip.zoning_zone")
    assert len(before) == {"pog_test_121201": 4, "pog_gmina_321202": 28, "pog_gdansk_226101": 0}[folder]


def test_every_loadable_real_app_file_is_covered(shared_data):
    """The list above is every zoning file EXPECTED.yaml marks as loaded (a new one must join the round trip)."""
    import yaml

    from tests.support.paths import TEST_DATA

    expected = yaml.safe_load((TEST_DATA / "real" / "EXPECTED.yaml").read_text())
    loaded = {k for k, v in expected.items() if v.get("loader") == "zoning" and v.get("outcome") == "loaded"}
    covered = {f"zoning/{folder}/{name}" for folder, names in REAL_PLANS.items() for name in names}
    assert loaded == covered


def test_sample_world_plan_round_trips(sample_dir, empty_db, fresh_db, tmp_path):
    files = sorted((sample_dir / "zoning").glob("*.gml"))
    assert files, "the sample world has no APP plan"
    round_trip(files, empty_db, fresh_db, tmp_path)
    _assert_same(empty_db, fresh_db)
    assert len(snapshot(fresh_db, "msip.zoning_zone")) >= 5


def test_second_export_is_a_fixed_point(empty_db, fresh_db, shared_data, tmp_path):
    """Exporting the reloaded plan again gives the same file (the first export's drawing is replaced, not added)."""
    folder = shared_data / "zoning" / "pog_test_121201"
    (first,) = round_trip([folder / n for n in REAL_PLANS["pog_test_121201"]], empty_db, fresh_db, tmp_path)
    (pk,) = _plans(fresh_db)
    again = tmp_path / "again" / first.name
    export_app(pk, again, url=fresh_db)
    strip = [line for line in first.read_text().splitlines() if "timeStamp=" not in line]
    assert [line for line in again.read_text().splitlines() if "timeStamp=" not in line] == strip


def test_documents_and_drawings_of_a_plan_round_trip(empty_db, fresh_db, tmp_path):
    """The fixture plan's DokumentFormalny and RysunekAktuPlanowaniaPrzestrzennego come back; the export adds
    MSIP's own drawing, which references the act and lies beside the file."""
    from tests.support.paths import TEST_DATA

    (out,) = round_trip([TEST_DATA / "zoning" / "kielce_plan.gml"], empty_db, fresh_db, tmp_path)
    _assert_same(empty_db, fresh_db)
    before, after = snapshot(empty_db, "msip.zoning_document"), snapshot(fresh_db, "msip.zoning_document")
    ours = {k: v for k, v in after.items() if k[1].endswith("-RYS-MSIP")}
    assert [v["link"] for v in ours.values()] == [out.with_suffix(".png").name]
    assert all(
        v["plan_refs"][0].endswith("/AktPlanowaniaPrzestrzennego/PL.ZIPPZP.9999/266101-POG/1POG") for v in ours.values()
    )
    assert_same_rows(before, {k: v for k, v in after.items() if k not in ours})
    assert out.with_suffix(".png").stat().st_size > 1000 and out.with_suffix(".pgw").is_file()
