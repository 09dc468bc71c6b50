"""Property tests (hypothesis) for the input parsers: numbers with decimal commas, CRS strings,
coordinates and APP GML surfaces.

Each property holds for every generated input: a well-formed value parses to what was written,
and anything else raises the project's own error (an MsipError naming the value), never another
exception. Runs are derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from pyproj import Transformer
from shapely.geometry import Polygon

from msip.core.crs import ACCEPTED_EPSG, detect_epsg, parse_epsg
from msip.core.errors import CrsError, MsipError, ValidationError
from pipelines.readers.columns import Rejects, numbers
from pipelines.readers.gml_geometry import GML, axis_order, surface_to_storage
from pipelines.readers.points import locate_points
from pipelines.readers.tabular import Table
from pipelines.readers.validate import EXTENTS, parse_number, parse_number_list

PROPERTY = settings(max_examples=150, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KIELCE = EXTENTS["kielce"]

# --- numbers with decimal commas -----------------------------------------------------------------

def polish(value: float, decimals: int, *, comma: bool, thousands: str) -> str:
    """`value` written as a Polish spreadsheet might: '1 234,5', '-0,5', '12,0', '1234.50'."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0")
    whole, _, frac = text.partition(".")
    whole = whole.replace("\0", thousands)
    out = whole + ((("," if comma else ".") + frac) if decimals else "")
    return ("-" if value < 0 and float(text.replace("\0", "")) != 0 else "") + out


number_texts = st.builds(
    lambda v, d, comma, sep: (polish(v, d, comma=comma, thousands=sep), round(v, d)),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4), st.booleans(), st.sampled_from(["", " ", "\u00a0"]),
)


@PROPERTY
@given(number_texts)
def test_written_numbers_parse_back(case):
    text, value = case
    parsed = parse_number(text, field="height_m", unit="metres")
    assert parsed == pytest.approx(value, rel=1e-12, abs=1e-9)
    assert parse_number(f"  {text} ", field="height_m") == parsed


@pytest.mark.parametrize(("text", "value"), [("1 234,5", 1234.5), ("12,0", 12.0), ("-0,5", -0.5), (",5", 0.5),
                                             ("+3.", 3.0), ("1\u00a0000", 1000.0), ("", None), ("  ", None)])
def test_number_examples(text, value):
    assert parse_number(text, field="x") == value


@pytest.mark.parametrize("text", ["1.234,5", "12 m", "XXXX", "NaN", "inf", "-", "1e3", "1,2,3", "0x10", "½"])
def test_number_garbage_is_refused_with_the_value(text):
    with pytest.raises(ValidationError, match=r"height_m=.* is not a number \(expected metres, e\.g\. 12\.5\)"):
        parse_number(text, field="height_m", unit="metres")


@PROPERTY
@given(st.text(max_size=20))
def test_any_text_is_a_number_or_the_projects_error(text):
    try:
        value = parse_number(text, field="obwod")
    except MsipError as exc:
        assert "obwod=" in str(exc) and "is not a number" in str(exc)
        return
    assert value is None or math.isfinite(value)


@PROPERTY
@given(st.lists(st.text(alphabet="0123456789 ,.-+aX\u00a0", max_size=12), min_size=1, max_size=25))
def test_vectorised_column_parser_agrees_with_parse_number(texts):
    """`columns.numbers` (whole column at once) accepts and refuses exactly what parse_number does."""
    rejects = Rejects("drzewa.csv", len(texts))
    values = numbers(pd.Series(texts, dtype=object), rejects, field="height_m", column="wysokosc", unit="metres")
    for i, text in enumerate(texts):
        try:
            expected = parse_number(text, field="wysokosc", unit="metres")
        except ValidationError as exc:
            assert not rejects.ok[i]
            assert rejects.reason[i] == f"drzewa.csv row {i + 1}: {exc}"
            continue
        assert rejects.ok[i], rejects.reason[i]
        if expected is None:
            assert np.isnan(values[i])
        else:
            assert values[i] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@PROPERTY
@given(st.lists(st.integers(min_value=1, max_value=2000), min_size=2, max_size=6), st.sampled_from([", ", ";", " / "]))
def test_multi_stem_lists(stems, sep):
    assert parse_number_list(sep.join(map(str, stems)), field="obwod") == [float(s) for s in stems]


# --- CRS strings ---------------------------------------------------------------------------------

