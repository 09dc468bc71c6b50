"""Advertising carriers, placed with deliberate, clear-cut rule violations on about 30 %."""

from __future__ import annotations

import datetime as dt

import numpy as np
from shapely.geometry import LineString, Point

from msip.sample_world.constants import EPOCH1, EPOCH2, SizeSpec

from . import ad_rules as R
from .model import Building, Carrier, LandscapeZone
from .streets import GridLine

ZONE_EDGE_CLEARANCE_M = 5.0
CLEAR_FREE_M = 70.0
"""Compliant free-standing carriers keep this far apart (rule: 50 m)."""
CLEAR_ANY_M = 15.0
CLEAR_INTERSECTION_M = 20.0
CLEAR_FOOTWAY_M = 6.0
TYPE_WEIGHTS = {
    "wolnostojący": 0.25,
    "ekran LED": 0.13,
    "pylon": 0.10,
    "słup ogłoszeniowy": 0.12,
    "baner na budynku": 0.25,
    "mural": 0.15,
}
OWNERS = (
    "AMS S.A.",
    "Ströer Polska Sp. z o.o.",
    "Clear Channel Poland Sp. z o.o.",
    "Jet Line Sp. z o.o.",
    "Reklama Świętokrzyska Sp. z o.o.",
    "Agencja Kadzielnia s.c.",
)
FACES = {
    "wolnostojący": (1, 2),
    "ekran LED": (1, 2),
    "pylon": (2, 2),
    "słup ogłoszeniowy": (3, 3),
    "baner na budynku": (1, 1),
    "mural": (1, 1),
}
LANE_AREA_M2 = {
    "wolnostojący": (2.0, 3.5),
    "ekran LED": (1.5, 3.0),
    "pylon": (1.0, 2.0),
    "słup ogłoszeniowy": (1.7, 1.9),
}


