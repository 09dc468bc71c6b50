"""Topology checks of planning zones within a plan: overlaps, gaps and parts outside the plan.

Zones of a plan ogólny must tile the plan's extent (art. 13a of the planning act): no
overlaps, no gaps. MSIP loads overlapping or gapped zones *with a warning* rather than
rejecting one of them, because which zone is wrong is a planner's decision; every issue
of at least `MIN_AREA_M2` is reported in the load run's notes and stored in msip.zoning_issue;
smaller slivers (reprojection moves straight edges by millimetres) are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

#: Smaller overlaps/gaps are slivers from digitising and reprojection, counted but not listed (m²).
MIN_AREA_M2 = 1.0


@dataclass
class ZoneIssue:
    """One overlap, gap or zone part outside the plan's extent."""

    kind: str  # overlap | gap | outside_plan
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
    """Overlaps between `zones` ((id, geometry) pairs) and, given the plan's extent, gaps and overhangs.

    Returns the issues of at least `min_area_m2` and the number of smaller slivers.
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
    issues = [i for i in found if i.area_m2 >= min_area_m2]
    slivers = sum(1 for i in found if 0 < i.area_m2 < min_area_m2)
    return issues, slivers


def summarise(
    plan_label: str, n_zones: int, issues: list[ZoneIssue], slivers: int, checked_extent: bool
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
        text += "; gaps not checked (the plan's extent is not loaded: load its AktPlanowaniaPrzestrzennego first)"
    if slivers:
        text += f"; {slivers} slivers under {MIN_AREA_M2:g} m² ignored"
    return text
