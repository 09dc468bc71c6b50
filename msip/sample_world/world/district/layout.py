"""Where things are in the district: the street grid, the areas without streets (railway, river
valley, quarry, forest park) and the use of every other block.

Offsets ``u`` (east) and ``v`` (north) are metres from the district's origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, box
from shapely.geometry.base import BaseGeometry

from msip.sample_world.constants import SizeSpec
from msip.sample_world.world.blocks import EDGE_MARGIN_M, Block
from msip.sample_world.world.streets import AVENUE_NAMES, EW_NAMES, NS_NAMES, GridLine

U_LINES: tuple[tuple[float, str], ...] = (
    (70, "D"), (200, "D"), (330, "L"), (460, "D"), (560, "L"), (660, "Z"), (760, "L"), (860, "D"),
    (960, "D"), (1060, "D"), (1160, "L"), (1300, "G"), (1440, "D"), (1580, "L"), (1720, "D"), (1860, "D"),
)
"""North–south streets: easting offset and road class (G main avenue, Z collector, L/D local)."""
V_LINES: tuple[tuple[float, str], ...] = (
    (70, "D"), (210, "Z"), (340, "L"), (440, "L"), (520, "D"), (740, "L"), (870, "D"), (1000, "G"),
    (1125, "D"), (1250, "L"), (1375, "D"), (1500, "L"), (1650, "Z"), (1800, "D"), (1950, "D"),
    (2100, "D"), (2250, "D"),
)
"""East–west streets: northing offset and road class."""
MAIN_CLASSES = ("G", "Z")
"""Road classes of the main roads (advertising, street-tree rows on both sides)."""


@dataclass(frozen=True)
class SpecialArea:
    """A street-free area spanning several grid cells; ``crossings`` are streets that pass through."""

    name: str
    use: str
    u0: float
    v0: float
    u1: float
    v1: float
    crossings: tuple[float, ...] = ()
    """Offsets of the north–south streets that cross it (bridges, level crossings)."""


SPECIAL_AREAS: tuple[SpecialArea, ...] = (
    SpecialArea("Linia kolejowa nr 8", "railway", 0, 340, 2000, 440, (660, 1300)),
    SpecialArea("Dolina Silnicy i Zalew", "valley", 0, 520, 2000, 740, (660, 1300)),
    SpecialArea("Rezerwat Kadzielnia", "quarry", 330, 740, 660, 1000),
    SpecialArea("Park Leśny Stadion", "forest", 0, 1650, 560, 1800),
    SpecialArea("Park Leśny Stadion", "forest", 0, 1800, 1300, 2400),
    SpecialArea("Las Na Stadionie", "forest", 1300, 2250, 2000, 2400),
    SpecialArea("Las Na Stadionie", "forest", 1720, 1800, 2000, 2250),
)
OLD_TOWN = (760.0, 1000.0, 1300.0, 1500.0)
"""Old town (u0, v0, u1, v1); its market square is the block holding MARKET."""
MARKET = (1010.0, 1190.0)
SCHOOL_CELLS = ((200.0, 1375.0), (1440.0, 1800.0), (1580.0, 870.0))
"""Lower-left line offsets (u, v) of the school blocks."""
HOSPITAL_CELL = (1440.0, 1250.0)
CONSTRUCTION_CELLS = ((1440.0, 70.0), (1580.0, 1500.0))
"""Building sites: the earthwork's lot, and a lot built on in the last epoch."""
PARK_CELLS = ((860.0, 1650.0), (1720.0, 1375.0), (0.0, 1000.0))
SKWER_CELLS = ((1160.0, 1500.0),)


def _names() -> tuple[list[str], list[str]]:
    ns = [f"{n}" for n in NS_NAMES] + ["ulica Zagnańska", "ulica Targowa", "ulica Paderewskiego Boczna",
                                       "ulica Radiowa"]
    ew = [f"{n}" for n in EW_NAMES] + ["ulica Szydłówek", "ulica Czarnowska Górna", "ulica Pakosz"]
    return ns, ew


def grid_lines(spec: SizeSpec, rng: np.random.Generator) -> list[GridLine]:
    """Every street as a full-length grid line (parts are cut out later by the special areas)."""
    x0, y0 = spec.origin
    ns, ew = _names()
    out: list[GridLine] = []
    avenues = iter(AVENUE_NAMES)
    for i, (u, cls) in enumerate(U_LINES):
        pos = x0 + u + round(float(rng.uniform(-2, 2)), 1)
        name = next(avenues) if cls == "G" else ns[i % len(ns)]
        out.append(GridLine("x", pos, cls, name, LineString([(pos, y0), (pos, y0 + spec.height_m)])))
    for i, (v, cls) in enumerate(V_LINES):
        pos = y0 + v + round(float(rng.uniform(-2, 2)), 1)
        name = next(avenues) if cls == "G" else ew[i % len(ew)]
        if v == 1250:
            name = "ulica Sienkiewicza (deptak)"
        out.append(GridLine("y", pos, cls, name, LineString([(x0, pos), (x0 + spec.extent_m, pos)])))
    return out


