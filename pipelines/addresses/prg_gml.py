"""Streaming reader of PRG address-point GML, model 2012 (prg-ad) and model 2021 (prgad).

Model 2012 (`urn:gugik:specyfikacje:gmlas:panstwowyRejestrGranicAdresy:1.0`): each
`PRG_PunktAdresowy` carries its names as text, the administrative units in four
`jednostkaAdmnistracyjna` elements (sic, the schema's spelling: Polska, voivodeship, county,
commune) and xlinks (`komponent`) to `PRG_JednostkaAdministracyjnaNazwa` (commune TERYT),
`PRG_MiejscowoscNazwa` (SIMC) and `PRG_UlicaNazwa` (ULIC) objects later in the file.
Model 2021 (`https://geoportal.gov.pl/schemas/prgad/1.0`): `AD_PunktAdresowy` holds the
number, postcode and position and links (`miejscowosc`, `ulica2`) to `AD_Miejscowosc` (name,
SIMC, `TERYTGminy`) and `AD_UlicaPlac` (`nazwaPelna`, ULIC). Links are resolved after the pass
(`Units`), since the objects they point to may come later.

Positions follow their srsName (`pipelines.readers.gml_geometry.axis_order`): the URN
`urn:ogc:def:crs:EPSG::2180` of model 2012 is northing first, the plain `EPSG:2180` of model
2021 easting first. Each point also carries its position read the other way round, so that
the location check can say when a file's axes are swapped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from lxml import etree

from msip.core.crs import to_storage
from msip.core.errors import CrsError, RowError, SourceReadError
from pipelines.boundaries.gml import child_text, href_id, iter_features
from pipelines.readers.gml_geometry import AxisOrder, axis_order
from pipelines.readers.validate import Extent, outside_extent_reason

NS_2012 = "urn:gugik:specyfikacje:gmlas:panstwowyRejestrGranicAdresy:1.0"
NS_2021 = "https://geoportal.gov.pl/schemas/prgad/1.0"
MODELS = {NS_2012: "2012", NS_2021: "2021"}
POINT_TYPES = {"PRG_PunktAdresowy", "AD_PunktAdresowy"}
_POSTCODE = re.compile(r"^\d{2}-\d{3}$")
_LEVELS_2012 = {"1poziom": "country", "2poziom": "voivodeship", "3poziom": "county", "4poziom": "commune"}


@dataclass
class AddressPoint:
    """One address point as read: its values, links and position (EPSG:2180, both axis orders)."""

    row: int
    line: int
    model: str
    values: dict[str, object]
    refs: list[str]
    source_epsg: int
    x: float
    y: float
    swapped_x: float | None
    swapped_y: float | None


@dataclass
class Problem:
    """A point that cannot be used, with the reason (already prefixed with file, row and line)."""

    row: int
    reason: str
    raw: dict[str, object]
    source_id: str | None
    field: str | None
    outside: bool = False  # outside the extent: counts towards refusing the whole file


@dataclass
class Units:
    """Linked objects by gml:id: (kind, code, name, commune TERYT) with kind commune/locality/street."""

    rows: dict[str, tuple[str, str | None, str | None, str | None]] = field(default_factory=dict)
    other: int = 0  # features of other types (ignored)
    namespaces: set[str] = field(default_factory=set)


def read_points(
    path: Path, units: Units, *, extent: Extent, swap_axes: bool = False
) -> Iterator[AddressPoint | Problem]:
    """Yield each address point of `path` (or the problem with it), filling `units` on the way."""
    row = 0
    for feature, _ in iter_features(path, "PRG address GML"):
        qname = etree.QName(feature)
        units.namespaces.add(qname.namespace or "")
        model = MODELS.get(qname.namespace or "")
        if model is None:
            units.other += 1
            continue
        if qname.localname not in POINT_TYPES:
            _read_unit(feature, qname.localname, units)
            continue
        row += 1
        found = _Index(feature)
        label = found.text("lokalnyId") or feature.get(_GML_ID)
        prefix = f"{path.name} row {row} (point {label}, line {feature.sourceline})"
        try:
            yield _point(found, model, row, extent, swap_axes)
        except _Outside as exc:
            yield Problem(row, f"{prefix}: {exc}", found.raw(), label, "pozycja", outside=True)
        except ValueError as exc:
            yield Problem(row, f"{prefix}: {exc}", found.raw(), label, getattr(exc, "field", None))


_GML_ID = "{http://www.opengis.net/gml/3.2}id"


class _Outside(ValueError):
    """The position lies outside the extent."""


class _Index:
    """A feature's descendants by local name, gathered in one pass instead of one search per field."""

    def __init__(self, feature: etree._Element):
        self.feature = feature
        self.by_name: dict[str, list[etree._Element]] = {}
        for el in feature.iter():
            if isinstance(el.tag, str) and el is not feature:
                self.by_name.setdefault(el.tag.rpartition("}")[2], []).append(el)

    def first(self, name: str) -> etree._Element | None:
        found = self.by_name.get(name)
        return found[0] if found else None

    def text(self, *names: str) -> str | None:
        for name in names:
            el = self.first(name)
            text = (el.text or "").strip() if el is not None else ""
            if text:
                return text
        return None

    def texts(self, name: str) -> list[str]:
        return [(el.text or "").strip() for el in self.by_name.get(name, [])]

    def refs(self, *names: str) -> list[str]:
        return [r for name in names for el in self.by_name.get(name, []) if (r := href_id(el))]

    def raw(self) -> dict[str, object]:
        """The simple values as text (repeated elements as lists), for the quarantine."""
        out: dict[str, object] = {}
        for name, elements in self.by_name.items():
            values = [v for el in elements if not len(el) and (v := (el.text or "").strip() or href_id(el))]
            if values:
                out[name] = values[0] if len(values) == 1 else values
        point = self.first("Point")
        if point is not None and point.get("srsName"):
            out["srsName"] = point.get("srsName")
        return out


