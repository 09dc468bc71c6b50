"""PRG address points into PostGIS: the real model-2012 file, model 2021, axis order, commune check, bad input, CLI."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner

from msip.core.errors import SourceReadError, ValidationError
from pipelines.addresses.load import load_addresses
from pipelines.boundaries.load import load_boundaries
from pipelines.readers.validate import EXTENTS
from tests.pipelines.addresses.conftest import Pt, prg2012, prg2021, write
from tests.support.db import count
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def _reasons(url: str, run_id: int) -> list[str]:
    return [r[0] for r in _rows(url, "SELECT reason FROM msip.rejected_record WHERE run_id = %s "
                                     "ORDER BY row_number", (run_id,))]


KIELCE_POINTS = [Pt("a1", "1", 614_500.0, 335_000.0), Pt("a2", "2A", 614_520.5, 335_010.25),
                 Pt("a3", "3", 614_540.0, 335_020.0, street=None)]


def test_real_model2012_file(empty_db, shared_data):
    path = shared_data / "addresses" / "sample_model2012.xml"
    report = load_addresses(path, url=empty_db)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == ("succeeded", 2, 2, 0)
    rows = _rows(empty_db, "SELECT house_number, teryt, commune, locality, locality_simc, street, street_ulic, "
                           "postcode, status, valid_from::text, prg_model, located_in, source_id, ST_X(geom), "
                           "ST_Y(geom) FROM msip.address ORDER BY house_number")
    assert [r[:12] for r in rows] == [
        ("1", "0804032", "Kolsko", "Konotop", "0910140", "Podgórna", "16742", "67-416", "istniejacy",
         "2014-03-05", "2012", "poland"),
        ("2", "0804032", "Kolsko", "Konotop", "0910140", "Podgórna", "16742", "67-416", "istniejacy",
         "2022-09-09", "2012", "poland"),
    ]
    # gml:identifier starts with a newline and spaces in the file
    assert rows[1][12] == "http://geoportal.gov.pl/PZGIK/dane/PL.ZIPIN.4404.EMUiA/186879d4-02e0-4493-bad2-6108b00316ea"
    # "456005.14 287772.37" under urn:ogc:def:crs:EPSG::2180 is northing first: E 287772.37, N 456005.14
    assert rows[1][13:] == pytest.approx((287772.37, 456005.14), abs=0.01)
    again = load_addresses(path, url=empty_db)
    assert again.status == "unchanged" and again.run_id == report.run_id
    forced = load_addresses(path, url=empty_db, force=True)
    assert (forced.rows_unchanged, forced.rows_inserted, forced.rows_updated) == (2, 0, 0)


def test_real_file_lands_in_its_voivodeship_and_a_swap_is_refused(empty_db, shared_data):
    load_boundaries(shared_data / "boundaries" / "wojewodztwa.json", url=empty_db)
    path = shared_data / "addresses" / "sample_model2012.xml"
    assert load_addresses(path, url=empty_db).rows_loaded == 2
    assert _rows(empty_db, "SELECT DISTINCT located_in FROM msip.address") == [("08",)]
    # Read easting first, Konotop (lubuskie) moves to 50.455° N, 18.380° E: still in Poland,
    # but not in voivodeship 08 — the unit check catches it and the whole file is refused.
    with pytest.raises(ValidationError, match=r"2 of 2 points lie outside their unit; 2 of them fit with the two "
                                              r"coordinates swapped.*load it without --swap-axes"):
        load_addresses(path, url=empty_db, swap_axes=True, force=True)
    assert _rows(empty_db, "SELECT status FROM msip.load_run WHERE source_kind = 'addresses' ORDER BY run_id") == [
        ("succeeded",), ("failed",)]
    assert count(empty_db, "SELECT count(*) FROM msip.address WHERE located_in = '08'") == 2


def test_model2021_points_in_their_commune(empty_db, tmp_path, communes):
    load_boundaries(communes, url=empty_db)
    path = write(tmp_path, "NOWE_punkty.gml", prg2021(KIELCE_POINTS))
    report = load_addresses(path, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (3, 3, 0)
    assert _rows(empty_db, "SELECT local_id, house_number, teryt, locality, locality_simc, street, street_ulic, "
                           "postcode, valid_from::text, prg_model, located_in, ST_X(geom), ST_Y(geom) "
                           "FROM msip.address ORDER BY local_id") == [
        ("a1", "1", "2661011", "Kielce", "0937474", "Henryka Sienkiewicza", "20291", "25-001", "2012-04-27",
         "2021", "2661011", 614500.0, 335000.0),
        ("a2", "2A", "2661011", "Kielce", "0937474", "Henryka Sienkiewicza", "20291", "25-001", "2012-04-27",
         "2021", "2661011", 614520.5, 335010.25),
        ("a3", "3", "2661011", "Kielce", "0937474", None, None, "25-001", "2012-04-27", "2021", "2661011",
         614540.0, 335020.0),
    ]


@pytest.mark.parametrize("model", ["2012", "2021"])
def test_a_swapped_point_that_lands_elsewhere_in_poland_is_caught_by_the_commune_check(
    empty_db, tmp_path, communes, model
):
    load_boundaries(communes, url=empty_db)
    points = [*KIELCE_POINTS, Pt("bad", "4", 614_560.0, 335_030.0, written="swapped")]
    # Swapped, the point lies inside Poland: the country extent alone cannot catch it.
    assert EXTENTS["poland"].contains(335_030.0, 614_560.0)
    build = prg2012 if model == "2012" else prg2021
    report = load_addresses(write(tmp_path, "punkty.gml", build(points)), url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (4, 3, 1)
    (reason,) = _reasons(empty_db, report.run_id)
    assert reason.startswith("punkty.gml row 4 (point bad, line ")
    assert ("lies outside its commune 2661011 (Kielce), in commune 3064011 (Gmina Zamiana) but inside it with "
            "its two coordinates swapped") in reason
    assert count(empty_db, "SELECT count(*) FROM msip.address WHERE local_id = 'bad'") == 0
    (raw,) = _rows(empty_db, "SELECT raw FROM msip.rejected_record WHERE run_id = %s", (report.run_id,))
    assert (raw[0]["local_id"], raw[0]["house_number"], raw[0]["teryt"]) == ("bad", "4", "2661011")
    assert (raw[0]["e"], raw[0]["n"]) == pytest.approx((335_030.0, 614_560.0))


def test_a_file_written_in_the_wrong_axis_order_is_refused(empty_db, tmp_path, communes):
    load_boundaries(communes, url=empty_db)
    swapped = [Pt(p.local, p.number, p.e, p.n, written="swapped") for p in KIELCE_POINTS]
    path = write(tmp_path, "punkty.xml", prg2012(swapped))
    with pytest.raises(ValidationError, match="refused, 3 of 3 points lie outside their unit; 3 of them fit"):
        load_addresses(path, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.address") == 0
    # The operator's fix works.
    assert load_addresses(path, url=empty_db, swap_axes=True).rows_loaded == 3


def test_bad_points_are_quarantined_with_reasons(empty_db, tmp_path):
    points = [
        *KIELCE_POINTS,
        Pt("a1", "9", 614_600.0, 335_100.0),  # duplicate id
        Pt("n0", "", 614_600.0, 335_100.0),  # no number
        Pt("p0", "5", 614_600.0, 335_100.0, postcode="25001"),
        Pt("c0", "6", 614_600.0, 335_100.0, srs="EPSG:3857"),
        Pt("o0", "7", 614_600.0, 1_335_100.0),  # north of Poland
    ]
    report = load_addresses(write(tmp_path, "punkty.gml", prg2021(points)), url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (8, 3, 5)
    reasons = "\n".join(_reasons(empty_db, report.run_id))
    for expected in (
        "row 4 (point a1, line",
        "duplicate idIIP (first at row 1)",
        "numerPorzadkowy is empty",
        "kodPocztowy='25001' is not a Polish postcode",
        "CRS EPSG:3857 is not accepted",
        "is outside Poland",
    ):
        assert expected in reasons
    assert _rows(empty_db, "SELECT DISTINCT located_in FROM msip.address") == [("poland",)]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text(prg2012(KIELCE_POINTS)[:900], encoding="utf-8"), r"not well-formed XML at line \d+"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_text('{"type": "FeatureCollection"}', encoding="utf-8"), r"is not XML \(it starts with"),
        (lambda p: p.write_bytes((TEST_DATA / "zoning" / "kielce_plan.gml").read_bytes()),
         "no PRG address point .*accepted namespaces: urn:gugik"),
    ],
)
def test_refused_files_change_nothing(empty_db, tmp_path, make, message):
    load_addresses(write(tmp_path, "good.gml", prg2021(KIELCE_POINTS)), url=empty_db)
    path = tmp_path / "bad.gml"
    make(path)
    with pytest.raises(SourceReadError, match=message):
        load_addresses(path, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.address") == 3
    assert _rows(empty_db, "SELECT status FROM msip.load_run ORDER BY run_id") == [("succeeded",), ("failed",)]


def test_cli_loads_boundaries_then_addresses(empty_db, tmp_path, communes, monkeypatch):
    from msip.cli import cli

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    runner = CliRunner()
    result = runner.invoke(cli, ["load", "boundaries", str(communes)])
    assert result.exit_code == 0, result.output
    assert "gminy.gpkg: succeeded" in result.output and "2 in = 2 loaded + 0 rejected" in result.output
    path = write(tmp_path, "punkty.gml", prg2012(KIELCE_POINTS))
    result = runner.invoke(cli, ["load", "addresses", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 in = 3 loaded + 0 rejected" in result.output
    refused = runner.invoke(cli, ["load", "addresses", "--swap-axes", "--force", str(path)])
    assert refused.exit_code == 1 and "load it without --swap-axes" in str(refused.exception)
