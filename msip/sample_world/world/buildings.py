"""Building footprints and their attributes: parcels, rotated rectangles, storeys, population."""

from __future__ import annotations

import math

import numpy as np
from shapely import affinity
from shapely.geometry import Polygon, box

from .model import Building

M2_PER_PERSON = 35.0
"""Gross floor area per resident used for the population estimate."""

Rect = tuple[float, float, float, float]

ROOF_RED, ROOF_GREY, ROOF_LIGHT, ROOF_BITUMEN = 0, 1, 2, 3


def split_rect(rect: Rect, cell_w_m: float, cell_h_m: float) -> list[Rect]:
    """Cut ``rect`` into a regular grid of parcels about ``cell_w_m`` × ``cell_h_m``."""
    minx, miny, maxx, maxy = rect
    nx = max(1, round((maxx - minx) / cell_w_m))
    ny = max(1, round((maxy - miny) / cell_h_m))
    w = (maxx - minx) / nx
    h = (maxy - miny) / ny
    return [
        (minx + i * w, miny + j * h, minx + (i + 1) * w, miny + (j + 1) * h)
        for j in range(ny)
        for i in range(nx)
    ]


def place_rectangle(
    rng: np.random.Generator, parcel: Rect, w_m: float, h_m: float, angle_deg: float, gap_m: float
) -> Polygon:
    """A ``w_m`` × ``h_m`` rectangle rotated by ``angle_deg``, shrunk if needed to keep
    ``gap_m`` from the parcel edges, and shifted randomly inside the remaining slack."""
    minx, miny, maxx, maxy = parcel
    a = math.radians(angle_deg)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    half_x = w_m / 2 * c + h_m / 2 * s
    half_y = w_m / 2 * s + h_m / 2 * c
    avail_x = (maxx - minx) / 2 - gap_m
    avail_y = (maxy - miny) / 2 - gap_m
    scale = min(1.0, avail_x / half_x, avail_y / half_y)
    half_x, half_y = half_x * scale, half_y * scale
    cx = (minx + maxx) / 2 + float(rng.uniform(-1, 1)) * 0.5 * (avail_x - half_x)
    cy = (miny + maxy) / 2 + float(rng.uniform(-1, 1)) * 0.5 * (avail_y - half_y)
    hw, hh = w_m * scale / 2, h_m * scale / 2
    rect = box(cx - hw, cy - hh, cx + hw, cy + hh)
    if angle_deg:
        rect = affinity.rotate(rect, angle_deg, origin=(cx, cy))
    return Polygon([(round(x, 3), round(y, 3)) for x, y in rect.exterior.coords])


def population(footprint: Polygon, storeys: int, residential: bool) -> int:
    """Residents: floor area × storeys / 35 m² per person, 0 for non-residential buildings."""
    if not residential:
        return 0
    return int(footprint.area * storeys / M2_PER_PERSON)


def make_building(
    kind: str, storeys: int, height_m: float, footprint: Polygon, roof_style: int
) -> Building:
    """A building without id yet (ids are given in world order later)."""
    residential = kind == "residential"
    return Building(
        building_id="",
        kind=kind,
        residential=residential,
        storeys=storeys,
        height_m=round(height_m, 2),
        population=population(footprint, storeys, residential),
        footprint=footprint,
        roof_style=roof_style,
    )


def house(rng: np.random.Generator, parcel: Rect) -> Building:
    """A detached house, 1–2 storeys, sometimes turned on its plot."""
    angle = float(rng.uniform(-25, 25)) if rng.random() < 0.3 else 0.0
    fp = place_rectangle(rng, parcel, rng.uniform(8, 11), rng.uniform(7.5, 10), angle, 2.5)
    storeys = 1 if rng.random() < 0.35 else 2
    roof = ROOF_RED if rng.random() < 0.7 else ROOF_GREY
    return make_building("residential", storeys, storeys * 3.0 + rng.uniform(0.3, 0.9), fp, roof)


def block_of_flats(rng: np.random.Generator, parcel: Rect, along_x: bool) -> Building:
    """A slab (4–11 storeys) or, sometimes, a square tower block (10–11 storeys)."""
    if rng.random() < 0.2:
        side = rng.uniform(18, 22)
        w, h, storeys = side, side, int(rng.choice([10, 11]))
    else:
        w, h = rng.uniform(40, 54), rng.uniform(12, 13.5)
        if not along_x:
            w, h = h, w
        storeys = int(rng.choice([4, 5, 10, 11], p=[0.35, 0.3, 0.2, 0.15]))
    angle = float(rng.uniform(-15, 15)) if rng.random() < 0.15 else 0.0
    fp = place_rectangle(rng, parcel, w, h, angle, 6.0)
    roof = int(rng.choice([ROOF_GREY, ROOF_LIGHT, ROOF_BITUMEN]))
    return make_building("residential", storeys, storeys * 3.0 + rng.uniform(0.4, 1.2), fp, roof)


def retail(rng: np.random.Generator, parcel: Rect) -> Building:
    """A shop or small shopping pavilion, 1–2 storeys."""
    fp = place_rectangle(rng, parcel, rng.uniform(18, 34), rng.uniform(14, 24), 0.0, 4.0)
    storeys = 1 if rng.random() < 0.6 else 2
    height = 4.5 + (storeys - 1) * 3.5 + rng.uniform(0.0, 0.8)
    return make_building("retail", storeys, height, fp, int(rng.choice([ROOF_LIGHT, ROOF_BITUMEN])))


def office(rng: np.random.Generator, parcel: Rect) -> Building:
    """An office building, 5–7 storeys of 3.5 m."""
    fp = place_rectangle(rng, parcel, rng.uniform(28, 34), rng.uniform(14, 17), 0.0, 4.0)
    storeys = int(rng.integers(5, 8))
    return make_building("office", storeys, storeys * 3.5 + rng.uniform(0.5, 1.0), fp, ROOF_LIGHT)


def civic(rng: np.random.Generator, parcel: Rect, kind: str) -> Building:
    """A school (3 storeys), kindergarten (1) or clinic (3), sized for the role."""
    size = {"school": (46, 15), "kindergarten": (24, 12), "clinic": (26, 15)}[kind]
    storeys = {"school": 3, "kindergarten": 1, "clinic": 3}[kind]
    fp = place_rectangle(rng, parcel, size[0], size[1], 0.0, 4.0)
    return make_building(kind, storeys, storeys * 3.6 + rng.uniform(0.4, 1.0), fp, ROOF_GREY)