def _point(found: _Index, model: str, row: int, extent: Extent, swap_axes: bool) -> AddressPoint:
    local = found.text("lokalnyId")
    if not local:
        raise RowError("has no idIIP lokalnyId; every PRG point needs its identifier", "idIIP")
    number = found.text("numerPorzadkowy")
    if not number:
        raise RowError("numerPorzadkowy is empty; an address point needs its number", "numerPorzadkowy")
    postcode = found.text("kodPocztowy")
    if postcode is not None and not _POSTCODE.match(postcode):
        raise RowError(f"kodPocztowy={postcode!r} is not a Polish postcode (NN-NNN, e.g. 25-001)", "kodPocztowy")
    admin = found.texts("jednostkaAdmnistracyjna") or found.texts("jednostkaAdministracyjna")
    values: dict[str, object] = {
        "iip_namespace": found.text("przestrzenNazw") or "",
        "local_id": local,
        "version_id": found.text("wersjaId") or "",
        "source_id": found.text("identifier") or found.feature.get(_GML_ID),
        "prg_model": model,
        "commune": admin[3] if len(admin) >= 4 and admin[3] else None,
        "locality": found.text("miejscowosc"),
        "street": found.text("ulica"),
        "house_number": number,
        "postcode": postcode,
        "status": found.text("status"),
        "valid_from": _date(found.text("waznyOd" if model == "2012" else "dataNadania")),
    }
    refs = found.refs("komponent", "miejscowosc", "ulica", "ulica2")
    epsg, x, y, sx, sy = _position(found.first("Point"), swap_axes)
    if not extent.contains(x, y):
        raise _Outside(outside_extent_reason(x, y, extent))
    return AddressPoint(row, found.feature.sourceline or 0, model, values, refs, epsg, x, y, sx, sy)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowError(f"date {text!r} is not a date (YYYY-MM-DD)", "waznyOd") from None


