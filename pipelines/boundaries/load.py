"""Administrative boundaries loader: GeoJSON/GPKG/SHP (the one vector reader) or GML into msip.admin_boundary.

Each row needs a TERYT code (PRG's `JPT_KOD_JE`, or `teryt`, `kod_teryt`, `idTERYT`) and gets
its level from the code's length (2 voivodeship, 4 county, 7 commune) unless `level` says
(the country has no code: `level="country"`). Invalid polygons (PRG extracts simplified by
their publishers self-intersect) are repaired with a note counting them, or quarantined with
`on_invalid="reject"`; every outline must lie in Poland. Rows are keyed by (level, TERYT): a
newer delivery replaces a unit's outline. A file of which no row could be used is refused.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb
from shapely.geometry.base import BaseGeometry

from msip.core.copy import copy_rows, create_staging, ewkb_hex
from msip.core.errors import ConfigError, RowError, SourceReadError, ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from msip.core.versions import row_hash, sync_staged
from pipelines.boundaries.gml import iter_features
from pipelines.readers.gml_geometry import SURFACE_TAGS, surface_to_storage
from pipelines.readers.validate import EXTENTS
from pipelines.readers.vector_io import VECTOR_SUFFIXES, area_to_storage, read_vector

LEVELS = ("country", "voivodeship", "county", "commune")
LEVEL_BY_LENGTH = {2: "voivodeship", 4: "county", 7: "commune"}
LENGTH_BY_LEVEL = {level: n for n, level in LEVEL_BY_LENGTH.items()}
#: Source columns (or GML properties) holding the TERYT code and the name, first found wins.
TERYT_NAMES = ("JPT_KOD_JE", "teryt", "kod_teryt", "idTERYT", "terc")
NAME_NAMES = ("JPT_NAZWA_", "JPT_NAZWA", "nazwa", "name")
COLUMNS = ["level", "teryt", "name", "source_epsg", "repaired", "attributes"]


@dataclass
class Record:
    """One source row: its number, properties, geometry (None when unreadable) and why not."""

    row: int
    props: dict[str, Any]
    geom: BaseGeometry | None
    epsg: int
    transformed: bool
    error: str | None = None


def load_boundaries(
    path: Path | str,
    *,
    url: str | None = None,
    level: str | None = None,
    on_invalid: str = "repair",
    crs: int | None = None,
    layer: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load one boundaries file; returns the load report, raises MsipError when it is refused."""
    path = Path(path)
    if level is not None and level not in LEVELS:
        raise ConfigError(f"level={level!r}; use one of {', '.join(LEVELS)}")
    if on_invalid not in ("repair", "reject"):
        raise ConfigError(f"on_invalid={on_invalid!r}; use 'repair' or 'reject'")
    suffix = path.suffix.lower()
    if suffix not in VECTOR_SUFFIXES and suffix not in (".gml", ".xml"):
        raise SourceReadError(f"{path.name}: not a boundaries file; give .geojson/.json, .gpkg, .shp or .gml")

    def body(run: LoadRun) -> None:
        records = _read_gml(path) if suffix in (".gml", ".xml") else _read_table(path, crs, layer)
        _load_records(run, path, records, level=level, on_invalid=on_invalid)

    params = {"level": level, "on_invalid": on_invalid, "crs": crs, "layer": layer}
    return run_load("boundaries", path, epoch=None, body=body, params=params, url=url, force=force)


def _read_table(path: Path, crs: int | None, layer: str | None) -> list[Record]:
    source = read_vector(path, layer=layer, crs=crs)
    return [
        Record(n, {k: v for k, v in rec.items() if k != "geometry"}, rec["geometry"], source.epsg, False)
        for n, rec in enumerate(source.frame.to_dict("records"), start=1)
    ]


def _read_gml(path: Path) -> list[Record]:
    """Features of a GML file: their simple properties and first surface, in EPSG:2180."""
    records: list[Record] = []
    for row, (feature, _) in enumerate(iter_features(path, "boundaries GML"), start=1):
        props = {
            el.tag.split("}")[-1]: (el.text or "").strip()
            for el in feature
            if isinstance(el.tag, str) and len(el) == 0 and (el.text or "").strip()
        }
        surface = next((el for el in feature.iter() if el.tag in SURFACE_TAGS), None)
        if surface is None:
            records.append(Record(row, props, None, 2180, True, "has no gml:Polygon/Surface/MultiSurface"))
            continue
        try:
            geom, epsg, _ = surface_to_storage(surface)
        except ValueError as exc:
            records.append(Record(row, props, None, 2180, True, str(exc)))
            continue
        records.append(Record(row, props, geom, epsg, True))
    return records


