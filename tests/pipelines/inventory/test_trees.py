"""Tree inventory loads: real Warsaw file, formats, history between versions, bad inputs.

Longer than ~300 lines on purpose: the tree loader's cases (columns, CRSs, epochs, history,
quarantine) share one set of fixture files.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
from pyproj import Transformer

from msip.cli import main
from msip.core.errors import CrsError, SourceReadError, ValidationError
from pipelines.inventory.trees import load_trees
from tests.support.db import count
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
DATA = TEST_DATA / "inventory"
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)
PL_HEADER = "Nr inwentarzowy;Gatunek;Gatunek łaciński;Obwód pnia [cm];Pierśnica [cm];Wysokość [m];" \
            "Średnica korony [m];Stan zdrowotny;Uwagi;X;Y"


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def _reasons(url: str, run_id: int) -> list[str]:
    return [r[0] for r in _rows(url, "SELECT reason FROM msip.rejected_record WHERE run_id = %s ORDER BY row_number",
                                (run_id,))]


def _write(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# --- the real Warsaw inventory ---------------------------------------------------------------

def test_warsaw_inventory(empty_db, shared_data):
    report = load_trees(shared_data / "trees" / "drzewa.csv", epoch=date(2011, 12, 31), extent="poland",
                        url=empty_db)
    assert report.status == "succeeded"
    assert report.rows_in == 10000 == report.rows_loaded + report.rows_rejected
    assert count(empty_db, "SELECT count(*) FROM msip.tree_current") == report.rows_loaded
    reasons = _reasons(empty_db, report.run_id)
    assert reasons[0] == "drzewa.csv row 1: wysokosc='XXXX' is not a number (expected metres, e.g. 12.5)"
    # Besides "XXXX": 12 heights under 0.5 m and 2 zero circumferences, each named with its value.
    assert report.rows_rejected == 15
    assert sum("outside the plausible range 0.5–60 m" in r for r in reasons) == 12
    assert sum("pnie_obwod=0 cm is outside the plausible range 1–2000 cm" in r for r in reasons) == 2
    assert any("EPSG:2178 detected from the values of x_pl2000/y_pl2000" in n for n in report.notes)
    # 53 empty circumferences are allowed (NULL); one of them is in a row refused for its height.
    assert count(empty_db, "SELECT count(*) FROM msip.tree WHERE trunk_circumference_cm IS NULL") == 52
    assert count(empty_db, "SELECT count(*) FROM msip.tree WHERE trunk_circumferences_cm IS NOT NULL") == 1002
    row = _rows(empty_db, "SELECT species, species_latin, trunk_circumference_cm, trunk_circumferences_cm, height_m, "
                          "crown_diameter_m, health, ST_X(geom), ST_Y(geom), ST_SRID(geom), attrs "
                          "FROM msip.tree WHERE source_id = 'D203994'")[0]
    assert row[:2] == ("żywotnik zachodni", "Thuja occidentalis")
    assert row[2] == pytest.approx(np.sqrt(47**2 + 52**2 + 56**2), abs=1e-4)
    assert row[3:7] == ([47.0, 52.0, 56.0], 5.0, 3.5, "średni")
    assert row[9] == 2180
    expected = Transformer.from_crs(2178, 2180, always_xy=True).transform(7500033.63496504, 5790315.88993007)
    assert row[7:9] == pytest.approx(expected, abs=0.001)
    # The file's own WGS84 columns agree within their 6-decimal rounding.
    wgs = Transformer.from_crs(4326, 2180, always_xy=True).transform(21.000492, 52.246412)
    assert np.hypot(row[7] - wgs[0], row[8] - wgs[1]) < 1.0
    assert row[10]["x_wgs84"] == "21.000492" and row[10]["dzielnica"] == "Śródmieście"
    assert set(row[10]) == {"numer_adres", "y_wgs84", "dzielnica", "adres", "lokalizacja", "wiek_w_dni", "miasto",
                            "jednostka", "x_wgs84", "_id", "data_wyk_pom"}
    (minx, maxx, miny, maxy), = _rows(empty_db, "SELECT min(ST_X(geom)), max(ST_X(geom)), min(ST_Y(geom)), "
                                                "max(ST_Y(geom)) FROM msip.tree")
    # Warsaw: Praga Północ, Śródmieście, Ochota and (further south) Ursynów.
    assert 630000 < minx < maxx < 645000 and 474000 < miny < maxy < 495000


# --- formats and mapping -----------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:.*(truncated|[Ll]aundered|created as String).*")
@pytest.mark.parametrize("suffix", ["geojson", "gpkg", "shp"])
def test_vector_formats_agree(empty_db, tmp_path, suffix):
    src = DATA / "trees_en.geojson"
    if suffix != "geojson":
        path = tmp_path / f"trees_en.{suffix}"
        gpd.read_file(src).to_crs(2180).to_file(path)
        src = path
    report = load_trees(src, epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded) == (3, 3)
    rows = _rows(empty_db, "SELECT source_id, species, trunk_circumference_cm, dbh_cm, height_m, crown_diameter_m, "
                           "health, round(ST_X(geom)::numeric, 2), round(ST_Y(geom)::numeric, 2) "
                           "FROM msip.tree ORDER BY source_id")
    assert rows[2][:7] == ("E-3", "English oak", 240.0, 76.0, 21.0, 14.0, "poor")
    assert [tuple(map(float, r[7:])) for r in rows] == [(614200.0, 334800.0), (614220.0, 334805.0),
                                                         (614240.0, 334810.0)]


def test_polish_csv_values(empty_db):
    report = load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (4, 4, 0)
    rows = _rows(empty_db, "SELECT source_id, trunk_circumference_cm, trunk_circumferences_cm, dbh_cm, height_m, "
                           "crown_diameter_m, health, attrs, dataset, valid_from FROM msip.tree ORDER BY source_id")
    assert rows[0][:8] == ("KLC-1", 120.0, None, 38.0, 12.5, 6.0, "dobry", {"Uwagi": "przy ławce"})
    assert rows[1][2] == [47.0, 52.0, 56.0] and rows[1][7] == {"Uwagi": None}
    assert rows[2][1] is None and rows[2][7] == {"Uwagi": "posusz; do oceny"}
    assert rows[0][8:] == ("trees_pl", E1)


def test_yaml_mapping_for_unknown_names(empty_db):
    report = load_trees(DATA / "trees_custom.csv", epoch=E1, mapping=DATA / "trees_custom_mapping.yaml", url=empty_db)
    assert report.rows_loaded == 2
    assert _rows(empty_db, "SELECT source_id, species_latin, trunk_circumference_cm, height_m, attrs "
                           "FROM msip.tree ORDER BY 1") == [("C-1", "Tilia cordata", 130.0, 15.5, None),
                                                            ("C-2", "Acer pseudoplatanus", 88.0, 12.0, None)]
    with pytest.raises(SourceReadError, match=r"no geometry and no coordinate columns.*EAST"):
        load_trees(DATA / "trees_custom.csv", epoch=E1, url=empty_db)


# --- idempotency and history -----------------------------------------------------------------------

def _second_version(tmp_path: Path) -> Path:
    """KLC-1 and KLC-4 as before, KLC-2 grew, KLC-3 felled, KLC-5 planted."""
    lines = (DATA / "trees_pl.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(";9;4,5;", ";9,6;4,5;")
    del lines[3]
    lines.append("KLC-5;jarząb pospolity;Sorbus aucuparia;12;;2,5;1;dobry;nasadzenie;614180,00;334740,00")
    return _write(tmp_path / "trees_pl_2025-06-15.csv", *lines)


def test_same_file_twice_is_a_noop(empty_db):
    first = load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    again = load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    assert again.status == "unchanged" and again.run_id == first.run_id
    assert "already loaded by run" in again.summary()
    assert count(empty_db, "SELECT count(*) FROM msip.tree") == 4
    assert count(empty_db, "SELECT count(*) FROM msip.load_run") == 1


def test_new_version_updates_retires_and_keeps_history(empty_db, tmp_path):
    load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    second = load_trees(_second_version(tmp_path), url=empty_db)  # dataset and epoch from the file name
    assert second.epoch == E2
    assert (second.rows_inserted, second.rows_updated, second.rows_unchanged, second.rows_retired) == (1, 1, 2, 1)
    assert _rows(empty_db, "SELECT source_id, height_m, valid_from FROM msip.tree_current ORDER BY 1") == [
        ("KLC-1", 12.5, E1), ("KLC-2", 9.6, E2), ("KLC-4", 14.0, E1), ("KLC-5", 2.5, E2)]
    assert _rows(empty_db, "SELECT source_id, height_m, valid_from, valid_to, retired_run_id = %s FROM msip.tree "
                           "WHERE valid_to IS NOT NULL ORDER BY 1", (second.run_id,)) == [
        ("KLC-2", 9.0, E1, E2, True), ("KLC-3", 18.2, E1, E2, True)]
    assert load_trees(_second_version(tmp_path), url=empty_db).status == "unchanged"
    with pytest.raises(ValidationError, match="already holds the version of 2025-06-15; 2024-06-15 is older"):
        load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db, force=True)
    assert count(empty_db, "SELECT count(*) FROM msip.tree") == 6


def test_a_version_cannot_change_in_place(empty_db, tmp_path):
    load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    with pytest.raises(ValidationError, match=r"version of 2024-06-15 with different content \(1 changed, 1 new, "
                                              r"1 missing rows\).*later --epoch"):
        load_trees(_second_version(tmp_path), epoch=E1, dataset="trees_pl", url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.tree WHERE valid_to IS NULL") == 4
    assert _rows(empty_db, "SELECT status FROM msip.load_run ORDER BY run_id") == [("succeeded",), ("failed",)]


def test_other_datasets_are_not_retired(empty_db):
    load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    other = load_trees(DATA / "trees_en.geojson", epoch=E2, url=empty_db)
    assert (other.rows_inserted, other.rows_retired) == (3, 0)
    assert _rows(empty_db, "SELECT dataset, count(*) FROM msip.tree_current GROUP BY 1 ORDER BY 1") == [
        ("trees_en", 3), ("trees_pl", 4)]


def test_bulk_path_rebuilds_indexes_and_keys(empty_db, monkeypatch):
    def definitions() -> list[tuple]:
        return _rows(empty_db, "SELECT indexdef, obj_description(format('%%I.%%I', schemaname, indexname)::regclass) "
                               "FROM pg_indexes WHERE schemaname = 'msip' AND tablename = 'tree' "
                               "UNION ALL SELECT pg_get_constraintdef(oid), obj_description(oid, 'pg_constraint') "
                               "FROM pg_constraint WHERE conrelid = 'msip.tree'::regclass ORDER BY 1")

    before = definitions()
    assert any(comment for _, comment in before)  # sql/060_api.sql comments its index; it must survive
    monkeypatch.setattr("msip.core.versions.BULK_ROWS", 1)
    report = load_trees(DATA / "trees_pl.csv", epoch=E1, url=empty_db)
    assert report.rows_inserted == 4 and definitions() == before
    with pytest.raises(psycopg.errors.UniqueViolation), psycopg.connect(empty_db) as c:
        c.execute("INSERT INTO msip.tree (dataset, source_id, valid_from, load_run_id, geom) "
                  "SELECT dataset, source_id, valid_from, load_run_id, geom FROM msip.tree LIMIT 1")


# --- bad inputs --------------------------------------------------------------------------------

ROW = "{i};lipa;Tilia cordata;100;;{h};5;dobry;;{x};{y}"


def _pl(tmp_path: Path, rows: list[dict], name: str = "drzewa.csv", encoding: str = "utf-8") -> Path:
    lines = [ROW.format(**{"i": f"KLC-{i + 1}", "h": "12", "x": f"{614100 + 10 * i},5", "y": "334700", **r})
             for i, r in enumerate(rows)]
    return _write(tmp_path / name, PL_HEADER, *lines, encoding=encoding)


QUARANTINED = [
    # case, rows (overrides of the default good row), expected rejected rows and reason
    ("non-numeric height", [{}, {"h": "12 m"}, {"h": "XXXX"}, {}],
     {2: "row 2: Wysokość [m]='12 m' is not a number (expected metres", 3: "Wysokość [m]='XXXX' is not a number"}),
    ("height out of range", [{}, {"h": "75"}, {}], {2: "Wysokość [m]=75 m is outside the plausible range 0.5–60 m"}),
    ("out-of-extent point", [{}, {}, {"x": "639900", "y": "485100"}, {}],
     {3: "X,Y=639900,485100: point (E 639900.0, N 485100.0) is outside Kielce"}),
    ("swapped x/y in one row", [{}, {"x": "334700", "y": "614100"}, {}, {}],
     {2: "fits with the axes swapped"}),
    ("empty coordinate", [{}, {"x": ""}, {}], {2: "X is empty; each tree needs coordinates"}),
    ("duplicated id", [{}, {}, {"i": "KLC-1"}, {}], {3: "Nr inwentarzowy='KLC-1' repeats the identifier of row 1"}),
    ("empty id", [{}, {"i": ""}], {2: "Nr inwentarzowy is empty"}),
]


@pytest.mark.parametrize("case, rows, rejected", QUARANTINED, ids=[c[0] for c in QUARANTINED])
def test_bad_rows_are_quarantined(db_url, tmp_path, case, rows, rejected):
    report = load_trees(_pl(tmp_path, rows), epoch=E1, dataset=case, url=db_url)
    assert report.rows_in == len(rows) == report.rows_loaded + report.rows_rejected
    assert report.rows_rejected == len(rejected)
    stored = _rows(db_url, "SELECT row_number, reason, raw FROM msip.rejected_record WHERE run_id = %s "
                           "ORDER BY row_number", (report.run_id,))
    assert [r[0] for r in stored] == sorted(rejected)
    for (number, reason, raw), expected in zip(stored, (rejected[k] for k in sorted(rejected)), strict=False):
        assert expected in reason and reason.startswith(f"drzewa.csv row {number}: ")
        assert raw["Gatunek"] == "lipa" and "X" in raw
    assert count(db_url, "SELECT count(*) FROM msip.tree WHERE dataset = %s", (case,)) == report.rows_loaded


REFUSED = [
    ("wrong CRS", lambda p: _pl(p, [{}, {}]), {"crs": 2178}, ValidationError,
     r"2 of 2 points fall outside Kielce .*row 1, X,Y=614100,5,334700 .*like EPSG:2180: pass --crs 2180"),
    ("lon/lat swapped", lambda p: _write(p / "t.csv", "id,lon,lat", "1,50.8688,20.6234", "2,50.8689,20.6237"), {},
     ValidationError, "swapped: fix the file or map them the other way"),
    ("PL-2000 northing in x", lambda p: _write(p / "t.csv", "id,x,y", "1,5637124.56,7473494.27"), {},
     CrsError, "x/y look swapped .*--mapping"),
    ("empty file", lambda p: _write(p / "t.csv", ""), {}, SourceReadError, "t.csv is empty"),
    ("header only", lambda p: _write(p / "t.csv", PL_HEADER), {}, SourceReadError, "t.csv has no data rows"),
    ("binary garbage", lambda p: (p / "t.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff") and p / "t.csv", {},
     SourceReadError, "not UTF-8 .*convert it to UTF-8"),
    ("unparsable CSV", lambda p: _write(p / "t.csv", "id,x,y", "1,614100,334700", "2,614100,5,334700"), {},
     SourceReadError, "not a well-formed CSV"),
    ("conflicting --crs", lambda p: DATA / "trees_en.geojson", {"crs": 2180}, CrsError,
     "declares EPSG:4326 but --crs says EPSG:2180"),
    ("every row bad", lambda p: _pl(p, [{"h": "wysoki"}, {"h": "niski"}]), {}, ValidationError,
     r"none of its 2 rows can be loaded, e.g. drzewa.csv row 1: Wysokość \[m\]='wysoki' is not a number"),
]


@pytest.mark.parametrize("case, make, kwargs, error, match", REFUSED, ids=[c[0] for c in REFUSED])
def test_unusable_files_are_refused(db_url, tmp_path, case, make, kwargs, error, match):
    path = make(tmp_path)
    with pytest.raises(error, match=match):
        load_trees(path, epoch=E1, dataset=case, url=db_url, **kwargs)
    assert count(db_url, "SELECT count(*) FROM msip.tree WHERE dataset = %s", (case,)) == 0
    (status, message), = _rows(db_url, "SELECT status, message FROM msip.load_run WHERE params->>'dataset' = %s",
                               (case,))
    assert status == "failed" and Path(path).name in message


def test_cp1250_file_is_decoded(empty_db, tmp_path):
    report = load_trees(_pl(tmp_path, [{}, {}], encoding="cp1250"), epoch=E1, url=empty_db)
    assert report.rows_loaded == 2 and any("decoded as CP1250" in n for n in report.notes)
    assert "Wysokość [m]" not in str(report.rejections)
    assert _rows(empty_db, "SELECT DISTINCT health FROM msip.tree") == [("dobry",)]


def test_non_point_geometry_is_quarantined(empty_db, tmp_path):
    frame = gpd.read_file(DATA / "trees_en.geojson").to_crs(2180)
    frame.loc[1, "geometry"] = frame.geometry[1].buffer(1.0)
    frame.to_file(tmp_path / "t.gpkg")
    report = load_trees(tmp_path / "t.gpkg", epoch=E1, url=empty_db)
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert report.rejections[0].reason == "t.gpkg row 2: geometry is a Polygon; each tree needs a point position"
    assert report.rejections[0].raw["geometry"].startswith("POLYGON ((")


# --- command line ----------------------------------------------------------------------------------

def test_cli_prints_summary_and_one_line_errors(empty_db, monkeypatch, capsys):
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    main(["load", "trees", str(DATA / "trees_pl.csv"), "--epoch", "2024-06-15"])
    assert "trees_pl.csv: succeeded (run 1) — 4 in = 4 loaded + 0 rejected" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["load", "trees", str(DATA / "trees_en.geojson"), "--epoch", "2024-06-15", "--extent",
              "610000,330000,611000,331000"])
    err = capsys.readouterr().err
    assert done.value.code == 1 and err.count("\n") == 1
    assert err.startswith("error: trees_en.geojson: 3 of 3 points fall outside custom")


# --- sample world -------------------------------------------------------------------------------

def test_sample_world_inventory_versions(empty_db, sample_dir):
    truth = list(csv.DictReader((sample_dir / "truth" / "trees_bad_rows.csv").open(encoding="utf-8")))
    first = load_trees(sample_dir / "trees" / "inwentaryzacja_drzew_2024-06-15.csv", url=empty_db)
    rejected = {r.row_number: r.reason for r in first.rejections}
    assert sorted(rejected) == sorted(int(t["data_row"]) for t in truth)
    families = {"height_missing": "is not a number", "coordinates_outside_district": "fits with the axes swapped",
                "duplicate_id": "repeats the identifier"}
    for t in truth:
        assert families[t["reason"]] in rejected[int(t["data_row"])]
    second = load_trees(sample_dir / "trees" / "inwentaryzacja_drzew_2025-06-15.csv", url=empty_db)
    trees = list(csv.DictReader((sample_dir / "truth" / "trees.csv").open(encoding="utf-8")))
    felled = {t["inventory_id"] for t in trees if t["inventory_id"] and t["felled_in_epoch2"] in ("True", "true", "1")}
    retired = {r[0] for r in _rows(empty_db, "SELECT source_id FROM msip.tree WHERE retired_run_id = %s "
                                             "AND source_id NOT IN (SELECT source_id FROM msip.tree_current)",
                                   (second.run_id,))}
    assert retired == felled and second.rows_retired == len(felled)
    # The two rows refused in epoch 1 (height 'brak', swapped x/y) are correct in epoch 2: new there.
    assert second.rows_inserted == 2

# SIGKILL during a load: tests/system/test_faults.py (trees, orthophoto and LiDAR, several kill points).
