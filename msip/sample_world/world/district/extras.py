"""The district's landscape zones, fee rates, PRG-like address points and its geological site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely import STRtree
from shapely.geometry import Point, Polygon, box

from msip.sample_world.constants import CITY_CENTRE, SizeSpec, district_bounds
from msip.sample_world.world.ad_rules import ZONE_NAMES
from msip.sample_world.world.landscape import _polygonal
from msip.sample_world.world.model import LandscapeZone, World

from . import terrain as T

ZONE_HALF_SIDES_M = (("A", 260.0), ("B", 560.0), ("C", 900.0))
"""Half sides of the squares around Kielce's centre bounding zones A, B, C; D is the rest."""
TERYT_KIELCE = "2661011"
"""TERYT of the commune (gmina miejska) Kielce."""
FEES: dict[str, Any] = {
    "area_basis": "all_faces",
    "penalty_multiple": 40,
    "rates": {
        2019: {"fixed_pln_per_day": 2.00, "variable_pln_per_m2_day": 0.15},
        2022: {"fixed_pln_per_day": 2.20, "variable_pln_per_m2_day": 0.17},
        2025: {"fixed_pln_per_day": 2.50, "variable_pln_per_m2_day": 0.20},
    },
    # illustrative maxima for the sample world, NOT the published obwieszczenie values
    "statutory_maxima": {
        2019: {"fixed_pln_per_day": 2.60, "variable_pln_per_m2_day": 0.21},
        2022: {"fixed_pln_per_day": 2.85, "variable_pln_per_m2_day": 0.24},
        2025: {"fixed_pln_per_day": 3.40, "variable_pln_per_m2_day": 0.29},
    },
}
"""Fee section of the district's rule set (rates per year of its epochs)."""


def landscape_zones(spec: SizeSpec) -> list[LandscapeZone]:
    """Zones A–D as nested squares around the centre, cut to the district."""
    district = box(*district_bounds(spec))
    cx, cy = CITY_CENTRE
    zones: list[LandscapeZone] = []
    inner: Polygon | None = None
    for code, half in ZONE_HALF_SIDES_M:
        sq = box(cx - half, cy - half, cx + half, cy + half)
        part = _polygonal(district.intersection(sq if inner is None else sq.difference(inner)))
        zones.append(LandscapeZone(code, ZONE_NAMES[code], part))
        inner = sq
    assert inner is not None
    zones.append(LandscapeZone("D", ZONE_NAMES["D"], _polygonal(district.difference(inner))))
    return zones


@dataclass(frozen=True)
class AddressPoint:
    """A PRG address point: street, house number, postcode, commune TERYT, point (EPSG:2180)."""

    address_id: str
    building_id: str
    street: str
    number: str
    postcode: str
    teryt: str
    x: float
    y: float


def _postcode(x: float, y: float, spec: SizeSpec) -> str:
    """Kielce postcodes 25-0xx … 25-6xx by quarter of the district (a plausible pattern)."""
    u = (x - spec.origin[0]) / spec.extent_m
    v = (y - spec.origin[1]) / spec.height_m
    return f"25-{100 * (1 + int(v * 3)) + 10 * int(u * 4) + 1:03d}"


def address_points(world: World) -> list[AddressPoint]:
    """One address per residential or public building of the last epoch (industry and halls get
    none), numbered along the nearest street: odd numbers on one side, even on the other."""
    last = world.epochs[-1]
    roads = [s for s in world.streets if s.road_class != "footway"]
    index = STRtree([s.line for s in roads])
    counters: dict[tuple[str, int], int] = {}
    out: list[AddressPoint] = []
    for b in world.buildings[last]:
        if b.kind in ("industrial",):
            continue
        c = b.footprint.representative_point()
        seg = roads[int(index.nearest(c))]
        (x0, y0), (x1, y1) = seg.line.coords[0], seg.line.coords[-1]
        side = 1 if (x1 - x0) * (c.y - y0) - (y1 - y0) * (c.x - x0) > 0 else 0
        street = seg.name.removeprefix("ulica ").removeprefix("aleja ").split(" (")[0]
        key = (street, side)
        counters[key] = counters.get(key, 0) + 1
        number = 2 * counters[key] - (1 if side else 0)
        out.append(AddressPoint(f"A{len(out) + 1:05d}", b.building_id, street, str(number),
                                _postcode(c.x, c.y, world.spec), TERYT_KIELCE, round(c.x, 2), round(c.y, 2)))
    return out


@dataclass(frozen=True)
class Viewpoint:
    """A camera for the 3D view: position (EPSG:2180, m a.s.l.), heading (° from north), pitch (°)."""

    name: str
    x: float
    y: float
    z: float
    heading_deg: float
    pitch_deg: float


@dataclass(frozen=True)
class Geosite:
    """A protected geological site."""

    site_id: str
    name: str
    protection: str
    description: str
    outline: Polygon
    viewpoints: tuple[Viewpoint, ...]


def geosites(world: World) -> list[Geosite]:
    """The former limestone quarry (like Kielce's Kadzielnia) with two viewpoints on its rim."""
    pit = T.quarry_polygon()
    c = pit.centroid
    views = []
    for name, p in (("taras widokowy (północ)", T.quarry_viewpoint()),
                    ("krawędź wschodnia", Point(c.x + T.QUARRY[2] + 6.0, c.y))):
        z = float(world.ground_z(p.x, p.y, world.epochs[0])) + 1.6
        floor = T.QUARRY_FLOOR_Z
        heading = float(np.degrees(np.arctan2(c.x - p.x, c.y - p.y))) % 360.0
        pitch = -float(np.degrees(np.arctan2(z - floor, p.distance(c))))
        views.append(Viewpoint(name, round(p.x, 2), round(p.y, 2), round(z, 2), round(heading, 1), round(pitch, 1)))
    return [Geosite(
        "GEO001",
        "Kamieniołom Kadzielnia (sample world)",
        "rezerwat przyrody nieożywionej",
        "Former Devonian limestone quarry with near-vertical walls about 20 m high; exposed reef "
        "limestones (synthetic, modelled on Kielce's Kadzielnia).",
        pit,
        tuple(views),
    )]
