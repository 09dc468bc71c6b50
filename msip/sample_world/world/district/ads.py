"""Carriers along the district's main roads at about 83 per km (Kielce's mobile inventory), with
intended violations on 10–40 %, new carriers in later epochs and some removed."""

from __future__ import annotations

import datetime as dt

import numpy as np
from shapely import STRtree
from shapely.geometry import LineString, Point

from msip.sample_world.world import ad_rules as R
from msip.sample_world.world.ads import (
    CLEAR_ANY_M,
    CLEAR_FOOTWAY_M,
    CLEAR_FREE_M,
    CLEAR_INTERSECTION_M,
    TYPE_WEIGHTS,
    CarrierPlanner,
    _balance,
    _violation_for,
)
from msip.sample_world.world.model import Building, Carrier, LandscapeZone, Tree
from msip.sample_world.world.streets import GridLine

CARRIERS_PER_KM = 83.0
"""Kielce's mobile advertising inventory found about 83 carriers per km of main street."""
VIOLATION_SHARE = 0.28
NEW_PER_EPOCH = 8
REMOVED_PER_EPOCH = 6
NEAR_MAIN_ROAD_M = 45.0


class DistrictPlanner(CarrierPlanner):
    """The template's planner on main-road parts, with spatial indexes (thousands of buildings)."""

    def __init__(
        self,
        rng: np.random.Generator,
        main: list[GridLine],
        buildings: list[Building],
        crossings: list[Point],
        footways: list[LineString],
        zones: list[LandscapeZone],
        all_lines: list[GridLine],
    ):
        road = STRtree([g.line for g in main])
        near = [b for b in buildings if b.height_m >= 4.5
                and len(road.query(b.footprint, predicate="dwithin", distance=NEAR_MAIN_ROAD_M))]
        self._crossings = crossings
        self._all_lines = all_lines
        super().__init__(rng, main, near, crossings, footways, zones)
        self._building_index = STRtree([b.footprint for b in buildings])
        self._footway_index = STRtree(footways) if footways else None
        self.street_km = sum(g.line.length for g in main) / 1000.0
        self._placed_n = 0
        self._all_xy = np.empty((0, 2))
        self._free = np.empty((0, 2))

    def _narrow_corners(self) -> list[tuple[float, float]]:
        """Verge corners, < 9 m from the node, of real crossings of two narrow (L/D) streets."""
        out = []
        for p in self._crossings:
            gx = [g for g in self._all_lines if g.axis == "x" and abs(g.pos - p.x) < 0.01 and g.width_m <= 10]
            gy = [g for g in self._all_lines if g.axis == "y" and abs(g.pos - p.y) < 0.01 and g.width_m <= 10]
            if gx and gy:
                for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
                    out.append((p.x + sx * (gx[0].width_m / 2 + 1.0), p.y + sy * (gy[0].width_m / 2 + 1.0)))
        return out

    def _placed_xy(self) -> tuple[np.ndarray, np.ndarray]:
        """Positions of every carrier placed so far and of the free-standing ones, grown as carriers are
        appended (planning only appends): rebuilding them per candidate was most of the world build."""
        n = len(self.carriers)
        if n != self._placed_n:
            new = self.carriers[self._placed_n:]
            self._all_xy = np.vstack([self._all_xy, np.array([(c.x, c.y) for c in new]).reshape(-1, 2)])
            free = [(c.x, c.y) for c in new if c.carrier_type in R.FREE_STANDING]
            self._free = np.vstack([self._free, np.array(free).reshape(-1, 2)])
            self._placed_n = n
        return self._all_xy, self._free

    def _clear(self, x: float, y: float, free: bool, partner: Carrier | None, near_crossing: bool) -> bool:
        xy = np.array([x, y])
        all_xy, free_xy = self._placed_xy()
        if len(all_xy) and np.hypot(*(all_xy - xy).T).min() < CLEAR_ANY_M:
            return False
        if free:
            fx = free_xy
            if partner is not None:
                fx = fx[~((fx[:, 0] == partner.x) & (fx[:, 1] == partner.y))]
            if len(fx) and np.hypot(*(fx - xy).T).min() < CLEAR_FREE_M:
                return False
            if not near_crossing and np.hypot(*(self.crossing_xy - xy).T).min() < CLEAR_INTERSECTION_M:
                return False
        p = Point(x, y)
        if self._footway_index is not None and len(
            self._footway_index.query(p, predicate="dwithin", distance=CLEAR_FOOTWAY_M)
        ):
            return False
        return not free or not len(self._building_index.query(p, predicate="dwithin", distance=2.0))


