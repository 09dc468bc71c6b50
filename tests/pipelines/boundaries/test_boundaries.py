"""Administrative boundaries into PostGIS: the real PRG voivodeships (12 of 16 invalid), levels, GML, bad rows."""

from __future__ import annotations

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import Polygon, box

from msip.core.errors import ValidationError
from pipelines.boundaries.load import load_boundaries, teryt_and_level
from tests.support.db import count

pytestmark = pytest.mark.db


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql).fetchall()


def test_real_voivodeships_are_repaired_and_tile_poland(empty_db, shared_data):
    path = shared_data / "boundaries" / "wojewodztwa.json"
    report = load_boundaries(path, url=empty_db)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == ("succeeded", 16, 16, 0)
    assert ("12 of 16 polygons were invalid and were repaired (make_valid): 6× Ring Self-intersection, "
            "6× Self-intersection") in report.notes
    (summary,) = _rows(
        empty_db,
        "SELECT count(*), count(*) FILTER (WHERE repaired), bool_and(ST_IsValid(geom)), "
        "sum(ST_Area(geom)) / 1e6, ST_Area(ST_Union(geom)) / 1e6, array_agg(DISTINCT level) FROM msip.admin_boundary",
    )
    assert summary[:3] == (16, 12, True)
    # Poland is 312 700 km²; the simplified outlines give 313 730 km², and no two overlap.
    assert summary[3] == pytest.approx(313_730, abs=50) and summary[4] == pytest.approx(summary[3], abs=1)
    assert summary[5] == ["voivodeship"]
    assert _rows(empty_db, "SELECT teryt, name, source_epsg FROM msip.admin_boundary WHERE teryt IN ('10', '26') "
                           "ORDER BY teryt") == [("10", "łódzkie", 4326), ("26", "świętokrzyskie", 4326)]
    # świętokrzyskie holds Kielce (E 614 500, N 335 000 in EPSG:2180)
    assert count(empty_db, "SELECT count(*) FROM msip.admin_boundary WHERE teryt = '26' AND "
                           "ST_Contains(geom, ST_SetSRID(ST_MakePoint(614500, 335000), 2180))") == 1
    again = load_boundaries(path, url=empty_db, force=True)
    assert (again.rows_unchanged, again.rows_inserted) == (16, 0)


def test_reject_policy_quarantines_the_invalid_polygons(empty_db, shared_data):
    report = load_boundaries(shared_data / "boundaries" / "wojewodztwa.json", url=empty_db, on_invalid="reject")
    assert (report.rows_loaded, report.rows_rejected) == (4, 12)


bowtie = Polygon([(605_000, 325_000), (615_000, 335_000), (615_000, 325_000), (605_000, 335_000)])


def test_levels_and_bad_rows(empty_db, tmp_path):
    rows = [
        ("26", "świętokrzyskie", box(560_000, 280_000, 700_000, 400_000)),
        ("2661", "Kielce (powiat)", box(605_000, 325_000, 625_000, 345_000)),
        ("2661011", "Kielce", box(605_000, 325_000, 625_000, 345_000)),
        ("2604011", "Busko-Zdrój", bowtie),  # repaired
        ("2661011", "Kielce again", box(605_000, 325_000, 625_000, 345_000)),
        ("", "no code", box(0, 0, 1, 1)),
        ("26610", "five digits", box(605_000, 325_000, 606_000, 326_000)),
        ("26X", "letters", box(605_000, 325_000, 606_000, 326_000)),
        ("3201", "outside Poland", box(2_000_000, 325_000, 2_010_000, 335_000)),
    ]
    frame = gpd.GeoDataFrame({"teryt": [r[0] for r in rows], "nazwa": [r[1] for r in rows]},
                             geometry=[r[2] for r in rows], crs="EPSG:2180")
    path = tmp_path / "jednostki.gpkg"
    frame.to_file(path)
    report = load_boundaries(path, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (9, 4, 5)
    assert _rows(empty_db, "SELECT level, teryt, name, repaired FROM msip.admin_boundary ORDER BY teryt") == [
        ("voivodeship", "26", "świętokrzyskie", False),
        ("commune", "2604011", "Busko-Zdrój", True),
        ("county", "2661", "Kielce (powiat)", False),
        ("commune", "2661011", "Kielce", False),
    ]
    reasons = [r.reason for r in report.rejections]
    assert reasons[0] == "jednostki.gpkg row 5 (Kielce again): duplicate commune TERYT 2661011 (first at row 3)"
    assert "has no TERYT code" in reasons[1]
    assert "TERYT='26610' has 5 digits" in reasons[2]
    assert "TERYT='26X' is not a TERYT code" in reasons[3]
    assert "is outside Poland" in reasons[4]


def test_level_option_and_numeric_codes():
    assert teryt_and_level(2, "voivodeship") == ("02", "voivodeship")
    assert teryt_and_level("anything", "country") == ("PL", "country")
    with pytest.raises(ValueError, match="leading zeros are lost"):
        teryt_and_level(2, None)
    with pytest.raises(ValueError, match="a county code has 4 digits"):
        teryt_and_level("26", "county")


def test_gml_boundaries_follow_their_srsname(empty_db, tmp_path):
    # urn:ogc:def:crs:EPSG::2180 is northing first: "N E" pairs
    ring = "325000 605000 325000 625000 345000 625000 345000 605000 325000 605000"
    path = tmp_path / "gminy.gml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:prg="urn:example:prg">
  <gml:featureMember><prg:Gmina gml:id="g1"><prg:JPT_KOD_JE>2661011</prg:JPT_KOD_JE>
    <prg:JPT_NAZWA_>Kielce</prg:JPT_NAZWA_><prg:geometria><gml:Polygon gml:id="p1"
      srsName="urn:ogc:def:crs:EPSG::2180"><gml:exterior><gml:LinearRing><gml:posList>{ring}</gml:posList>
    </gml:LinearRing></gml:exterior></gml:Polygon></prg:geometria></prg:Gmina></gml:featureMember>
  <gml:featureMember><prg:Gmina gml:id="g2"><prg:JPT_KOD_JE>2604011</prg:JPT_KOD_JE></prg:Gmina></gml:featureMember>
</gml:FeatureCollection>
""", encoding="utf-8")
    report = load_boundaries(path, url=empty_db)
    assert (report.rows_loaded, report.rows_rejected) == (1, 1)
    assert "has no gml:Polygon" in report.rejections[0].reason
    assert _rows(empty_db, "SELECT teryt, name, ST_XMin(geom), ST_YMin(geom) FROM msip.admin_boundary") == [
        ("2661011", "Kielce", 605000.0, 325000.0)]


def test_a_file_with_no_usable_unit_is_refused(empty_db, tmp_path):
    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[box(605_000, 325_000, 606_000, 326_000)] * 2,
                             crs="EPSG:2180")
    path = tmp_path / "bez_kodow.gpkg"
    frame.to_file(path)
    with pytest.raises(ValidationError, match=r"refused, none of its 2 rows can be used .*has no TERYT code"):
        load_boundaries(path, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.admin_boundary") == 0
    assert _rows(empty_db, "SELECT status FROM msip.load_run") == [("failed",)]
