"""Topology checks of planning zones within a plan: overlaps, gaps, slivers and parts outside the plan.

Zones of a plan ogólny must tile the plan's extent (art. 13a of the planning act): no
overlaps, no gaps. MSIP loads overlapping or gapped zones *with a warning* rather than
rejecting one of them, because which zone is wrong is a planner's decision; every issue
of at least `MIN_AREA_M2` is reported in the load run's notes and stored in msip.zoning_issue;
smaller ones (reprojection moves straight edges by millimetres) are only counted.

Without the plan's outline the zones still show two kinds of gap: holes inside their union
(areas every side of which is a zone) and slivers, gaps narrower than `SLIVER_WIDTH_M` between
zones that open to the outside (found by a morphological closing of the union with mitred
joins, which leaves straight and concave outer edges as they are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

#: Smaller issues are noise from digitising and reprojection, counted but not listed (m²).
MIN_AREA_M2 = 1.0
#: Gaps between zones narrower than this, open to the outside of their union, are slivers (m).
SLIVER_WIDTH_M = 2.0
#: Areas below this are floating-point noise of the overlay, not gaps (m²).
_NOISE_M2 = 1e-4


@dataclass
class ZoneIssue:
    """One overlap, gap or zone part outside the plan's extent."""

    kind: str  # overlap | gap | sliver | outside_plan
    area_m2: float
    geom: MultiPolygon
    zone_ids: list[str] = field(default_factory=list)

    def describe(self) -> str:
        p = self.geom.representative_point()
        where = f"near E {p.x:.0f}, N {p.y:.0f} (EPSG:2180)"
        if self.kind == "overlap":
            return f"zones {' and '.join(self.zone_ids)} overlap by {self.area_m2:.2f} m² {where}"
        if self.kind == "gap":
            return f"gap of {self.area_m2:.2f} m² inside the plan not covered by any zone {where}"
        if self.kind == "sliver":
            return (f"sliver of {self.area_m2:.2f} m² between zones, narrower than {SLIVER_WIDTH_M:g} m, "
                    f"not covered by any zone {where}")
        return f"zone {self.zone_ids[0]} extends {self.area_m2:.2f} m² beyond the plan's extent {where}"


def _polygonal(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal part of an overlay result as a MultiPolygon (lines and points dropped)."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, (Polygon, MultiPolygon))]
    polys: list[Polygon] = []
    for g in parts:
        polys.extend(g.geoms if isinstance(g, MultiPolygon) else [g])
    return MultiPolygon(polys)


def find_issues(
    zones: list[tuple[str, BaseGeometry]],
    plan_extent: BaseGeometry | None,
    min_area_m2: float = MIN_AREA_M2,
) -> tuple[list[ZoneIssue], int]:
    """Overlaps between `zones` ((id, geometry) pairs), gaps, and, given the plan's extent, overhangs.

    With `plan_extent` a gap is any part of it no zone covers; without it, a hole inside the
    union of the zones ('gap') or a narrow opening between them ('sliver'). Returns the issues
    of at least `min_area_m2` and the number of smaller ones.
    """
    found: list[ZoneIssue] = []
    geoms = [g for _, g in zones]
    tree = STRtree(geoms)
    for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
        if j > i:
            overlap = _polygonal(geoms[i].intersection(geoms[j]))
            found.append(ZoneIssue("overlap", overlap.area, overlap, [zones[i][0], zones[j][0]]))
    if plan_extent is not None and zones:
        covered = shapely.union_all(geoms)
        for part in shapely.get_parts(_polygonal(plan_extent.difference(covered))):
            found.append(ZoneIssue("gap", part.area, MultiPolygon([part])))
        for zone_id, geom in zones:
            outside = _polygonal(geom.difference(plan_extent))
            found.append(ZoneIssue("outside_plan", outside.area, outside, [zone_id]))
    elif zones:
        found.extend(gaps_from_zones(geoms))
    issues = [i for i in found if i.area_m2 >= min_area_m2]
    small = sum(1 for i in found if _NOISE_M2 < i.area_m2 < min_area_m2)
    return issues, small


def gaps_from_zones(geoms: list[BaseGeometry]) -> list[ZoneIssue]:
    """Holes inside the union of `geoms` ('gap') and narrow openings between them ('sliver')."""
    covered = shapely.union_all(geoms)
    found: list[ZoneIssue] = []
    holes: list[Polygon] = []
    for poly in shapely.get_parts(_polygonal(covered)):
        for ring in poly.interiors:
            hole = Polygon(ring)
            holes.append(hole)
            found.append(ZoneIssue("gap", hole.area, MultiPolygon([hole])))
    half = SLIVER_WIDTH_M / 2
    closed = covered.buffer(half, join_style="mitre").buffer(-half, join_style="mitre")
    filled = closed.difference(covered)
    if holes:
        filled = filled.difference(shapely.union_all(holes))
    for part in shapely.get_parts(_polygonal(filled)):
        if part.area > _NOISE_M2:
            found.append(ZoneIssue("sliver", part.area, MultiPolygon([part])))
    return found


def summarise(
    plan_label: str, n_zones: int, issues: list[ZoneIssue], small: int, checked_extent: bool
) -> str:
    """One line for the load report: how many zones were checked and what was found."""

    def part(kind: str, word: str) -> str:
        found = [i for i in issues if i.kind == kind]
        area = sum(i.area_m2 for i in found)
        return f"{len(found)} {word}" + (f" ({area:.2f} m²)" if found else "")

    text = f"plan {plan_label}: {n_zones} zones checked: {part('overlap', 'overlaps')}"
    if checked_extent:
        text += f", {part('gap', 'gaps')}, {part('outside_plan', 'outside the plan')}"
    else:
        text += (
            f", {part('gap', 'gaps')} inside the zones, {part('sliver', 'slivers')} between them "
            "(the plan's outline is not loaded: gaps at its edge are checked when its "
            "AktPlanowaniaPrzestrzennego is loaded)"
        )
    if small:
        text += f"; {small} areas under {MIN_AREA_M2:g} m² ignored"
    return text
