"""GML 3.2 surfaces (Polygon, Surface, MultiSurface) to EPSG:2180 shapely geometry, minding axis order.

GML 3.2 writes coordinates in the CRS's authority axis order when srsName is a URN or an
opengis.net URI: EPSG:2176–2180 and 4326 are northing/latitude first there, so posList
"5573005.9 7377509.3" in EPSG:2178 is N 5573005.9, E 7377509.3. The legacy forms
"EPSG:2178" and CRS84 are read easting/longitude first, as GeoServer and GDAL do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from lxml import etree
from shapely.geometry import MultiPolygon, Polygon

from msip.core.crs import is_northing_first, parse_epsg, to_storage
from msip.core.errors import CrsError, ValidationError

GML = "http://www.opengis.net/gml/3.2"
SURFACE_TAGS = {f"{{{GML}}}{n}" for n in ("Polygon", "Surface", "MultiSurface", "PolygonPatch")}
#: GML geometry elements that are recognised but not read (no areas, or curved rings).
OTHER_GEOMETRY = (
    "Point",
    "MultiPoint",
    "LineString",
    "Curve",
    "MultiCurve",
    "CompositeSurface",
    "OrientableSurface",
    "Solid",
    "MultiGeometry",
    "Envelope",
)


class GmlGeometryError(ValidationError):
    """A GML geometry that cannot be read; the message names the element, line and fix (a ValueError too)."""


@dataclass(frozen=True)
class AxisOrder:
    """The EPSG code of a srsName and whether its coordinates come northing/latitude first."""

    epsg: int
    northing_first: bool


def axis_order(srs_name: str) -> AxisOrder:
    """EPSG and axis order of a GML srsName; CrsError for unknown or unaccepted CRSs.

    >>> axis_order("http://www.opengis.net/def/crs/EPSG/0/2178")
    AxisOrder(epsg=2178, northing_first=True)
    >>> axis_order("EPSG:2180").northing_first
    False
    """
    epsg = parse_epsg(srs_name)
    text = srs_name.strip().lower()
    if "crs84" in text:
        return AxisOrder(epsg, False)
    if text.startswith(("urn:", "http://", "https://")):
        return AxisOrder(epsg, is_northing_first(epsg))
    return AxisOrder(epsg, False)


def is_geometry(elem: etree._Element) -> bool:
    """True for a GML geometry element (surface or another kind)."""
    if not isinstance(elem.tag, str) or not elem.tag.startswith(f"{{{GML}}}"):
        return False
    return elem.tag in SURFACE_TAGS or etree.QName(elem).localname in OTHER_GEOMETRY


def surface_to_storage(
    elem: etree._Element, default_srs: str | None = None
) -> tuple[MultiPolygon, int, list[str]]:
    """Read a GML surface as an EPSG:2180 MultiPolygon; returns (geometry, source EPSG, notes).

    `default_srs` is the srsName inherited from an enclosing element (e.g. the collection's
    boundedBy). Raises GmlGeometryError (or CrsError for the srsName) with the reason.
    """
    srs = elem.get("srsName") or default_srs
    name = etree.QName(elem).localname
    if not srs:
        raise GmlGeometryError(
            f"gml:{name} (line {elem.sourceline}) has no srsName; add srsName, e.g. "
            'srsName="http://www.opengis.net/def/crs/EPSG/0/2178"'
        )
    try:
        order = axis_order(srs)
    except CrsError as exc:
        raise CrsError(f"srsName={srs!r} of gml:{name} at line {elem.sourceline}: {exc}") from None
    notes: list[str] = []
    polygons = [
        _polygon(p, order, srs, _dimension(elem), notes) for p in _polygon_elements(elem, srs)
    ]
    if not polygons:
        raise GmlGeometryError(f"gml:{name} (line {elem.sourceline}) holds no polygon")
    return MultiPolygon(polygons), order.epsg, notes


def _polygon_elements(elem: etree._Element, srs: str) -> list[etree._Element]:
    """The gml:Polygon / gml:PolygonPatch elements of a surface, checking member srsNames agree."""
    tag = etree.QName(elem).localname
    if tag in ("Polygon", "PolygonPatch"):
        return [elem]
    if tag == "Surface":
        return list(elem.iter(f"{{{GML}}}PolygonPatch"))
    if tag == "MultiSurface":
        out: list[etree._Element] = []
        for member in elem:
            if not isinstance(member.tag, str):
                continue
            for child in member:
                if not isinstance(child.tag, str):
                    continue
                own = child.get("srsName")
                if own and own != srs:
                    raise GmlGeometryError(
                        f"gml:{etree.QName(child).localname} (line {child.sourceline}) has srsName={own!r} "
                        f"inside a MultiSurface in {srs!r}; use one CRS per geometry"
                    )
                if child.tag not in SURFACE_TAGS:
                    raise _unsupported(child)
                out.extend(_polygon_elements(child, srs))
        return out
    raise _unsupported(elem)


def _unsupported(elem: etree._Element) -> GmlGeometryError:
    name = etree.QName(elem).localname
    return GmlGeometryError(
        f"gml:{name} (line {elem.sourceline}) is not a surface MSIP reads; zones and plan "
        "extents must be gml:Polygon, gml:Surface or gml:MultiSurface"
    )


def _dimension(elem: etree._Element) -> int | None:
    value = elem.get("srsDimension")
    return int(value) if value and value.isdigit() else None


def _polygon(
    elem: etree._Element, order: AxisOrder, srs: str, dim: int | None, notes: list[str]
) -> Polygon:
    dim = _dimension(elem) or dim
    rings: list[np.ndarray] = []
    for boundary in elem:
        if not isinstance(boundary.tag, str):
            continue
        kind = etree.QName(boundary).localname
        if kind not in ("exterior", "interior"):
            continue
        ring = next((c for c in boundary if isinstance(c.tag, str)), None)
        if ring is None or ring.tag != f"{{{GML}}}LinearRing":
            what = "nothing" if ring is None else f"gml:{etree.QName(ring).localname}"
            raise GmlGeometryError(
                f"gml:{kind} (line {boundary.sourceline}) holds {what}; MSIP reads gml:LinearRing "
                "rings only (convert arcs and curves to straight segments)"
            )
        xy = _ring_coords(ring, order, dim, notes)
        if kind == "exterior":
            rings.insert(0, xy)
        else:
            rings.append(xy)
    if not rings or elem.find(f"{{{GML}}}exterior") is None:
        raise GmlGeometryError(
            f"gml:{etree.QName(elem).localname} (line {elem.sourceline}) has no gml:exterior ring"
        )
    return Polygon(rings[0], rings[1:])


def _ring_coords(
    ring: etree._Element, order: AxisOrder, dim: int | None, notes: list[str]
) -> np.ndarray:
    """(n, 2) easting/northing array in EPSG:2180 for one gml:LinearRing."""
    pos_list = ring.find(f"{{{GML}}}posList")
    if pos_list is not None:
        dim = _dimension(pos_list) or dim or 2
        text = pos_list.text or ""
        where = pos_list.sourceline
    else:
        positions = ring.findall(f"{{{GML}}}pos")
        if not positions:
            raise GmlGeometryError(
                f"gml:LinearRing (line {ring.sourceline}) has neither gml:posList nor gml:pos; "
                "gml:coordinates (GML 2) is not read"
            )
        dim = _dimension(positions[0]) or dim or len((positions[0].text or "").split()) or 2
        text = " ".join(p.text or "" for p in positions)
        where = positions[0].sourceline
    try:
        values = np.array(text.split(), dtype=float)
    except ValueError:
        bad = next(v for v in text.split() if not _is_float(v))
        raise GmlGeometryError(
            f"gml:posList (line {where}) holds {bad!r}, which is not a number; coordinates are "
            "space-separated numbers with a decimal point"
        ) from None
    if not np.isfinite(values).all():
        bad = next(v for v in text.split() if not np.isfinite(float(v)))
        raise GmlGeometryError(
            f"gml:posList (line {where}) holds {bad!r}, which is not a finite number; every "
            "coordinate must be a real number"
        )
    if dim not in (2, 3) or values.size % dim:
        raise GmlGeometryError(
            f"gml:posList (line {where}) has {values.size} numbers, not a multiple of "
            f"srsDimension={dim}; the list is cut or srsDimension is wrong"
        )
    coords = values.reshape(-1, dim)[:, :2]
    if len(coords) < 4:
        raise GmlGeometryError(
            f"ring at line {where} has {len(coords)} positions; a closed ring needs at least 4"
        )
    if not np.array_equal(coords[0], coords[-1]):
        coords = np.vstack([coords, coords[:1]])
        notes.append(f"ring at line {where} was not closed; closed it")
    first, second = coords[:, 0], coords[:, 1]
    east, north = (second, first) if order.northing_first else (first, second)
    x, y = to_storage(east, north, order.epsg)
    return np.column_stack([x, y])


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
