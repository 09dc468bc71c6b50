"""Advertising carriers and landscape zones: sample world, SC811 billboards, fixtures and bad inputs."""

from __future__ import annotations

import csv
import json
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner

from msip.cli import cli
from msip.core.errors import SourceReadError, ValidationError
from pipelines.inventory.ads import carrier_type_codes, load_ads, load_landscape_zones
from tests.support.db import count
from tests.support.paths import TEST_DATA
from tests.support.relocate.vector import offset_to, shift_csv, shift_geojson

pytestmark = pytest.mark.db
DATA = TEST_DATA / "inventory"
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


@pytest.mark.parametrize("wording, code", [
    ("wolnostojący", "board"), ("Billboard (free-standing)", "board"), ("baner na budynku", "banner"),
    ("siatka reklamowa", "banner"), ("mural", "mural"), ("ekran LED", "led_screen"), ("pylon", "pylon"),
    ("słup ogłoszeniowy", "column"), ("City light", "citylight"), ("szyld", "sign"), ("balon", "other"),
    # OpenStreetMap's advertising=* values
    ("poster_box", "citylight"), ("totem", "pylon"), ("screen", "led_screen"), ("wall_painting", "mural"),
    ("tarp", "banner"), ("billboard", "board"), ("column", "column"), ("sign", "sign"), ("board", "board"),
])
def test_carrier_types_normalised(wording, code):
    import pandas as pd

    codes, unknown = carrier_type_codes(pd.Series([wording], dtype="str"))
    assert codes.tolist() == [code]
    assert unknown == (["balon"] if wording == "balon" else [])


def test_fixture_values(empty_db):
    report = load_ads(DATA / "ads_en.csv", epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded) == (3, 3)
    rows = _rows(empty_db, "SELECT source_id, carrier_type, faces, face_area_m2, illuminated, led, height_m, owner, "
                           "permit_no, installed_on, occupies_road_lane, road_lane_area_m2, attrs, "
                           "round(ST_X(geom)::numeric, 2)::float, round(ST_Y(geom)::numeric, 2)::float "
                           "FROM msip.advertisement ORDER BY source_id")
    assert rows[0] == ("A-1", "board", 2, 18.0, True, False, 6.5, "Outdoor Ltd", "ZR/1/2020", date(2020, 3, 15),
                       False, 0.0, {"comment": "near the roundabout"}, 614200.0, 334800.0)
    assert rows[1][1:6] == ("led_screen", 1, 12.5, True, True) and rows[1][9:12] == (date(2021, 7, 1), True, 2.4)
    assert rows[2][1] == "citylight" and rows[2][7:12] == (None, None, None, False, None)
    assert rows[2][12] == {"comment": 'bus stop "Rynek"'}