CRS_FORMS = ("{c}", "EPSG:{c}", "epsg:{c}", " EPSG:{c} ", "urn:ogc:def:crs:EPSG::{c}", "urn:ogc:def:crs:EPSG:9.9.1:{c}",
             "http://www.opengis.net/def/crs/EPSG/0/{c}", "https://www.opengis.net/def/crs/EPSG/0/{c}")


@PROPERTY
@given(st.sampled_from(ACCEPTED_EPSG), st.sampled_from(CRS_FORMS))
def test_accepted_crs_strings_give_their_code(code, form):
    assert parse_epsg(form.format(c=code)) == code
    order = axis_order(form.format(c=code).strip())
    # GML 3.2: URNs and opengis.net URIs use the authority order (northing/latitude first here);
    # the legacy 'EPSG:xxxx' and bare codes are easting first, as GDAL and GeoServer read them.
    assert order.northing_first == form.strip().startswith(("urn", "http"))


@pytest.mark.parametrize("text", ["CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84"])
def test_crs84_is_wgs84_lon_lat(text):
    assert parse_epsg(text) == 4326
    assert axis_order(text).northing_first is False


@PROPERTY
@given(
    st.integers(min_value=1000, max_value=99999).filter(lambda c: c not in ACCEPTED_EPSG),
    st.sampled_from(CRS_FORMS),
)
def test_other_epsg_codes_are_refused_naming_the_code(code, form):
    with pytest.raises(CrsError, match=rf"CRS EPSG:{code} is not accepted; MSIP takes EPSG:4326"):
        parse_epsg(form.format(c=code))


@PROPERTY
@given(st.text(max_size=40))
def test_any_crs_text_is_a_code_or_a_crs_error(text):
    try:
        code = parse_epsg(text)
    except CrsError as exc:
        assert "CRS" in str(exc)
        return
    assert code in ACCEPTED_EPSG


# --- coordinates ---------------------------------------------------------------------------------

kielce_points = st.lists(st.tuples(st.floats(KIELCE.minx + 2000, KIELCE.maxx - 2000),
                                   st.floats(KIELCE.miny + 2000, KIELCE.maxy - 2000)), min_size=1, max_size=8)
SOURCE_COLUMNS = {2180: ("x_2180", "y_2180"), 2178: ("x_pl2000", "y_pl2000"), 4326: ("lon", "lat")}


def _table(columns: tuple[str, str], xs: list[str], ys: list[str]) -> tuple[Table, dict]:
    frame = pd.DataFrame({columns[0]: xs, columns[1]: ys}, dtype=object)
    field = {"x_2180": "x", "x_pl2000": "x", "lon": "lon"}[columns[0]]
    other = {"x": "y", "lon": "lat"}[field]
    return Table("drzewa.csv", frame), {field: columns[0], other: columns[1]}


@PROPERTY
@given(kielce_points, st.sampled_from(sorted(SOURCE_COLUMNS)), st.booleans())
def test_coordinates_in_any_accepted_crs_land_where_they_were(points, epsg, comma):
    """Points written in EPSG:2180, PL-2000 zone 7 or WGS84 (decimal comma or point) come back within 1 cm."""
    e = np.array([p[0] for p in points])
    n = np.array([p[1] for p in points])
    sx, sy = (e, n) if epsg == 2180 else Transformer.from_crs(2180, epsg, always_xy=True).transform(e, n)
    digits = 8 if epsg == 4326 else 3
    fmt = (lambda v: f"{v:.{digits}f}".replace(".", ",")) if comma else (lambda v: f"{v:.{digits}f}")
    table, mapping = _table(SOURCE_COLUMNS[epsg], [fmt(v) for v in sx], [fmt(v) for v in sy])
    rejects = Rejects(table.name, len(table))
    got = locate_points(table, mapping, rejects, crs=None, extent=KIELCE, what="tree")
    assert rejects.ok.all(), rejects.reason
    assert got.source_epsg == epsg
    assert np.hypot(got.x - e, got.y - n).max() < 0.01


@PROPERTY
@given(kielce_points)
def test_swapped_coordinates_are_refused_with_the_projects_error(points):
    """Northing in the x column: the whole file is refused, saying the columns look swapped."""
    table, mapping = _table(SOURCE_COLUMNS[2180], [f"{p[1]:.2f}" for p in points], [f"{p[0]:.2f}" for p in points])
    with pytest.raises(MsipError, match="swapped"):
        locate_points(table, mapping, Rejects(table.name, len(table)), crs=None, extent=KIELCE, what="tree")


@PROPERTY
@given(st.floats(-1e7, 1e7), st.floats(-1e7, 1e7))
def test_detect_epsg_names_a_polish_crs_or_nothing(x, y):
    code = detect_epsg(np.array([x]), np.array([y]))
    assert code in (None, *ACCEPTED_EPSG)


