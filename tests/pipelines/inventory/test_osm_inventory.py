"""OpenStreetMap as a source of trees (natural=tree) and advertising carriers (advertising=*), from .pbf.

Helsinki.osm.pbf as delivered is refused (outside Poland); a copy relocated into Kielce
(tests.support.relocate.pbf) loads 649 trees (one refused: circumference=30, metres in OSM) and 19
carriers (15 nodes and 4 signs drawn as ways). Small hand-written extracts pin the tag rules.
"""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from msip.core.errors import ConfigError, SourceReadError, ValidationError
from pipelines.inventory.ads import load_ads
from pipelines.inventory.osm_tags import metres
from pipelines.inventory.trees import load_trees
from tests.support.relocate.pbf import relocated_helsinki, write_nodes_pbf

pytestmark = pytest.mark.db
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)
LON, LAT = 20.6300, 50.8700  # in Kielce


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


@pytest.fixture
def helsinki_in_kielce(shared_data, tmp_path):
    return relocated_helsinki(shared_data, tmp_path / "helsinki.osm.pbf")


@pytest.mark.parametrize("load, what, n", [(load_trees, "trees", 649), (load_ads, "ads", 19)])
@pytest.mark.parametrize("extent", ["kielce", "none"])
def test_helsinki_as_delivered_is_refused_as_outside_poland(empty_db, shared_data, load, what, n, extent):
    with pytest.raises(ValidationError) as refused:
        load(shared_data / "osm" / "Helsinki.osm.pbf", epoch=E1, extent=extent, url=empty_db)
    message = str(refused.value)
    assert message.startswith(f"Helsinki.osm.pbf: {n} of {n} points fall outside ")
    assert "they lie at 24.9" in message and "°E 60.1" in message and "distorts lengths by +0.063 %" in message
    assert "MSIP loads data of Poland only — use an extract of the city" in message
    assert "--crs" not in message and "swapped" not in message  # OSM is lon/lat, always
    assert _rows(empty_db, "SELECT source_kind, status FROM msip.load_run") == [(what, "failed")]


def test_helsinki_trees_load_from_pbf(empty_db, helsinki_in_kielce):
    report = load_trees(helsinki_in_kielce, epoch=E1, url=empty_db)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == ("succeeded", 649, 648, 1)
    (sid, field, reason, raw), = _rows(empty_db, "SELECT source_id, field, reason, raw FROM msip.rejected_record")
    assert (sid, field) == ("node/946524698", "trunk_circumference_cm")
    assert reason == ("helsinki.osm.pbf row 1: circumference='30' is 30 m = 3000 cm, outside the plausible 1–2000 cm "
                      "per stem; OpenStreetMap circumference is in metres (a 30 cm trunk is circumference=0.3)")
    assert raw["osm_id"] == "node/946524698" and raw["circumference"] == "30" and raw["natural"] == "tree"
    assert _rows(empty_db, "SELECT count(*), count(DISTINCT source_id), min(dataset) FROM msip.tree") == [
        (648, 648, "helsinki")]
    (attrs,), = _rows(empty_db, "SELECT attrs FROM msip.tree WHERE source_id = 'node/1712751222'")
    assert attrs == {"leaf_type": "broadleaved", "leaf_cycle": "deciduous"}
    assert load_trees(helsinki_in_kielce, epoch=E1, url=empty_db).status == "unchanged"


