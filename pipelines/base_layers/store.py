"""Loading a base layer's rows: one load run per layer, row checks with quarantine, epoch snapshots and the walk graph.

Used by the file loaders (`pipelines.base_layers.load`) and the OpenStreetMap loader
(`pipelines.base_layers.osm`) alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from msip.core.copy import copy_rows, create_staging, ewkb_hex
from msip.core.db import one_row
from msip.core.runs import LoadReport, LoadRun, run_load
from msip.core.versions import row_hash, sync_staged
from pipelines.base_layers.rows import LayerInput, building_row, check_layer_extent, green_row, street_row
from pipelines.base_layers.walk_network import WalkLine, build_graph, describe_components
from pipelines.readers.validate import Extent

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

#: What a row check returns as a row's geometry (one geometry; a street's parts).
G = TypeVar("G")


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


def _rows(
    run: LoadRun,
    layer: LayerInput,
    make: Callable[..., tuple[dict, G, list[str]]],
    *,
    what: str,
    extent: Extent | None,
    **kwargs: Any,
) -> list[tuple[dict, G]]:
    """Check every record with `make`; quarantine failures and duplicate ids; returns accepted rows.

    A layer none of whose rows lies inside `extent` is refused as a whole (`check_layer_extent`).
    """
    run.count_in(len(layer.records))
    check_layer_extent(layer, extent, what=what)
    for note in layer.notes:
        run.note(note)
    seen: dict[str, int] = {}
    accepted: list[tuple[dict, G]] = []
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
            values, geom, notes = make(record, layer, extent=extent, **kwargs)
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
    rows: Sequence[tuple[dict, object]],
    epoch: date | None,
) -> None:
    stage = create_staging(run.conn, table, f"stage_{table.split('.')[-1]}")
    cols = [*columns, "row_hash", "load_run_id", "geom"]
    wkbs: Iterable[object] = ewkb_hex([g for _, g in rows]) if rows else []
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
    rows = _rows(run, layer, building_row, what="buildings", extent=extent, on_invalid=on_invalid)
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
    rows = _rows(run, layer, green_row, what="green spaces", extent=extent, on_invalid=on_invalid)
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
    rows = _rows(run, layer, street_row, what="paths", extent=extent)
    lines = [
        WalkLine(v["source_id"], v["name"], v["road_class"], v["width_m"], part)
        for v, parts in rows
        for part in parts
    ]
    previous = one_row(run.conn.execute(
        "SELECT count(DISTINCT source_id) FROM msip.walk_edge WHERE epoch IS NOT DISTINCT FROM %s",
        (epoch,),
    ))[0]
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