def _load_records(run: LoadRun, path: Path, records: list[Record], *, level: str | None, on_invalid: str) -> None:
    run.count_in(len(records))
    rows: list[tuple[dict, BaseGeometry]] = []
    seen: dict[tuple[str, str], int] = {}
    repaired: Counter[str] = Counter()
    for rec in records:
        label = _first(rec.props, NAME_NAMES) or "no name"
        try:
            if rec.error:
                raise RowError(rec.error, "geometry")
            teryt, unit_level = teryt_and_level(_first(rec.props, TERYT_NAMES, raw=True), level)
            first = seen.setdefault((unit_level, teryt), rec.row)
            if first != rec.row:
                raise RowError(f"duplicate {unit_level} TERYT {teryt} (first at row {first})", "teryt")
            geom, note = area_to_storage(
                rec.geom, rec.epsg, extent=EXTENTS["poland"], on_invalid=on_invalid, transformed=rec.transformed
            )
        except ValueError as exc:
            run.reject(rec.row, f"{path.name} row {rec.row} ({label}): {exc}", raw=_jsonable(rec.props),
                       source_id=str(_first(rec.props, TERYT_NAMES) or ""), field=getattr(exc, "field", None))
            continue
        if note:
            repaired[re.sub(r"\[.*", "", note.removeprefix("repaired invalid geometry (")).rstrip(")")] += 1
        used = {k for k in rec.props if k in TERYT_NAMES or k in NAME_NAMES}
        values = {"level": unit_level, "teryt": teryt, "name": label if label != "no name" else None,
                  "source_epsg": rec.epsg, "repaired": bool(note),
                  "attributes": _jsonable({k: v for k, v in rec.props.items() if k not in used})}
        rows.append((values, geom))
    if repaired:
        kinds = ", ".join(f"{n}× {reason}" for reason, n in repaired.most_common())
        run.note(f"{sum(repaired.values())} of {len(records)} polygons were invalid and were repaired "
                 f"(make_valid): {kinds}")
    if records and not rows:
        reason = run.report.rejections[0].reason if run.report.rejections else "no row"
        raise ValidationError(f"{path.name}: refused, none of its {len(records)} rows can be used (first: {reason})")
    _write(run, rows)


def teryt_and_level(value: object, level: str | None) -> tuple[str, str]:
    """(TERYT, level) of one unit; RowError naming the value when they do not fit together.

    >>> teryt_and_level("26", None)
    ('26', 'voivodeship')
    """
    if level == "country":
        return "PL", "country"
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        raise RowError("has no TERYT code (JPT_KOD_JE / teryt); every unit needs one", "teryt")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if level is None:
            raise RowError(f"TERYT={value!r} is a number, so its leading zeros are lost; store it as text "
                           "or pass --level", "teryt")
        value = str(int(value)).zfill(LENGTH_BY_LEVEL[level])
    text = str(value).strip()
    if not text.isdigit():
        raise RowError(f"TERYT={text!r} is not a TERYT code (2, 4 or 7 digits, e.g. '26', '2661', '2661011')",
                       "teryt")
    found = LEVEL_BY_LENGTH.get(len(text))
    if found is None or (level is not None and found != level):
        want = f"a {level} code has {LENGTH_BY_LEVEL[level]} digits" if level else "2, 4 or 7 digits"
        raise RowError(f"TERYT={text!r} has {len(text)} digits; {want} (voivodeship 2, county 4, commune 7 "
                       "with the type digit)", "teryt")
    return text, found


def _first(props: dict[str, Any], names: tuple[str, ...], *, raw: bool = False) -> Any:
    lower = {k.lower(): v for k, v in props.items()}
    for name in names:
        value = lower.get(name.lower())
        if value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value).strip():
            return value if raw else str(value).strip()
    return None


def _jsonable(props: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in props.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[k] = None
        elif isinstance(v, (str, bool, int, float)):
            out[k] = v
        else:
            out[k] = v.item() if hasattr(v, "item") else str(v)
    return out


def _write(run: LoadRun, rows: list[tuple[dict, BaseGeometry]]) -> None:
    """Stage the accepted units and upsert them by (level, TERYT)."""
    if not rows:
        return
    stage = create_staging(run.conn, "msip.admin_boundary", "stage_admin_boundary")
    wkbs = ewkb_hex([g for _, g in rows])
    data = []
    for (values, _), wkb in zip(rows, wkbs, strict=True):
        plain = [values[c] for c in COLUMNS]
        data.append([*[Jsonb(v) if isinstance(v, dict) else v for v in plain], row_hash([*plain, wkb]),
                     run.run_id, wkb])
    copy_rows(run.conn, stage, [*COLUMNS, "row_hash", "load_run_id", "geom"], data)
    counts = sync_staged(run.conn, "msip.admin_boundary", stage, [*COLUMNS, "row_hash", "load_run_id", "geom"],
                         ("level", "teryt"))
    run.loaded(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
