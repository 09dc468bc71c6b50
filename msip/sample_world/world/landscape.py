"""Landscape zones A–D of the advertising resolution: nested squares around Kielce's centre."""

from __future__ import annotations

from typing import cast

import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from msip.sample_world.constants import CITY_CENTRE, SizeSpec, district_bounds

from .ad_rules import ZONE_NAMES
from .model import LandscapeZone

ZONE_HALF_SIDES_M = (("A", 200.0), ("B", 300.0), ("C", 420.0))
"""Half sides of the squares bounding zones A, B and C; D is the rest of the district."""


def landscape_zones(spec: SizeSpec) -> list[LandscapeZone]:
    """Zones A–D cut to the district; together they cover it without overlaps."""
    district = box(*district_bounds(spec))
    cx, cy = CITY_CENTRE
    zones: list[LandscapeZone] = []
    inner: Polygon | None = None
    for code, half in ZONE_HALF_SIDES_M:
        sq = box(cx - half, cy - half, cx + half, cy + half)
        part = _polygonal(district.intersection(sq if inner is None else sq.difference(inner)))
        if not part.is_empty:
            zones.append(LandscapeZone(code, ZONE_NAMES[code], part))
        inner = sq
    assert inner is not None  # ZONE_HALF_SIDES_M is not empty
    rest = _polygonal(district.difference(inner))
    if not rest.is_empty:
        zones.append(LandscapeZone("D", ZONE_NAMES["D"], rest))
    return zones


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Drop the line and point slivers an intersection can leave on shared edges."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 0]
    # the union of polygons is a polygon or a multipolygon (shapely types it as any geometry)
    return cast(Polygon | MultiPolygon, shapely.union_all(parts)) if parts else Polygon()
