"""The local plan as an APP 2.0 GML FeatureCollection (EPSG:2178, northing-easting order)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyproj
import shapely
from lxml import etree
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from msip.sample_world.constants import EPSG, EPSG_GML
from msip.sample_world.world.model import PlanZone, World

NS = {
    "app": "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0",
    "gml": "http://www.opengis.net/gml/3.2",
    "wfs": "http://www.opengis.net/wfs/2.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
SCHEMA_LOCATION = (
    f"{NS['app']} {NS['app']}/planowaniePrzestrzenne_2_0.xsd "
    "http://www.opengis.net/gml/3.2 http://schemas.opengis.net/gml/3.2.1/gml.xsd "
    "http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd"
)
SRS_NAME = f"http://www.opengis.net/def/crs/EPSG/0/{EPSG_GML}"
CODELIST = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist"
KPT = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-"
INSPIRE = "http://inspire.ec.europa.eu/codelist"
APP_ID_ROOT = "https://www.gov.pl/zagospodarowanieprzestrzenne/app"

NAMESPACE_ID = "PL.ZIPPZP.2761/266101-MPZP"
PLAN_LOCAL_ID = "1MPZP"
VERSION_ID = "20231120T100000"
VERSION_START = "2023-11-20T10:00:00Z"
IN_FORCE_FROM = "2023-12-15"
PLAN_TITLE = "Miejscowy plan zagospodarowania przestrzennego „Kielce – Śródmieście Zachód”"

ZONE_KIND: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "SW": (
        "strefaWielofunkcyjnaZZabudowaMieszkaniowaWielorodzinna",
        "strefa wielofunkcyjna z zabudową mieszkaniową wielorodzinną",
        ("MW", "U", "K", "ZP", "ZD", "I"),
    ),
    "SJ": (
        "strefaWielofunkcyjnaZZabudowaMieszkaniowaJednorodzinna",
        "strefa wielofunkcyjna z zabudową mieszkaniową jednorodzinną",
        ("MN", "U", "K", "ZP", "ZD", "I"),
    ),
    "SU": ("strefaUslugowa", "strefa usługowa", ("U", "K", "ZP", "ZD", "I")),
    "SH": (
        "strefaHandluWielkopowierzchniowego",
        "strefa handlu wielkopowierzchniowego",
        ("H", "K", "ZP", "ZD", "I"),
    ),
    "SP": ("strefaGospodarcza", "strefa gospodarcza", ("P", "K", "ZP", "ZD", "I")),
    "SN": (
        "strefaZieleniIRekreacji",
        "strefa zieleni i rekreacji",
        ("ZP", "ZB", "W", "K", "ZD", "I"),
    ),
    "SO": ("strefaOtwarta", "strefa otwarta", ("ZP", "W", "ZD", "I")),
    "SK": ("strefaKomunikacyjna", "strefa komunikacyjna", ("KDG", "KO", "ZD", "I")),
}
KPT_TITLES = {
    "MW": "teren zabudowy mieszkaniowej wielorodzinnej",
    "MN": "teren zabudowy mieszkaniowej jednorodzinnej",
    "U": "teren usług",
    "K": "teren komunikacji",
    "ZP": "teren zieleni urządzonej",
    "ZD": "teren ogrodów działkowych",
    "I": "teren infrastruktury technicznej",
    "H": "teren handlu wielkopowierzchniowego",
    "P": "teren produkcji",
    "ZB": "teren plaży",
    "W": "teren wód",
    "KDG": "teren drogi głównej",
    "KO": "teren obsługi komunikacji",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _sub(parent: etree._Element, prefix: str, name: str, text: str | None = None, **attrs: str):
    el = etree.SubElement(parent, _q(prefix, name))
    for key, value in attrs.items():
        p, _, local = key.partition("_")
        el.set(_q(p, local) if local else key, value)
    if text is not None:
        el.text = text
    return el


class _Projector:
    """EPSG:2180 → EPSG:2178 and the 'northing easting' posList text."""

    def __init__(self) -> None:
        self.tr = pyproj.Transformer.from_crs(EPSG, EPSG_GML, always_xy=True)

    def pos_list(self, ring_coords) -> str:
        xs, ys = zip(*ring_coords, strict=True)
        east, north = self.tr.transform(list(xs), list(ys))
        return " ".join(f"{n:.3f} {e:.3f}" for e, n in zip(east, north, strict=True))

    def polygon(self, parent: etree._Element, poly: Polygon, with_srs: bool) -> None:
        attrs = {"srsDimension": "2", "srsName": SRS_NAME} if with_srs else {}
        gpoly = _sub(parent, "gml", "Polygon", **attrs)
        poly = orient(poly, 1.0)
        ring = _sub(_sub(gpoly, "gml", "exterior"), "gml", "LinearRing")
        _sub(ring, "gml", "posList", self.pos_list(poly.exterior.coords))
        for hole in poly.interiors:
            ring = _sub(_sub(gpoly, "gml", "interior"), "gml", "LinearRing")
            _sub(ring, "gml", "posList", self.pos_list(hole.coords))


@dataclass(frozen=True)
class PlanMeta:
    """Identity of one plan act: local id, title, plan type code and title, hierarchy level."""

    local_id: str = PLAN_LOCAL_ID
    title: str = PLAN_TITLE
    plan_type: str = "miejscowyPlanZagospodarowaniaPrzestrzennego"
    plan_type_title: str = "miejscowy plan zagospodarowania przestrzennego"
    level: str = "local"
    level_title: str = "lokalny"


def _identity(feature: etree._Element, ftype: str, local_id: str) -> None:
    ident = f"{APP_ID_ROOT}/{ftype}/{NAMESPACE_ID}/{local_id}/{VERSION_ID}"
    _sub(feature, "gml", "identifier", ident, codeSpace=APP_ID_ROOT)
    ii = _sub(_sub(feature, "app", "idIIP"), "app", "Identyfikator")
    _sub(ii, "app", "przestrzenNazw", NAMESPACE_ID)
    _sub(ii, "app", "lokalnyId", local_id)
    _sub(ii, "app", "wersjaId", VERSION_ID)


def _gml_id(local_id: str) -> str:
    return f"{NAMESPACE_ID.replace('/', '_')}_{local_id}_{VERSION_ID}"


def plan_reference(local_id: str = PLAN_LOCAL_ID) -> str:
    """The identifier zones use in ``app:plan`` to point at the act."""
    return f"{APP_ID_ROOT}/AktPlanowaniaPrzestrzennego/{NAMESPACE_ID}/{local_id}"


def write_plan_gml(
    world: World, path: Path, zones: list[PlanZone] | None = None, meta: PlanMeta | None = None
) -> None:
    """One AktPlanowaniaPrzestrzennego and its StrefaPlanistyczna zones (default: the world's
    plan zones, as the template sizes' one local plan)."""
    zones = world.plan_zones if zones is None else zones
    meta = meta or PlanMeta()
    proj = _Projector()
    root = etree.Element(_q("wfs", "FeatureCollection"), nsmap=NS)
    root.set(_q("xsi", "schemaLocation"), SCHEMA_LOCATION)
    root.set("timeStamp", VERSION_START)
    root.set("numberReturned", str(1 + len(zones)))
    root.set("numberMatched", "unknown")

    act = _sub(_sub(root, "wfs", "member"), "app", "AktPlanowaniaPrzestrzennego")
    act.set(_q("gml", "id"), _gml_id(meta.local_id))
    _identity(act, "AktPlanowaniaPrzestrzennego", meta.local_id)
    _sub(act, "app", "poczatekWersjiObiektu", VERSION_START)
    _sub(act, "app", "tytul", meta.title)
    _sub(
        act,
        "app",
        "typPlanu",
        xlink_href=f"{CODELIST}/TypAktuPlanowaniaPrzestrzennegoKod/{meta.plan_type}",
        xlink_title=meta.plan_type_title,
    )
    _sub(
        act,
        "app",
        "poziomHierarchii",
        xlink_href=f"{INSPIRE}/LevelOfSpatialPlanValue/{meta.level}",
        xlink_title=meta.level_title,
    )
    _sub(act, "app", "obowiazujeOd", IN_FORCE_FROM)
    _sub(
        act,
        "app",
        "status",
        xlink_href=f"{INSPIRE}/ProcessStepGeneralValue/legalForce",
        xlink_title="prawnie wiążący",
    )
    _sub(act, "app", "modyfikacja", "false")
    ms = _sub(
        _sub(act, "app", "zasiegPrzestrzenny"),
        "gml",
        "MultiSurface",
        srsDimension="2",
        srsName=SRS_NAME,
    )
    outline = shapely.union_all([z.polygon for z in zones])
    for part in shapely.get_parts(outline):
        proj.polygon(_sub(ms, "gml", "surfaceMember"), part, with_srs=False)

    for z in zones:
        _zone(root, z, proj, meta.local_id)
    _identify_geometries(root)
    etree.ElementTree(root).write(
        str(path), xml_declaration=True, encoding="utf-8", pretty_print=True
    )


def _identify_geometries(root: etree._Element) -> None:
    """GML 3.2.1 requires a gml:id on every geometry; number them in document order."""
    n = 0
    for el in root.iter(_q("gml", "MultiSurface"), _q("gml", "Polygon")):
        if el.get(_q("gml", "id")) is None:
            n += 1
            el.set(_q("gml", "id"), f"geom_{n}")


def _zone(root: etree._Element, z: PlanZone, proj: _Projector, plan_id: str = PLAN_LOCAL_ID) -> None:
    local_id = f"{plan_id}-{z.oznaczenie}"
    el = _sub(_sub(root, "wfs", "member"), "app", "StrefaPlanistyczna")
    el.set(_q("gml", "id"), _gml_id(local_id))
    _identity(el, "StrefaPlanistyczna", local_id)
    _sub(el, "app", "oznaczenie", z.oznaczenie)
    _sub(el, "app", "symbol", z.symbol)
    _sub(el, "app", "poczatekWersjiObiektu", VERSION_START)
    _sub(el, "app", "obowiazujeOd", IN_FORCE_FROM)
    _sub(
        el,
        "app",
        "status",
        xlink_href=f"{INSPIRE}/ProcessStepGeneralValue/legalForce",
        xlink_title="prawnie wiążący",
    )
    _sub(
        el,
        "app",
        "charakterUstalenia",
        xlink_href="https://inspire.ec.europa.eu/codelist/RegulationNatureValue/generallyBinding",
        xlink_title="ogólnie wiążące",
    )
    proj.polygon(_sub(el, "app", "geometria"), z.polygon, with_srs=True)
    _sub(el, "app", "plan", xlink_href=plan_reference(plan_id))
    code, title, profiles = ZONE_KIND[z.symbol]
    _sub(
        el,
        "app",
        "nazwa",
        xlink_href=f"{CODELIST}/RodzajStrefyPlanistycznejKod/{code}",
        xlink_title=title,
    )
    for p in profiles:
        _sub(el, "app", "profilPodstawowy", xlink_href=f"{KPT}{p}", xlink_title=KPT_TITLES[p])
    if z.max_intensity is not None:
        _sub(el, "app", "maksNadziemnaIntensywnoscZabudowy", f"{z.max_intensity:.1f}")
    if z.max_built_share_pct is not None:
        _sub(el, "app", "maksUdzialPowierzchniZabudowy", f"{z.max_built_share_pct:.1f}")
    if z.max_height_m is not None:
        _sub(el, "app", "maksWysokoscZabudowy", f"{z.max_height_m:.1f}", uom="m")
    if z.min_bio_share_pct is not None:
        _sub(el, "app", "minUdzialPowierzchniBiologicznieCzynnej", f"{z.min_bio_share_pct:.1f}")
