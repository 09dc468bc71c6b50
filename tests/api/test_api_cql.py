"""CQL2 filters become parameterised SQL; anything unknown or hostile is refused with a reason."""

from __future__ import annotations

import pytest

from msip.api.crs import parse_crs_uri
from msip.api.providers.cql import FilterError, parse_filter, to_sql

COLUMNS = {"species", "species_latin", "height_m", "valid_from"}


def sql_of(text: str, crs: str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84") -> str:
    node = parse_filter(text)
    return to_sql(
        node, columns=COLUMNS, geom="geom", srid=2180, filter_crs=parse_crs_uri(crs)
    ).as_string(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("species = 'Tilia cordata'", "(\"species\" = 'Tilia cordata')"),
        ("height_m > 10 AND species <> 'x'", '(("height_m" > 10) AND ("species" <> \'x\'))'),
        ("height_m BETWEEN 5 AND 10", '("height_m" BETWEEN 5 AND 10)'),
        ("species IN ('a', 'b')", "(\"species\" IN ('a', 'b'))"),
        ("species IS NULL", '("species" IS NULL)'),
        ("species LIKE 'Til%'", "(\"species\"::text LIKE 'Til%')"),
        ("CASEI(species) = CASEI('TILIA')", "(lower(\"species\"::text) = lower('TILIA'::text))"),
        ("height_m + 1 > 3", '(("height_m" + 1) > 3)'),
    ],
)
def test_filters_translate_to_sql(text, expected):
    assert sql_of(text) == expected


def test_quotes_in_values_stay_inside_a_literal():
    out = sql_of("species = '; DROP TABLE msip.tree; --'")
    assert out == "(\"species\" = '; DROP TABLE msip.tree; --')"


def test_spatial_filter_transforms_the_literal_to_storage_crs():
    out = sql_of("S_INTERSECTS(geometry, POINT(20.62 50.86))")
    assert out.startswith('ST_Intersects("geom", ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(')
    assert "[20.62, 50.86]" in out and ", 4326), 2180)" in out


def test_spatial_literal_in_northing_first_crs_is_swapped_to_x_y():
    out = sql_of(
        "S_INTERSECTS(geometry, POINT(334650 614050))", "http://www.opengis.net/def/crs/EPSG/0/2180"
    )
    assert "[614050.0, 334650.0]" in out and "ST_Transform" not in out


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("'; DROP TABLE msip.tree; --", "not valid CQL2 text"),
        ("nosuchcolumn = 1", "unknown property 'nosuchcolumn'"),
        ('"pg_sleep"(10) = 1', "not valid CQL2|not supported"),
        ("species = 'a' OR", "not valid CQL2 text"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(text, reason):
    with pytest.raises(FilterError, match=reason):
        sql_of(text)
