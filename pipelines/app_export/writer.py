"""A stored plan as an APP GML 2.0 wfs:FeatureCollection: the act, its documents, its drawing and its zones.

Properties are written in the order of planowaniePrzestrzenne_2_0.xsd; values come from the
columns the loader filled (code lists are written back as their href with the title kept) and,
for everything else, from the `attributes` the loader kept as read. Geometries go back into the
plan's declared CRS and GML axis order through `pipelines.readers.gml_geometry.surface_to_gml`.
What the loader does not keep is rebuilt and said so in `AppExport.notes`.
Longer than ~300 lines because the four feature types' property orders and builders are read together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from pipelines.app_export.plan import PlanData
from pipelines.readers.gml_geometry import GML, srs_uri, surface_to_gml

APP = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
NS = {
    "app": APP,
    "gml": GML,
    "wfs": "http://www.opengis.net/wfs/2.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
}
SCHEMA_LOCATION = (
    f"{APP} {APP}/planowaniePrzestrzenne_2_0.xsd http://www.opengis.net/gml/3.2 "
    "http://schemas.opengis.net/gml/3.2.1/gml.xsd http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd"
)
APP_ID_ROOT = "https://www.gov.pl/zagospodarowanieprzestrzenne/app"
CODELIST = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist"
INSPIRE = "http://inspire.ec.europa.eu/codelist"
KPT = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/ontology/KPT#KPT-MPZP-"
#: Property order of each feature type (planowaniePrzestrzenne_2_0.xsd).
ORDER_TEXT = {
    "AktPlanowaniaPrzestrzennego": (
        "idIIP poczatekWersjiObiektu koniecWersjiObiektu tytul tytulAlternatywny typPlanu poziomHierarchii "
        "obowiazujeOd obowiazujeDo status zmiana modyfikacja mapaPodkladowa zasiegPrzestrzenny dokument "
        "dokumentPrzystepujacy dokumentUchwalajacy dokumentZmieniajacy dokumentUchylajacy "
        "dokumentUniewazniajacy rysunek wydzielenie regulacja"
    ),
    "StrefaPlanistyczna": (
        "idIIP oznaczenie symbol poczatekWersjiObiektu koniecWersjiObiektu obowiazujeOd obowiazujeDo status "
        "charakterUstalenia geometria plan nazwa nazwaAlternatywna profilPodstawowy profilDodatkowy "
        "maksNadziemnaIntensywnoscZabudowy maksUdzialPowierzchniZabudowy maksWysokoscZabudowy "
        "minUdzialPowierzchniBiologicznieCzynnej"
    ),
    "DokumentFormalny": (
        "idIIP tytul nazwaSkrocona numerIdentyfikacyjny organUstanawiajacy data dataWejsciaWZycie "
        "dataUchylenia szczegoloweOdniesienie dziennikUrzedowy lacze uchwala przystapienie zmienia uchyla "
        "uniewaznia"
    ),
    "RysunekAktuPlanowaniaPrzestrzennego": (
        "idIIP poczatekWersjiObiektu koniecWersjiObiektu tytul lacze legenda ukladOdniesieniaPrzestrzennego "
        "rozdzielczoscPrzestrzenna opis obowiazujeOd obowiazujeDo plan"
    ),
}
ORDER = {ftype: text.split() for ftype, text in ORDER_TEXT.items()}
#: Object-valued properties → the APP class inside them (the loader keeps only the object's members).
OBJECT_CLASS = {"mapaPodkladowa": "MapaPodkladowa"}
STATUS_TITLES = {
    "elaboration": "w opracowaniu",
    "adoption": "przyjęcie",
    "legalForce": "prawnie wiążący",
    "obsolete": "nieaktualny",
}
NATURE_TITLES = {
    "generallyBinding": "ogólnie wiążące",
    "bindingOnlyForAuthorities": "wiążące tylko dla władz",
    "bindingForDevelopers": "wiążące dla inwestorów",
    "nonBinding": "niewiążące",
    "definedInLegislation": "określone w przepisach",
}
LEVEL_TITLES = {
    "national": "krajowy",
    "regional": "regionalny",
    "local": "lokalny",
    "infraLocal": "sublokalny",
    "supraLocal": "ponadlokalny",
    "supraRegional": "ponadregionalny",
}
INDICATORS = {
    "maksNadziemnaIntensywnoscZabudowy": "max_above_ground_intensity",
    "maksUdzialPowierzchniZabudowy": "max_building_coverage_pct",
    "maksWysokoscZabudowy": "max_height_m",
    "minUdzialPowierzchniBiologicznieCzynnej": "min_biologically_active_pct",
}


@dataclass(frozen=True)
class Ref:
    """An xlink reference (code-list value or link to another APP object)."""

    href: str
    title: str | None = None


@dataclass(frozen=True)
class DrawingLink:
    """The plan's drawing as the export references it (app:RysunekAktuPlanowaniaPrzestrzennego)."""

    url: str
    scale_denominator: int
    local_id_suffix: str = "RYS-MSIP"


