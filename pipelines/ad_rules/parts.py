"""The parts of an advertising rules file: zone × type limits, global rules, monuments — parsed and validated."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from msip.core.errors import SourceReadError, ValidationError
from pipelines.inventory.ads import AD_RANGES, CARRIER_TYPES
from pipelines.readers.columns import yes_no
from pipelines.readers.tabular import normalise_name
from pipelines.readers.validate import EXTENTS, outside_extent_reason, parse_number

ZONE_CODES = ("A", "B", "C", "D")
#: Limits above what any carrier may measure (the advertising loader's plausible ranges) are typos.
MAX_FACE_AREA_M2 = AD_RANGES["face_area_m2"][2]
MAX_HEIGHT_M = AD_RANGES["height_m"][2]
APPLIES_TO = ("free_standing", "building_mounted", "all")
#: Road classes of Polish public roads (A motorway … D access road): the default for intersections.
DEFAULT_ROAD_CLASSES = ("A", "S", "GP", "G", "Z", "L", "D")
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
_LIMIT_KEYS = ("allowed", "max_face_area_m2", "max_height_m")


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


def type_code(label: str) -> str | None:
    """The msip.advertisement carrier-type code a wording means ('słup ogłoszeniowy' → 'column'), or None."""
    key = normalise_name(label)
    if not key:
        return None
    return next((code for code, pattern in CARRIER_TYPES if re.search(pattern, key)), None)


def _bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    found = yes_no(str(value))
    if found is not None:
        return found
    raise ValidationError(f"{where} = {value!r} is not true/false (tak/nie); write allowed: true or allowed: false")


def positive(value: object, where: str, unit: str, *, allow_zero: bool = False,
             hi: float | None = None) -> float | None:
    """A number > 0 (≥ 0 with allow_zero, ≤ hi when given) or None for null/empty; ValidationError naming `where`."""
    if isinstance(value, bool):
        raise ValidationError(f"{where} = {value!r} is not a number ({unit})")
    if isinstance(value, float) and math.isnan(value):
        # YAML .nan would otherwise read as "no limit" (parse_number treats NaN as empty).
        raise ValidationError(f"{where} = .nan is not a number ({unit}); write the limit, or null for no limit")
    try:
        number = parse_number(value, field=where, unit=unit)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if number is None:
        return None
    if not math.isfinite(number):
        raise ValidationError(f"{where} = {value!r} is not a finite number ({unit}); write the limit, or null "
                              "for no limit")
    if number < 0 or (number == 0 and not allow_zero):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValidationError(f"{where} = {value!r} must be {bound} ({unit}); write the limit, or null for no limit")
    if hi is not None and number > hi:
        raise ValidationError(f"{where} = {value!r} is above the plausible {hi:g} ({unit}); check the value and "
                              "its unit, or write null for no limit")
    return number


def _zone_codes(values: object, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not values:
        raise ValidationError(f"{where} must be a non-empty list of zone codes, e.g. [A, B]")
    out = []
    for v in values:
        if str(v) not in ZONE_CODES:
            raise ValidationError(f"{where}: unknown landscape zone code {v!r}; the codes are {', '.join(ZONE_CODES)}")
        out.append(str(v))
    return tuple(dict.fromkeys(out))


def _zone_table_csv(path: Path) -> dict:
    """A zone table CSV as the `zones` mapping: zone_code;carrier_type;allowed;max_face_area_m2;max_height_m."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceReadError(f"{path}: cannot read the zone table ({exc}); give a UTF-8 CSV next to the rules file") from None
    first = text.splitlines()[0] if text else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") >= first.count(",") else ",")
    aliases = {"zone_code": ("zone_code", "strefa", "kod_strefy"), "carrier_type": ("carrier_type", "typ_nosnika"),
               "allowed": ("allowed", "dopuszczalny"), "max_face_area_m2": ("max_face_area_m2", "maks_powierzchnia_m2"),
               "max_height_m": ("max_height_m", "maks_wysokosc_m")}
    columns = {normalise_name(c): c for c in reader.fieldnames or []}
    names = {}
    for field, options in aliases.items():
        names[field] = next((columns[o] for o in options if o in columns), None)
        if names[field] is None:
            raise SourceReadError(f"{path.name}: no {field} column ({' or '.join(options)}); its columns are "
                                  f"{', '.join(reader.fieldnames or [])}")
    zones: dict = {}
    for number, row in enumerate(reader, start=2):
        code, label = (row[names["zone_code"]] or "").strip(), (row[names["carrier_type"]] or "").strip()
        carriers = zones.setdefault(code, {"carriers": {}})["carriers"]
        if label in carriers:
            raise ValidationError(f"{path.name} line {number}: zone {code} carrier type {label!r} appears twice")
        carriers[label] = {k: row[names[k]] for k in _LIMIT_KEYS} | {"_line": number}
    return zones


