"""Zones from a vector table (GPKG, GeoJSON, SHP): plan-ogólny zones or local-plan designation areas.

Columns are matched by name, APP names first (case-insensitive; see `ALIASES`). A row needs
a symbol and an id (lokalnyId, else oznaczenie); symbols of the plan ogólny (SW, SJ …)
make a 'strefa', any other symbol (MN, U, ZP …) a designation area ('teren'). Without a
przestrzenNazw column the namespace is 'file:<file name>'. Other columns are kept in
`attributes`. Indicators are checked as in APP GML (decimal commas accepted).
"""

from __future__ import annotations

import math
from pathlib import Path

from msip.core.errors import RowError, SourceReadError
from msip.core.runs import LoadRun
from pipelines.readers.validate import Extent
from pipelines.readers.vector_io import area_to_storage, read_vector
from pipelines.zoning.rows import INDICATORS, POG_SYMBOLS, ZONE_COLUMNS, indicator
from pipelines.zoning.store import check_zone_topology, write_rows

#: zoning_zone column → accepted source column names (first found wins).
ALIASES: dict[str, tuple[str, ...]] = {
    "local_id": ("lokalnyId", "local_id", "zone_id", "id"),
    "iip_namespace": ("przestrzenNazw", "iip_namespace", "namespace"),
    "version_id": ("wersjaId", "version_id"),
    "plan_namespace": ("plan_namespace",),
    "plan_local_id": ("plan_local_id", "plan_id", "plan"),
    "designation": ("oznaczenie", "designation"),
    "symbol": ("symbol",),
    "name_label": ("nazwa", "name"),
    "max_above_ground_intensity": (
        "maksNadziemnaIntensywnoscZabudowy",
        "max_above_ground_intensity",
        "max_intensity",
    ),
    "max_building_coverage_pct": (
        "maksUdzialPowierzchniZabudowy",
        "max_building_coverage_pct",
        "max_built_share_pct",
    ),
    "max_height_m": ("maksWysokoscZabudowy", "max_height_m"),
    "min_biologically_active_pct": (
        "minUdzialPowierzchniBiologicznieCzynnej",
        "min_biologically_active_pct",
        "min_bio_active_pct",
    ),
}
_INDICATOR_BY_COLUMN = {
    column: (prop, lo, hi, unit) for prop, (column, lo, hi, unit) in INDICATORS.items()
}


def _columns(names: list[str]) -> dict[str, str]:
    """zoning_zone column → the source column that feeds it."""
    lower = {n.lower(): n for n in names}
    found: dict[str, str] = {}
    for column, aliases in ALIASES.items():
        for alias in aliases:
            if alias.lower() in lower:
                found[column] = lower[alias.lower()]
                break
    return found


def _cell(row: dict, name: str | None) -> object:
    value = row.get(name) if name else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def load_zone_table(
    run: LoadRun, path: Path, *, extent: Extent, on_invalid: str, crs: int | None, layer: str | None
) -> None:
    """The body of a zone-table load: read, check each row, upsert, check topology."""
    source = read_vector(path, preferred_layers=("zones", "strefy", "tereny"), layer=layer, crs=crs)
    frame = source.frame
    cols = _columns([c for c in frame.columns if c != "geometry"])
    if "symbol" not in cols:
        raise SourceReadError(
            f"{path.name} layer {source.layer!r} has no 'symbol' column; zones need their "
            f"symbol (columns found: {', '.join(map(str, frame.columns))})"
        )
    used = set(cols.values()) | {"geometry"}
    run.count_in(len(frame))
    seen: dict[tuple, int] = {}
    rows = []
    for number, record in enumerate(frame.to_dict("records"), start=1):
        raw = {k: _plain(v) for k, v in record.items() if k != "geometry"}
        local = _text(_cell(record, cols.get("local_id"))) or _text(
            _cell(record, cols.get("designation"))
        )
        try:
            values = _zone_values(record, cols, local, path, used)
            key = (values["iip_namespace"], values["local_id"], values["version_id"])
            if key in seen:
                raise RowError(
                    f"duplicate zone id {local!r} (first at row {seen[key]})", cols.get("local_id")
                )
            seen[key] = number
            geom, note = area_to_storage(
                record["geometry"], source.epsg, extent=extent, on_invalid=on_invalid
            )
        except ValueError as exc:
            run.reject(
                number,
                f"{path.name} row {number} (zone {local}): {exc}",
                raw=raw,
                source_id=local,
                field=getattr(exc, "field", None),
            )
            continue
        if note:
            run.note(f"zone {local} (row {number}): {note}")
        rows.append((values, geom))
    write_rows(run, "msip.zoning_zone", ZONE_COLUMNS, rows)
    check_zone_topology(run, rows)


def _zone_values(
    record: dict, cols: dict[str, str], local: str | None, path: Path, used: set[str]
) -> dict:
    if not local:
        raise RowError(
            "no zone id: fill lokalnyId (or oznaczenie)", cols.get("local_id", "lokalnyId")
        )
    symbol = _text(_cell(record, cols["symbol"]))
    if not symbol:
        raise RowError("symbol is empty; every zone needs its symbol (e.g. SJ, MN)", cols["symbol"])
    values: dict = dict.fromkeys(ZONE_COLUMNS)
    for column in (
        "iip_namespace",
        "version_id",
        "plan_namespace",
        "plan_local_id",
        "designation",
        "name_label",
    ):
        values[column] = _text(_cell(record, cols.get(column)))
    values.update(
        {
            "local_id": local,
            "symbol": symbol,
            "zone_kind": "strefa" if symbol in POG_SYMBOLS else "teren",
            "iip_namespace": values["iip_namespace"] or f"file:{path.name}",
            "version_id": values["version_id"] or "",
            "profile_basic": [],
            "profile_additional": [],
            "attributes": {k: _plain(v) for k, v in record.items() if k not in used},
        }
    )
    if values["plan_local_id"] and not values["plan_namespace"]:
        values["plan_namespace"] = values["iip_namespace"]
    for column, (prop, lo, hi, unit) in _INDICATOR_BY_COLUMN.items():
        source_column = cols.get(column)
        values[column] = indicator(
            _cell(record, source_column), source_column or prop, lo, hi, unit
        )
    return values


def _plain(value: object) -> object:
    """A JSON-safe cell value (NaN → None, dates and numpy scalars → str/number)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (str, bool, int, float)):
        return value
    return value.item() if hasattr(value, "item") else str(value)
