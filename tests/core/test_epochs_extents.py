"""The one epoch parser, the one bounds table and the one yes/no table."""

from datetime import date, datetime

import numpy as np
import pytest
from pyproj import CRS, Transformer

from msip.core.epochs import parse_epoch
from msip.core.errors import ConfigError, EpochError, MsipError, RowError, ValidationError
from msip.core.extents import (
    KIELCE_2180,
    KIELCE_2180_WITH_MARGIN,
    KIELCE_LONLAT,
    POLAND_2180,
    POLAND_AREA_2180,
    POLAND_INNER_2180,
    POLAND_LONLAT,
    POLAND_LONLAT_WITH_MARGIN,
    get_extent,
    in_poland,
    outside_reason,
)
from pipelines.readers.columns import NO_WORDS, YES_WORDS, yes_no


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-06-15", date(2024, 6, 15)),
        ("20240615", date(2024, 6, 15)),
        (date(2024, 6, 15), date(2024, 6, 15)),
        (datetime(2024, 6, 15, 10), datetime(2024, 6, 15, 10)),
        (20240615, date(2024, 6, 15)),
    ],
)
def test_parse_epoch_accepts_dates_iso_and_compact_text(value, expected):
    assert parse_epoch(value) == expected


@pytest.mark.parametrize(
    "value, source, message",
    [
        ("15.06.2024", "epoch", r"^epoch '15\.06\.2024' is not a date; use YYYY-MM-DD, e.g\. 2024-06-15$"),
        ("2024-13-01", "", r"^'2024-13-01' is not a date; use YYYY-MM-DD"),
        ("yesterday", "rules.yaml: in_force_from =", r"^rules\.yaml: in_force_from = 'yesterday' is not a date"),
    ],
)
def test_parse_epoch_error_names_value_source_and_example(value, source, message):
    with pytest.raises(EpochError, match=message) as info:
        parse_epoch(value, source=source)
    assert isinstance(info.value, (MsipError, ValueError, ConfigError, ValidationError))


def test_row_error_is_one_msip_value_error_with_its_field():
    err = RowError("x='y' is not a number", "x")
    assert isinstance(err, MsipError) and isinstance(err, ValueError) and err.field == "x"


def test_poland_bounds_are_epsg_2180_area_of_use():
    aou = CRS.from_epsg(2180).area_of_use
    assert tuple(POLAND_LONLAT) == (aou.west, aou.south, aou.east, aou.north)
    assert POLAND_LONLAT_WITH_MARGIN == (13.14, 48.0, 25.15, 56.93)


def test_poland_2180_box_covers_the_projected_onshore_area_of_use():
    t = Transformer.from_crs(4326, 2180, always_xy=True)
    minx, miny, maxx, maxy = t.transform_bounds(14.14, 49.0, 24.15, 54.89, densify_pts=21)
    assert POLAND_2180.minx <= minx and POLAND_2180.miny <= miny
    assert maxx <= POLAND_2180.maxx and maxy <= POLAND_2180.maxy
    assert maxx - minx > POLAND_2180.maxx - POLAND_2180.minx - 20_000  # rounded, not padded


def test_kielce_boxes_agree_in_both_crss():
    assert KIELCE_2180_WITH_MARGIN == (603_000, 323_000, 627_000, 347_000)
    t = Transformer.from_crs(2180, 4326, always_xy=True)
    lon1, lat1, lon2, lat2 = t.transform_bounds(*KIELCE_2180, densify_pts=21)
    assert KIELCE_LONLAT.minx <= lon1 < KIELCE_LONLAT.minx + 0.001
    assert KIELCE_LONLAT.miny <= lat1 < KIELCE_LONLAT.miny + 0.001
    assert KIELCE_LONLAT.maxx - 0.001 < lon2 <= KIELCE_LONLAT.maxx
    assert KIELCE_LONLAT.maxy - 0.001 < lat2 <= KIELCE_LONLAT.maxy


