"""CRS negotiation of the API: URIs, axis order and bounding boxes in every offered CRS."""

from __future__ import annotations

import pytest
from pyproj import Transformer
from pyproj.exceptions import CRSError

from msip.api.crs import (
    CRS84,
    SUPPORTED_CRS,
    CrsBBox,
    UnsupportedCrs,
    parse_crs_uri,
    to_xy,
    transform_bbox,
)

STORAGE = "http://www.opengis.net/def/crs/EPSG/0/2180"


@pytest.mark.parametrize(
    ("uri", "srid", "northing_first"),
    [
        (CRS84, 4326, False),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, True),
        ("http://www.opengis.net/def/crs/EPSG/0/2180", 2180, True),
        ("http://www.opengis.net/def/crs/EPSG/0/2178", 2178, True),
        ("urn:ogc:def:crs:EPSG::2180", 2180, True),
        ("EPSG:2176", 2176, True),
    ],
)
def test_parse_crs_uri_knows_axis_order(uri, srid, northing_first):
    crs = parse_crs_uri(uri)
    assert (crs.srid, crs.northing_first) == (srid, northing_first)


@pytest.mark.parametrize(
    "uri", ["EPSG:3857", "http://www.opengis.net/def/crs/EPSG/0/99999", "nonsense", ""]
)
def test_unsupported_crs_lists_the_offered_ones(uri):
    with pytest.raises(UnsupportedCrs, match=r"use one of: .*CRS84"):
        parse_crs_uri(uri)


def test_supported_list_starts_with_crs84_and_has_polish_crss():
    assert SUPPORTED_CRS[0] == CRS84
    assert {
        f"http://www.opengis.net/def/crs/EPSG/0/{c}" for c in (2176, 2177, 2178, 2179, 2180, 4326)
    } <= set(SUPPORTED_CRS)


def test_to_xy_swaps_only_northing_first():
    assert to_xy([1, 2, 3, 4], parse_crs_uri(STORAGE)) == [2, 1, 4, 3]
    assert to_xy([1, 2, 3, 4], parse_crs_uri(CRS84)) == [1, 2, 3, 4]


def test_lonlat_bbox_becomes_an_easting_northing_envelope_in_storage_crs():
    lonlat = [20.62, 50.86, 20.63, 50.87]
    box = transform_bbox(lonlat, CRS84, STORAGE)
    assert isinstance(box, CrsBBox) and box.crs.uri == CRS84 and box.xy == lonlat
    t = Transformer.from_crs(4326, 2180, always_xy=True)
    e, n = t.transform(20.625, 50.865)
    assert box[0] < e < box[2] and box[1] < n < box[3]  # easting first, as PostGIS stores it
    assert 600_000 < box[0] < 630_000 and 320_000 < box[1] < 350_000


def test_northing_first_bbox_crs_is_read_in_its_axis_order():
    box = transform_bbox([334600, 614000, 335000, 614400], STORAGE, STORAGE)
    assert list(box) == [614000, 334600, 614400, 335000]


def test_bbox_far_outside_poland_is_empty_not_an_error():
    box = transform_bbox([-100, 30, -90, 40], CRS84, STORAGE)
    assert box.xy == [-100, 30, -90, 40] and list(box) == [0.0, 0.0, 0.0, 0.0]


def test_unsupported_bbox_crs_raises_crs_error_for_a_400():
    with pytest.raises(CRSError, match="not supported"):
        transform_bbox([1, 2, 3, 4], "EPSG:3857", STORAGE)
