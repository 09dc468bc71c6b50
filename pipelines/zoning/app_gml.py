"""APP GML reader: wfs:FeatureCollection files of Polish spatial-planning acts (APP 1.0, 2.0, 2020 draft).

`read_app_gml(path)` streams the members of the collection (memory stays flat for city-size
files) and returns every APP feature with its idIIP, properties and EPSG:2180 geometry, or
a `FeatureProblem` saying why one member cannot be used. A file that is not well-formed
XML (truncated, empty) or holds no feature in an APP namespace is refused as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from shapely.geometry import MultiPolygon

from msip.core.errors import CrsError, SourceReadError
from pipelines.readers.gml_geometry import GML, GmlGeometryError, is_geometry, surface_to_storage
from pipelines.readers.sniff import xml_syntax_error

#: Accepted APP namespaces → label. The 2020 draft namespace was used July–September 2020.
APP_NAMESPACES = {
    "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0": "APP 2.0",
    "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/1.0": "APP 1.0",
    "http://zagospodarowanieprzestrzenne.gov.pl/schemas/app/1.0": "APP 1.0 (2020 draft)",
}
WFS = "http://www.opengis.net/wfs/2.0"
XLINK = "http://www.w3.org/1999/xlink"
COLLECTIONS = {f"{{{WFS}}}FeatureCollection", f"{{{GML}}}FeatureCollection"}
#: Member wrappers: each holds one feature (featureMembers may hold several).
MEMBER_TAGS = {f"{{{WFS}}}member", f"{{{GML}}}featureMember", f"{{{GML}}}featureMembers"}


@dataclass(frozen=True)
class Ref:
    """An xlink reference property: code-list value or link to another object."""

    href: str
    title: str | None = None

    @property
    def code(self) -> str:
        """Last segment of the href: '…/ProcessStepGeneralValue/elaboration' → 'elaboration'."""
        return self.href.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if self.href else ""


@dataclass(frozen=True)
class Measure:
    """A number with a unit of measure (gml:LengthType, gml:AreaType)."""

    value: str
    uom: str


Value = str | Ref | Measure | dict


@dataclass
class AppFeature:
    """One APP feature: type, ids, properties (name → values) and geometry in EPSG:2180."""

    row_number: int
    line: int | None
    feature_type: str
    namespace: str
    gml_id: str | None
    props: dict[str, list[Value]]
    geometry: MultiPolygon | None = None
    source_epsg: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def iip(self) -> dict[str, str]:
        """idIIP parts: przestrzenNazw, lokalnyId, wersjaId (missing parts absent)."""
        value = self.first("idIIP")
        return value if isinstance(value, dict) else {}

    @property
    def source_id(self) -> str:
        """'przestrzenNazw/lokalnyId/wersjaId' (or the gml:id when idIIP is missing)."""
        iip = self.iip
        parts = [iip.get("przestrzenNazw"), iip.get("lokalnyId"), iip.get("wersjaId")]
        return "/".join(p for p in parts if p) or (self.gml_id or f"member {self.row_number}")

    def first(self, name: str) -> Value | None:
        values = self.props.get(name)
        return values[0] if values else None

    def text(self, name: str) -> str | None:
        """A text property ('' and absent → None)."""
        value = self.first(name)
        if isinstance(value, Measure):
            return value.value
        return value if isinstance(value, str) and value != "" else None

    def ref(self, name: str) -> Ref | None:
        value = self.first(name)
        return value if isinstance(value, Ref) else None

    def refs(self, name: str) -> list[Ref]:
        return [v for v in self.props.get(name, []) if isinstance(v, Ref)]


@dataclass
class FeatureProblem:
    """A member that cannot be used, with where it is and why."""

    row_number: int
    line: int | None
    reason: str
    source_id: str | None = None
    field: str | None = None
    raw: dict | None = None


@dataclass
class AppDocument:
    """What `read_app_gml` found: features, problem members and the namespaces seen."""

    path: Path
    features: list[AppFeature] = field(default_factory=list)
    problems: list[FeatureProblem] = field(default_factory=list)
    namespaces: set[str] = field(default_factory=set)

    @property
    def members(self) -> int:
        return len(self.features) + len(self.problems)


def read_app_gml(path: Path | str) -> AppDocument:
    """Read an APP GML file; SourceReadError when it is empty, not XML or holds no APP feature."""
    path = Path(path)
    if not path.is_file():
        raise SourceReadError(f"{path}: no such file; give the path of an APP GML file")
    from pipelines.readers.sniff import refuse_unusable_file

    refuse_unusable_file(path, "APP GML")
    doc = AppDocument(path)
    root: etree._Element | None = None
    row = 0
    try:
        for event, elem in etree.iterparse(
            str(path),
            events=("start", "end"),
            huge_tree=True,
            resolve_entities=False,
            no_network=True,
        ):
            if event == "start":
                if root is None:
                    root = elem
                    _check_root(path, root)
                continue
            if elem.getparent() is not root or elem.tag not in MEMBER_TAGS:
                continue
            for feature_elem in (c for c in elem if isinstance(c.tag, str)):
                row += 1
                _read_member(doc, feature_elem, row)
            elem.clear()
            while elem.getprevious() is not None:
                del root[0]
    except etree.XMLSyntaxError as exc:
        raise xml_syntax_error(path, exc) from None
    _check_has_app_features(doc)
    return doc


def _check_root(path: Path, root: etree._Element) -> None:
    if root.tag not in COLLECTIONS:
        raise SourceReadError(
            f"{path.name}: the root element is {root.tag}, not wfs:FeatureCollection; "
            "an APP GML file is a WFS 2.0 FeatureCollection of APP features"
        )


def _check_has_app_features(doc: AppDocument) -> None:
    if doc.features or any(p.field != "namespace" for p in doc.problems):
        return
    found = ", ".join(sorted(doc.namespaces)) or "no features at all"
    accepted = ", ".join(APP_NAMESPACES)
    raise SourceReadError(
        f"{doc.path.name}: no feature in an APP namespace (found: {found}); accepted namespaces: "
        f"{accepted}. Check the xmlns:app declaration of the file"
    )


def _read_member(doc: AppDocument, elem: etree._Element, row: int) -> None:
    qname = etree.QName(elem)
    doc.namespaces.add(qname.namespace or "")
    gml_id = elem.get(f"{{{GML}}}id")
    if qname.namespace not in APP_NAMESPACES:
        doc.problems.append(
            FeatureProblem(
                row,
                elem.sourceline,
                f"{doc.path.name} row {row} ({qname.localname}, line {elem.sourceline}): namespace "
                f"{qname.namespace!r} is not an APP namespace ({', '.join(APP_NAMESPACES)})",
                source_id=gml_id,
                field="namespace",
                raw={"element": elem.tag},
            )
        )
        return
    feature = AppFeature(row, elem.sourceline, qname.localname, qname.namespace, gml_id, {})
    geometry_prop: etree._Element | None = None
    for prop in elem:
        if not isinstance(prop.tag, str) or etree.QName(prop).namespace != qname.namespace:
            continue
        name = etree.QName(prop).localname
        child = next((c for c in prop if isinstance(c.tag, str)), None)
        if child is not None and is_geometry(child):
            geometry_prop = geometry_prop if geometry_prop is not None else prop
            continue
        feature.props.setdefault(name, []).append(_value(prop))
    if geometry_prop is not None:
        try:
            geom_elem = next(c for c in geometry_prop if isinstance(c.tag, str))
            feature.geometry, feature.source_epsg, feature.notes = surface_to_storage(geom_elem)
        except (GmlGeometryError, CrsError) as exc:
            label = feature.iip.get("lokalnyId") or gml_id or "no id"
            doc.problems.append(
                FeatureProblem(
                    row,
                    elem.sourceline,
                    f"{doc.path.name} row {row} ({qname.localname} {label}, line "
                    f"{elem.sourceline}): {exc}",
                    source_id=feature.source_id,
                    field=etree.QName(geometry_prop).localname,
                    raw=raw_values(feature),
                )
            )
            return
    doc.features.append(feature)


def _value(prop: etree._Element) -> Value:
    """A property's value: Ref for xlink properties, Measure with uom, dict for objects, else text."""
    href, title = prop.get(f"{{{XLINK}}}href"), prop.get(f"{{{XLINK}}}title")
    if href is not None or title is not None:
        return Ref(href or "", title)
    children = [c for c in prop if isinstance(c.tag, str)]
    if not children:
        text = (prop.text or "").strip()
        return Measure(text, prop.get("uom")) if prop.get("uom") else text
    return (
        _object(children[0])
        if len(children) == 1
        else {etree.QName(c).localname: _object(c) for c in children}
    )


def _object(elem: etree._Element) -> Value:
    """A nested object (app:Identyfikator, gmd:CI_Date …) as {child name: value}; leaves as text."""
    children = [c for c in elem if isinstance(c.tag, str)]
    if not children:
        code = elem.get("codeListValue")
        return code if code is not None else (elem.text or "").strip()
    return {etree.QName(c).localname: _value(c) for c in children}


def raw_values(feature: AppFeature) -> dict:
    """The feature's properties as JSON-able data for the quarantine."""

    def plain(v: Value) -> object:
        if isinstance(v, Ref):
            return {"href": v.href, "title": v.title}
        if isinstance(v, Measure):
            return {"value": v.value, "uom": v.uom}
        return v

    return {
        "type": feature.feature_type,
        "gml_id": feature.gml_id,
        **{
            k: [plain(v) for v in vs] if len(vs) > 1 else plain(vs[0])
            for k, vs in feature.props.items()
        },
    }