# --- APP GML surfaces ----------------------------------------------------------------------------

SRS_FORMS = {
    "urn": ("urn:ogc:def:crs:EPSG::{c}", True),
    "uri": ("http://www.opengis.net/def/crs/EPSG/0/{c}", True),
    "legacy": ("EPSG:{c}", False),
}


@st.composite
def polygons_2180(draw) -> Polygon:
    """A simple star-shaped polygon (5–12 vertices, 5–300 m) inside Kielce, in EPSG:2180."""
    cx = draw(st.floats(KIELCE.minx + 3000, KIELCE.maxx - 3000))
    cy = draw(st.floats(KIELCE.miny + 3000, KIELCE.maxy - 3000))
    n = draw(st.integers(5, 12))
    radii = draw(st.lists(st.floats(5, 300), min_size=n, max_size=n))
    angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * np.pi), min_size=n, max_size=n, unique=True))))
    assume(np.diff(np.r_[angles, angles[0] + 2 * np.pi]).min() > 0.05)
    ring = [(cx + r * math.cos(a), cy + r * math.sin(a)) for r, a in zip(radii, angles, strict=False)]
    return Polygon(ring)


def gml_polygon(poly: Polygon, epsg: int, form: str, *, decimals: int = 4) -> str:
    template, northing_first = SRS_FORMS[form]
    xy = np.asarray(poly.exterior.coords)
    x, y = (xy[:, 0], xy[:, 1]) if epsg == 2180 else Transformer.from_crs(2180, epsg, always_xy=True).transform(
        xy[:, 0], xy[:, 1])
    pairs = zip(y, x, strict=False) if northing_first else zip(x, y, strict=False)
    pos = " ".join(f"{a:.{decimals}f} {b:.{decimals}f}" for a, b in pairs)
    return (f'<gml:Polygon xmlns:gml="{GML}" gml:id="p1" srsName="{template.format(c=epsg)}" srsDimension="2">'
            f"<gml:exterior><gml:LinearRing><gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior>"
            "</gml:Polygon>")


@PROPERTY
@given(polygons_2180(), st.sampled_from([2180, 2176, 2177, 2178, 2179]), st.sampled_from(sorted(SRS_FORMS)))
def test_gml_polygons_round_trip(poly, epsg, form):
    geom, source_epsg, notes = surface_to_storage(etree.fromstring(gml_polygon(poly, epsg, form)))
    assert source_epsg == epsg and notes == []
    assert len(geom.geoms) == 1
    back = geom.geoms[0]
    assert shapely.equals_exact(back, poly, tolerance=0.01), (back.wkt, poly.wkt)


@PROPERTY
@given(polygons_2180(), st.sampled_from(["drop", "word", "nan", "comma", "no_srs", "bad_srs", "short", "nothing"]))
def test_malformed_gml_fragments_raise_the_projects_error(poly, damage):
    text = gml_polygon(poly, 2180, "uri")
    head, pos, tail = text.partition("<gml:posList>")
    numbers_, end, rest = tail.partition("</gml:posList>")
    values = numbers_.split()
    if damage == "drop":
        values = values[:-1]
    elif damage == "word":
        values[3] = "abc"
    elif damage == "nan":
        values[2] = "NaN"
    elif damage == "comma":
        values[1] = values[1].replace(".", ",")
    elif damage == "short":
        values = values[:4]
    elif damage == "nothing":
        values = []
    fragment = head + pos + " ".join(values) + end + rest
    if damage == "no_srs":
        fragment = fragment.replace(' srsName="http://www.opengis.net/def/crs/EPSG/0/2180"', "")
    if damage == "bad_srs":
        fragment = fragment.replace("EPSG/0/2180", "EPSG/0/3857")
    with pytest.raises(MsipError, match=r"posList|srsName|ring|EPSG:3857"):
        surface_to_storage(etree.fromstring(fragment))


@PROPERTY
@given(st.text(alphabet="0123456789 .,-eE\tNaIf", max_size=60))
def test_any_poslist_text_parses_or_raises_the_projects_error(pos):
    fragment = (f'<gml:Polygon xmlns:gml="{GML}" srsName="EPSG:2180"><gml:exterior><gml:LinearRing>'
                f"<gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")
    try:
        geom, _, _ = surface_to_storage(etree.fromstring(fragment))
    except MsipError:
        return
    assert np.isfinite(np.asarray(geom.geoms[0].exterior.coords)).all()
