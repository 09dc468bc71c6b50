"""Base layers from GPKG/GeoJSON/SHP: buildings (with residents), green spaces and the pedestrian network.

Each layer is its own load run (own checksum) and a snapshot per epoch: loading a layer
for an epoch replaces that epoch's rows. Columns are matched by name (`*_ALIASES`, first
found wins, case-insensitive). Population, when the source has none, is estimated for
residential buildings as floor(footprint_m2 × storeys / 35 m² per person) — the gross
floor area per resident the sample world uses; storeys missing → round(height_m / 3 m),
both missing → 1 storey. Non-residential buildings have 0 residents.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

from msip.core.errors import SourceReadError
from pipelines.base_layers.rows import LayerInput, building_row, green_row, street_row
from msip.core.copy import copy_rows, create_staging, ewkb_hex
from msip.core.runs import LoadReport, LoadRun, run_load
from msip.core.versions import row_hash, sync_staged
from pipelines.readers.validate import EXTENTS, Extent
from pipelines.readers.vector_io import read_vector
from pipelines.base_layers.walk_network import WalkLine, build_graph, describe_components

BUILDING_ALIASES = {
    "source_id": ("building_id", "id_budynku", "id", "fid"),
    "kind": ("kind", "rodzaj", "funkcja", "building", "type"),
    "residential": ("residential", "mieszkalny"),
    "storeys": ("storeys", "liczba_kondygnacji", "kondygnacje", "levels", "building:levels"),
    "height_m": ("height_m", "wysokosc_m", "wysokosc", "height"),
    "population": ("population", "liczba_mieszkancow", "mieszkancy", "ludnosc"),
}
GREEN_ALIASES = {
    "source_id": ("park_id", "green_id", "id", "fid"),
    "name": ("name", "nazwa"),
    "kind": ("kind", "rodzaj", "type"),
    "public_access": ("public_access", "ogolnodostepny", "dostep_publiczny"),
}
STREET_ALIASES = {
    "source_id": ("street_id", "id_ulicy", "id", "fid"),
    "name": ("name", "nazwa"),
    "road_class": ("road_class", "klasa", "highway", "kind"),
    "width_m": ("width_m", "szerokosc_m", "width"),
    "foot": ("foot",),
}
BUILDING_COLUMNS = [
    "source_id",
    "epoch",
    "kind",
    "residential",
    "storeys",
    "height_m",
    "population",
    "population_estimated",
    "footprint_m2",
    "source_format",
]
GREEN_COLUMNS = ["source_id", "epoch", "name", "kind", "public_access", "area_m2", "source_format"]


def read_layer(
    path: Path | str,
    aliases: dict[str, tuple[str, ...]],
    preferred: tuple[str, ...],
    *,
    layer: str | None = None,
    crs: int | None = None,
) -> LayerInput:
    """A vector file's rows renamed to MSIP fields (values untouched; geometry in the file's CRS)."""
    path = Path(path)
    source = read_vector(path, preferred_layers=preferred, layer=layer, crs=crs)
    if len(source.frame) == 0:
        # An empty layer would replace the epoch's snapshot with nothing.
        raise SourceReadError(f"{path.name} layer {source.layer!r} holds no features; nothing to load (an empty "
                              "layer would remove every row of the epoch), check the export")
    names = {str(c).lower(): c for c in source.frame.columns if c != "geometry"}
    mapping = {}
    # Shapefile (dBase) field names are cut to 10 characters: public_access → public_acc.
    width = 10 if source.format == "shp" else None
    for field, candidates in aliases.items():
        hit = next(
            (names[c.lower()[:width]] for c in candidates if c.lower()[:width] in names), None
        )
        if hit is not None:
            mapping[field] = hit
    if "source_id" not in mapping:
        raise SourceReadError(
            f"{path.name} layer {source.layer!r} has no id column (one of "
            f"{', '.join(aliases['source_id'])}); every row needs its source id"
        )
    records = []
    for record in source.frame.to_dict("records"):
        row = {field: _clean(record.get(column)) for field, column in mapping.items()}
        row["geometry"] = record.get("geometry")
        row["_raw"] = {k: _clean(v) for k, v in record.items() if k != "geometry"}
        records.append(row)
    return LayerInput(records, source.epsg, source.format, path.name, mapping=mapping)


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def run_layer_load(
    kind: str,
    path: Path,
    source: Callable[[], LayerInput],
    body: Callable[[LoadRun, LayerInput], None],
    *,
    epoch: date | None,
    extent: Extent | None,
    params: dict,
    url: str | None,
    force: bool,
    sha256: str | None = None,
) -> LoadReport:
    """One layer as one load run: `source()` reads the rows (skipped when unchanged), `body` loads them."""

    def run_body(run: LoadRun) -> None:
        body(run, source())

    full = {**params, "extent": extent.describe() if extent else None}
    return run_load(
        kind, path, epoch=epoch, body=run_body, params=full, url=url, force=force, sha256=sha256
    )


def load_buildings(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    on_invalid: str = "repair",
    force: bool = False,
) -> LoadReport:
    """Load building footprints (GPKG/GeoJSON/SHP) as the `epoch` snapshot of msip.building."""
    path = Path(path)
    return run_layer_load(
        "buildings",
        path,
        lambda: read_layer(path, BUILDING_ALIASES, ("buildings", "budynki"), layer=layer, crs=crs),
        lambda run, src: buildings_body(
            run, src, epoch=epoch, extent=extent, on_invalid=on_invalid
        ),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs, "on_invalid": on_invalid},
        url=url,
        force=force,
    )


def load_green_spaces(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    on_invalid: str = "repair",
    force: bool = False,
) -> LoadReport:
    """Load parks and other green spaces as the `epoch` snapshot of msip.green_space."""
    path = Path(path)
    return run_layer_load(
        "green_spaces",
        path,
        lambda: read_layer(
            path, GREEN_ALIASES, ("green_spaces", "parks", "zielen"), layer=layer, crs=crs
        ),
        lambda run, src: green_body(run, src, epoch=epoch, extent=extent, on_invalid=on_invalid),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs, "on_invalid": on_invalid},
        url=url,
        force=force,
    )


def load_walk_network(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load street/path centrelines as the `epoch` pedestrian graph (msip.walk_edge, msip.walk_vertex)."""
    path = Path(path)
    return run_layer_load(
        "walk_network",
        path,
        lambda: read_layer(
            path, STREET_ALIASES, ("streets", "ulice", "paths"), layer=layer, crs=crs
        ),
        lambda run, src: walk_body(run, src, epoch=epoch, extent=extent),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs},
        url=url,
        force=force,
    )


