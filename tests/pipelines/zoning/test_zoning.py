"""Zoning loads into PostGIS: real APP files, fixtures, topology issues, bad input, zone tables, CLI.

Longer than ~300 lines: one loader's fixture, real-file, bad-input and CLI tests share its
fixture builders.
"""

from __future__ import annotations

import geopandas as gpd
import psycopg
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from msip.core.errors import MsipError, SourceReadError, ValidationError
from pipelines.readers.validate import EXTENTS
from pipelines.zoning.load import load_zoning
from tests.support.db import count
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
DATA = TEST_DATA / "zoning"
KIELCE = EXTENTS["kielce"]


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def _reasons(url: str, run_id: int) -> str:
    return "\n".join(
        r[0]
        for r in _rows(url, "SELECT reason FROM msip.rejected_record WHERE run_id = %s", (run_id,))
    )


def test_gdansk_plan_lands_in_gdansk(empty_db, shared_data):
    report = load_zoning(
        shared_data / "zoning" / "pog_gdansk_226101" / "AktPlanowaniaPrzestrzennego.gml",
        url=empty_db,
    )
    assert (report.status, report.rows_in, report.rows_loaded) == ("succeeded", 1, 1)
    (row,) = _rows(
        empty_db,
        "SELECT title, teryt, plan_type, status, status_label, valid_from::text, source_epsg, "
        "ST_SRID(geom), ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom), "
        "ST_NumGeometries(geom) FROM msip.zoning_plan",
    )
    assert row[:8] == (
        "Plan ogólny gminy miasta Gdańska",
        "226101",
        "planOgolnyGminy",
        "elaboration",
        "w opracowaniu",
        "2024-03-21",
        2177,
        2180,
    )
    assert 460_000 < row[8] < row[10] < 500_000 and 710_000 < row[9] < row[11] < 745_000
    assert row[12] == 6


def test_real_plan_and_zones_with_indicators(empty_db, shared_data):
    folder = shared_data / "zoning" / "pog_gmina_321202"
    load_zoning(folder / "AktPlanowaniaPrzestrzennego.gml", url=empty_db)
    report = load_zoning(folder / "StrefaPlanistyczna.gml", url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (28, 28, 0)
    assert any(
        "28 zones checked: 0 overlaps, 0 gaps, 0 outside the plan" in n for n in report.notes
    )
    (zone,) = _rows(
        empty_db,
        "SELECT symbol, designation, max_above_ground_intensity, max_building_coverage_pct, "
        "max_height_m, min_biologically_active_pct, profile_basic, plan_local_id, zone_kind "
        "FROM msip.zoning_zone WHERE local_id = '1POG-1SZ'",
    )
    assert [float(v) if v is not None and not isinstance(v, (str, list)) else v for v in zone] == [
        "SZ",
        "1SZ",
        0.8,
        50.0,
        15.0,
        50.0,
        ["RZM", "RZP", "RA", "K", "ZP", "ZD", "I"],
        "1POG",
        "strefa",
    ]
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.zoning_zone_current WHERE plan_title = 'Plan ogólny gminy ABC'",
        )
        == 28
    )
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.zoning_zone z JOIN msip.zoning_plan p "
            "ON NOT ST_CoveredBy(z.geom, ST_Buffer(p.geom, 0.01))",
        )
        == 0
    )


def test_zones_with_empty_plan_reference_take_it_from_their_id(empty_db, shared_data):
    folder = shared_data / "zoning" / "pog_test_121201"
    load_zoning(folder / "AktPlanowaniaPrzestrzennego.gml", url=empty_db)
    report = load_zoning(folder / "StrefaPlanistyczna_OK.gml", url=empty_db)
    assert report.rows_loaded == 4
    assert any("empty app:plan reference" in n for n in report.notes)
    assert _rows(
        empty_db, "SELECT DISTINCT plan_namespace, plan_local_id FROM msip.zoning_zone"
    ) == [("PL.ZIPPZP.1234/121201-POG", "1POG")]
    (sj,) = _rows(
        empty_db,
        "SELECT max_above_ground_intensity, max_building_coverage_pct, max_height_m, "
        "min_biologically_active_pct FROM msip.zoning_zone WHERE symbol = 'SJ'",
    )
    assert [float(v) for v in sj] == [0.9, 30.1, 15.5, 30.1]