def test_helsinki_advertising_loads_from_pbf(empty_db, helsinki_in_kielce):
    report = load_ads(helsinki_in_kielce, epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (19, 19, 0)
    assert any("4 features are drawn as ways or areas (e.g. way/155368094)" in n for n in report.notes)
    assert _rows(empty_db, "SELECT carrier_type_source, carrier_type, count(*) FROM msip.advertisement "
                           "GROUP BY 1, 2 ORDER BY 1") == [
        ("billboard", "board", 1), ("column", "column", 2), ("poster_box", "citylight", 9), ("sign", "sign", 7)]
    (lit, attrs, location), = _rows(empty_db, "SELECT illuminated, attrs, location FROM msip.advertisement "
                                              "WHERE source_id = 'way/155368094'")
    assert (lit, attrs, location) == (True, {"sign": "rooftop"}, None)
    assert _rows(empty_db, "SELECT count(*) FILTER (WHERE illuminated), count(*) FILTER (WHERE illuminated IS NULL) "
                           "FROM msip.advertisement") == [(9, 10)]  # no lit tag: unknown, not "no"
    (location, attrs), = _rows(empty_db, "SELECT location, attrs FROM msip.advertisement "
                                         "WHERE source_id = 'node/159708942'")
    assert location == "Kauppatori" and attrs["railway"] == "tram_stop"


def test_osm_tags_converted_to_msip_units(empty_db, tmp_path):
    pbf = write_nodes_pbf(tmp_path / "park_2024-06-15.osm.pbf", [
        (1, LON, LAT, {"natural": "tree", "species": "Tilia cordata", "species:pl": "lipa drobnolistna",
                       "height": "12 m", "circumference": "1.2;0.9", "diameter_crown": "6",
                       "leaf_type": "broadleaved"}),
        (2, LON + 0.001, LAT, {"natural": "tree", "genus": "Quercus", "height": "8.5"}),
        (3, LON + 0.002, LAT, {"natural": "tree", "height": "40 ft"}),
        (4, LON + 0.003, LAT, {"natural": "tree", "circumference": "85 cm"}),
        (5, LON + 0.004, LAT, {"advertising": "screen", "sides": "2", "lit": "automatic", "height": "3.5",
                               "width": "2", "operator": "AMS"}),
        (6, LON + 0.005, LAT, {"advertising": "totem", "lit": "maybe"}),
    ])
    trees = load_trees(pbf, url=empty_db)
    assert (trees.epoch, trees.rows_loaded, trees.rows_rejected) == (E1, 3, 1)
    assert any("1 trees are identified to the genus only" in n for n in trees.notes)
    assert trees.rejections[0].reason == ("park_2024-06-15.osm.pbf row 3: height='40 ft' is not a length in metres "
                                          "(OpenStreetMap writes e.g. 12, 12.5 or 12 m; fix the tag)")
    assert _rows(empty_db, "SELECT source_id, species, species_latin, height_m, trunk_circumference_cm, "
                           "trunk_circumferences_cm, crown_diameter_m, attrs FROM msip.tree ORDER BY source_id") == [
        ("node/1", "lipa drobnolistna", "Tilia cordata", 12.0, 150.0, [120.0, 90.0], 6.0, {"leaf_type": "broadleaved"}),
        ("node/2", None, "Quercus", 8.5, None, None, None, {"genus": "Quercus"}),
        ("node/4", None, None, None, 85.0, None, None, None),
    ]
    ads = load_ads(pbf, url=empty_db)
    assert (ads.rows_loaded, ads.rows_rejected) == (2, 0)
    assert any("lit='maybe' is not a known OpenStreetMap value" in n for n in ads.notes)
    assert _rows(empty_db, "SELECT source_id, carrier_type, faces, illuminated, led, height_m, owner, attrs "
                           "FROM msip.advertisement ORDER BY source_id") == [
        ("node/5", "led_screen", 2, True, True, 3.5, "AMS", {"width": "2"}),
        ("node/6", "pylon", None, None, None, None, None, None),
    ]


def test_osm_inventory_keeps_history_by_node_id(empty_db, tmp_path):
    def tree(i: int) -> tuple:
        return (i, LON + i / 10_000, LAT, {"natural": "tree", "height": "10"})

    first = load_trees(write_nodes_pbf(tmp_path / "a.osm.pbf", [tree(1), tree(2), tree(3)]), dataset="park",
                       epoch=E1, url=empty_db)
    second = load_trees(write_nodes_pbf(tmp_path / "b.osm.pbf", [tree(1), tree(3), tree(4)]), dataset="park",
                        epoch=E2, url=empty_db)
    assert first.rows_inserted == 3
    assert (second.rows_inserted, second.rows_unchanged, second.rows_retired) == (1, 2, 1)
    assert _rows(empty_db, "SELECT source_id FROM msip.tree WHERE valid_to IS NOT NULL") == [("node/2",)]


def test_osm_inventory_refusals(empty_db, tmp_path):
    pbf = write_nodes_pbf(tmp_path / "shops.osm.pbf", [(1, LON, LAT, {"shop": "bakery"})])
    with pytest.raises(SourceReadError, match=r"shops.osm.pbf holds no natural=tree features \(trees\)"):
        load_trees(pbf, epoch=E1, url=empty_db)
    with pytest.raises(ConfigError, match=r"--mapping and --layer do not apply to OpenStreetMap files"):
        load_trees(pbf, epoch=E1, mapping={"height_m": "height"}, url=empty_db)
    every_one_bad = write_nodes_pbf(tmp_path / "bad.osm.pbf", [
        (1, LON, LAT, {"natural": "tree", "circumference": "95"}),
        (2, LON, LAT + 0.001, {"natural": "tree", "height": "tall"})])
    with pytest.raises(ValidationError, match=r"bad.osm.pbf: none of its 2 rows can be loaded"):
        load_trees(every_one_bad, epoch=E1, url=empty_db)
    # the failed run keeps its refused rows, and its counts add up
    assert _rows(empty_db, "SELECT status, rows_in, rows_loaded, rows_rejected FROM msip.load_run "
                           "WHERE rows_in = 2") == [("failed", 2, 0, 2)]
    assert _rows(empty_db, "SELECT source_id FROM msip.rejected_record ORDER BY 1") == [("node/1",), ("node/2",)]


@pytest.mark.parametrize("text, expected", [("12", [12.0]), ("12 m", [12.0]), ("12,5m", [12.5]), ("30 cm", [0.3]),
                                            ("1.2;0.9", [1.2, 0.9]), ("850 mm", [0.85])])
def test_osm_lengths_in_metres(text, expected):
    assert metres(text, tag="height") == pytest.approx(expected)


@pytest.mark.parametrize("text", ["40 ft", "tall", "12'", "-3"])
def test_osm_lengths_in_other_units_are_refused(text):
    with pytest.raises(ValueError, match=r"is not a length in metres"):
        metres(text, tag="height")


def test_cli_loads_trees_from_pbf(empty_db, helsinki_in_kielce, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    main(["load", "trees", str(helsinki_in_kielce), "--epoch", "2024-06-15"])
    assert "helsinki.osm.pbf: succeeded (run 1) — 649 in = 648 loaded + 1 rejected" in capsys.readouterr().out
