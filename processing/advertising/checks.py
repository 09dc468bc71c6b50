"""Rule checks of advertising carriers against a rule set (pure: carriers and surroundings in, verdicts out).

Zone rules use the landscape zone containing the carrier (on a border: the stricter, i.e.
alphabetically first, code). Distances are horizontal, EPSG:2180 metres, from the carrier
point; a rule is violated when the distance is *below* its minimum (and a face area or height
*above* its maximum). Intersections are street-graph vertices where at least `min_legs`
edges of the rule's road classes meet; the road edge is the centreline distance minus half
the street's width. A rule that cannot be checked (missing value, type or zone) is listed as
unchecked with the reason: such a carrier is 'not_assessed' unless another rule is violated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import cast

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from pipelines.ad_rules.model import AdRuleSet, GlobalRule


@dataclass(frozen=True)
class Carrier:
    """One advertising carrier as assessed (face area m², height m, position EPSG:2180)."""

    ad_id: int
    source_id: str
    dataset: str
    carrier_type: str | None
    faces: int | None
    face_area_m2: float | None
    height_m: float | None
    illuminated: bool | None
    led: bool | None
    installed_on: date | None
    x: float
    y: float
    type_label: str | None = None


@dataclass(frozen=True)
class Feature:
    """Something a distance rule measures to: id, geometry and attributes."""

    source_id: str
    geom: BaseGeometry
    road_class: str | None = None
    width_m: float | None = None
    area_m2: float | None = None
    public_access: bool | None = None


@dataclass
class Surroundings:
    """What the rules measure against: zones, trees, the street graph, parks (all EPSG:2180)."""

    zones: list[tuple[str, BaseGeometry]]
    trees: list[Feature] = field(default_factory=list)
    streets: list[Feature] = field(default_factory=list)
    """Street-graph edges: geometry, road_class, width_m."""
    street_ends: list[tuple[int, int]] = field(default_factory=list)
    """(source vertex id, target vertex id) of each street edge, same order as `streets`."""
    vertices: dict[int, tuple[float, float]] = field(default_factory=dict)
    parks: list[Feature] = field(default_factory=list)


@dataclass(frozen=True)
class Violation:
    """One broken rule: the measured value, the limit (m or m²; None for bans) and what it was measured to."""

    rule: str
    measured: float | None
    limit: float | None
    unit: str | None
    related_id: str | None
    detail: str

    def as_json(self) -> dict:
        return {"rule": self.rule, "measured": self.measured, "limit": self.limit, "unit": self.unit,
                "related_id": self.related_id, "detail": self.detail}


@dataclass
class Assessment:
    """The outcome for one carrier."""

    carrier: Carrier
    zone_code: str | None
    mounting: str | None
    violations: list[Violation] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)
    """Rule code → why it could not be checked."""

    @property
    def verdict(self) -> str:
        if self.violations:
            return "non_compliant"
        return "not_assessed" if self.unchecked else "compliant"

    @property
    def violated_rules(self) -> list[str]:
        return sorted({v.rule for v in self.violations})


Measure = Callable[[int], tuple[float, str, str] | None]
"""Carrier index → (distance m, related id, what) to the nearest target, None when there is none."""


def _nearest_points(points: np.ndarray, ids: list[str], what: str, xy: np.ndarray,
                    exclude_self: bool = False) -> Measure:
    if len(points) == 0 or (exclude_self and len(points) < 2):
        return lambda i: None
    tree = cKDTree(points)
    if not exclude_self:
        dist, idx = tree.query(xy, k=1)
        return lambda i: (float(dist[i]), ids[int(idx[i])], what)
    # `xy` are the points themselves: of the two nearest, one is the point (distance 0), the
    # other its nearest neighbour (also at 0 for a twin at the same spot, possibly listed first).
    dist, idx = tree.query(xy, k=2)
    other = np.where(idx[:, 1] == np.arange(len(xy)), idx[:, 0], idx[:, 1])
    return lambda i: (float(dist[i, 1]), ids[int(other[i])], what)


def _nearest_geoms(features: list[Feature], what: str, xy: np.ndarray) -> Measure:
    if not features:
        return lambda i: None
    geoms = np.array([f.geom for f in features], dtype=object)
    tree = shapely.STRtree(geoms)
    points = shapely.points(xy)
    (pi, gi), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    best = {int(p): (float(d), features[int(g)].source_id) for p, g, d in zip(pi, gi, dist, strict=True)}
    return lambda i: (*best[i], what) if i in best else None


def intersections(around: Surroundings, road_classes: tuple[str, ...], min_legs: int) -> tuple[np.ndarray, list[str]]:
    """Street vertices where at least `min_legs` edges of `road_classes` meet: (xy array, vertex ids)."""
    legs: Counter = Counter()
    for f, (a, b) in zip(around.streets, around.street_ends, strict=True):
        if f.road_class in road_classes:
            legs[a] += 1
            legs[b] += 1
    nodes = sorted(v for v, n in legs.items() if n >= min_legs)
    xy = np.array([around.vertices[v] for v in nodes], dtype=float).reshape(-1, 2)
    return xy, [f"vertex {v}" for v in nodes]


def _road_edge(around: Surroundings, road_class: str, xy: np.ndarray) -> Measure:
    """Distance from the carriageway edge of the nearest street of `road_class` (centreline − width/2, ≥ 0)."""
    streets = [f for f in around.streets if f.road_class == road_class]
    if not streets:
        return lambda i: None
    geoms = np.array([f.geom for f in streets], dtype=object)
    half = np.array([(f.width_m or 0.0) / 2 for f in streets])
    points = cast(np.ndarray, shapely.points(xy))  # xy is (n, 2): an array of n points

    def measure(i: int) -> tuple[float, str, str]:
        d = np.maximum(shapely.distance(geoms, points[i]) - half, 0.0)
        j = int(np.argmin(d))
        width = "" if streets[j].width_m else ", width unknown: measured from the centreline"
        return float(d[j]), streets[j].source_id, f"the edge of road class {road_class} street{width}"

    return measure


def _measures(rule: GlobalRule, rules: AdRuleSet, carriers: list[Carrier], around: Surroundings,
              xy: np.ndarray, monuments: list[Feature]) -> list[tuple[Measure, float]]:
    """(measure, minimum distance m) pairs of a distance rule (one per road class for the road edge)."""
    if rule.check == "min_spacing":
        members = [i for i, c in enumerate(carriers) if _applies(rule, rules.mounting.get(c.carrier_type or ""))]
        sub = _nearest_points(xy[members], [carriers[i].source_id for i in members], "another carrier",
                              xy[members], exclude_self=True)
        pos = {i: k for k, i in enumerate(members)}
        return [((lambda i: sub(pos[i]) if i in pos else None), rule.min_distance_m or 0.0)]
    if rule.check == "min_distance_intersection":
        nodes, ids = intersections(around, rule.road_classes, rule.min_legs)
        return [(_nearest_points(nodes, ids, "an intersection", xy), rule.min_distance_m or 0.0)]
    if rule.check == "min_distance_tree":
        points = cast(list[Point], [f.geom for f in around.trees])  # trees are points
        trees = np.array([(p.x, p.y) for p in points], dtype=float).reshape(-1, 2)
        return [(_nearest_points(trees, [f.source_id for f in around.trees], "a tree", xy), rule.min_distance_m or 0.0)]
    if rule.check == "min_distance_road_edge":
        return [(_road_edge(around, cls, xy), dist) for cls, dist in rule.by_road_class]
    if rule.check == "min_distance_park":
        parks = [p for p in around.parks if (p.public_access or not rule.public_only)
                 and (p.area_m2 or 0.0) >= rule.min_area_m2]
        return [(_nearest_geoms(parks, "a park", xy), rule.min_distance_m or 0.0)]
    if rule.check == "min_distance_monument":
        return [(_nearest_geoms(monuments, "a monument", xy), rule.min_distance_m or 0.0)]
    return []


def _applies(rule: GlobalRule, mounting: str | None) -> bool:
    return rule.applies_to == "all" or rule.applies_to == mounting


def zone_of(points: np.ndarray, zones: list[tuple[str, BaseGeometry]]) -> list[str | None]:
    """Zone code containing each point (border points: the alphabetically first code), None outside all."""
    out: list[str | None] = [None] * len(points)
    if not zones or not len(points):
        return out
    tree = shapely.STRtree(np.array([g for _, g in zones], dtype=object))
    pi, zi = tree.query(shapely.points(points), predicate="intersects")
    for p, z in zip(pi, zi, strict=True):
        code = zones[int(z)][0]
        current = out[int(p)]
        if current is None or code < current:
            out[int(p)] = code
    return out


def _zone_checks(a: Assessment, rules: AdRuleSet) -> None:
    c, zone = a.carrier, a.zone_code
    if not rules.zone_rules:
        return
    lim = rules.limits.get((zone, c.carrier_type or "")) if zone else None
    if lim is None:
        why = ("the carrier lies outside every landscape zone" if zone is None else
               f"the rules set no limits for carrier type {c.carrier_type!r} in zone {zone}")
        a.unchecked.update(dict.fromkeys(rules.zone_rules, why))
        return
    label = lim.type_label if lim.type_label == lim.carrier_type else f"{lim.type_label} ({lim.carrier_type})"
    if "TYPE_NOT_ALLOWED" in rules.zone_rules and not lim.allowed:
        a.violations.append(Violation("TYPE_NOT_ALLOWED", None, None, None, None,
                                      f"{label} is not allowed in zone {zone}"))
        return
    for code, value, limit, unit, what in (
        ("FACE_AREA_EXCEEDED", c.face_area_m2, lim.max_face_area_m2, "m2", "face area"),
        ("HEIGHT_EXCEEDED", c.height_m, lim.max_height_m, "m", "height"),
    ):
        if code not in rules.zone_rules or limit is None:
            continue
        if value is None:
            a.unchecked[code] = f"the carrier's {what} is missing in the inventory"
        elif value > limit:
            a.violations.append(Violation(
                code, round(value, 3), limit, unit, None,
                f"{what} {value:g} {unit} > {limit:g} {unit} allowed for {label} in zone {zone}"))


def _ban_check(a: Assessment, rule: GlobalRule) -> None:
    c, zone = a.carrier, a.zone_code
    lit = c.led if rule.check == "led_forbidden" else (
        None if c.led is None and c.illuminated is None else bool(c.led) or bool(c.illuminated))
    what = "LED screen" if rule.check == "led_forbidden" else "lit carrier"
    if zone is None:
        a.unchecked[rule.code] = "the carrier lies outside every landscape zone"
    elif zone in rule.forbidden_zones:
        if lit is None:
            a.unchecked[rule.code] = f"the inventory does not say whether the carrier is a {what}"
        elif lit:
            a.violations.append(Violation(rule.code, None, None, None, None,
                                          f"{what} in zone {zone}, where {what}s are banned"))


def assess(carriers: list[Carrier], rules: AdRuleSet, around: Surroundings) -> list[Assessment]:
    """Check every carrier against every rule of `rules`; one Assessment per carrier, in input order."""
    xy = np.array([(c.x, c.y) for c in carriers], dtype=float).reshape(-1, 2)
    zones = zone_of(xy, around.zones)
    out = [Assessment(c, z, rules.mounting.get(c.carrier_type or "")) for c, z in zip(carriers, zones, strict=True)]
    for a in out:
        if a.mounting is None:
            a.unchecked.update(dict.fromkeys(
                rules.zone_rules,
                f"carrier type {a.carrier.type_label or a.carrier.carrier_type!r} is not "
                "named in the rules' carrier type lists"))
        else:
            _zone_checks(a, rules)
    monuments = [Feature(m.source_id, m.geom) for m in rules.monuments]
    for rule in rules.global_rules:
        measures = None
        for i, a in enumerate(out):
            if rule.applies_to != "all" and a.mounting is None:
                a.unchecked[rule.code] = ("the carrier type is not named in the rules, "
                                          "so it is unknown whether it applies")
                continue
            if not _applies(rule, a.mounting):
                continue
            if rule.zones is not None and a.zone_code not in rule.zones:
                if a.zone_code is None:
                    a.unchecked[rule.code] = "the carrier lies outside every landscape zone"
                continue
            if rule.check.endswith("_forbidden"):
                _ban_check(a, rule)
                continue
            if measures is None:
                measures = _measures(rule, rules, carriers, around, xy, monuments)
            _distance_check(a, i, rule, measures)
    return out


def _distance_check(a: Assessment, i: int, rule: GlobalRule, measures: list[tuple[Measure, float]]) -> None:
    worst: tuple[float, float, str, str] | None = None
    for measure, minimum in measures:
        found = measure(i)
        if found is not None and found[0] < minimum and (worst is None or minimum - found[0] > worst[1] - worst[0]):
            worst = (found[0], minimum, found[1], found[2])
    if worst is not None:
        d, minimum, related, what = worst
        a.violations.append(Violation(rule.code, round(d, 3), minimum, "m", related,
                                      f"{d:.2f} m from {what} ({related}); at least {minimum:g} m required"))