@dataclass
class AppExport:
    """The written dataset: the XML tree, member counts and what had to be rebuilt or left out."""

    tree: etree._ElementTree
    zones: int = 0
    documents: int = 0
    notes: list[str] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        return etree.tostring(self.tree, xml_declaration=True, encoding="utf-8", pretty_print=True)


def plan_href(ns: str, local_id: str) -> str:
    """The identifier other APP objects use in xlink:href to point at act `ns`/`local_id`."""
    return f"{APP_ID_ROOT}/AktPlanowaniaPrzestrzennego/{ns}/{local_id}"


def _ncname(text: str) -> str:
    """A valid gml:id (an XML NCName) from an identifier."""
    out = re.sub(r"[^A-Za-z0-9._-]", "_", text)
    return out if re.match(r"[A-Za-z_]", out) else f"_{out}"


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _version_start(version_id: str) -> str | None:
    """'20250731T131916' → '2025-07-31T13:19:16Z' (APP wersjaId is the version's start), else None."""
    m = re.fullmatch(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)", version_id or "")
    return f"{m[1]}-{m[2]}-{m[3]}T{m[4]}:{m[5]}:{m[6]}Z" if m else None


class _Builder:
    """Writes features into one FeatureCollection, keeping gml:ids unique and collecting notes."""

    def __init__(self, data: PlanData, notes: list[str]) -> None:
        self.data, self.notes, self.ids = data, notes, set[str]()
        self.root = etree.Element(f"{{{NS['wfs']}}}FeatureCollection", nsmap=NS)
        self.root.set(f"{{{NS['xsi']}}}schemaLocation", SCHEMA_LOCATION)

    def gml_id(self, row: dict[str, Any]) -> str:
        base = _ncname(row.get("gml_id") or f"{row['iip_namespace']}_{row['local_id']}_{row['version_id']}")
        ident, n = base, 1
        while ident in self.ids:
            n += 1
            ident = f"{base}_{n}"
        self.ids.add(ident)
        return ident

    def feature(self, ftype: str, row: dict[str, Any], values: dict[str, list[Any]], gid: str | None = None) -> None:
        """Append one member; `gid` is the feature's gml:id when its geometry's ids were made from it."""
        el = etree.SubElement(etree.SubElement(self.root, f"{{{NS['wfs']}}}member"), f"{{{APP}}}{ftype}")
        gid = gid or self.gml_id(row)
        el.set(f"{{{GML}}}id", gid)
        ns, local, version = row["iip_namespace"], row["local_id"], row["version_id"]
        ident = etree.SubElement(el, f"{{{GML}}}identifier", codeSpace=APP_ID_ROOT)
        ident.text = "/".join(p for p in (APP_ID_ROOT, ftype, ns, local, version) if p)
        merged = {**self.attribute_values(ftype, row), **{k: v for k, v in values.items() if v}}
        iip = etree.Element(f"{{{APP}}}Identyfikator")
        for name, text in (("przestrzenNazw", ns), ("lokalnyId", local), ("wersjaId", version)):
            if text:
                etree.SubElement(iip, f"{{{APP}}}{name}").text = text
        merged["idIIP"] = [iip]
        for prop in ORDER[ftype]:
            for value in merged.get(prop, []):
                self.value(el, prop, value, gid)

    def attribute_values(self, ftype: str, row: dict[str, Any]) -> dict[str, list[Any]]:
        """The properties the loader kept as read in `attributes`, as writable values."""
        out: dict[str, list[Any]] = {}
        for prop, raw in (row.get("attributes") or {}).items():
            if prop not in ORDER[ftype]:
                self.notes.append(f"{ftype} {row['local_id']}: property {prop} is not in APP 2.0; not written")
                continue
            out[prop] = [self.plain(prop, v) for v in (raw if isinstance(raw, list) else [raw])]
        return out

    @staticmethod
    def plain(prop: str, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"href", "title"}:
            return Ref(value["href"], value["title"])
        if isinstance(value, dict) and set(value) == {"value", "uom"}:
            return (value["value"], value["uom"])
        return value

    def value(self, parent: etree._Element, prop: str, value: Any, gid: str) -> None:
        el = etree.SubElement(parent, f"{{{APP}}}{prop}")
        if isinstance(value, Ref):
            el.set(f"{{{NS['xlink']}}}href", value.href)
            if value.title:
                el.set(f"{{{NS['xlink']}}}title", value.title)
        elif isinstance(value, tuple):  # a measure: (value, uom)
            el.text = _text(value[0])
            el.set("uom", value[1])
        elif isinstance(value, etree._Element):
            el.append(value)
        elif isinstance(value, dict):
            obj = etree.SubElement(el, f"{{{APP}}}{OBJECT_CLASS.get(prop, prop[:1].upper() + prop[1:])}")
            for key, member in value.items():
                etree.SubElement(obj, f"{{{APP}}}{key}").text = _text(member)
        else:
            el.text = _text(value)


