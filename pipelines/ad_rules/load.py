"""Advertising rules as data: read and validate the rules file the city edits (YAML, zone table also as CSV).

The file (the sample world writes `ads/zasady_reklamowe.yaml`) holds:

- `free_standing_types`, `building_mounted_types`: carrier types as the city words them
  (wolnostojący, ekran LED, pylon, słup ogłoszeniowy, baner na budynku, mural …); each is
  matched to the carrier-type code of msip.advertisement (board, led_screen, …).
- `zones`: per landscape zone A–D and carrier type: `allowed`, `max_face_area_m2` (one
  face), `max_height_m`; null = no limit. Or `zone_table: <file>.csv` with columns
  zone_code;carrier_type;allowed;max_face_area_m2;max_height_m.
- `zone_rules`: which of TYPE_NOT_ALLOWED, FACE_AREA_EXCEEDED, HEIGHT_EXCEEDED apply.
- `global_rules`: rule code → parameters (see `pipelines.ad_rules.global_rules.CHECKS`), e.g. MIN_DISTANCE_TREE:
  {applies_to: free_standing, min_distance_m: 5}; any code may name its check with `check:`.
- `monuments`: protected objects for min_distance_monument ({id, name, x_2180, y_2180} or wkt).
- `fees`: rates per year, area basis and penalty multiple (see `pipelines.ad_rules.fees`).

A file that breaks any of this is refused whole, naming the file, the key and the fix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from msip.core.checksums import file_sha256
from msip.core.epochs import parse_epoch
from msip.core.errors import SourceReadError, ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.ad_rules.fees import parse_fees
from pipelines.ad_rules.global_rules import parse_global_rules
from pipelines.ad_rules.model import AdRuleSet
from pipelines.ad_rules.monuments import parse_monuments
from pipelines.ad_rules.parts import parse_zones, type_code
from pipelines.ad_rules.store import store_rule_set
from pipelines.readers.sniff import refuse_unusable_file

ZONE_RULE_CODES = ("TYPE_NOT_ALLOWED", "FACE_AREA_EXCEEDED", "HEIGHT_EXCEEDED")
TOP_KEYS = ("version", "name", "in_force_from", "crs", "distances_in", "free_standing_types",
            "building_mounted_types", "global_rules", "zone_rules", "rule_descriptions", "zones",
            "zone_table", "monuments", "fees")
__all__ = ["ZONE_RULE_CODES", "load_ad_rules", "read_rules", "rules_sha256"]


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice (first at line {seen[key] + 1}); keep one of them",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict:
    if path.is_file():
        refuse_unusable_file(path, "a YAML rules file")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except FileNotFoundError:
        raise SourceReadError(f"{path}: the rules file does not exist; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceReadError(f"{path.name}: cannot read the rules file ({exc}); save it as UTF-8 YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SourceReadError(f"{path.name}: not valid YAML{where} ({getattr(exc, 'problem', exc)}); "
                              "check the indentation and colons there") from None
    if doc is None:
        raise SourceReadError(f"{path.name}: the rules file is empty (no keys, at most comments); write the rules "
                              "(free_standing_types, building_mounted_types, zones …) or load the right file")
    if not isinstance(doc, dict):
        raise SourceReadError(f"{path.name}: the rules file must be a YAML mapping (zones:, global_rules: …), "
                              f"got {type(doc).__name__}")
    return doc


def _types(doc: dict, src: str) -> tuple[dict[str, str], dict[str, str]]:
    """Carrier type code → mounting, and code → label, from the two type lists."""
    mounting: dict[str, str] = {}
    labels: dict[str, str] = {}
    for key, kind in (("free_standing_types", "free_standing"), ("building_mounted_types", "building_mounted")):
        values = doc.get(key)
        if not isinstance(values, list) or not values:
            example = "[wolnostojący, ekran LED, pylon]" if kind == "free_standing" else "[baner na budynku, mural]"
            raise ValidationError(f"{src}: {key} must be a non-empty list of carrier types, e.g. {example}")
        for label in values:
            code = type_code(str(label))
            if code is None:
                raise ValidationError(f"{src}: {key}: {label!r} is not a known carrier type; use a wording such as "
                                      "wolnostojący, tablica, ekran LED, pylon, słup ogłoszeniowy, citylight, baner, "
                                      "mural, szyld (or the codes board, led_screen, pylon, column, citylight, "
                                      "banner, mural, sign, other)")
            if code in labels:
                raise ValidationError(f"{src}: {key}: {label!r} and {labels[code]!r} both mean carrier type "
                                      f"{code!r}; keep one of them")
            mounting[code], labels[code] = kind, str(label)
    return mounting, labels


def _zone_rules(doc: dict, src: str) -> tuple[str, ...]:
    values = doc.get("zone_rules", list(ZONE_RULE_CODES))
    if not isinstance(values, list) or any(v not in ZONE_RULE_CODES for v in values):
        raise ValidationError(f"{src}: zone_rules = {values!r} may only list {', '.join(ZONE_RULE_CODES)}")
    return tuple(dict.fromkeys(values))


def _header(doc: dict, path: Path) -> tuple[str, str | None, date | None]:
    src = path.name
    unknown = sorted(set(doc) - set(TOP_KEYS))
    if unknown:
        raise ValidationError(f"{src}: unknown top-level key(s) {unknown}; the keys are {', '.join(TOP_KEYS)}")
    crs = str(doc.get("crs", "EPSG:2180")).replace(" ", "").upper()
    if crs not in ("EPSG:2180", "2180"):
        raise ValidationError(f"{src}: crs = {doc['crs']!r}: rule coordinates and distances are EPSG:2180 "
                              "metres; write crs: EPSG:2180 and give monuments in EPSG:2180")
    in_force = doc.get("in_force_from")
    if in_force is not None:
        in_force = parse_epoch(in_force, source=f"{src}: in_force_from =")
    version = doc.get("version")
    return str(doc.get("name") or path.stem), (None if version is None else str(version)), in_force


def read_rules(path: Path | str, *, fee_rates: Path | str | None = None) -> tuple[AdRuleSet, list[Path]]:
    """Parse and validate a rules file; returns the rule set and every file read (for the checksum).

    Raises SourceReadError (unreadable file) or ValidationError (a wrong value), naming the
    file, the key and the fix.
    """
    path = Path(path)
    doc = _read_yaml(path)
    src = path.name
    name, version, in_force = _header(doc, path)
    mounting, labels = _types(doc, src)
    files = [path]
    zones_doc: object = doc.get("zones")
    if doc.get("zone_table") is not None:
        if isinstance(zones_doc, dict) and any(isinstance(z, dict) and "carriers" in z for z in zones_doc.values()):
            raise ValidationError(f"{src}: give the zone × type limits either in zones.<code>.carriers or in "
                                  "zone_table, not both")
        files.append(path.parent / str(doc["zone_table"]))
    limits, zone_names = parse_zones(zones_doc, doc.get("zone_table"), src=src, base_dir=path.parent,
                                     mounting=mounting, labels=labels)
    descriptions = doc.get("rule_descriptions") or {}
    if not isinstance(descriptions, dict):
        raise ValidationError(f"{src}: rule_descriptions must map rule codes to text")
    global_rules = parse_global_rules(doc.get("global_rules"), src=src, descriptions=descriptions)
    monuments = parse_monuments(doc.get("monuments"), src=src)
    if any(r.check == "min_distance_monument" for r in global_rules) and not monuments:
        raise ValidationError(f"{src}: a min_distance_monument rule needs monuments: a list of "
                              "{id, name, x_2180, y_2180} (or wkt) entries; add them or drop the rule")
    fees_doc = doc.get("fees")
    if isinstance(fees_doc, dict) and isinstance(fees_doc.get("rates"), str) and fee_rates is None:
        files.append(path.parent / fees_doc["rates"])
    override = Path(fee_rates) if fee_rates is not None else None
    if override is not None:
        if not override.is_file():
            raise SourceReadError(f"{override}: the fee-rate file does not exist; check the path")
        files.append(override)
    fees = parse_fees(fees_doc, source=src, base_dir=path.parent, override=override)
    rules = AdRuleSet(
        name=name, version=version, in_force_from=in_force, source_file=" + ".join(f.name for f in files),
        mounting=mounting, labels=labels, zone_rules=_zone_rules(doc, src), limits=limits,
        global_rules=global_rules, monuments=monuments, fees=fees, zone_names=zone_names,
    )
    return rules, files


def rules_sha256(files: list[Path]) -> str:
    """SHA-256 over the checksums of every file of a rule set, in order."""
    h = hashlib.sha256()
    for f in files:
        h.update(file_sha256(f).encode())
    return h.hexdigest()


def load_ad_rules(path: Path | str, *, fee_rates: Path | str | None = None, url: str | None = None,
                  force: bool = False) -> LoadReport:
    """Load an advertising rules file (and optionally a fee-rate CSV/YAML) into the msip.ad_* rule tables.

    The same files loaded again are a no-op ('unchanged'); a changed file becomes a new rule
    set (older ones stay for the analyses that used them). The analysis applies the rule set
    loaded last unless given a name, so re-activating an older file takes `force=True`. The
    whole file is refused on the first error (MsipError naming the file, key and fix);
    nothing is written then.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceReadError(f"{path}: the rules file does not exist; check the path")
    rules, files = read_rules(path, fee_rates=fee_rates)
    digest = rules_sha256(files)

    def body(run: LoadRun) -> None:
        store_rule_set(run, rules, digest)

    params = {"fee_rates": Path(fee_rates).name if fee_rates else None}
    return run_load("ad_rules", path, epoch=rules.in_force_from, body=body, params=params, url=url,
                    force=force, sha256=digest)

