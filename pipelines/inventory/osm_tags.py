"""OpenStreetMap trees (natural=tree) and advertising carriers (advertising=*) as inventory tables.

Tags become MSIP fields, in MSIP's units; everything else stays in `attrs` by its tag name.
Trees: species:pl → species, species (else genus) → species_latin, circumference (metres in
OSM, ';' between stems) → trunk_circumference_cm, height → height_m, diameter_crown →
crown_diameter_m. Carriers: the advertising value → carrier type (poster_box is a citylight,
totem a pylon, screen an LED screen …; the OSM word stays in carrier_type_source), sides →
faces, lit → illuminated (yes, automatic, 24/7 … lit; no; other words unknown, with a note),
screen → led, height → height_m, operator → owner, street address or name → location; width
and subtypes (sign=wall, support=…) stay in attrs. Lengths may carry m, cm or mm; other units
refuse the row. The source id is the OSM element ('node/123'; ways drawn for a carrier are
placed at their middle, with a note).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from msip.core.errors import SourceReadError
from pipelines.readers.osm import OsmFeatures, OsmFile, TagFilter
from pipelines.readers.tabular import Table

_LENGTH = re.compile(r"^\s*(?P<value>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>m|cm|mm)?\s*$", re.IGNORECASE)
_TO_METRES = {"": 1.0, "m": 1.0, "cm": 0.01, "mm": 0.001}
#: OSM lit values that mean the carrier is lit (at some hours) and that it is not.
LIT_YES = frozenset({"yes", "automatic", "24/7", "sunset-sunrise", "dusk-dawn", "limited", "interval", "on"})
LIT_NO = frozenset({"no", "disused", "off"})
#: Tags turned into fields (the others go to attrs), and the fields of each table.
TREE_TAGS = ("natural", "species", "species:pl", "circumference", "height", "diameter_crown")
AD_TAGS = ("advertising", "sides", "lit", "height", "operator", "description")
TREE_FIELDS = {f: f for f in ("inventory_id", "species", "species_latin", "trunk_circumference_cm", "height_m",
                              "crown_diameter_m")}
AD_FIELDS = {f: f for f in ("carrier_id", "carrier_type", "faces", "illuminated", "led", "owner", "location",
                            "description", "height_m")}


def metres(text: str, *, tag: str) -> list[float]:
    """Lengths of a tag value in metres: '12', '12 m', '30 cm', '1.2;0.9' (stems); ValueError for others."""
    out = []
    for part in text.split(";"):
        found = _LENGTH.match(part)
        if not found:
            raise ValueError(f"{tag}={text!r} is not a length in metres (OpenStreetMap writes e.g. 12, 12.5 or 12 m; "
                             "fix the tag)")
        out.append(float(found["value"].replace(",", ".")) * _TO_METRES[(found["unit"] or "").lower()])
    return out


def read_osm_trees(path: Path, *, circumference_range_cm: tuple[float, float]) -> Table:
    """The natural=tree features of an .osm.pbf as a tree table (see the module docstring)."""
    features = _features(path, {"natural": ["tree"]}, "natural=tree", "trees")
    rows: list[dict[str, str]] = []
    problems: dict[int, tuple[str, str]] = {}
    genus_only = 0
    converters: tuple[tuple[str, Callable[[dict[str, str]], str]], ...] = (
        ("trunk_circumference_cm", partial(_circumference_cm, range_cm=circumference_range_cm)),
        ("height_m", partial(_one_length, tag="height")),
        ("crown_diameter_m", partial(_one_length, tag="diameter_crown")),
    )
    for i, (sid, tags) in enumerate(zip(features.ids, features.tags, strict=True)):
        genus_only += bool(not tags.get("species") and tags.get("genus"))
        row = dict.fromkeys(TREE_FIELDS, "") | {
            "inventory_id": sid, "species": tags.get("species:pl", ""),
            "species_latin": tags.get("species") or tags.get("genus") or ""}
        for fld, convert in converters:
            try:
                row[fld] = convert(tags)
            except ValueError as exc:
                problems.setdefault(i, (fld, str(exc)))
        rows.append(row)
    notes = [f"{genus_only} trees are identified to the genus only: species_latin holds the genus"] * bool(genus_only)
    return _table(path, features, rows, TREE_FIELDS, TREE_TAGS, problems, notes)


def read_osm_ads(path: Path) -> Table:
    """The advertising=* features of an .osm.pbf as a carrier table (see the module docstring)."""
    features = _features(path, {"advertising": True}, "advertising=*", "advertising carriers")
    rows: list[dict[str, str]] = []
    problems: dict[int, tuple[str, str]] = {}
    unknown_lit: list[str] = []
    for i, (sid, tags) in enumerate(zip(features.ids, features.tags, strict=True)):
        lit = tags.get("lit", "").strip().lower()
        illuminated = "yes" if lit in LIT_YES else "no" if lit in LIT_NO else ""
        if lit and not illuminated:
            unknown_lit.append(tags["lit"])
        digital = tags.get("advertising") == "screen" or tags.get("animated") in ("screen", "digital")
        street = " ".join(t for t in (tags.get("addr:street"), tags.get("addr:housenumber")) if t)
        row = dict.fromkeys(AD_FIELDS, "") | {
               "carrier_id": sid, "carrier_type": tags.get("advertising", ""), "faces": tags.get("sides", ""),
               "illuminated": illuminated, "led": "yes" if digital else "", "owner": tags.get("operator", ""),
               "location": street or tags.get("name", ""), "description": tags.get("description", "")}
        try:
            row["height_m"] = _one_length(tags, tag="height")
        except ValueError as exc:
            problems[i] = ("height_m", str(exc))
        rows.append(row)
    notes = [f"lit={v!r} is not a known OpenStreetMap value: illuminated left unknown" for v in unknown_lit[:3]]
    return _table(path, features, rows, AD_FIELDS, AD_TAGS, problems, notes)


def _circumference_cm(tags: dict[str, str], range_cm: tuple[float, float]) -> str:
    """The stems of the circumference tag (metres) in centimetres, '47, 52'; '' when absent."""
    text = tags.get("circumference", "")
    if not text:
        return ""
    lo, hi = range_cm
    stems_cm = [100 * m for m in metres(text, tag="circumference")]
    bad = next((c for c in stems_cm if not lo <= c <= hi), None)
    if bad is not None:
        raise ValueError(
            f"circumference={text!r} is {bad / 100:g} m = {bad:g} cm, outside the plausible {lo:g}–{hi:g} cm per "
            "stem; OpenStreetMap circumference is in metres (a 30 cm trunk is circumference=0.3)")
    return ", ".join(f"{round(c, 1):g}" for c in stems_cm)


def _one_length(tags: dict[str, str], *, tag: str) -> str:
    """One length in metres as text ('' when the tag is absent); ValueError for a list or another unit."""
    text = tags.get(tag, "")
    if not text:
        return ""
    values = metres(text, tag=tag)
    if len(values) > 1:
        raise ValueError(f"{tag}={text!r} holds several values; give one length in metres")
    return f"{values[0]:g}"


def _features(path: Path, tag_filter: TagFilter, tag_text: str, what: str) -> OsmFeatures:
    features = OsmFile(path).points(tag_filter, what)
    if not features.ids:
        raise SourceReadError(f"{path.name} holds no {tag_text} features ({what}); nothing to load — check that "
                              "it is the extract you meant")
    return features


def _table(path: Path, features: OsmFeatures, rows: list[dict[str, str]], fields: dict[str, str],
           used: tuple[str, ...], problems: dict[int, tuple[str, str]], notes: list[str]) -> Table:
    import shapely

    attrs: list[str | None] = []
    raw: list[dict[str, object]] = []
    points = shapely.from_wkb(features.geometry.to_pylist())
    for sid, tags, point in zip(features.ids, features.tags, points, strict=True):
        rest = {k: v for k, v in sorted(tags.items()) if k not in used}
        attrs.append(json.dumps(rest, ensure_ascii=False) if rest else None)
        raw.append({"osm_id": sid, **tags, "geometry": None if point is None else point.wkt})
    if features.from_ways:
        notes.append(f"{len(features.from_ways)} features are drawn as ways or areas (e.g. {features.from_ways[0]}): "
                     "each is placed at the middle of its line or inside its area")
    frame = pd.DataFrame(rows, columns=list(fields), dtype="str")
    return Table(path.name, frame, features.geometry, 4326, None, notes, crs_fixed=True, fields=fields,
                 attrs=attrs, raw=raw, problems=problems)