def test_sample_world_ads_and_zones(empty_db, sample_dir):
    ads = sample_dir / "ads"
    zones = load_landscape_zones(ads / "strefy_krajobrazowe.gpkg", epoch=E1, url=empty_db)
    first = load_ads(ads / "nosniki_reklamowe.csv", epoch=E1, url=empty_db)
    second = load_ads(ads / "nosniki_reklamowe_2025-06-15.csv", url=empty_db)
    n_first = len((ads / "nosniki_reklamowe.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert (first.rows_in, first.rows_rejected, zones.rows_loaded) == (n_first, 0, 4)
    assert (second.rows_inserted, second.rows_unchanged, second.rows_retired) == (1, n_first, 0)
    assert not any("not recognised" in n for n in first.notes + second.notes)
    assert _rows(empty_db, "SELECT DISTINCT zone_code FROM msip.landscape_zone_current ORDER BY 1") == [
        ("A",), ("B",), ("C",), ("D",)]
    # Every carrier lies in the zone the generator's truth says it does.
    truth = {r["id_nosnika"]: r["zone_code"] for r in
             csv.DictReader((sample_dir / "truth" / "ads_violations.csv").open(encoding="utf-8"))}
    placed = dict(_rows(empty_db, "SELECT a.source_id, z.zone_code FROM msip.advertisement_current a "
                                  "JOIN msip.landscape_zone_current z ON ST_Intersects(z.geom, a.geom)"))
    assert placed == truth
    new, = _rows(empty_db, "SELECT source_id FROM msip.advertisement WHERE valid_from = %s", (E2,))
    changes = json.loads((sample_dir / "truth" / "changes.geojson").read_text(encoding="utf-8"))
    assert new[0] in {f["properties"]["object_id"] for f in changes["features"]
                      if f["properties"]["type"] == "new_ad"}


@pytest.mark.parametrize("name", ["billboardLocations.geojson", "billboards_banners_2019_xy.csv"])
@pytest.mark.parametrize("extent", ["kielce", "none", "poland"])
def test_sc811_billboards_as_delivered_are_refused_as_outside_poland(empty_db, shared_data, name, extent):
    """South Carolina in EPSG:2180 stretches lengths by 72 %: `--extent none` must not load it."""
    n = 16 if name.endswith("json") else 17
    with pytest.raises(ValidationError, match=rf"{name}: {n} of {n} points fall outside .*; they lie at "
                                              r"81\.\d+°W 3[34]\.\d+°N, .*distorts lengths by \+7\d % and areas by "
                                              r"\+\d+ %: MSIP loads data of Poland only; if they are not really "
                                              r"there, check the CRS \(read as EPSG:4326; --crs\)"):
        load_ads(shared_data / "advertising" / name, epoch=E1, extent=extent, url=empty_db)
    assert _rows(empty_db, "SELECT status, rows_loaded FROM msip.load_run") == [("failed", 0)]
    assert _rows(empty_db, "SELECT count(*) FROM msip.advertisement") == [(0,)]


def test_sc811_billboards_keep_every_column(empty_db, shared_data, tmp_path):
    folder = shared_data / "advertising"
    # The real files moved into Kielce (tests only): every column and the SC811 traps stay as they are.
    dlon, dlat = offset_to(-81.08, 33.99)
    geojson = shift_geojson(folder / "billboardLocations.geojson", tmp_path / "billboardLocations.geojson",
                            dlon=dlon, dlat=dlat)
    csv_file = shift_csv(folder / "billboards_banners_2019_xy.csv", tmp_path / "billboards_banners_2019_xy.csv",
                         lon="x", lat="y", dlon=dlon, dlat=dlat)
    with pytest.raises(ValidationError, match=r"15 of 16 points fall outside Kielce .*; to load data from elsewhere "
                                              r"in Poland pass --extent poland"):  # they spread over 100 km
        load_ads(geojson, epoch=E1, url=empty_db)
    geo = load_ads(geojson, epoch=E1, extent="poland", url=empty_db)
    table = load_ads(csv_file, epoch=E1, extent="poland", url=empty_db)
    assert (geo.rows_loaded, table.rows_loaded) == (16, 17)
    assert any("760 U+FFFD replacement characters" in n for n in geo.notes)
    assert any("CRS EPSG:4326 detected from the values of x/y" in n for n in table.notes)
    assert _rows(empty_db, "SELECT carrier_type, carrier_type_source, count(*) FROM msip.advertisement "
                           "WHERE dataset = 'billboards_banners_2019_xy' GROUP BY 1, 2 ORDER BY 1") == [
        ("banner", "banner", 10), ("board", "billboard", 7)]
    with csv_file.open(encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    (description, attrs), = _rows(empty_db, "SELECT description, attrs FROM msip.advertisement "
                                            "WHERE dataset = 'billboards_banners_2019_xy' AND source_id = '1'")
    assert description == first["desc"]
    assert attrs == {"market": first["market"], "imageFile": first["imageFile"]}  # x, y → geom; type, desc mapped
    (location, attrs), = _rows(empty_db, "SELECT location, attrs FROM msip.advertisement "
                                         "WHERE dataset = 'billboardLocations' AND source_id = '1'")
    assert location == "I-20" and attrs["Size"] == "10 x 40" and attrs["UTILIQUEST"] == 3
    assert set(attrs) == {"Size", "SCEG", "DOMINION", "DIXIE", "PLAINS", "PNG", "SPIRIT", "USIC", "UTILIQUEST", "HTC",
                          "FHNG", "BEC", "LAT", "Long"}


AD_HEADER = "id_nosnika;typ_nosnika;liczba_stron;powierzchnia_ekspozycji_m2;podswietlenie;led;wysokosc_m;" \
            "data_instalacji;x_2180;y_2180"
AD_ROW = "N-{i};tablica;{faces};12,5;{lit};nie;4;{date};{x};334800"
BAD_ADS = [
    ("not yes/no", {2: {"lit": "może"}}, "podswietlenie='może' is not yes/no (expected tak/nie"),
    ("impossible date", {2: {"date": "31.02.2021"}}, "data_instalacji='31.02.2021' is not a date"),
    ("half a face", {2: {"faces": "1,5"}}, "liczba_stron=1.5 is not a whole number"),
    ("no faces", {2: {"faces": "0"}}, "liczba_stron=0 faces is outside the plausible range 1–8 faces"),
]


@pytest.mark.parametrize("case, changes, reason", BAD_ADS, ids=[c[0] for c in BAD_ADS])
def test_bad_ad_values_are_quarantined(db_url, tmp_path, case, changes, reason):
    rows = [AD_ROW.format(**{"i": i, "faces": "2", "lit": "tak", "date": "2020-01-01", "x": 614100 + i,
                             **changes.get(i, {})}) for i in (1, 2, 3)]
    path = tmp_path / "nosniki.csv"
    path.write_text("\n".join([AD_HEADER, *rows]) + "\n", encoding="utf-8")
    report = load_ads(path, epoch=E1, dataset=case, url=db_url)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (3, 2, 1)
    assert report.rejections[0].reason.startswith(f"nosniki.csv row 2: {reason}")
    assert report.rejections[0].source_id == "N-2"


def test_zones_repaired_or_refused(db_url):
    repaired = load_landscape_zones(DATA / "zones.geojson", epoch=E1, dataset="zones-repair", url=db_url)
    assert (repaired.rows_loaded, repaired.rows_rejected) == (4, 0)
    assert any("1 invalid zone polygon(s) repaired" in n for n in repaired.notes)
    assert _rows(db_url, "SELECT source_id, zone_code, ST_IsValid(geom), ST_GeometryType(geom), ST_Area(geom) "
                         "FROM msip.landscape_zone WHERE dataset = 'zones-repair' ORDER BY 1") == [
        ("S1", "A", True, "ST_MultiPolygon", 40000.0), ("S2", "B", True, "ST_MultiPolygon", 40000.0),
        ("S3", "C", True, "ST_MultiPolygon", 20000.0), ("S4", "D", True, "ST_MultiPolygon", 40000.0)]
    refused = load_landscape_zones(DATA / "zones.geojson", epoch=E1, dataset="zones-reject", on_invalid="reject",
                                   url=db_url)
    assert (refused.rows_loaded, refused.rows_rejected) == (3, 1)
    assert refused.rejections[0].reason.startswith("zones.geojson row 3: geometry=Polygon: invalid geometry: "
                                                   "Self-intersection")


def test_bad_zone_rows_and_files(db_url, tmp_path):
    data = json.loads((DATA / "zones.geojson").read_text(encoding="utf-8"))
    data["features"][0]["properties"]["symbol"] = "E"
    data["features"][1]["geometry"] = {"type": "Point", "coordinates": [614300, 334700]}
    data["features"][3]["geometry"]["coordinates"][0][0] = [[639900, 485100], [639950, 485100], [639950, 485150],
                                                            [639900, 485100]]
    path = tmp_path / "strefy.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = load_landscape_zones(path, epoch=E1, dataset="bad-zones", url=db_url)
    assert report.rows_in == 4 == report.rows_loaded + report.rows_rejected
    reasons = [r.reason for r in report.rejections]
    assert reasons[0] == "strefy.geojson row 1: symbol='E' is not a landscape zone class A–D (write A, B, C or D)"
    assert "row 2: geometry=Point: geometry is a Point, expected a Polygon or MultiPolygon" in reasons[1]
    assert "row 4: geometry=MultiPolygon: point (E 639" in reasons[2] and "is outside Kielce" in reasons[2]
    csv_path = tmp_path / "strefy.csv"
    csv_path.write_text("symbol,x,y\nA,614100,334700\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"strefy.csv has no geometry; landscape zones need polygons"):
        load_landscape_zones(csv_path, epoch=E1, url=db_url)


def test_cli_ads_with_zones_and_usage_error(empty_db, monkeypatch):
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    result = CliRunner().invoke(cli, ["load", "ads", str(DATA / "ads_en.csv"), "--landscape-zones",
                                      str(DATA / "zones.geojson"), "--epoch", "2024-06-15"])
    assert result.exit_code == 0, result.output
    assert "zones.geojson: succeeded" in result.output and "ads_en.csv: succeeded" in result.output
    assert count(empty_db, "SELECT count(*) FROM msip.advertisement_current") == 3
    assert count(empty_db, "SELECT count(*) FROM msip.landscape_zone_current") == 4
    result = CliRunner().invoke(cli, ["load", "ads"])
    assert result.exit_code == 2 and "give an advertising FILE, --landscape-zones ZONES, or both" in result.output
