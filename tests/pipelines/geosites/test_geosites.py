"""`msip load geosites`: sites with viewpoints in, bad rows quarantined with the reason, reloads idempotent."""

from __future__ import annotations

import json

import psycopg
import pytest
from click.testing import CliRunner

from msip.cli import cli
from pipelines.geosites.load import load_geosites, viewpoints_2180
from tests.support.paths import TEST_DATA

FILE = TEST_DATA / "geosites" / "geostanowiska.geojson"
pytestmark = pytest.mark.db


def test_sites_load_with_viewpoints_and_bad_rows_are_quarantined(empty_db):
    report = load_geosites(FILE, url=empty_db)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == ("succeeded", 3, 1, 2)
    with psycopg.connect(empty_db) as c:
        site = c.execute(
            "SELECT source_id, name, protection, viewpoints, ST_Area(outline) FROM msip.geosite").fetchall()
        reasons = [r[0] for r in c.execute("SELECT reason FROM msip.rejected_record ORDER BY row_number")]
    assert site == [("GS-1", "Kamieniołom (test)", "rezerwat przyrody",
                     [{"name": "z północy", "x": 614150.0, "y": 334900.0, "z": 320.5, "heading_deg": 180.0,
                       "pitch_deg": -20.0}], 10000.0)]
    assert reasons == ["geostanowiska.geojson row 2 (Zły widok): viewpoint 1: heading_deg=400.0 must be 0–360 "
                       "and pitch_deg=0.0 −90…90",
                       "geostanowiska.geojson row 3 (no name): has no name (column name or nazwa)"]
    assert load_geosites(FILE, url=empty_db).status == "unchanged"


def test_viewpoints_in_another_crs_are_transformed():
    [v] = viewpoints_2180(json.dumps([{"x": 20.63, "y": 50.87, "z": 300, "heading_deg": 90}]), 4326)
    assert 610_000 < v["x"] < 620_000 and 325_000 < v["y"] < 345_000 and v["pitch_deg"] == 0.0


@pytest.mark.parametrize(("raw", "match"), [
    ([{"x": 614000, "y": 334000}], "viewpoint 1 needs numbers x, y, z"),
    ([{"x": 100, "y": 100, "z": 1}], "lies outside Poland"),
    ({"x": 1}, "must be a JSON list"),
])
def test_bad_viewpoints_say_why(raw, match):
    with pytest.raises(ValueError, match=match):
        viewpoints_2180(raw, 2180)


def test_cli_loads_the_file(empty_db, monkeypatch):
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    result = CliRunner().invoke(cli, ["load", "geosites", str(FILE)])
    assert result.exit_code == 0, result.output
    assert "3 in = 1 loaded + 2 rejected" in result.output