def _ref(base: str, code: str | None, titles: dict[str, str] | None = None, title: str | None = None) -> list[Ref]:
    return [Ref(f"{base}/{code}", title or (titles or {}).get(code))] if code else []


def _one(value: Any) -> list[Any]:
    return [] if value is None else [value]


def build_app(data: PlanData, *, drawing: DrawingLink | None = None, timestamp: datetime | None = None) -> AppExport:
    """The APP GML 2.0 dataset of `data`, with an app:RysunekAktuPlanowaniaPrzestrzennego for `drawing`."""
    notes: list[str] = []
    b = _Builder(data, notes)
    p, epsg = data.plan, data.epsg
    href = plan_href(p["iip_namespace"], p["local_id"])
    act_id = b.gml_id(p)
    b.feature(
        "AktPlanowaniaPrzestrzennego",
        p,
        {
            "poczatekWersjiObiektu": _one(p["version_start"]),
            "tytul": [p["title"]],
            "typPlanu": _ref(
                f"{CODELIST}/TypAktuPlanowaniaPrzestrzennegoKod", p["plan_type"], title=p["plan_type_label"]
            ),
            "poziomHierarchii": _ref(f"{INSPIRE}/LevelOfSpatialPlanValue", p["hierarchy_level"], LEVEL_TITLES),
            "obowiazujeOd": _one(p["valid_from"]),
            "obowiazujeDo": _one(p["valid_to"]),
            "status": _ref(f"{INSPIRE}/ProcessStepGeneralValue", p["status"], title=p["status_label"]),
            "zasiegPrzestrzenny": [surface_to_gml(data.geom, epsg, f"{act_id}-G", multi=True)],
        },
        act_id,
    )
    own = f"{p['local_id']}-{drawing.local_id_suffix}" if drawing else None
    for d in data.documents:
        if d["local_id"] == own and d["iip_namespace"] == p["iip_namespace"]:
            continue  # an earlier export's drawing, loaded back: replaced by this export's
        _document(b, d, p, notes)
    if drawing is not None:
        row = {"iip_namespace": p["iip_namespace"], "local_id": own, "version_id": p["version_id"], "gml_id": None}
        b.feature(
            "RysunekAktuPlanowaniaPrzestrzennego",
            row,
            {
                "poczatekWersjiObiektu": _one(p["version_start"]),
                "tytul": [f"Rysunek: {p['title']} (wygenerowany przez MSIP ze stref planistycznych)"],
                "lacze": [drawing.url],
                "ukladOdniesieniaPrzestrzennego": [srs_uri(epsg)],
                "rozdzielczoscPrzestrzenna": [str(drawing.scale_denominator)],
                "opis": ["Rysunek poglądowy z legendą, z georeferencją (plik world), wygenerowany z geometrii stref."],
                "obowiazujeOd": _one(p["valid_from"]),
                "plan": [Ref(href)],
            },
        )
    rebuilt = 0
    for z, geom in zip(data.zones, data.zone_geoms, strict=True):
        if z["zone_kind"] != "strefa":
            notes.append(f"zone {z['local_id']} ({z['zone_kind']}): APP 2.0 has no feature type for it; not written")
            continue
        start = _version_start(z["version_id"])
        rebuilt += start is None
        gid = b.gml_id(z)
        b.feature(
            "StrefaPlanistyczna",
            z,
            {
                "oznaczenie": _one(z["designation"]),
                "symbol": [z["symbol"]],
                "poczatekWersjiObiektu": [start or _text(p["version_start"])] if start or p["version_start"] else [],
                "obowiazujeOd": _one(z["valid_from"]),
                "obowiazujeDo": _one(z["valid_to"]),
                "status": _ref(f"{INSPIRE}/ProcessStepGeneralValue", z["status"], STATUS_TITLES),
                "charakterUstalenia": _ref(
                    "https://inspire.ec.europa.eu/codelist/RegulationNatureValue", z["legal_nature"], NATURE_TITLES
                ),
                "geometria": [surface_to_gml(geom, epsg, f"{gid}-G", multi=False)],
                "plan": [Ref(href)],
                "nazwa": _ref(f"{CODELIST}/RodzajStrefyPlanistycznejKod", z["name_code"], title=z["name_label"]),
                "profilPodstawowy": [Ref(f"{KPT}{c}") for c in z["profile_basic"] or []],
                "profilDodatkowy": [Ref(f"{KPT}{c}") for c in z["profile_additional"] or []],
                **{prop: _indicator(prop, z[col]) for prop, col in INDICATORS.items()},
            },
            gid,
        )
    if rebuilt:
        notes.append(f"{rebuilt} zones: poczatekWersjiObiektu is not stored; the act's was written")
    members = len(b.root)
    b.root.set("timeStamp", _text(timestamp or datetime.now(UTC).replace(microsecond=0)))
    b.root.set("numberMatched", str(members))
    b.root.set("numberReturned", str(members))
    zones = sum(1 for z in data.zones if z["zone_kind"] == "strefa")
    return AppExport(etree.ElementTree(b.root), zones=zones, documents=len(data.documents), notes=notes)