def test_fixture_plan_documents_and_zones_load_once(empty_db):
    first = load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE)
    assert (first.rows_in, first.rows_inserted, first.rows_rejected) == (6, 6, 0)
    assert any("3 zones checked: 0 overlaps, 0 gaps, 0 outside the plan" in n for n in first.notes)
    again = load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE)
    assert again.status == "unchanged" and again.run_id == first.run_id
    forced = load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE, force=True)
    assert (forced.rows_unchanged, forced.rows_inserted, forced.rows_updated) == (6, 0, 0)
    assert _rows(
        empty_db,
        "SELECT document_kind, title, issued_on::text, link FROM msip.zoning_document "
        "ORDER BY document_kind",
    ) == [
        (
            "dokument",
            "Uchwała nr I/1/2025 Rady Miasta Kielce w sprawie planu ogólnego (fixture)",
            "2025-01-15",
            "https://example.org/kielce/uchwala-1.pdf",
        ),
        (
            "rysunek",
            "Rysunek planu ogólnego (fixture)",
            "2025-02-01",
            "https://example.org/kielce/rysunek-1.tif",
        ),
    ]
    assert _rows(
        empty_db,
        "SELECT symbol, profile_basic, profile_additional, max_height_m::float "
        "FROM msip.zoning_zone ORDER BY symbol",
    ) == [
        ("SJ", ["MN", "U"], ["ZP"], 12.5),
        ("SN", ["MN", "U"], ["ZP"], 6.0),
        ("SU", ["MN", "U"], ["ZP"], 20.0),
    ]
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.zoning_plan WHERE ST_Area(geom) BETWEEN 159990 AND 160010",
        )
        == 1
    )


def test_overlaps_and_gaps_are_loaded_with_a_warning_and_recorded(empty_db):
    load_zoning(DATA / "kielce_plan.gml", url=empty_db, extent=KIELCE)
    report = load_zoning(DATA / "kielce_zones_overlap_gap.gml", url=empty_db, extent=KIELCE)
    assert (report.rows_loaded, report.rows_rejected) == (3, 0)
    assert any("1 overlaps" in n and "1 gaps" in n for n in report.notes)
    issues = _rows(
        empty_db,
        "SELECT issue_kind, zone_ids, area_m2 FROM msip.zoning_issue WHERE load_run_id = %s "
        "ORDER BY issue_kind",
        (report.run_id,),
    )
    assert [(k, z) for k, z, _ in issues] == [("gap", []), ("overlap", ["1POG-1SJ", "1POG-1SU"])]
    assert issues[0][2] == pytest.approx(4000, abs=5) and issues[1][2] == pytest.approx(2000, abs=5)
    # Newer versions of the same zones are what the current view shows.
    assert _rows(empty_db, "SELECT DISTINCT version_id FROM msip.zoning_zone_current") == [
        ("20250601T000000",)
    ]


