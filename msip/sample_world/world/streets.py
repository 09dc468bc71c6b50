"""Street grid: named centrelines with road class and width, their surfaces and the noded graph."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import cast

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import substring

from msip.sample_world.constants import CELL_SIZE_M, EPOCHS, ORIGIN, SizeSpec

from .model import StreetSegment, Surface

VERGE_M = 2.5
"""Grass verge between carriageway and sidewalk; street trees stand in it."""
SIDEWALK_M = 2.5
LANDCOVER_ROAD = 1
LANDCOVER_FOOTWAY = 6

TEMPLATE_OFFSETS_M: tuple[float, float, float] = (50.0, 240.0, 330.0)
"""Street positions inside each 400 m template cell, for both axes (plus a northward shift)."""
Y_SHIFT_M = 10.0

ROAD_WIDTH_M: dict[str, float] = {"G": 24.0, "Z": 16.0, "L": 10.0, "D": 8.0, "footway": 3.0}

NS_NAMES = (
    "ulica Sienkiewicza",
    "ulica Paderewskiego",
    "ulica Żeromskiego",
    "ulica Mickiewicza",
    "ulica Słowackiego",
    "ulica Kościuszki",
    "ulica Głowackiego",
    "ulica Staszica",
    "ulica Solna",
    "ulica Hipoteczna",
    "ulica Wesoła",
    "ulica Czarnowska",
)
EW_NAMES = (
    "ulica Seminaryjska",
    "ulica Jagiellońska",
    "ulica Ogrodowa",
    "ulica Leśna",
    "ulica Focha",
    "ulica Piotrkowska",
    "ulica Źródłowa",
    "ulica Tarnowska",
    "ulica Grunwaldzka",
    "ulica Karczówkowska",
    "ulica Krakowska",
    "ulica Warszawska",
)
AVENUE_NAMES = ("aleja IX Wieków Kielc", "aleja Solidarności", "aleja Tysiąclecia")


@dataclass(frozen=True)
class GridLine:
    """One straight street running across the whole district."""

    axis: str
    """"x" for a north–south street at easting ``pos``, "y" for east–west at northing ``pos``."""
    pos: float
    road_class: str
    name: str
    line: LineString

    @property
    def width_m(self) -> float:
        """Carriageway width."""
        return ROAD_WIDTH_M[self.road_class]

    @property
    def margin_m(self) -> float:
        """Distance from the centreline to the outer edge of the sidewalk."""
        return self.width_m / 2 + VERGE_M + SIDEWALK_M


def layout_grid(spec: SizeSpec, rng: np.random.Generator) -> list[GridLine]:
    """Place the north–south and east–west streets of the district (template repeated per cell)."""
    x0, y0 = ORIGIN
    ext = spec.extent_m
    lines: list[GridLine] = []
    ns_i = ew_i = av_i = 0
    for cell in range(spec.cells):
        for k, off in enumerate(TEMPLATE_OFFSETS_M):
            pos = x0 + cell * CELL_SIZE_M + off + round(float(rng.uniform(-3, 3)), 1)
            cls = ("L", "Z" if cell % 2 == 0 else "L", "D")[k]
            name = NS_NAMES[ns_i % len(NS_NAMES)]
            ns_i += 1
            lines.append(GridLine("x", pos, cls, name, LineString([(pos, y0), (pos, y0 + ext)])))
    for cell in range(spec.cells):
        for k, off in enumerate(TEMPLATE_OFFSETS_M):
            pos = y0 + cell * CELL_SIZE_M + off + Y_SHIFT_M + round(float(rng.uniform(-3, 3)), 1)
            cls = ("G" if cell % 2 == 0 else "Z", "L", "L")[k]
            if cls == "G":
                name = AVENUE_NAMES[av_i % len(AVENUE_NAMES)]
                av_i += 1
            else:
                name = EW_NAMES[ew_i % len(EW_NAMES)]
                ew_i += 1
            lines.append(GridLine("y", pos, cls, name, LineString([(x0, pos), (x0 + ext, pos)])))
    return lines


def intersections(lines: list[GridLine]) -> list[Point]:
    """Crossings of road centrelines (footways excluded), sorted west→east, south→north."""
    xs = sorted(g.pos for g in lines if g.axis == "x")
    ys = sorted(g.pos for g in lines if g.axis == "y")
    return [Point(x, y) for x in xs for y in ys]


def street_surfaces(lines: list[GridLine]) -> list[Surface]:
    """Carriageway (road) and sidewalk (footway) polygons; verges stay grass."""
    out: list[Surface] = []
    for g in lines:
        carriage = g.line.buffer(g.width_m / 2, cap_style="flat")
        outer = g.line.buffer(g.margin_m, cap_style="flat")
        inner = g.line.buffer(g.width_m / 2 + VERGE_M, cap_style="flat")
        # a buffer minus a narrower buffer of the same line: one or two sidewalk polygons
        sidewalks = cast(Polygon | MultiPolygon, outer.difference(inner))
        out.append(Surface(LANDCOVER_FOOTWAY, sidewalks, EPOCHS))
        out.append(Surface(LANDCOVER_ROAD, carriage, EPOCHS))
    return out


def node_lines(items: list[tuple[str, str, float, LineString]]) -> list[StreetSegment]:
    """Split every line at every point where another line crosses or touches it.

    ``items`` holds (name, road_class, width_m, line). Segment ids follow input order, so the
    output is deterministic.
    """
    segments: list[StreetSegment] = []
    for i, (name, cls, width, line) in enumerate(items):
        cuts = {0.0, round(float(line.length), 6)}
        for j, (_, _, _, other) in enumerate(items):
            if i == j or not line.intersects(other):
                continue
            inter = line.intersection(other)
            for pt in getattr(inter, "geoms", [inter]):
                if isinstance(pt, Point):
                    cuts.add(round(float(line.project(pt)), 6))
        stops = sorted(cuts)
        for a, b in itertools.pairwise(stops):
            if b - a < 0.01:
                continue
            piece = substring(line, a, b)
            assert isinstance(piece, LineString)  # b > a: a part of the line, not a point
            segments.append(
                StreetSegment(f"S{len(segments) + 1:04d}", name, cls, width, LineString(piece))
            )
    return segments