def line_parts(spec: SizeSpec, g: GridLine) -> list[LineString]:
    """The pieces of grid line ``g`` that exist (outside the special areas it does not cross)."""
    x0, y0 = spec.origin
    geom: BaseGeometry = g.line
    for a in SPECIAL_AREAS:
        if g.axis == "x":
            if not (x0 + a.u0 < g.pos < x0 + a.u1) or any(abs(g.pos - x0 - c) < 5 for c in a.crossings):
                continue
            cut = box(x0 + a.u0, y0 + a.v0, x0 + a.u1, y0 + a.v1)
        else:
            if not (y0 + a.v0 < g.pos < y0 + a.v1):
                continue
            cut = box(x0 + a.u0, y0 + a.v0, x0 + a.u1, y0 + a.v1)
        geom = geom.difference(cut)
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, LineString) and p.length > 1.0]
    if isinstance(geom, MultiLineString | LineString):
        return [LineString(np.round(np.asarray(p.coords), 3)) for p in parts]
    return []


def special_at(spec: SizeSpec, x: float, y: float) -> SpecialArea | None:
    """The special area containing point (x, y), if any."""
    u, v = x - spec.origin[0], y - spec.origin[1]
    return next((a for a in SPECIAL_AREAS if a.u0 < u < a.u1 and a.v0 < v < a.v1), None)


def special_rect(spec: SizeSpec, a: SpecialArea, lines: list[GridLine]) -> tuple[float, float, float, float]:
    """The area's rectangle inside the sidewalks of its bounding streets (1 m in from the edge)."""
    x0, y0 = spec.origin

    def inner(axis: str, off: float, sign: int) -> float:
        base = x0 if axis == "x" else y0
        near = [g for g in lines if g.axis == axis and abs(g.pos - base - off) < 5]
        return near[0].pos + sign * near[0].margin_m if near else base + off + sign * EDGE_MARGIN_M

    return (inner("x", a.u0, 1), inner("y", a.v0, 1), inner("x", a.u1, -1), inner("y", a.v1, -1))


def cell_use(u0: float, v0: float, u1: float, v1: float, rng: np.random.Generator) -> str:
    """Use of the ordinary block whose bounding lines are at offsets (u0, v0)–(u1, v1)."""
    uc, vc = (u0 + u1) / 2, (v0 + v1) / 2
    key = (u0, v0)
    if key in CONSTRUCTION_CELLS:
        return "construction"
    if key in SCHOOL_CELLS:
        return "school"
    if key == HOSPITAL_CELL:
        return "hospital"
    if key in PARK_CELLS:
        return "park_big"
    if key in SKWER_CELLS:
        return "services_skwer"
    ou0, ov0, ou1, ov1 = OLD_TOWN
    if ou0 <= uc <= ou1 and ov0 <= vc <= ov1:
        mu, mv = MARKET
        return "market" if u0 <= mu <= u1 and v0 <= mv <= v1 else "old_town"
    if vc < 340:
        if uc < 460:
            return "estate_new"  # across the railway, beyond 1.5 km walk of a school (art. 13f fails there)
        if uc < 660:
            return "houses"
        return "retail_park" if 1300 <= uc <= 1720 else "industrial"
    if vc < 520:
        return "houses" if uc < 660 else "services"
    if vc < 1650:
        if 760 <= uc <= 1300:
            return "offices" if vc > 1500 else "estate"
        return "estate" if rng.random() < 0.85 else "services"
    if vc < 1800:
        return "villas" if (uc < 560 or uc > 1300) else "estate_forest"
    if uc < 1720:
        return "estate_forest"  # the estate at the forest's east edge (as Kielce's estates by Las Na Stadionie)
    return "villas" if rng.random() < 0.9 else "garden_private"


def layout_blocks(spec: SizeSpec, lines: list[GridLine], rng: np.random.Generator) -> list[Block]:
    """Ordinary blocks between the streets, each with its use; cells inside special areas are left out."""
    x0, y0 = spec.origin
    xs = sorted((g for g in lines if g.axis == "x"), key=lambda g: g.pos)
    ys = sorted((g for g in lines if g.axis == "y"), key=lambda g: g.pos)
    xb: list[GridLine | None] = [None, *xs, None]
    yb: list[GridLine | None] = [None, *ys, None]
    blocks: list[Block] = []
    for by in range(len(yb) - 1):
        s, n = yb[by], yb[by + 1]
        miny = s.pos + s.margin_m if s else y0 + EDGE_MARGIN_M
        maxy = n.pos - n.margin_m if n else y0 + spec.height_m - EDGE_MARGIN_M
        for bx in range(len(xb) - 1):
            w, e = xb[bx], xb[bx + 1]
            minx = w.pos + w.margin_m if w else x0 + EDGE_MARGIN_M
            maxx = e.pos - e.margin_m if e else x0 + spec.extent_m - EDGE_MARGIN_M
            if special_at(spec, (minx + maxx) / 2, (miny + maxy) / 2) is not None:
                continue
            u0 = round((w.pos if w else x0) - x0, -1)
            v0 = round((s.pos if s else y0) - y0, -1)
            u1 = round((e.pos if e else x0 + spec.extent_m) - x0, -1)
            v1 = round((n.pos if n else y0 + spec.height_m) - y0, -1)
            u0 = _snap(u0, U_LINES)
            v0 = _snap(v0, V_LINES)
            blk = Block(bx, by, (minx, miny, maxx, maxy), s, n, w, e)
            blk.use = cell_use(u0, v0, u1, v1, rng)
            if blk.use == "park_big" and (s is None or n is None):
                blk.use = "estate"
            blocks.append(blk)
    return blocks


def _snap(off: float, table: tuple[tuple[float, str], ...]) -> float:
    """The table offset nearest to ``off`` (grid lines are jittered by up to 2 m), or ``off``."""
    near = min((t for t, _ in table), key=lambda t: abs(t - off))
    return float(near) if abs(near - off) < 6 else float(off)