def plan_district_carriers(rng: np.random.Generator, planner: DistrictPlanner, eps: tuple[str, ...]) -> list[Carrier]:
    """About 83 carriers per km of main road; later epochs add and remove a few."""
    n_total = round(CARRIERS_PER_KM * planner.street_km)
    types = list(TYPE_WEIGHTS)
    chosen = rng.choice(types, size=n_total, p=list(TYPE_WEIGHTS.values()))
    n_viol = round(n_total * VIOLATION_SHARE)
    plans = [(str(t), _violation_for(str(t), rng) if i < n_viol else ()) for i, t in enumerate(chosen)]
    plans = [plans[int(i)] for i in rng.permutation(len(plans))]
    # carriers of later epochs take their (compliant) places first, so they fit when they appear
    new = []
    for e in eps[1:]:
        for _ in range(NEW_PER_EPOCH):
            c = planner.place(str(rng.choice(["wolnostojący", "baner na budynku", "mural"])), (), epoch=e)
            if c is not None:
                new.append(c)
    new_ids = {id(c) for c in new}
    for ctype, codes in [p for p in plans if R.MIN_SPACING not in p[1]]:
        planner.place(ctype, codes, epoch=eps[0])
    for ctype, codes in [p for p in plans if R.MIN_SPACING in p[1]]:
        partners = [c for c in planner.carriers
                    if c.carrier_type in R.FREE_STANDING and not c.intended_violations and id(c) not in new_ids]
        for partner in partners[:12]:
            if planner.place(ctype, codes, epoch=eps[0], partner=partner) is not None:
                partner.intended_violations = (R.MIN_SPACING,)
                break
    _balance(planner, rng, min_count=round(0.9 * n_total))
    new_ids = {id(c) for c in new}
    first = dt.date.fromisoformat(eps[0])
    for c in planner.carriers:
        if id(c) in new_ids:
            day = dt.date.fromisoformat(c.first_epoch) - dt.timedelta(days=int(rng.integers(30, 300)))
        else:
            c.first_epoch = eps[0]
            day = dt.date(2008, 1, 1) + dt.timedelta(days=int(rng.integers(0, (first - dt.date(2008, 1, 31)).days)))
        c.installed_on = day.isoformat()
    # removed in a later epoch: carriers no other carrier's verdict depends on (no spacing pair)
    removable = [c for c in planner.carriers if id(c) not in new_ids and R.MIN_SPACING not in c.intended_violations]
    picks = rng.choice(len(removable), size=REMOVED_PER_EPOCH * (len(eps) - 1), replace=False)
    for j, i in enumerate(picks):
        removable[int(i)].last_epoch = eps[j // REMOVED_PER_EPOCH]
    carriers = [c for c in planner.carriers if id(c) not in new_ids] + new
    for n, c in enumerate(carriers, start=1):
        c.carrier_id = f"NR-{n:05d}"
        c.permit_no = f"MZD-ZR.4082.{100 + 7 * n}.{c.installed_on[:4]}"
    return carriers


def check_carriers(
    carriers: list[Carrier], zones: list[LandscapeZone], trees: list[Tree], crossings: list[Point],
    eps: tuple[str, ...],
) -> None:
    """The evaluated violations must equal the intended ones, in every epoch."""
    cross_xy = np.array([(p.x, p.y) for p in crossings])
    for epoch in eps:
        inv = [t for t in trees if t.in_inventory and t.stands_in(epoch)]
        tree_xy = np.array([(t.x, t.y) for t in inv]).reshape(-1, 2)
        present = [c for c in carriers if c.present_in(epoch)]
        found = R.evaluate(present, zones, tree_xy, cross_xy)
        for c in present:
            if tuple(found[c.carrier_id]) != c.intended_violations:
                raise AssertionError(
                    f"sample-world generator bug: carrier {c.carrier_id} ({c.carrier_type}) violates "
                    f"{found[c.carrier_id]} in {epoch}, intended {list(c.intended_violations)}")
