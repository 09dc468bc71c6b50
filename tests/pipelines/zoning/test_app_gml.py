"""APP GML reading (namespaces, GML 3.2 axis order, refusals) and offline XSD validation.

Longer than ~300 lines on purpose: the APP GML reader's cases (versions, axis orders, geometries,
broken files) share one set of GML snippets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from lxml import etree

from msip.core.errors import ConfigError, CrsError, SourceReadError
from pipelines.readers.gml_geometry import (
    AxisOrder,
    GmlGeometryError,
    axis_order,
    surface_to_storage,
)
from pipelines.zoning.app_gml import APP_NAMESPACES, read_app_gml
from pipelines.zoning.app_schema import find_app_xsd, validate_app_gml
from tests.support.paths import TEST_DATA

DATA = TEST_DATA / "zoning"
APP2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
GML = "http://www.opengis.net/gml/3.2"


def _variant(tmp_path: Path, old: str, new: str, name: str = "variant.gml") -> Path:
    out = tmp_path / name
    out.write_text(
        (DATA / "kielce_plan.gml").read_text(encoding="utf-8").replace(old, new), encoding="utf-8"
    )
    return out


@pytest.mark.parametrize(
    "srs, epsg, northing_first",
    [
        ("http://www.opengis.net/def/crs/EPSG/0/2178", 2178, True),
        ("urn:ogc:def:crs:EPSG::2180", 2180, True),
        ("https://www.opengis.net/def/crs/EPSG/0/4326", 4326, True),
        ("EPSG:2180", 2180, False),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, False),
    ],
)
def test_axis_order_follows_the_srs_name_form(srs, epsg, northing_first):
    assert axis_order(srs) == AxisOrder(epsg, northing_first)


@pytest.mark.parametrize(
    "srs, reason",
    [
        ("http://www.opengis.net/def/crs/EPSG/0/3857", "EPSG:3857 is not accepted"),
        ("urn:x-local:crs:kielce", "is not understood"),
    ],
)
def test_unusable_srs_names_are_refused(srs, reason):
    with pytest.raises(CrsError, match=reason):
        axis_order(srs)


@pytest.mark.parametrize(
    "folder, name, epsg, bounds",
    [
        # Gdańsk: E 460 000–500 000, N 710 000–745 000 in EPSG:2180 (swapped axes would land in the sea off Africa).
        (
            "pog_gdansk_226101",
            "AktPlanowaniaPrzestrzennego.gml",
            2177,
            (460_000, 710_000, 500_000, 745_000),
        ),
        (
            "pog_gmina_321202",
            "AktPlanowaniaPrzestrzennego.gml",
            2176,
            (200_000, 570_000, 230_000, 600_000),
        ),
        (
            "pog_test_121201",
            "AktPlanowaniaPrzestrzennego.gml",
            2178,
            (515_000, 260_000, 535_000, 280_000),
        ),
    ],
)
def test_real_acts_land_where_they_belong(shared_data, folder, name, epsg, bounds):
    doc = read_app_gml(shared_data / "zoning" / folder / name)
    assert doc.members == 1 and not doc.problems
    act = doc.features[0]
    assert act.feature_type == "AktPlanowaniaPrzestrzennego" and act.source_epsg == epsg
    minx, miny, maxx, maxy = act.geometry.bounds
    assert bounds[0] < minx < maxx < bounds[2] and bounds[1] < miny < maxy < bounds[3]


def test_gdansk_act_keeps_all_rings_and_attributes(shared_data):
    act = read_app_gml(
        shared_data / "zoning" / "pog_gdansk_226101" / "AktPlanowaniaPrzestrzennego.gml"
    ).features[0]
    assert act.text("tytul") == "Plan ogólny gminy miasta Gdańska"
    assert act.iip == {
        "przestrzenNazw": "PL.ZIPPZP.9389/226101-POG",
        "lokalnyId": "1POG",
        "wersjaId": "20240411T000000",
    }
    assert act.ref("status").title == "w opracowaniu"
    assert len(act.geometry.geoms) == 6
    assert sum(len(p.interiors) for p in act.geometry.geoms) == 16


def test_real_zone_file_holds_28_zones_with_indicators(shared_data):
    doc = read_app_gml(shared_data / "zoning" / "pog_gmina_321202" / "StrefaPlanistyczna.gml")
    assert len(doc.features) == 28 and not doc.problems
    symbols = {f.text("symbol") for f in doc.features}
    assert {"SC", "SG", "SH", "SJ", "SK", "SN", "SO", "SP", "SR", "SU"} <= symbols
    first = doc.features[0]
    assert (
        first.text("symbol"),
        first.text("maksNadziemnaIntensywnoscZabudowy"),
        first.text("maksWysokoscZabudowy"),
    ) == ("SZ", "0.8", "15.0")


@pytest.mark.parametrize("namespace", list(APP_NAMESPACES))
def test_all_three_app_namespaces_are_read(tmp_path, namespace):
    doc = read_app_gml(_variant(tmp_path, APP2, namespace))
    assert [f.feature_type for f in doc.features] == [
        "AktPlanowaniaPrzestrzennego",
        "DokumentFormalny",
        "RysunekAktuPlanowaniaPrzestrzennego",
        "StrefaPlanistyczna",
        "StrefaPlanistyczna",
        "StrefaPlanistyczna",
    ]
    assert {f.namespace for f in doc.features} == {namespace}


def test_urn_and_uri_srs_names_give_the_same_geometry(tmp_path):
    uri = read_app_gml(DATA / "kielce_plan.gml").features[0].geometry
    urn = (
        read_app_gml(
            _variant(
                tmp_path, "http://www.opengis.net/def/crs/EPSG/0/2178", "urn:ogc:def:crs:EPSG::2178"
            )
        )
        .features[0]
        .geometry
    )
    assert shapely.equals_exact(uri, urn, tolerance=1e-6)
    assert uri.bounds == pytest.approx((614000, 334600, 614400, 335000), abs=0.02)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b""), r"is empty \(0 bytes\)"),
        (
            lambda p: p.write_bytes((DATA / "kielce_plan.gml").read_bytes()[:3000]),
            r"not well-formed XML at line \d+, column \d+.*truncated",
        ),
        (
            lambda p: p.write_text("<FeatureCollection/>"),
            "root element is FeatureCollection, not wfs:FeatureCollection",
        ),
        (
            lambda p: p.write_text(
                (DATA / "kielce_plan.gml")
                .read_text(encoding="utf-8")
                .replace(APP2, "https://example.org/app/3.0"),
                encoding="utf-8",
            ),
            r"no feature in an APP namespace \(found: https://example.org/app/3.0\)",
        ),
    ],
)
def test_unusable_files_are_refused_with_the_reason(tmp_path, make, message):
    path = tmp_path / "plan.gml"
    make(path)
    with pytest.raises(SourceReadError, match=message):
        read_app_gml(path)


def _geometry(xml: str):
    elem = etree.fromstring(f'<root xmlns:gml="{GML}">{xml}</root>')[0]
    return surface_to_storage(elem)


RING = "5636929.96 7473288.83 5636919.12 7473688.87 5637319.16 7473699.71 5636929.96 7473288.83"
SRS = 'srsName="http://www.opengis.net/def/crs/EPSG/0/2178"'


@pytest.mark.parametrize(
    "xml",
    [
        (
            f"<gml:Polygon {SRS}><gml:exterior><gml:LinearRing><gml:posList>{RING}</gml:posList>"
            "</gml:LinearRing></gml:exterior></gml:Polygon>"
        ),
        (
            f"<gml:Surface {SRS}><gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>{RING}"
            "</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface>"
        ),
        f"<gml:MultiSurface {SRS}><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>"
        + "".join(f"<gml:pos>{' '.join(RING.split()[i : i + 2])}</gml:pos>" for i in range(0, 8, 2))
        + "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface>",
    ],
)
def test_polygon_surface_and_pos_forms_read_alike(xml):
    geom, epsg, notes = _geometry(xml)
    assert epsg == 2178 and not notes
    assert geom.area == pytest.approx(0.5 * 400 * 400, rel=1e-3)


@pytest.mark.parametrize(
    "xml, message",
    [
        (
            (
                f"<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>{RING}</gml:posList></gml:LinearRing>"
                "</gml:exterior></gml:Polygon>"
            ),
            "has no srsName",
        ),
        (
            (
                f"<gml:Polygon {SRS}><gml:exterior><gml:LinearRing><gml:posList>{RING} 5</gml:posList>"
                "</gml:LinearRing></gml:exterior></gml:Polygon>"
            ),
            "not a multiple of srsDimension=2",
        ),
        (
            (
                f"<gml:Polygon {SRS}><gml:exterior><gml:LinearRing>"
                f"<gml:posList>{RING.replace('7473688.87', '7473688,87')}"
                "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
            ),
            "'7473688,87', which is not a number",
        ),
        (
            f"<gml:LineString {SRS}><gml:posList>{RING}</gml:posList></gml:LineString>",
            "is not a surface MSIP reads",
        ),
        (
            f"<gml:Polygon {SRS}><gml:exterior><gml:Ring/></gml:exterior></gml:Polygon>",
            "reads gml:LinearRing rings only",
        ),
    ],
)
def test_unreadable_geometries_say_why(xml, message):
    with pytest.raises(GmlGeometryError, match=message):
        _geometry(xml)


def test_an_unclosed_ring_is_closed_with_a_note():
    open_ring = " ".join([*RING.split()[:-2], "5637330.00", "7473299.66"])
    _, _, notes = _geometry(
        f"<gml:Polygon {SRS}><gml:exterior><gml:LinearRing><gml:posList>{open_ring}"
        "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
    )
    assert notes and "was not closed" in notes[0]


# --- offline XSD validation -------------------------------------------------------------------


def test_fixture_is_valid_against_the_official_xsd(shared_data):
    report = validate_app_gml(DATA / "kielce_plan.gml", schema_dir=shared_data / "zoning")
    assert report.ok, report.errors
    assert report.xsd.name == "planowaniePrzestrzenne_2_0.xsd"
    assert "gml:id" in report.validated and "gmd:CI_Date" in report.not_validated


def test_real_plugin_files_lack_gml_ids_on_geometries(shared_data):
    report = validate_app_gml(
        shared_data / "zoning" / "pog_test_121201" / "AktPlanowaniaPrzestrzennego.gml",
        schema_dir=shared_data / "zoning",
    )
    assert report.error_count == 2
    assert all("missing required attribute" in e and "gml/3.2}id" in e for e in report.errors)


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "<app:obowiazujeOd>2025-02-01</app:obowiazujeOd>",
            "<app:obowiazujeOd>2025-13-01</app:obowiazujeOd>",
            "2025-13-01",
        ),
        (
            '<app:maksWysokoscZabudowy uom="m">12.5</app:maksWysokoscZabudowy>',
            "<app:maksWysokoscZabudowy>12.5</app:maksWysokoscZabudowy>",
            "uom",
        ),
        ("<app:tytul>Plan ogólny miasta Kielce (fixture)</app:tytul>", "", "typPlanu"),
    ],
)
def test_schema_errors_name_the_line(shared_data, tmp_path, old, new, message):
    report = validate_app_gml(_variant(tmp_path, old, new), schema_dir=shared_data / "zoning")
    assert not report.ok
    assert any(message in e and e.startswith("line ") for e in report.errors)


@pytest.mark.parametrize(
    "namespace, folder",
    [
        (APP2, "app_schema_2.0"),
        (
            "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/1.0",
            "app_schema_1.0_final",
        ),
        (
            "http://zagospodarowanieprzestrzenne.gov.pl/schemas/app/1.0",
            "app_schema_1.0_draft_2020-09",
        ),
    ],
)
def test_the_xsd_is_found_by_its_target_namespace(shared_data, namespace, folder):
    assert find_app_xsd(namespace, shared_data / "zoning").parent.name == folder


def test_validation_without_schemas_says_where_to_put_them(tmp_path):
    with pytest.raises(ConfigError, match="no XSD with targetNamespace"):
        validate_app_gml(DATA / "kielce_plan.gml", schema_dir=tmp_path)