@pytest.mark.parametrize("text, expected", [(" Tak ", True), ("NIE", False), ("x", True), ("brak", False),
                                            ("t.", True), ("może", None), ("", None)])
def test_yes_no_reads_one_table(text, expected):
    assert yes_no(text) is expected


def test_yes_and_no_words_do_not_overlap():
    assert not YES_WORDS & NO_WORDS


def test_poland_area_2180_is_the_projected_area_of_use_rounded_to_1_km():
    t = Transformer.from_crs(4326, 2180, always_xy=True)
    minx, miny, maxx, maxy = t.transform_bounds(*POLAND_LONLAT.widened(0.05), densify_pts=101)
    assert POLAND_AREA_2180.minx <= minx < POLAND_AREA_2180.minx + 1000
    assert POLAND_AREA_2180.miny <= miny < POLAND_AREA_2180.miny + 1000
    assert POLAND_AREA_2180.maxx - 1000 < maxx <= POLAND_AREA_2180.maxx
    assert POLAND_AREA_2180.maxy - 1000 < maxy <= POLAND_AREA_2180.maxy


@pytest.mark.parametrize("lonlat, inside", [((14.2, 49.1), True), ((24.1, 55.9), True), ((14.05, 52.0), False),
                                            ((14.1229, 52.6), True),  # Poland's westernmost point, on the Odra
                                            ((24.25, 52.0), False), ((19.0, 48.9), False), ((19.0, 56.0), False)])
def test_in_poland_is_epsg_2180_area_of_use(lonlat, inside):
    x, y = Transformer.from_crs(4326, 2180, always_xy=True).transform(*lonlat)
    assert in_poland(np.array([x]), np.array([y])).tolist() == [inside]


def test_extent_none_is_no_city_limit_but_still_poland():
    none, poland = get_extent("none"), get_extent("poland")
    assert none.whole_poland and poland.whole_poland and none.describe() == poland.describe()
    assert none.describe() == "Poland (EPSG:2180's area of use, 14.14–24.15°E, 49.00–55.93°N)"
    assert not none.contains(-432_088, -393_081)  # Monaco in EPSG:2180 metres
    assert get_extent(None) == get_extent("kielce") and not get_extent("kielce").whole_poland


def test_outside_reason_names_place_and_distortion():
    reason = outside_reason(-432_087.8, -393_081.4, get_extent("kielce"))
    assert reason == ("point (E -432087.8, N -393081.4) is outside Poland (EPSG:2180's area of use, 14.14–24.15°E, "
                      "49.00–55.93°N): it lies at 7.425°E 43.738°N, where EPSG:2180 (MSIP's storage CRS) distorts "
                      "lengths by +1 % and areas by +2 %; MSIP loads data of Poland only")


def test_poland_inner_box_lies_wholly_in_the_area_of_use():
    box = POLAND_INNER_2180
    xs, ys = np.linspace(box.minx, box.maxx, 401), np.linspace(box.miny, box.maxy, 401)
    edge_x = np.concatenate([xs, xs, np.full(401, box.minx), np.full(401, box.maxx)])
    edge_y = np.concatenate([np.full(401, box.miny), np.full(401, box.maxy), ys, ys])
    lon, lat = Transformer.from_crs(2180, 4326, always_xy=True).transform(edge_x, edge_y)
    assert (lon >= 14.14).all() and (lon <= 24.15).all() and (lat >= 49.0).all() and (lat <= 55.93).all()
    # and the shortcut agrees with the lon/lat test near the edges of the area of use
    for lon_, lat_ in ((14.095, 52.0), (14.085, 52.0), (24.195, 51.0), (24.205, 51.0), (19.0, 48.955), (19.0, 48.945)):
        x, y = Transformer.from_crs(4326, 2180, always_xy=True).transform(lon_, lat_)
        expected = 14.09 <= lon_ <= 24.20 and 48.95 <= lat_ <= 55.98
        assert get_extent("poland").contains(x, y) is expected
        assert get_extent("none").inside(np.array([x]), np.array([y])).tolist() == [expected]