@lru_cache(maxsize=64)
def _axis_order(srs: str) -> AxisOrder:
    return axis_order(srs)


def _position(
    point: etree._Element | None, swap_axes: bool
) -> tuple[int, float, float, float | None, float | None]:
    """(source EPSG, easting, northing in EPSG:2180, and the same read with the axes the other way)."""
    if point is None:
        raise RowError("has no position (pozycja/georeferencja gml:Point)", "pozycja")
    srs = point.get("srsName") or ""
    try:
        order = _axis_order(srs)
    except CrsError as exc:
        raise RowError(f"srsName={srs!r} of gml:Point at line {point.sourceline}: {exc}", "srsName") from None
    pos = child_text(point, "pos") or ""
    try:
        a, b = (float(v) for v in pos.split()[:2])
    except ValueError:
        raise RowError(f"gml:pos={pos!r} is not two numbers (e.g. '456005.14 287772.37')", "pos") from None
    if len(pos.split()) not in (2, 3) or not (math.isfinite(a) and math.isfinite(b)):
        raise RowError(f"gml:pos={pos!r} is not two finite numbers", "pos")
    northing_first = order.northing_first != swap_axes
    east, north = (b, a) if northing_first else (a, b)
    if order.epsg == 2180:
        return 2180, east, north, north, east
    x, y = to_storage(np.array([east, north]), np.array([north, east]), order.epsg)
    swapped = (float(x[1]), float(y[1])) if np.isfinite(x[1]) and np.isfinite(y[1]) else (None, None)
    return order.epsg, float(x[0]), float(y[0]), swapped[0], swapped[1]


def _first_desc(elem: etree._Element, name: str) -> etree._Element | None:
    return next((e for e in elem.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name), None)


def _read_unit(feature: etree._Element, kind: str, units: Units) -> None:
    gml_id = feature.get(_GML_ID)
    if not gml_id:
        return
    if kind == "PRG_JednostkaAdministracyjnaNazwa":
        level = _LEVELS_2012.get(child_text(feature, "poziom") or "")
        if level == "commune":
            units.rows[gml_id] = ("commune", child_text(feature, "idTERYT"), child_text(feature, "nazwa"), None)
    elif kind in ("PRG_MiejscowoscNazwa", "AD_Miejscowosc"):
        code = child_text(feature, "idTERYT", "identyfikatorSIMC")
        units.rows[gml_id] = ("locality", code, child_text(feature, "nazwa"), child_text(feature, "TERYTGminy"))
    elif kind == "PRG_UlicaNazwa":
        name_el = _first_desc(feature, "nazwaGlownaCzesc")
        name_holder = _first_desc(feature, "nazwa")
        code_el = _first_desc(name_holder if name_holder is not None else feature, "idTERYT")
        name = (name_el.text or "").strip() if name_el is not None else child_text(feature, "nazwa")
        prefix = _first_desc(feature, "przedrostek1")
        if prefix is not None and (prefix.text or "").strip():
            name = f"{prefix.text.strip()} {name}"
        units.rows[gml_id] = ("street", (code_el.text or "").strip() if code_el is not None else None, name, None)
    elif kind == "AD_UlicaPlac":
        name = child_text(feature, "nazwaPelna", "TERYTNazwa1")
        units.rows[gml_id] = ("street", child_text(feature, "identyfikatorULIC"), name, None)


def refuse_if_not_prg(path: Path, points: int, units: Units) -> None:
    """SourceReadError when the file held no feature of a PRG address model."""
    if points or units.rows:
        return
    found = ", ".join(sorted(n for n in units.namespaces if n)) or "no features at all"
    raise SourceReadError(
        f"{path.name}: no PRG address point (found: {found}); accepted namespaces: {NS_2012} (model 2012), "
        f"{NS_2021} (model 2021)"
    )
