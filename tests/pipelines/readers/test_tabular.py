"""Reading inventory files, field mapping, vectorised column parsers and point location (no database).

Longer than ~300 lines on purpose: the shared inventory reader's cases (encodings, delimiters,
mappings, CRS rules) share one set of fixture files.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely

from msip.core.copy import ewkb_hex
from msip.core.errors import ConfigError, CrsError, SourceReadError, ValidationError
from pipelines.inventory.flow import dataset_and_epoch
from pipelines.inventory.trees import TREE_FIELDS
from pipelines.readers.columns import (
    Rejects,
    booleans,
    dates,
    integers,
    json_objects,
    number_lists,
    numbers,
    source_ids,
)
from pipelines.readers.points import locate_points
from pipelines.readers.tabular import (
    Table,
    decode_text,
    load_mapping,
    normalise_name,
    read_table,
    resolve_mapping,
)
from pipelines.readers.validate import get_extent
from tests.support.paths import TEST_DATA

DATA = TEST_DATA / "inventory"
KIELCE = get_extent("kielce")


def _rejects(n: int) -> Rejects:
    return Rejects("t.csv", n)


# --- reading ------------------------------------------------------------------------------

def test_polish_csv_read_with_semicolons_quotes_and_diacritics():
    table = read_table(DATA / "trees_pl.csv")
    assert len(table) == 4
    assert list(table.frame.columns)[:4] == ["Nr inwentarzowy", "Gatunek", "Gatunek łaciński", "Obwód pnia [cm]"]
    assert table.frame.loc[2, "Uwagi"] == "posusz; do oceny"
    assert table.frame.loc[1, "Obwód pnia [cm]"] == "47, 52, 56"
    assert table.geometry is None and table.notes == []


@pytest.mark.parametrize("encoding, note", [
    ("utf-8", None),
    ("utf-8-sig", None),
    ("utf-16", None),
    ("cp1250", "decoded as CP1250"),
])
def test_encodings_detected(tmp_path, encoding, note):
    text = (DATA / "trees_pl.csv").read_text(encoding="utf-8")
    path = tmp_path / "drzewa.csv"
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.frame.loc[2, "Gatunek"] == "dąb szypułkowy"
    assert table.frame.loc[1, "Stan zdrowotny"] == "średni"
    if note:
        assert any(note in n and "not UTF-8" in n for n in table.notes)
    else:
        assert table.notes == []


def test_stray_bom_inside_header_is_dropped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"a";"\ufeffx_wgs84";"b"\n1;2;3\n', encoding="utf-8")
    assert list(read_table(path).frame.columns) == ["a", "x_wgs84", "b"]


@pytest.mark.parametrize("content, match", [
    (b"", "is empty"),
    (b"\n\n", "is empty"),
    (b"id;x;y\n", "has no data rows"),
    (b"a,b\n1,2\n3,4,5,6\n", "not a well-formed CSV"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 .* nor CP1250"),
])
def test_unusable_csv_refused_naming_the_file(tmp_path, content, match):
    path = tmp_path / "zle.csv"
    path.write_bytes(content)
    with pytest.raises(SourceReadError, match=match) as err:
        read_table(path)
    assert "zle.csv" in str(err.value)


@pytest.mark.parametrize("name, match", [("missing.csv", "does not exist"), ("t.xlsx", "unsupported file type")])
def test_missing_and_unsupported_files_refused(tmp_path, name, match):
    if name.endswith(".xlsx"):
        (tmp_path / name).write_bytes(b"PK")
    with pytest.raises(SourceReadError, match=match):
        read_table(tmp_path / name)


def test_geojson_read_with_crs_and_geometry():
    table = read_table(DATA / "trees_en.geojson")
    assert (len(table), table.epsg) == (3, 4326)
    assert table.geometry is not None and table.geometry.null_count == 0
    assert table.frame["species"].tolist() == ["Norway maple", "silver birch", "English oak"]


def test_multi_layer_gpkg_needs_a_layer(tmp_path):
    import geopandas as gpd

    path = tmp_path / "multi.gpkg"
    for layer in ("a", "b"):
        gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(614100, 334700)], crs=2180).to_file(path, layer=layer)
    with pytest.raises(SourceReadError, match=r"has 2 layers .*--layer"):
        read_table(path)
    assert len(read_table(path, layer="b")) == 1
    assert len(read_table(path, preferred_layers=("x", "a"))) == 1


@pytest.mark.parametrize(
    "raw, note", [(b"caf\xe9;x\n", "CP1250"), ("świątynia źródło".encode("iso8859_2"), "ISO-8859-2")]
)
def test_decode_text_picks_the_polish_8bit_encoding(raw, note):
    text, found = decode_text("f.csv", raw)
    assert note in found and ("é" in text or "świątynia źródło" in text)


# --- mapping ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Obwód pnia [cm]", "obwod_pnia_cm"), ("Pierśnica", "piersnica"), ("ŚREDNICA KORONY (m)", "srednica_korony_m"),
    ("\ufeffx_wgs84", "x_wgs84"), ("stan zdrowotny", "stan_zdrowotny"), ("Wysokość", "wysokosc"),
])
def test_normalise_name(name, expected):
    assert normalise_name(name) == expected


def test_polish_english_and_warsaw_names_resolve():
    warsaw = ["numer_inw", "gatunek", "gatunek_1", "wysokosc", "pnie_obwod", "srednica_k", "stan_zdrowia",
              "x_pl2000", "y_pl2000", "x_wgs84", "y_wgs84", "_id"]
    mapping = resolve_mapping(warsaw, TREE_FIELDS)
    assert mapping == {"inventory_id": "numer_inw", "species": "gatunek", "species_latin": "gatunek_1",
                       "trunk_circumference_cm": "pnie_obwod", "height_m": "wysokosc", "crown_diameter_m": "srednica_k",
                       "health": "stan_zdrowia", "x": "x_pl2000", "y": "y_pl2000", "lon": "x_wgs84", "lat": "y_wgs84"}
    polish = list(read_table(DATA / "trees_pl.csv").frame.columns)
    assert resolve_mapping(polish, TREE_FIELDS) == {
        "inventory_id": "Nr inwentarzowy", "species": "Gatunek", "species_latin": "Gatunek łaciński",
        "trunk_circumference_cm": "Obwód pnia [cm]", "dbh_cm": "Pierśnica [cm]", "height_m": "Wysokość [m]",
        "crown_diameter_m": "Średnica korony [m]", "health": "Stan zdrowotny", "x": "X", "y": "Y"}
    english = ["inventory_id", "species", "trunk_circumference_cm", "dbh_cm", "height_m", "crown_diameter_m", "health"]
    assert resolve_mapping(english, TREE_FIELDS) == {c: c for c in english}


def test_yaml_override_wins_and_can_ignore_a_column():
    mapping = resolve_mapping(["nr", "WYS", "wysokosc", "gatunek"], TREE_FIELDS,
                              {"height_m": "WYS", "species": None})
    assert mapping == {"inventory_id": "nr", "height_m": "WYS"}
    assert load_mapping(DATA / "trees_custom_mapping.yaml")["x"] == "EAST"


@pytest.mark.parametrize("override, match", [
    ({"hight_m": "WYS"}, "unknown field.*hight_m"),
    ({"height_m": "NOPE"}, "no such column.*its columns are nr, WYS"),
])
def test_bad_mapping_refused(override, match):
    with pytest.raises(ConfigError, match=match):
        resolve_mapping(["nr", "WYS"], TREE_FIELDS, override)


@pytest.mark.parametrize("text, match", [("- a\n- b\n", "must hold 'field: source column'"),
                                         ("a: [1\n", "cannot be read")])
def test_bad_mapping_file_refused(tmp_path, text, match):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_mapping(path)


# --- column parsers ------------------------------------------------------------------------

def test_numbers_accept_decimal_commas_and_refuse_words_and_ranges():
    rejects = _rejects(6)
    values = numbers(pd.Series(["12,5", " 7 ", "", "XXXX", "75", "1e3"], dtype="str"), rejects,
                     field="height_m", column="wysokosc", unit="metres", lo=0.5, hi=60)
    assert values[:2].tolist() == [12.5, 7.0] and np.isnan(values[2])
    assert rejects.ok.tolist() == [True, True, True, False, False, False]
    assert rejects.reason[3] == "t.csv row 4: wysokosc='XXXX' is not a number (expected metres, e.g. 12.5)"
    assert "wysokosc=75 m is outside the plausible range 0.5–60 m" in rejects.reason[4]


def test_multi_stem_circumference_is_the_equivalent_stem():
    rejects = _rejects(5)
    circ, stems = number_lists(pd.Series(["47, 52, 56", "150", "", "30; abc", "12,5"], dtype="str"), rejects,
                               field="trunk_circumference_cm", column="obwod", unit="centimetres", lo=1, hi=2000)
    assert circ[0] == pytest.approx(np.sqrt(47**2 + 52**2 + 56**2))
    assert stems.tolist() == ["{47,52,56}", None, None, None, None]
    assert circ[1] == 150 and np.isnan(circ[2]) and circ[4] == 12.5
    assert rejects.ok.tolist() == [True, True, True, False, True]
    assert "'abc' is not a number" in rejects.reason[3] and "obwod='30; abc'" in rejects.reason[3]


def test_booleans_dates_and_whole_numbers():
    rejects = _rejects(4)
    flags = booleans(pd.Series(["tak", "NIE", "", "może"], dtype="str"), rejects, field="led", column="led")
    assert flags.tolist()[:2] == [True, False] and pd.isna(flags[2])
    assert "led='może' is not yes/no" in rejects.reason[3]
    rejects = _rejects(4)
    found = dates(pd.Series(["2021-05-17", "17.05.2021", "20210517", "31.02.2021"], dtype="str"), rejects,
                  field="installed_on", column="data")
    assert found[:3].tolist() == [np.datetime64("2021-05-17")] * 3
    assert "data='31.02.2021' is not a date (expected YYYY-MM-DD" in rejects.reason[3]
    rejects = _rejects(2)
    integers(pd.Series(["2", "1,5"], dtype="str"), rejects, field="faces", column="strony", unit="a count", lo=1, hi=8)
    assert "strony=1.5 is not a whole number" in rejects.reason[1]


def test_duplicate_ids_keep_the_first_accepted_row():
    rejects = _rejects(5)
    rejects.add(np.array([True, False, False, False, False]), "height_m", lambda i: "bad height")
    ids = source_ids(pd.Series(["A", "A", "B", "A", ""], dtype="str"), rejects, field="inventory_id",
                     column="nr", what="tree")
    assert ids.tolist() == ["A", "A", "B", "A", ""]
    assert rejects.ok.tolist() == [False, True, True, False, False]
    assert "nr='A' repeats the identifier of row 2" in rejects.reason[3]
    assert "nr is empty" in rejects.reason[4]


def test_json_objects_are_valid_json_and_keep_values():
    frame = pd.DataFrame({
        "note": pd.Series(['say "hi"\nnow\\', "", None], dtype="str"),
        "n": [1.0, np.nan, 2.5],
        "flag": pd.array([True, False, None], dtype="boolean"),
        "ctrl": pd.Series(["a\x01b", "tab\there", "zażółć"], dtype="str"),
    })
    rows = [json.loads(t) for t in json_objects(frame, list(frame.columns))]
    assert rows[0] == {"note": 'say "hi"\nnow\\', "n": 1, "flag": True, "ctrl": "a\x01b"}
    assert rows[1] == {"note": None, "n": None, "flag": False, "ctrl": "tab\there"}
    assert rows[2] == {"note": None, "n": 2.5, "flag": None, "ctrl": "zażółć"}
    assert json_objects(frame, []).isna().all()


def test_point_ewkb_hex_round_trips():
    x, y = np.array([614100.125, 614200.5]), np.array([334700.25, 334800.0])
    geoms = shapely.from_wkb(np.asarray(ewkb_hex(x=x, y=y).to_pylist(), dtype=object))
    assert shapely.get_srid(geoms).tolist() == [2180, 2180]
    assert shapely.get_coordinates(geoms).tolist() == [[614100.125, 334700.25], [614200.5, 334800.0]]


def test_ewkb_hex_points_from_coordinates_match_shapely_geometries():
    x, y = np.array([614100.125, 614200.5]), np.array([334700.25, 334800.0])
    from_coordinates = ewkb_hex(x=x, y=y).to_pylist()
    from_geometries = ewkb_hex(shapely.points(x, y)).tolist()
    assert [h.upper() for h in from_coordinates] == from_geometries
    with pytest.raises(TypeError, match="not both"):
        ewkb_hex(shapely.points(x, y), x=x, y=y)


@pytest.mark.parametrize("name, dataset, epoch", [
    ("inwentaryzacja_drzew_2024-06-15.csv", "inwentaryzacja_drzew", date(2024, 6, 15)),
    ("drzewa-20110912.geojson", "drzewa", date(2011, 9, 12)),
    ("drzewa.csv", "drzewa", None),
    ("drzewa_2024-13-45.csv", "drzewa_2024-13-45", None),
])
def test_dataset_and_epoch_from_the_file_name(name, dataset, epoch):
    assert dataset_and_epoch(name) == (dataset, epoch)
    assert dataset_and_epoch(name, dataset="x", epoch=date(2020, 1, 1)) == ("x", date(2020, 1, 1))


# --- points ---------------------------------------------------------------------------------

def _table(xs, ys, names=("x", "y")) -> Table:
    frame = pd.DataFrame({names[0]: [str(v) for v in xs], names[1]: [str(v) for v in ys]}, dtype="str")
    return Table("p.csv", frame)


def test_points_detect_pl2000_and_transform():
    table = _table([7500048.345], [5790299.14], ("x_pl2000", "y_pl2000"))
    rejects = _rejects(1)
    points = locate_points(table, {"x": "x_pl2000", "y": "y_pl2000"}, rejects, crs=None,
                           extent=get_extent("poland"), what="tree")
    assert points.source_epsg == 2178
    assert (points.x[0], points.y[0]) == pytest.approx((636546.8, 488576.8), abs=0.1)  # = WGS84 (21.000708, 52.246262)
    assert any("EPSG:2178 detected" in n for n in table.notes)


def test_points_outside_extent_are_quarantined_when_few():
    table = _table([614100, 614200, 614300, 639900], [334700, 334800, 334900, 485100])
    rejects = _rejects(4)
    points = locate_points(table, {"x": "x", "y": "y"}, rejects, crs=2180, extent=KIELCE, what="tree")
    assert rejects.ok.tolist() == [True, True, True, False]
    assert np.isnan(points.x[3])
    assert "x,y=639900,485100: point (E 639900.0, N 485100.0) is outside Kielce" in rejects.reason[3]


@pytest.mark.parametrize("xs, ys, names, crs, error, match", [
    # Kielce points in EPSG:2180 but declared PL-2000 zone 7: every point lands far away.
    ([614100, 614200], [334700, 334800], ("x", "y"), 2178, ValidationError, "2 of 2 points fall outside Kielce"),
    # lon/lat values swapped (latitude in the lon column).
    ([50.8688, 50.8689], [20.6234, 20.6237], ("lon", "lat"), None, ValidationError, "swapped"),
    # PL-2000 northing in the x column.
    ([5637124.56, 5637129.0], [7473494.27, 7473514.4], ("x", "y"), None, CrsError, "look swapped"),
    ([1.0, 2.0], [1000.0, 2000.0], ("x", "y"), None, CrsError, "cannot tell the CRS of x/y"),
])
def test_points_wrong_crs_or_swapped_columns_refuse_the_file(xs, ys, names, crs, error, match):
    table = _table(xs, ys, names)
    fields = {"lon": "lon", "lat": "lat"} if names[0] == "lon" else {"x": "x", "y": "y"}
    with pytest.raises(error, match=match):
        locate_points(table, fields, _rejects(2), crs=crs, extent=KIELCE, what="tree")


def test_points_need_coordinates():
    table = Table("p.csv", pd.DataFrame({"a": ["1"]}))
    with pytest.raises(SourceReadError, match=r"no geometry and no coordinate columns.*--mapping"):
        locate_points(table, {}, _rejects(1), crs=None, extent=KIELCE, what="tree")


def test_file_without_any_coordinate_refused():
    with pytest.raises(SourceReadError, match=r"usable coordinates in x/y \(first: t.csv row 1: x is empty"):
        locate_points(_table(["", ""], ["", ""]), {"x": "x", "y": "y"}, _rejects(2), crs=None, extent=KIELCE,
                      what="tree")
