"""Advertising rules as data (zones A–D × carrier types, global distances) and their evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml
from shapely.geometry import Point

from .model import Carrier, LandscapeZone

FREE_STANDING = ("wolnostojący", "ekran LED", "pylon", "słup ogłoszeniowy")
BUILDING_MOUNTED = ("baner na budynku", "mural")
CARRIER_TYPES = FREE_STANDING + BUILDING_MOUNTED

TYPE_NOT_ALLOWED = "TYPE_NOT_ALLOWED"
FACE_AREA_EXCEEDED = "FACE_AREA_EXCEEDED"
HEIGHT_EXCEEDED = "HEIGHT_EXCEEDED"
LED_IN_ZONE_A = "LED_IN_ZONE_A"
MIN_SPACING = "MIN_SPACING_FREESTANDING"
MIN_DIST_INTERSECTION = "MIN_DISTANCE_INTERSECTION"
MIN_DIST_TREE = "MIN_DISTANCE_TREE"

MIN_SPACING_M = 50.0
MIN_INTERSECTION_M = 10.0
MIN_TREE_M = 5.0
LED_FORBIDDEN_ZONES = ("A",)

ZONE_NAMES = {
    "A": "Strefa A – historyczne centrum",
    "B": "Strefa B – śródmieście",
    "C": "Strefa C – osiedla i ulice miejskie",
    "D": "Strefa D – tereny zewnętrzne i usługowe",
}

# (allowed, max face area m², max height m) per zone and carrier type.
_N = (False, None, None)
LIMITS: dict[str, dict[str, tuple[bool, float | None, float | None]]] = {
    "A": {
        "wolnostojący": _N,
        "ekran LED": _N,
        "pylon": _N,
        "słup ogłoszeniowy": (True, 6.0, 4.0),
        "baner na budynku": _N,
        "mural": (True, 40.0, 12.0),
    },
    "B": {
        "wolnostojący": (True, 12.0, 5.0),
        "ekran LED": (True, 8.0, 5.0),
        "pylon": (True, 6.0, 8.0),
        "słup ogłoszeniowy": (True, 8.0, 4.5),
        "baner na budynku": (True, 18.0, 15.0),
        "mural": (True, 80.0, 18.0),
    },
    "C": {
        "wolnostojący": (True, 18.0, 6.0),
        "ekran LED": (True, 12.0, 6.0),
        "pylon": (True, 8.0, 10.0),
        "słup ogłoszeniowy": (True, 10.0, 4.5),
        "baner na budynku": (True, 24.0, 20.0),
        "mural": (True, 120.0, 25.0),
    },
    "D": {
        "wolnostojący": (True, 36.0, 8.0),
        "ekran LED": (True, 18.0, 8.0),
        "pylon": (True, 12.0, 12.0),
        "słup ogłoszeniowy": (True, 12.0, 5.0),
        "baner na budynku": (True, 48.0, 25.0),
        "mural": (True, 200.0, 30.0),
    },
}


def _reference_limits() -> dict[str, tuple[float, float]]:
    """Zone D's limits, where every type is allowed: typical sizes for banned carriers."""
    out: dict[str, tuple[float, float]] = {}
    for ctype, (_, area, height) in LIMITS["D"].items():
        if area is None or height is None:
            raise AssertionError(f"zone D must set both limits for {ctype!r}")
        out[ctype] = (area, height)
    return out


REFERENCE_LIMITS = _reference_limits()
"""(face area m², height m) used for carriers whose type is not allowed in their zone."""

RULE_DESCRIPTIONS = {
    TYPE_NOT_ALLOWED: "carrier type not allowed in its landscape zone",
    FACE_AREA_EXCEEDED: "powierzchnia_ekspozycji_m2 (one face) above the zone's max_face_area_m2",
    HEIGHT_EXCEEDED: "wysokosc_m above the zone's max_height_m",
    LED_IN_ZONE_A: "led = tak on any carrier inside a zone listed in led_forbidden_zones",
    MIN_SPACING: "free-standing carrier closer than min_distance_m to another free-standing one "
    "(both carriers of the pair violate)",
    MIN_DIST_INTERSECTION: "free-standing carrier closer than min_distance_m to an intersection: "
    "a street-graph node where at least 3 segments of road_class G/Z/L/D meet",
    MIN_DIST_TREE: "free-standing carrier closer than min_distance_m to a tree trunk listed in "
    "the tree inventory of the same epoch (x_2180, y_2180)",
}