def parse_zones(zones: object, table: object, *, src: str, base_dir: Path, mounting: dict[str, str],
                labels: dict[str, str]) -> tuple[dict[tuple[str, str], ZoneLimit], dict[str, str]]:
    """Zone × carrier-type limits from `zones` (or the `zone_table` CSV); every zone must list every type."""
    names: dict[str, str] = {}
    if table is not None:
        table_doc = _zone_table_csv(base_dir / str(table))
        for code, entry in (zones or {}).items() if isinstance(zones, dict) else ():
            if isinstance(entry, dict) and entry.get("name"):
                table_doc.setdefault(str(code), {"carriers": {}})["name"] = entry["name"]
        zones, src = table_doc, str(table)
    if not isinstance(zones, dict) or not zones:
        raise ValidationError(f"{src}: zones must map the zone codes A–D to their carrier limits "
                              "(zones: {A: {carriers: {mural: {allowed: true, max_face_area_m2: 40, max_height_m: 12}}}})")
    limits: dict[tuple[str, str], ZoneLimit] = {}
    for code, entry in zones.items():
        code = str(code)
        if code not in ZONE_CODES:
            raise ValidationError(f"{src}: zones.{code}: unknown landscape zone code {code!r}; the codes are "
                                  f"{', '.join(ZONE_CODES)} (as in the landscape zone layer); rename or remove it")
        carriers = entry.get("carriers") if isinstance(entry, dict) else None
        if not isinstance(carriers, dict):
            raise ValidationError(f"{src}: zones.{code}.carriers must map carrier types to "
                                  "{allowed, max_face_area_m2, max_height_m}")
        if isinstance(entry.get("name"), str):
            names[code] = entry["name"]
        seen = set()
        for label, lim in carriers.items():
            where = f"{src}: zones.{code}.carriers.{label}"
            if isinstance(lim, dict) and "_line" in lim:
                where = f"{src} line {lim.pop('_line')} (zone {code}, {label})"
            ctype = type_code(str(label))
            if ctype is None or ctype not in mounting:
                raise ValidationError(f"{where}: carrier type {label!r} is in neither free_standing_types nor "
                                      "building_mounted_types; add it to one of them or fix the spelling")
            if ctype in seen:
                raise ValidationError(f"{where}: a second entry for carrier type {ctype!r} ({labels[ctype]!r})")
            seen.add(ctype)
            if not isinstance(lim, dict) or "allowed" not in lim:
                raise ValidationError(f"{where} needs allowed: true/false (and max_face_area_m2, max_height_m)")
            unknown = sorted(set(lim) - set(_LIMIT_KEYS))
            if unknown:
                raise ValidationError(f"{where}: unknown key(s) {unknown}; the keys are {', '.join(_LIMIT_KEYS)}")
            limits[(code, ctype)] = ZoneLimit(
                code, ctype, labels[ctype], mounting[ctype], _bool(lim["allowed"], f"{where}.allowed"),
                positive(lim.get("max_face_area_m2"), f"{where}.max_face_area_m2", "m² of one face",
                         hi=MAX_FACE_AREA_M2),
                positive(lim.get("max_height_m"), f"{where}.max_height_m", "metres above ground", hi=MAX_HEIGHT_M),
            )
        missing = [labels[t] for t in mounting if t not in seen]
        if missing:
            raise ValidationError(f"{src}: zones.{code}.carriers has no entry for {', '.join(map(repr, missing))}; "
                                  "add each with allowed: false if the type is banned there")
    return limits, names


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
    zones = _zone_codes(entry["zones"], f"{where}.zones") if entry.get("zones") is not None else None
    base = {"code": code, "check": check, "applies_to": applies, "zones": zones,
            "description": str(entry.get("description") or descriptions.get(code) or "")}
    if check == "led_forbidden":
        return [GlobalRule(**base, forbidden_zones=_zone_codes(entry["led_forbidden_zones"], f"{where}.led_forbidden_zones"))]
    if check == "illumination_forbidden":
        return [GlobalRule(**base, forbidden_zones=_zone_codes(entry["illumination_forbidden_zones"],
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


def parse_monuments(section: object, *, src: str) -> tuple[ProtectedObject, ...]:
    """The `monuments` list: {id, name, x_2180, y_2180} or {id, name, wkt} in EPSG:2180."""
    if section is None:
        return ()
    if not isinstance(section, list):
        raise ValidationError(f"{src}: monuments must be a list of {{id, name, x_2180, y_2180}} entries")
    out, seen = [], set()
    for i, entry in enumerate(section, start=1):
        where = f"{src}: monuments[{i}]"
        if not isinstance(entry, dict) or not entry.get("id"):
            raise ValidationError(f"{where} needs an id (e.g. the register number A.123) and a position")
        sid = str(entry["id"])
        if sid in seen:
            raise ValidationError(f"{where}: id {sid!r} appears twice; ids must be unique")
        seen.add(sid)
        if entry.get("wkt"):
            try:
                geom = shapely.from_wkt(str(entry["wkt"]))
            except shapely.errors.GEOSException as exc:
                raise ValidationError(f"{where}.wkt is not valid WKT ({exc}); e.g. POINT (614500 335000)") from None
        else:
            x = positive(entry.get("x_2180"), f"{where}.x_2180", "EPSG:2180 easting, m")
            y = positive(entry.get("y_2180"), f"{where}.y_2180", "EPSG:2180 northing, m")
            if x is None or y is None:
                raise ValidationError(f"{where} needs x_2180 and y_2180 (EPSG:2180 metres) or wkt")
            geom = Point(x, y)
        c = geom.centroid
        if geom.is_empty or not EXTENTS["kielce"].contains(c.x, c.y):
            reason = "is empty" if geom.is_empty else outside_extent_reason(c.x, c.y, EXTENTS["kielce"])
            raise ValidationError(f"{where}: the position {reason}")
        out.append(ProtectedObject("monument", sid, entry.get("name"), geom))
    return tuple(out)