def _rows(run: LoadRun, layer: LayerInput, make: Callable, **kwargs) -> list[tuple[dict, object]]:
    """Check every record with `make`; quarantine failures and duplicate ids; returns accepted rows."""
    run.count_in(len(layer.records))
    for note in layer.notes:
        run.note(note)
    seen: dict[str, int] = {}
    accepted = []
    for number, record in enumerate(layer.records, start=1):
        sid = record.get("source_id")
        sid = None if sid is None or str(sid).strip() == "" else str(sid).strip()
        try:
            if sid is None:
                raise ValueError(f"no id: the {layer.id_column()} column is empty")
            if sid in seen:
                raise ValueError(
                    f"duplicate id {sid!r} (first at row {seen[sid]}); ids must be unique"
                )
            seen[sid] = number
            values, geom, notes = make(record, layer, **kwargs)
        except ValueError as exc:
            run.reject(
                number,
                f"{layer.label} row {number} (id {sid}): {exc}",
                raw=record.get("_raw"),
                source_id=sid,
                field=getattr(exc, "field", None),
            )
            continue
        for note in notes:
            run.note(f"{layer.label} id {sid}: {note}")
        accepted.append(({"source_id": sid, **values}, geom))
    return accepted


def _write_snapshot(
    run: LoadRun,
    table: str,
    columns: list[str],
    rows: list[tuple[dict, object]],
    epoch: date | None,
) -> None:
    stage = create_staging(run.conn, table, f"stage_{table.split('.')[-1]}")
    cols = [*columns, "row_hash", "load_run_id", "geom"]
    wkbs = ewkb_hex([g for _, g in rows]) if rows else []
    copy_rows(
        run.conn,
        stage,
        cols,
        (
            [
                *(v[c] for c in columns),
                row_hash([*(v[c] for c in columns if c != "source_format"), wkb]),
                run.run_id,
                wkb,
            ]
            for (v, _), wkb in zip(rows, wkbs, strict=True)
        ),
    )
    counts = sync_staged(
        run.conn, table, stage, cols, ("epoch", "source_id"), scope={"epoch": epoch}
    )
    run.loaded(
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        retired=counts.retired,
    )


def buildings_body(
    run: LoadRun, layer: LayerInput, *, epoch: date | None, extent: Extent | None, on_invalid: str
) -> None:
    """Check, estimate population where missing, and sync the epoch's buildings."""
    rows = _rows(run, layer, building_row, extent=extent, on_invalid=on_invalid)
    for values, _ in rows:
        values.update(epoch=epoch, source_format=layer.format)
    estimated = sum(1 for v, _ in rows if v["population_estimated"])
    if estimated:
        run.note(
            f"population estimated for {estimated} of {len(rows)} buildings "
            "(residential: floor(footprint_m2 × storeys / 35 m²); others 0)"
        )
    _write_snapshot(run, "msip.building", BUILDING_COLUMNS, rows, epoch)


def green_body(
    run: LoadRun, layer: LayerInput, *, epoch: date | None, extent: Extent | None, on_invalid: str
) -> None:
    """Check and sync the epoch's green spaces."""
    rows = _rows(run, layer, green_row, extent=extent, on_invalid=on_invalid)
    for values, _ in rows:
        values.update(epoch=epoch, source_format=layer.format)
    unknown = sum(1 for v, _ in rows if v["public_access"] is None)
    if unknown:
        run.note(f"public access unknown for {unknown} green spaces (stored as NULL)")
    _write_snapshot(run, "msip.green_space", GREEN_COLUMNS, rows, epoch)


def walk_body(
    run: LoadRun, layer: LayerInput, *, epoch: date | None, extent: Extent | None
) -> None:
    """Check the lines, replace the epoch's graph and report its size and connectivity."""
    rows = _rows(run, layer, street_row, extent=extent)
    lines = [
        WalkLine(v["source_id"], v["name"], v["road_class"], v["width_m"], part)
        for v, parts in rows
        for part in parts
    ]
    previous = run.conn.execute(
        "SELECT count(DISTINCT source_id) FROM msip.walk_edge WHERE epoch IS NOT DISTINCT FROM %s",
        (epoch,),
    ).fetchone()[0]
    edges, vertices = build_graph(
        run, lines, epoch=epoch, source_format=layer.format, noded=layer.noded
    )
    run.loaded(inserted=len(rows), retired=previous)
    run.note(
        f"pedestrian graph: {len(rows)} lines → {edges} edges, {vertices} vertices"
        + ("" if layer.noded else " (split at intersections)")
    )
    if edges:
        run.note(describe_components(run))
