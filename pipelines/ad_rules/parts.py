"""The values of an advertising rules file (carrier types, yes/no, limits, zone codes) and its zone × type limits.

The `global_rules` are parsed in `pipelines.ad_rules.global_rules`, the `monuments` in
`pipelines.ad_rules.monuments`; both use the value parsers here.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

from msip.core.errors import SourceReadError, ValidationError
from pipelines.ad_rules.model import ZONE_CODES, ZoneLimit
from pipelines.inventory.ads import AD_RANGES, CARRIER_TYPES
from pipelines.readers.columns import yes_no
from pipelines.readers.tabular import normalise_name
from pipelines.readers.validate import parse_number

#: Limits above what any carrier may measure (the advertising loader's plausible ranges) are typos.
MAX_FACE_AREA_M2 = AD_RANGES["face_area_m2"][2]
MAX_HEIGHT_M = AD_RANGES["height_m"][2]
_LIMIT_KEYS = ("allowed", "max_face_area_m2", "max_height_m")


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


def zone_codes(values: object, where: str) -> tuple[str, ...]:
    """A non-empty list of landscape zone codes (A–D) as a tuple without repeats; ValidationError naming `where`."""
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
        raise SourceReadError(f"{path}: cannot read the zone table ({exc}); "
                              "give a UTF-8 CSV next to the rules file") from None
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
                              "(zones: {A: {carriers: {mural: "
                              "{allowed: true, max_face_area_m2: 40, max_height_m: 12}}}})")
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