class CarrierPlanner:
    """Places carriers one by one, checking every rule with a wide margin."""

    def __init__(
        self,
        rng: np.random.Generator,
        lines: list[GridLine],
        buildings: list[Building],
        crossings: list[Point],
        footways: list[LineString],
        zones: list[LandscapeZone],
    ):
        self.rng = rng
        self.lines = list(lines)
        self.buildings = buildings
        self.crossing_xy = np.array([(p.x, p.y) for p in crossings])
        self.footways = footways
        self.zones = zones
        self.zone_edges = [z.polygon.boundary for z in zones]
        self.carriers: list[Carrier] = []
        self.near_tree_points: list[tuple[float, float]] = []
        self.narrow_corners = self._narrow_corners()

    def _narrow_corners(self) -> list[tuple[float, float]]:
        """Verge corners of crossings of two narrow (L/D) streets, < 9 m from the node."""
        xs = [g for g in self.lines if g.axis == "x" and g.width_m <= 10]
        ys = [g for g in self.lines if g.axis == "y" and g.width_m <= 10]
        out = []
        for gx in xs:
            for gy in ys:
                for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
                    out.append(
                        (gx.pos + sx * (gx.width_m / 2 + 1.0), gy.pos + sy * (gy.width_m / 2 + 1.0))
                    )
        return out

    def _zone(self, x: float, y: float) -> str | None:
        p = Point(x, y)
        if any(e.distance(p) < ZONE_EDGE_CLEARANCE_M for e in self.zone_edges):
            return None
        inside = [z.zone_code for z in self.zones if z.polygon.covers(p)]
        return inside[0] if inside else None

    def _free_xy(self) -> np.ndarray:
        return np.array(
            [(c.x, c.y) for c in self.carriers if c.carrier_type in R.FREE_STANDING]
        ).reshape(-1, 2)

    def _clear(
        self, x: float, y: float, free: bool, partner: Carrier | None, near_crossing: bool
    ) -> bool:
        xy = np.array([x, y])
        all_xy = np.array([(c.x, c.y) for c in self.carriers]).reshape(-1, 2)
        if len(all_xy) and np.hypot(*(all_xy - xy).T).min() < CLEAR_ANY_M:
            return False
        if free:
            fx = self._free_xy()
            if partner is not None:
                fx = fx[~((fx[:, 0] == partner.x) & (fx[:, 1] == partner.y))]
            if len(fx) and np.hypot(*(fx - xy).T).min() < CLEAR_FREE_M:
                return False
            d_cross = np.hypot(*(self.crossing_xy - xy).T).min()
            if not near_crossing and d_cross < CLEAR_INTERSECTION_M:
                return False
        p = Point(x, y)
        if any(f.distance(p) < CLEAR_FOOTWAY_M for f in self.footways):
            return False
        return not any(b.footprint.distance(p) < 2.0 for b in self.buildings) or not free

    def _verge_point(self, g: GridLine, s: float, side: int) -> tuple[float, float]:
        off = side * (g.width_m / 2 + 1.0)
        return (g.pos + off, s) if g.axis == "x" else (s, g.pos + off)

    def place(
        self,
        ctype: str,
        codes: tuple[str, ...],
        epoch: str = EPOCH1,
        partner: Carrier | None = None,
    ) -> Carrier | None:
        """Try to place one carrier with exactly the intended violation ``codes``."""
        rng = self.rng
        free = ctype in R.FREE_STANDING
        want_zone_ok = R.TYPE_NOT_ALLOWED not in codes
        for _ in range(400):
            building: Building | None = None
            if not free:
                building = self.buildings[int(rng.integers(len(self.buildings)))]
                if building.height_m < 4.5:
                    continue
                ring = building.footprint.exterior
                pt = ring.interpolate(float(rng.uniform(0, ring.length)))
                x, y = pt.x, pt.y
            elif R.MIN_DIST_INTERSECTION in codes:
                x, y = self.narrow_corners[int(rng.integers(len(self.narrow_corners)))]
            elif partner is not None:
                p = Point(partner.x, partner.y)
                g = min(self.lines, key=lambda g: g.line.distance(p))
                along = partner.y if g.axis == "x" else partner.x
                side = 1 if (partner.x if g.axis == "x" else partner.y) > g.pos else -1
                step = float(rng.choice([-1, 1])) * float(rng.uniform(25, 35))
                x, y = self._verge_point(g, along + step, side)
            else:
                g = self.lines[int(rng.integers(len(self.lines)))]
                s0, s1 = g.line.bounds[1::2] if g.axis == "x" else g.line.bounds[0::2]
                side = int(rng.choice([-1, 1]))
                x, y = self._verge_point(g, float(rng.uniform(s0 + 5, s1 - 5)), side)
            x, y = round(float(x), 2), round(float(y), 2)
            zone = self._zone(x, y)
            if zone is None:
                continue
            allowed, max_area, max_h = R.LIMITS[zone][ctype]
            if allowed != want_zone_ok:
                continue
            led = ctype == "ekran LED" or R.LED_IN_ZONE_A in codes
            if (R.LED_IN_ZONE_A in codes) != (led and zone in R.LED_FORBIDDEN_ZONES):
                continue
            if not self._clear(x, y, free, partner, R.MIN_DIST_INTERSECTION in codes):
                continue
            return self._make(ctype, codes, x, y, max_area, max_h, epoch, building)
        return None

    def _make(
        self,
        ctype: str,
        codes: tuple[str, ...],
        x: float,
        y: float,
        max_area: float | None,
        max_h: float | None,
        epoch: str,
        building: Building | None,
    ) -> Carrier:
        """Build the carrier's attributes: inside the limits with margin, or clearly above."""
        rng = self.rng
        ref_area, ref_h = R.REFERENCE_LIMITS[ctype]
        area_lim = max_area if max_area is not None else ref_area
        h_lim = max_h if max_h is not None else ref_h
        area = area_lim * (
            rng.uniform(1.3, 1.6) if R.FACE_AREA_EXCEEDED in codes else rng.uniform(0.4, 0.8)
        )
        height = h_lim * (
            rng.uniform(1.25, 1.5) if R.HEIGHT_EXCEEDED in codes else rng.uniform(0.5, 0.85)
        )
        if building is not None:
            height = min(height, building.height_m - 0.5)
        led = ctype == "ekran LED" or R.LED_IN_ZONE_A in codes
        free = ctype in R.FREE_STANDING
        lane = round(float(rng.uniform(*LANE_AREA_M2[ctype])), 2) if free else 0.0
        days = int(rng.integers(0, (dt.date(2024, 5, 31) - dt.date(2008, 1, 1)).days))
        installed = dt.date(2008, 1, 1) + dt.timedelta(days=days)
        if epoch == EPOCH2:
            installed = dt.date(2025, 3, 1) + dt.timedelta(days=int(rng.integers(0, 60)))
        c = Carrier(
            carrier_id="",
            carrier_type=ctype,
            faces=int(rng.integers(FACES[ctype][0], FACES[ctype][1] + 1)),
            face_area_m2=round(float(area), 2),
            illuminated=bool(led or rng.random() < 0.5),
            led=bool(led),
            height_m=round(float(height), 2),
            owner=OWNERS[int(rng.integers(len(OWNERS)))],
            permit_no="",
            installed_on=installed.isoformat(),
            occupies_road_lane=free,
            lane_area_m2=lane,
            x=x,
            y=y,
            first_epoch=epoch,
            intended_violations=tuple(sorted(codes)),
        )
        self.carriers.append(c)
        if R.MIN_DIST_TREE in codes:
            g = min(self.lines, key=lambda g: g.line.distance(Point(x, y)))
            step = float(rng.uniform(2.5, 3.5)) * float(rng.choice([-1, 1]))
            self.near_tree_points.append((x, y + step) if g.axis == "x" else (x + step, y))
        return c


