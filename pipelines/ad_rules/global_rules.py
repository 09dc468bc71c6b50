"""The `global_rules` of an advertising rules file: rule codes → checks with their parameters, validated."""

from __future__ import annotations

import re

from msip.core.errors import ValidationError
from pipelines.ad_rules.model import DEFAULT_ROAD_CLASSES, GlobalRule
from pipelines.ad_rules.parts import _bool, positive, zone_codes

APPLIES_TO = ("free_standing", "building_mounted", "all")
#: check kind → {parameter: required?}; every rule also takes check, applies_to, zones, description.
CHECKS: dict[str, dict[str, bool]] = {
    "min_spacing": {"min_distance_m": True},
    "min_distance_intersection": {"min_distance_m": True, "road_classes": False, "min_legs": False},
    "min_distance_tree": {"min_distance_m": True},
    "min_distance_road_edge": {"min_distance_m_by_road_class": True},
    "min_distance_park": {"min_distance_m": True, "public_only": False, "min_area_m2": False},
    "min_distance_monument": {"min_distance_m": True},
    "led_forbidden": {"led_forbidden_zones": True},
    "illumination_forbidden": {"illumination_forbidden_zones": True},
}
#: The check a rule code means when the file does not say `check:`.
DEFAULT_CHECKS = {
    "MIN_SPACING_FREESTANDING": "min_spacing",
    "MIN_DISTANCE_INTERSECTION": "min_distance_intersection",
    "MIN_DISTANCE_TREE": "min_distance_tree",
    "MIN_DISTANCE_ROAD_EDGE": "min_distance_road_edge",
    "MIN_DISTANCE_PARK": "min_distance_park",
    "MIN_DISTANCE_MONUMENT": "min_distance_monument",
    "LED_IN_ZONE_A": "led_forbidden",
    "ILLUMINATION_FORBIDDEN": "illumination_forbidden",
}
_COMMON = ("check", "applies_to", "zones", "description")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{2,63}$")


def _rule(code: str, entry: object, src: str, descriptions: dict) -> list[GlobalRule]:
    where = f"{src}: global_rules.{code}"
    if not _CODE.match(code):
        raise ValidationError(f"{where}: rule codes are UPPER_CASE_WITH_UNDERSCORES, e.g. MIN_DISTANCE_TREE")
    if not isinstance(entry, dict):
        raise ValidationError(f"{where} must be a mapping of parameters, e.g. {{applies_to: free_standing, "
                              "min_distance_m: 5}")
    check = entry.get("check") or DEFAULT_CHECKS.get(code)
    if check not in CHECKS:
        raise ValidationError(f"{where}: unknown rule; name what it checks with check: one of {', '.join(CHECKS)}")
    params = CHECKS[check]
    unknown = sorted(set(entry) - set(params) - set(_COMMON))
    if unknown:
        raise ValidationError(f"{where}: unknown key(s) {unknown} for check {check}; it takes "
                              f"{', '.join(list(params) + list(_COMMON))}")
    for key, required in params.items():
        if required and entry.get(key) is None:
            raise ValidationError(f"{where}.{key} is missing; check {check} needs it")
    default_applies = "all" if check.endswith("_forbidden") else "free_standing"
    applies = entry.get("applies_to", default_applies)
    if applies not in APPLIES_TO:
        raise ValidationError(f"{where}.applies_to = {applies!r} is not one of {', '.join(APPLIES_TO)}")
    zones = zone_codes(entry["zones"], f"{where}.zones") if entry.get("zones") is not None else None
    base = {"code": code, "check": check, "applies_to": applies, "zones": zones,
            "description": str(entry.get("description") or descriptions.get(code) or "")}
    if check == "led_forbidden":
        return [GlobalRule(**base, forbidden_zones=zone_codes(entry["led_forbidden_zones"],
                                                              f"{where}.led_forbidden_zones"))]
    if check == "illumination_forbidden":
        return [GlobalRule(**base, forbidden_zones=zone_codes(entry["illumination_forbidden_zones"],
                                                               f"{where}.illumination_forbidden_zones"))]
    if check == "min_distance_road_edge":
        by_class = entry["min_distance_m_by_road_class"]
        if not isinstance(by_class, dict) or not by_class:
            raise ValidationError(f"{where}.min_distance_m_by_road_class must map road classes to metres, "
                                  "e.g. {GP: 10, G: 8, Z: 6, L: 5, D: 5}")
        pairs = tuple((str(k), positive(v, f"{where}.min_distance_m_by_road_class.{k}", "metres from the "
                                        "carriageway edge", allow_zero=True)) for k, v in by_class.items())
        if any(v is None for _, v in pairs):
            raise ValidationError(f"{where}.min_distance_m_by_road_class: every class needs a distance in metres")
        return [GlobalRule(**base, by_road_class=pairs)]  # type: ignore[arg-type]
    distance = positive(entry["min_distance_m"], f"{where}.min_distance_m", "metres", allow_zero=True)
    extra: dict = {}
    if check == "min_distance_intersection":
        classes = entry.get("road_classes", list(DEFAULT_ROAD_CLASSES))
        if not isinstance(classes, list) or not classes:
            raise ValidationError(f"{where}.road_classes must be a list of road classes, e.g. [G, Z, L, D]")
        legs = entry.get("min_legs", 3)
        if not isinstance(legs, int) or isinstance(legs, bool) or legs < 3:
            raise ValidationError(f"{where}.min_legs = {legs!r} must be an integer ≥ 3 (street segments meeting)")
        extra = {"road_classes": tuple(map(str, classes)), "min_legs": legs}
    if check == "min_distance_park":
        extra = {"public_only": _bool(entry.get("public_only", False), f"{where}.public_only"),
                 "min_area_m2": positive(entry.get("min_area_m2", 0), f"{where}.min_area_m2", "m²", allow_zero=True)
                 or 0.0}
    return [GlobalRule(**base, min_distance_m=distance, **extra)]


def parse_global_rules(section: object, *, src: str, descriptions: dict) -> tuple[GlobalRule, ...]:
    """The `global_rules` mapping (code → parameters) as GlobalRule objects; empty when absent."""
    if section is None:
        return ()
    if not isinstance(section, dict):
        raise ValidationError(f"{src}: global_rules must map rule codes to parameters")
    return tuple(r for code, entry in section.items() for r in _rule(str(code), entry, src, descriptions))