def rules_document(fees: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rules as a plain dict, the content of ``ads/zasady_reklamowe.yaml`` (``fees``: the
    fee section, left out when None)."""
    zones: dict[str, Any] = {}
    for code, per_type in LIMITS.items():
        zones[code] = {
            "name": ZONE_NAMES[code],
            "carriers": {
                t: {"allowed": a, "max_face_area_m2": f, "max_height_m": h}
                for t, (a, f, h) in per_type.items()
            },
        }
    doc: dict[str, Any] = {
        "version": 1,
        "crs": "EPSG:2180",
        "distances_in": "metres, horizontal, between carrier points (x_2180, y_2180)",
        "free_standing_types": list(FREE_STANDING),
        "building_mounted_types": list(BUILDING_MOUNTED),
        "global_rules": {
            MIN_SPACING: {"applies_to": "free_standing", "min_distance_m": MIN_SPACING_M},
            MIN_DIST_INTERSECTION: {
                "applies_to": "free_standing",
                "min_distance_m": MIN_INTERSECTION_M,
            },
            MIN_DIST_TREE: {"applies_to": "free_standing", "min_distance_m": MIN_TREE_M},
            LED_IN_ZONE_A: {"applies_to": "all", "led_forbidden_zones": list(LED_FORBIDDEN_ZONES)},
        },
        "zone_rules": [TYPE_NOT_ALLOWED, FACE_AREA_EXCEEDED, HEIGHT_EXCEEDED],
        "rule_descriptions": dict(RULE_DESCRIPTIONS),
        "zones": zones,
    }
    if fees is not None:
        doc["fees"] = fees
    return doc


def rules_yaml(fees: dict[str, Any] | None = None) -> str:
    """The YAML text with a header explaining keys and units."""
    header = (
        "# Advertising rules of the MSIP sample world (uchwała krajobrazowa, simplified).\n"
        "# zones.<code>.carriers.<typ_nosnika>: allowed (bool), max_face_area_m2 (one face, m²),\n"
        "#   max_height_m (top of the carrier above ground, m); null = no limit / not allowed.\n"
        "# global_rules: distances in metres; rule codes are the keys used in\n"
        "#   truth/ads_violations.csv.\n"
    )
    if fees is not None:
        header += (
            "# fees: opłata reklamowa rates per year (PLN per carrier per day, PLN per m² per day)\n"
            "#   and the statutory maxima they must stay under; see pipelines.ad_rules.fees.\n"
        )
    body = yaml.safe_dump(rules_document(fees), allow_unicode=True, sort_keys=False, width=100)
    return header + body


def zone_of(x: float, y: float, zones: list[LandscapeZone]) -> str:
    """Code of the landscape zone containing (x, y); raises if none does."""
    p = Point(x, y)
    for z in zones:
        if z.polygon.covers(p):
            return z.zone_code
    raise AssertionError(f"carrier point ({x:.1f}, {y:.1f}) lies outside every landscape zone")


def evaluate(
    carriers: list[Carrier],
    zones: list[LandscapeZone],
    tree_xy: np.ndarray,
    intersection_xy: np.ndarray,
) -> dict[str, list[str]]:
    """Violated rule codes (sorted) per carrier id; ``tree_xy`` are inventory trunks (n × 2)."""
    out: dict[str, list[str]] = {}
    free = [c for c in carriers if c.carrier_type in FREE_STANDING]
    free_xy = np.array([(c.x, c.y) for c in free]).reshape(-1, 2)
    for c in carriers:
        codes: set[str] = set()
        zone = zone_of(c.x, c.y, zones)
        allowed, max_area, max_h = LIMITS[zone][c.carrier_type]
        if not allowed:
            codes.add(TYPE_NOT_ALLOWED)
        else:
            if max_area is not None and c.face_area_m2 > max_area:
                codes.add(FACE_AREA_EXCEEDED)
            if max_h is not None and c.height_m > max_h:
                codes.add(HEIGHT_EXCEEDED)
        if c.led and zone in LED_FORBIDDEN_ZONES:
            codes.add(LED_IN_ZONE_A)
        if c.carrier_type in FREE_STANDING:
            xy = np.array([c.x, c.y])
            d_free = np.hypot(*(free_xy - xy).T)
            if np.count_nonzero(d_free < MIN_SPACING_M) > 1:  # itself at distance 0
                codes.add(MIN_SPACING)
            if (
                len(intersection_xy)
                and np.hypot(*(intersection_xy - xy).T).min() < MIN_INTERSECTION_M
            ):
                codes.add(MIN_DIST_INTERSECTION)
            if len(tree_xy) and np.hypot(*(tree_xy - xy).T).min() < MIN_TREE_M:
                codes.add(MIN_DIST_TREE)
        out[c.carrier_id] = sorted(codes)
    return out