@pytest.mark.parametrize(
    "on_invalid, loaded, rejected, extra_reason",
    [
        ("repair", 2, 7, None),
        ("reject", 1, 8, "invalid geometry: Self-intersection"),
    ],
)
def test_bad_rows_are_quarantined_with_reasons(
    empty_db, on_invalid, loaded, rejected, extra_reason
):
    report = load_zoning(
        DATA / "kielce_zones_bad.gml", url=empty_db, extent=KIELCE, on_invalid=on_invalid
    )
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (9, loaded, rejected)
    reasons = _reasons(empty_db, report.run_id)
    for expected in (
        "duplicate idIIP (first at member 1)",
        "EPSG:3857 is not accepted",
        "'urn:x-local:crs:kielce' is not understood",
        "symbol='XX' is not a plan-ogólny zone symbol",
        "maksUdzialPowierzchniZabudowy=130 % is outside the plausible range 0–100 %",
        "feature type ObszarZabudowySrodmiejskiej is not loaded",
        "missing idIIP",
        *([extra_reason] if extra_reason else []),
    ):
        assert expected in reasons
    assert all(line.startswith("kielce_zones_bad.gml row ") for line in reasons.splitlines())
    repaired = [n for n in report.notes if "repaired invalid geometry" in n]
    assert len(repaired) == (1 if on_invalid == "repair" else 0)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda p: p.write_bytes((DATA / "kielce_plan.gml").read_bytes()[:5000]),
            r"line \d+, column \d+",
        ),
        (lambda p: p.write_bytes(b""), "empty"),
        (
            lambda p: p.write_text(
                (DATA / "kielce_plan.gml")
                .read_text(encoding="utf-8")
                .replace("schemas/app/2.0", "schemas/app/9.9"),
                encoding="utf-8",
            ),
            "no feature in an APP namespace",
        ),
    ],
)
def test_refused_files_change_nothing_and_are_recorded(empty_db, tmp_path, make, message):
    path = tmp_path / "broken.gml"
    make(path)
    with pytest.raises(SourceReadError, match=message):
        load_zoning(path, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.zoning_plan") == 0
    assert _rows(empty_db, "SELECT status FROM msip.load_run") == [("failed",)]


def test_zone_table_loads_designation_areas(empty_db, tmp_path):
    rows = [
        ("1MN", "MN", "0,6", 40, "ok"),
        ("2U", "U", 1.2, 60, None),
        ("1SJ", "SJ", 0.5, 30, None),
        ("1MN", "MN", 0.6, 40, None),
        ("3ZP", "ZP", "dużo", 10, None),
    ]
    frame = gpd.GeoDataFrame(
        {
            "oznaczenie": [r[0] for r in rows],
            "symbol": [r[1] for r in rows],
            "maksNadziemnaIntensywnoscZabudowy": [str(r[2]) for r in rows],
            "maksUdzialPowierzchniZabudowy": [r[3] for r in rows],
            "uwagi": [r[4] for r in rows],
        },
        geometry=[box(614000 + 50 * i, 334600, 614050 + 50 * i, 334650) for i in range(5)],
        crs="EPSG:2180",
    )
    path = tmp_path / "tereny.gpkg"
    frame.to_file(path, layer="tereny")
    report = load_zoning(path, url=empty_db, extent=KIELCE)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (5, 3, 2)
    assert "duplicate zone id '1MN' (first at row 1)" in _reasons(empty_db, report.run_id)
    assert "maksNadziemnaIntensywnoscZabudowy='dużo' is not a number" in _reasons(
        empty_db, report.run_id
    )
    assert _rows(
        empty_db,
        "SELECT local_id, zone_kind, max_above_ground_intensity::float, attributes->>'uwagi', "
        "iip_namespace FROM msip.zoning_zone ORDER BY local_id",
    ) == [
        ("1MN", "teren", 0.6, "ok", "file:tereny.gpkg"),
        ("1SJ", "strefa", 0.5, None, "file:tereny.gpkg"),
        ("2U", "teren", 1.2, None, "file:tereny.gpkg"),
    ]


def test_sample_world_plan(empty_db, sample_dir):
    from lxml import etree

    path = next((sample_dir / "zoning").glob("*.gml"))
    zones = sum(
        1
        for _ in etree.parse(str(path)).iter(
            "{https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0}StrefaPlanistyczna"
        )
    )
    report = load_zoning(path, url=empty_db, extent=KIELCE)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (zones + 1, zones + 1, 0)
    assert any(f"{zones} zones checked: 0 overlaps, 0 gaps" in n for n in report.notes)
    minx, miny, maxx, maxy = _rows(
        empty_db,
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
        "(SELECT ST_Extent(geom) AS e FROM msip.zoning_zone) x",
    )[0]
    assert (minx, miny, maxx, maxy) == pytest.approx((614000, 334600, 614400, 335000), abs=1.0)


def test_cli_validate_refuses_files_with_schema_errors(empty_db, shared_data, monkeypatch):
    from msip.cli import cli

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    runner = CliRunner()
    ok = runner.invoke(
        cli,
        [
            "load",
            "zoning",
            "--validate",
            "--schema-dir",
            str(shared_data / "zoning"),
            "--extent",
            "kielce",
            str(DATA / "kielce_plan.gml"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "valid against planowaniePrzestrzenne_2_0.xsd (offline)" in ok.output
    assert "not validated:" in ok.output and "6 in = 6 loaded + 0 rejected" in ok.output
    bad = runner.invoke(
        cli,
        [
            "load",
            "zoning",
            "--validate",
            "--schema-dir",
            str(shared_data / "zoning"),
            str(shared_data / "zoning" / "pog_test_121201" / "AktPlanowaniaPrzestrzennego.gml"),
        ],
    )
    assert isinstance(bad.exception, ValidationError) and "refused, 2 schema errors" in str(
        bad.exception
    )
    assert count(empty_db, "SELECT count(*) FROM msip.zoning_plan") == 1


def test_cli_loads_acts_before_zones(empty_db, shared_data, monkeypatch):
    from msip.cli import cli

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    folder = shared_data / "zoning" / "pog_test_121201"
    result = CliRunner().invoke(
        cli,
        [
            "load",
            "zoning",
            str(folder / "StrefaPlanistyczna_OK.gml"),
            str(folder / "AktPlanowaniaPrzestrzennego.gml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.index("AktPlanowaniaPrzestrzennego.gml") < result.output.index(
        "StrefaPlanistyczna_OK.gml"
    )
    assert "4 zones checked: 0 overlaps, 0 gaps, 0 outside the plan" in result.output


def test_zoning_errors_are_msip_errors():
    with pytest.raises(MsipError, match="not a zoning file"):
        load_zoning(DATA / "make_fixtures.py")