def _indicator(prop: str, value: Any) -> list[Any]:
    if value is None:
        return []
    return [(value, "m")] if prop == "maksWysokoscZabudowy" else [value]


def _document(b: _Builder, d: dict[str, Any], plan: dict[str, Any], notes: list[str]) -> None:
    refs = [Ref(r) for r in d["plan_refs"] or []]
    if d["document_kind"] == "rysunek":
        b.feature(
            "RysunekAktuPlanowaniaPrzestrzennego",
            d,
            {
                "poczatekWersjiObiektu": _one(plan["version_start"]),
                "tytul": [d["title"]],
                "lacze": _one(d["link"]),
                "obowiazujeOd": _one(d["issued_on"]),
                "plan": refs[:1],
            },
        )
        return
    date_el = None
    if d["issued_on"] is not None:
        date_el = etree.Element(f"{{{NS['gmd']}}}CI_Date")
        etree.SubElement(etree.SubElement(date_el, f"{{{NS['gmd']}}}date"), f"{{{NS['gco']}}}Date").text = _text(
            d["issued_on"]
        )
        code = etree.SubElement(
            etree.SubElement(date_el, f"{{{NS['gmd']}}}dateType"),
            f"{{{NS['gmd']}}}CI_DateTypeCode",
            codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_DateTypeCode",
            codeListValue="publication",
        )
        code.text = "publikacja"
    b.feature(
        "DokumentFormalny",
        d,
        {
            "tytul": [d["title"]],
            "data": _one(date_el),
            "lacze": _one(d["link"]),
            "uchwala": refs,
        },
    )
    notes.append(
        f"DokumentFormalny {d['local_id']}: its plan references are written as app:uchwala and its date "
        "as a publication date (the loader keeps neither the reference kind nor the date type)"
    )
