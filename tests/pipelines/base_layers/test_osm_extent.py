"""OpenStreetMap base layers and the one extent rule: a real extract relocated into Kielce loads,
the same file as delivered (Helsinki, Kouvola) is refused in one line with the fix that fits."""

from __future__ import annotations

import json
import re

import psycopg
import pytest

from msip.core.errors import ValidationError
from pipelines.base_layers.load import load_buildings
from pipelines.base_layers.osm import load_osm
from pipelines.readers.validate import get_extent
from tests.support.db import count
from tests.support.relocate.pbf import relocated_helsinki

pytestmark = pytest.mark.db


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def test_helsinki_relocated_into_kielce_loads_as_three_runs(empty_db, shared_data, tmp_path):
    pbf = relocated_helsinki(shared_data, tmp_path / "helsinki_in_kielce.osm.pbf")
    buildings, green, walk = load_osm(pbf, url=empty_db)  # default extent: Kielce
    assert {r.status for r in (buildings, green, walk)} == {"succeeded"}
    assert len({r.run_id for r in (buildings, green, walk)}) == 3
    assert (buildings.rows_in, walk.rows_in) == (486, 6363)
    reasons = "\n".join(r[0] for r in _rows(
        empty_db, "SELECT reason FROM msip.rejected_record WHERE run_id = %s", (buildings.run_id,)))
    assert buildings.rows_rejected == 3 and "Too few points" in reasons
    assert count(empty_db, "SELECT count(*) FROM msip.building WHERE residential") == 30
    assert count(empty_db, "SELECT count(*) FROM msip.green_space WHERE kind = 'park'") == 16
    assert count(empty_db, "SELECT count(*) FROM msip.walk_vertex") == 5558
    (minx, miny, maxx, maxy), = _rows(empty_db, "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
                                                "FROM (SELECT ST_Extent(geom) e FROM msip.walk_edge) s")
    assert 612_000 < minx < maxx < 617_000 and 333_000 < miny < maxy < 337_000
    assert all(r.status == "unchanged" for r in load_osm(pbf, url=empty_db))


@pytest.mark.parametrize("name, extent", [("Helsinki.osm.pbf", "kielce"), ("Helsinki.osm.pbf", "none"),
                                          ("Helsinki.osm.pbf", "poland"), ("test.osm.pbf", "kielce")])
def test_osm_file_outside_poland_is_refused_with_the_reason(empty_db, shared_data, name, extent):
    """Before: 13 529 rows quarantined, exit 0, and a --crs hint. Now: refused, nothing written."""
    with pytest.raises(ValidationError) as refused:
        load_osm(shared_data / "osm" / name, url=empty_db, extent=get_extent(extent))
    message = str(refused.value)
    assert message.startswith(f"{name}: none of its ")
    assert "outside Poland" in message or extent != "kielce"
    assert re.search(r"where EPSG:2180 \(MSIP's storage CRS\) distorts lengths by \+0\.\d+ % and areas by", message)
    assert "MSIP loads data of Poland only — use an extract of the city" in message
    assert "--crs" not in message and "--extent poland" not in message
    assert _rows(empty_db, "SELECT status, rows_loaded, rows_rejected FROM msip.load_run") == [("failed", 0, 0)]
    assert count(empty_db, "SELECT count(*) FROM msip.rejected_record") == 0
    assert count(empty_db, "SELECT count(*) FROM msip.building") == 0


def test_osm_extract_elsewhere_in_poland_needs_extent_poland(empty_db, shared_data, tmp_path):
    warsaw = relocated_helsinki(shared_data, tmp_path / "warsaw.osm.pbf", easting=637_000, northing=487_000)
    with pytest.raises(ValidationError, match=r"none of its 486 buildings lies inside Kielce .*; to load data "
                                              r"from elsewhere in Poland pass --extent poland") as refused:
        load_osm(warsaw, url=empty_db)
    assert "--crs" not in str(refused.value)
    buildings, _, _ = load_osm(warsaw, url=empty_db, extent=get_extent("poland"))
    assert (buildings.status, buildings.rows_loaded) == ("succeeded", 483)


def test_vector_layer_outside_poland_is_refused_even_with_extent_none(empty_db, tmp_path):
    """Monaco's buildings: EPSG:2180 would make them 2 % too large; 'none' lifts only the city limit."""
    squares = [[[[7.4246 + dx, 43.7384], [7.4248 + dx, 43.7384], [7.4248 + dx, 43.7386], [7.4246 + dx, 43.7386],
                  [7.4246 + dx, 43.7384]]] for dx in (0, 0.001)]
    monaco = tmp_path / "monaco.geojson"
    monaco.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"building_id": f"M{i}", "kind": "apartments"},
         "geometry": {"type": "Polygon", "coordinates": ring}} for i, ring in enumerate(squares)]}), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"monaco.geojson: none of its \d+ buildings lies inside Poland .*"
                                              r"distorts lengths by \+1 % and areas by \+2 %: MSIP loads data of "
                                              r"Poland only; if they are not really there, check the CRS"):
        load_buildings(monaco, url=empty_db, extent=get_extent("none"))
    assert count(empty_db, "SELECT count(*) FROM msip.building") == 0


def test_cli_refuses_helsinki_in_one_line(empty_db, shared_data, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    with pytest.raises(SystemExit) as exit_:
        main(["load", "base", "--osm", str(shared_data / "osm" / "Helsinki.osm.pbf"), "--epoch", "2024-06-15"])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and len(err.splitlines()) == 1
    assert err.startswith("error: Helsinki.osm.pbf: none of its 486 buildings lies inside Kielce")
