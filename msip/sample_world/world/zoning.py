"""The local plan's StrefaPlanistyczna zones: an exact partition of the district with indicators."""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from msip.sample_world.constants import ORIGIN, SizeSpec

from .blocks import Block
from .model import PlanZone
from .streets import GridLine

# symbol -> (maksNadziemnaIntensywnoscZabudowy, maksUdzialPowierzchniZabudowy %,
#            maksWysokoscZabudowy m, minUdzialPowierzchniBiologicznieCzynnej %)
INDICATORS: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "SW": (2.5, 40.0, 36.0, 30.0),
    "SJ": (0.6, 35.0, 10.0, 50.0),
    "SU": (1.5, 50.0, 30.0, 20.0),
    "SH": (1.2, 60.0, 15.0, 15.0),
    "SP": (1.2, 60.0, 20.0, 15.0),
    "SN": (0.1, 5.0, 12.0, 80.0),
    "SO": (0.05, 2.0, 8.0, 90.0),
    "SK": (None, None, None, None),
}
USE_SYMBOL = {
    "houses": "SJ",
    "houses_reserved": "SJ",
    "flats": "SW",
    "services": "SU",
    "construction": "SP",
    "park_big": "SN",
    "garden_private": "SN",
    "services_skwer": "SU",
    "school_park": "SU",
}


def plan_zones(spec: SizeSpec, lines: list[GridLine], blocks: list[Block]) -> list[PlanZone]:
    """Zones follow street centrelines; main roads (G) get their own SK corridor."""
    x0, y0 = ORIGIN
    ext = spec.extent_m
    xc = [x0, *sorted(g.pos for g in lines if g.axis == "x"), x0 + ext]
    yc = [y0, *sorted(g.pos for g in lines if g.axis == "y"), y0 + ext]
    corridors = [
        box(x0, g.pos - g.margin_m, x0 + ext, g.pos + g.margin_m)
        for g in sorted(lines, key=lambda g: g.pos)
        if g.axis == "y" and g.road_class == "G"
    ]
    by_cell = {(b.bx, b.by): b for b in blocks}
    raw: list[tuple[str, Polygon]] = []
    for by in range(len(yc) - 1):
        for bx in range(len(xc) - 1):
            cell: BaseGeometry = box(xc[bx], yc[by], xc[bx + 1], yc[by + 1])
            for c in corridors:
                cell = cell.difference(c)
            if cell.is_empty:
                continue
            blk = by_cell[(bx, by)]
            if blk.use == "school_park":
                split_x = blk.green_spaces[0].polygon.bounds[2]
                minx, miny, maxx, maxy = cell.bounds
                raw.append(("SN", box(minx, miny, split_x, maxy)))
                raw.append(("SU", box(split_x, miny, maxx, maxy)))
                continue
            symbol = "SH" if (bx, by) == (3, 0) else USE_SYMBOL[blk.use]
            raw.append((symbol, _as_box(cell)))
    raw.extend(("SK", c) for c in corridors)
    return _noded_zones(raw)


def _as_box(geom: BaseGeometry) -> Polygon:
    """Cells cut by a corridor stay rectangles; normalise them to a 4-corner box."""
    return box(*geom.bounds)


def _noded_zones(raw: list[tuple[str, Polygon]]) -> list[PlanZone]:
    """Rebuild every ring from the noded linework so neighbours share every vertex."""
    lines = shapely.union_all([shapely.set_precision(p.boundary, 0.001) for _, p in raw])
    faces = list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(lines)))))
    counters: dict[str, int] = {}
    out: list[PlanZone] = []
    for symbol, poly in raw:
        mine = [f for f in faces if poly.contains(f.representative_point())]
        if len(mine) != 1:
            raise AssertionError(f"zone {symbol} covers {len(mine)} faces; expected exactly one")
        counters[symbol] = counters.get(symbol, 0) + 1
        face = shapely.normalize(mine[0])
        intensity, built, height, bio = INDICATORS[symbol]
        out.append(
            PlanZone(f"{counters[symbol]}{symbol}", symbol, face, intensity, built, height, bio)
        )
    return out
