"""The advertising rule set as data: zone × type limits, global rules, protected objects and the whole set.

The domain model the rules loader (`pipelines.ad_rules.load`) builds and the compliance
analysis (`processing.advertising`) applies; parsing and validation live in the loader's
other modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shapely.geometry.base import BaseGeometry

from pipelines.ad_rules.fees import FeeSchedule

ZONE_CODES = ("A", "B", "C", "D")
#: Road classes of Polish public roads (A motorway … D access road): the default for intersections.
DEFAULT_ROAD_CLASSES = ("A", "S", "GP", "G", "Z", "L", "D")


@dataclass(frozen=True)
class ZoneLimit:
    """What one carrier type may be in one zone (areas m², heights m; None = no limit)."""

    zone_code: str
    carrier_type: str
    type_label: str
    mounting: str
    allowed: bool
    max_face_area_m2: float | None
    max_height_m: float | None


@dataclass(frozen=True)
class GlobalRule:
    """A rule beyond the zone table; distances in metres (see CHECKS for which fields a check uses)."""

    code: str
    check: str
    applies_to: str
    zones: tuple[str, ...] | None = None
    min_distance_m: float | None = None
    by_road_class: tuple[tuple[str, float], ...] = ()
    forbidden_zones: tuple[str, ...] = ()
    road_classes: tuple[str, ...] = DEFAULT_ROAD_CLASSES
    min_legs: int = 3
    public_only: bool = False
    min_area_m2: float = 0.0
    description: str = ""


@dataclass(frozen=True)
class ProtectedObject:
    """A monument (point or outline, EPSG:2180) a min_distance_monument rule keeps carriers away from."""

    kind: str
    source_id: str
    name: str | None
    geom: BaseGeometry


@dataclass
class AdRuleSet:
    """A validated rule set; carrier types are msip.advertisement codes."""

    name: str
    version: str | None
    in_force_from: date | None
    source_file: str
    mounting: dict[str, str]
    """Carrier type code → 'free_standing' or 'building_mounted'."""
    labels: dict[str, str]
    """Carrier type code → the wording of the rules file."""
    zone_rules: tuple[str, ...]
    limits: dict[tuple[str, str], ZoneLimit]
    """(zone code, carrier type code) → limits."""
    global_rules: tuple[GlobalRule, ...]
    monuments: tuple[ProtectedObject, ...] = ()
    fees: FeeSchedule | None = None
    zone_names: dict[str, str] | None = None

    @property
    def rule_codes(self) -> tuple[str, ...]:
        """Every rule code the set can report, zone rules first."""
        return self.zone_rules + tuple(dict.fromkeys(r.code for r in self.global_rules))