def plan_carriers(
    rng: np.random.Generator, spec: SizeSpec, planner: CarrierPlanner
) -> list[Carrier]:
    """Choose types and intended violations (~30 %), place every carrier, plus one in epoch 2."""
    n_total = int(rng.integers(36, 45)) * spec.cells**2
    types = list(TYPE_WEIGHTS)
    chosen = rng.choice(types, size=n_total, p=list(TYPE_WEIGHTS.values()))
    n_viol = round(n_total * 0.28)
    plans: list[tuple[str, tuple[str, ...]]] = []
    for i, ctype in enumerate(chosen):
        codes: tuple[str, ...] = ()
        if i < n_viol:
            codes = _violation_for(str(ctype), rng)
        plans.append((str(ctype), codes))
    plans = [plans[int(i)] for i in rng.permutation(len(plans))]
    # the epoch-2 carrier's place is kept free from the start so it is compliant when it appears
    new_ad = planner.place("wolnostojący", (), epoch=EPOCH2)
    if new_ad is None:
        raise AssertionError(
            "sample-world generator bug: no compliant place for the epoch-2 carrier"
        )
    for ctype, codes in [p for p in plans if R.MIN_SPACING not in p[1]]:
        planner.place(ctype, codes)
    for ctype, codes in [p for p in plans if R.MIN_SPACING in p[1]]:
        partners = [
            c
            for c in planner.carriers
            if c.carrier_type in R.FREE_STANDING and not c.intended_violations and c is not new_ad
        ]
        for partner in partners[:12]:
            if planner.place(ctype, codes, partner=partner) is not None:
                partner.intended_violations = (R.MIN_SPACING,)
                break
    _balance(planner, rng, min_count=32 * spec.cells**2)
    carriers = [c for c in planner.carriers if c is not new_ad] + [new_ad]
    for n, c in enumerate(carriers, start=1):
        c.carrier_id = f"NR-{n:04d}"
        c.permit_no = f"MZD-ZR.4082.{100 + 7 * n}.{c.installed_on[:4]}"
    return carriers


def _balance(planner: CarrierPlanner, rng: np.random.Generator, min_count: int) -> None:
    """Top up with building-mounted carriers until there are ``min_count`` and 26–34 % violate."""
    for _ in range(3 * min_count):
        n = len(planner.carriers)
        bad = sum(bool(c.intended_violations) for c in planner.carriers)
        if bad < 0.26 * n:
            planner.place("mural", (R.FACE_AREA_EXCEEDED,))
        elif bad > 0.34 * n or n < min_count:
            planner.place(str(rng.choice(["mural", "baner na budynku"])), ())
        else:
            return


def _violation_for(ctype: str, rng: np.random.Generator) -> tuple[str, ...]:
    """One or two intended rule codes that can apply to ``ctype``."""
    if ctype == "mural":
        return (R.FACE_AREA_EXCEEDED,)
    if ctype == "baner na budynku":
        return (R.TYPE_NOT_ALLOWED,) if rng.random() < 0.5 else (R.FACE_AREA_EXCEEDED,)
    if ctype == "ekran LED" and rng.random() < 0.3:
        return (R.TYPE_NOT_ALLOWED, R.LED_IN_ZONE_A)
    if ctype == "słup ogłoszeniowy" and rng.random() < 0.3:
        return (R.LED_IN_ZONE_A,)
    options: list[tuple[str, ...]] = [
        (R.FACE_AREA_EXCEEDED,),
        (R.HEIGHT_EXCEEDED,),
        (R.MIN_SPACING,),
        (R.MIN_DIST_INTERSECTION,),
        (R.MIN_DIST_TREE,),
        (R.FACE_AREA_EXCEEDED, R.HEIGHT_EXCEEDED),
        (R.MIN_DIST_TREE, R.FACE_AREA_EXCEEDED),
    ]
    if ctype in ("wolnostojący", "pylon"):
        options.append((R.TYPE_NOT_ALLOWED,))
    return options[int(rng.integers(len(options)))]
