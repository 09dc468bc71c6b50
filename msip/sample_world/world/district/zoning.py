"""The district's plans: a plan-ogólny–style zone layer covering it all and two local plans (old
town, industrial south), with indicators some buildings break (the breaches are ground truth)."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import Polygon, box

from msip.sample_world.constants import SizeSpec
from msip.sample_world.world.blocks import Block
from msip.sample_world.world.model import PlanZone, World
from msip.sample_world.world.streets import GridLine
from msip.sample_world.world.zoning import _noded_zones

from . import layout

POG_INDICATORS: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "SW": (2.5, 45.0, 36.0, 25.0),
    "SJ": (0.6, 35.0, 10.0, 50.0),
    "SU": (2.0, 60.0, 25.0, 20.0),
    "SH": (1.0, 60.0, 15.0, 10.0),
    "SP": (1.5, 70.0, 15.0, 10.0),
    "SN": (0.1, 5.0, 12.0, 80.0),
    "SO": (0.05, 2.0, 8.0, 90.0),
    "SK": (None, None, None, None),
}
"""(max intensity, max built-up share %, max height m, min bio-active share %) per zone symbol."""
LOCAL_INDICATORS = {
    "SW": (2.2, 60.0, 18.0, 15.0),
    "SU": (2.0, 80.0, 18.0, 5.0),
    "SP": (1.2, 60.0, 11.0, 10.0),
    "SH": (1.0, 60.0, 11.0, 10.0),
    "SN": (0.1, 10.0, 12.0, 70.0),
}
"""Stricter indicators of the two local plans (old-town tenements above 18 m, halls above 11 m break them)."""
USE_SYMBOL = {
    "houses": "SJ", "houses_reserved": "SJ", "villas": "SJ", "flats": "SW", "estate": "SW", "estate_forest": "SW",
    "estate_new": "SW", "old_town": "SW", "market": "SU",
    "offices": "SU", "services": "SU", "services_skwer": "SU", "school": "SU", "hospital": "SU",
    "school_park": "SU", "industrial": "SP", "retail_park": "SH", "park_big": "SN", "garden_private": "SN",
    "construction": "SP", "railway": "SK", "valley": "SO", "quarry": "SN", "forest": "SN",
}


@dataclass
class LocalPlan:
    """One local plan (MPZP): identifiers, title and zones."""

    local_id: str
    title: str
    zones: list[PlanZone]


def _cells(
    spec: SizeSpec, lines: list[GridLine], blocks: list[Block]
) -> list[tuple[str, Polygon, tuple[float, float]]]:
    """(use, polygon between street centrelines, centre offset) for every cell; special areas merged."""
    x0, y0 = spec.origin
    xc = [x0, *sorted(g.pos for g in lines if g.axis == "x"), x0 + spec.extent_m]
    yc = [y0, *sorted(g.pos for g in lines if g.axis == "y"), y0 + spec.height_m]
    use = {(b.bx, b.by): b.use for b in blocks if b.bx >= 0}
    merged: dict[str, list[Polygon]] = {}
    out = []
    for by in range(len(yc) - 1):
        for bx in range(len(xc) - 1):
            cell = box(xc[bx], yc[by], xc[bx + 1], yc[by + 1])
            c = cell.centroid
            area = layout.special_at(spec, c.x, c.y)
            if area is not None:
                merged.setdefault(area.use, []).append(cell)
                continue
            out.append((use[(bx, by)], cell, (c.x - x0, c.y - y0)))
    for u, cells in merged.items():
        poly = shapely.union_all(cells)
        assert isinstance(poly, Polygon)  # a special area is one rectangle of adjacent cells
        c = poly.centroid
        out.append((u, Polygon(poly.exterior), (c.x - x0, c.y - y0)))
    return out


def _zones(raw: list[tuple[str, Polygon]], table: dict, prefix: str = "") -> list[PlanZone]:
    zones = _noded_zones(raw)
    for z in zones:
        z.max_intensity, z.max_built_share_pct, z.max_height_m, z.min_bio_share_pct = table[z.symbol]
        z.oznaczenie = f"{prefix}{z.oznaczenie}"
    return zones


def plan_ogolny(spec: SizeSpec, lines: list[GridLine], blocks: list[Block], world: World) -> list[PlanZone]:
    """Zones covering the whole district (the plan ogólny), one per block cell or special area."""
    raw = [(USE_SYMBOL[u], p) for u, p, _ in _cells(spec, lines, blocks)]
    return _zones(raw, POG_INDICATORS)


def local_plans(spec: SizeSpec, world: World) -> dict[str, object]:
    """Two local plans over parts of the plan ogólny's zones: the old town and the industrial south."""
    ou0, ov0, ou1, ov1 = layout.OLD_TOWN
    x0, y0 = spec.origin
    areas = {
        "MPZP-1": ("Miejscowy plan zagospodarowania przestrzennego „Kielce – Śródmieście, Rynek” (sample)",
                   box(x0 + ou0 - 1, y0 + ov0 - 1, x0 + ou1 + 1, y0 + ov1 + 1)),
        "MPZP-2": ("Miejscowy plan zagospodarowania przestrzennego „Kielce – Park Przemysłowy Południe” (sample)",
                   box(x0 + 659, y0 - 1, x0 + spec.extent_m + 1, y0 + 341)),
    }
    plans = []
    for local_id, (title, area) in areas.items():
        raw = [(z.symbol, z.polygon) for z in world.plan_zones if area.contains(z.polygon.representative_point())
               and z.symbol in LOCAL_INDICATORS]
        plans.append(LocalPlan(local_id, title, _zones(raw, LOCAL_INDICATORS, prefix=f"{local_id[-1]}.")))
    return {"local_plans": plans}
