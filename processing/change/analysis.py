"""`change`: what changed between two survey epochs — buildings, canopy, trees, terrain, carriers.

`run_change` reads the inputs from PostGIS (`processing.change.inputs`), runs `detect_changes`
and stores the events in msip.change_event as one recorded analysis run. `detect_changes` is
the database-free core: the per-epoch mosaics (nDSM, CHM, DTM, NDVI) are processed tile by
tile with overlap on Dask (`msip.core.rasters.store.map_tiles`), regions cut by tile edges are
merged, then classified; inventory trees are checked for felling and NDVI decline, and carrier
inventories compared.

Methods (defaults in `ChangeParams`):
- buildings — built surface = nDSM where the CHM shows no canopy (< 2 m). Pixels whose built
  surface rose or fell by ≥ 2.5 m, opened with a 3×3 square, form regions of ≥ 20 m². A rise
  on ground that was < 2.5 m high is a new building, else a raised one; a fall to < 2.5 m is a
  demolished building, else a lowered one. Register footprints of each epoch are matched for
  evidence (ids, overlap share, whether the register agrees).
- canopy — CHM ≥ 2 m is canopy; lost/gained regions ≥ 10 m².
- felled trees — an inventory tree valid on epoch_from whose probe disk (half the crown radius,
  ≥ 1 m) was ≥ 50 % canopy then and ≤ 20 % canopy at epoch_to.
- NDVI decline — mean NDVI of the inner crown (0.6 × crown radius, ≥ 0.75 m) fell by ≥ 0.10
  from ≥ 0.3 (a crown health signal; NDVI = (NIR − red)/(NIR + red) of the orthophoto).
- terrain — DTM difference, 3×3 median, |Δz| ≥ 0.5 m over ≥ 25 m², only where no structure
  stands in either epoch (the DTM is interpolated under buildings).
- carriers — advertising carriers listed only in the later (new_ad) or earlier (removed_ad) inventory.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from msip.core.runs import LoadReport, LoadRun
from processing.change.events import (
    EVENT_TYPES,
    ChangeEvent,
    InventoryObject,
    RegisteredBuilding,
    annotate_buildings,
    classify_region,
    events_checksum,
    inventory_events,
    merge_regions,
    sort_events,
)
from processing.change.params import ChangeParams
from processing.change.rasters import Bounds, ChangeTileResult, ChangeTileTask, process_change_tile
from processing.change.trees import TreeProbe, tree_events

__all__ = [
    "ChangeInputs",
    "ChangeParams",
    "ChangeResult",
    "detect_changes",
    "run_change",
    "run_outputs",
]

EVENT_COLUMNS = (
    "type",
    "epoch_from",
    "epoch_to",
    "area_m2",
    "height_change_m",
    "object_id",
    "evidence",
    "geom",
    "load_run_id",
)


@dataclass
class ChangeInputs:
    """Everything the detection reads: mosaic paths per kind and epoch, the analysed area, inventories.

    `area` (EPSG:2180 m) lies on the analysis grid (pixel `res_m` through `anchor`); `trees` are
    inventory trees valid on epoch_from; `ads_from`/`ads_to` None when the carrier inventories
    cannot be compared (skipped).
    """

    epoch_from: date
    epoch_to: date
    paths_from: dict[str, str]
    paths_to: dict[str, str]
    area: Bounds
    res_m: float
    anchor: tuple[float, float] = (0.0, 0.0)
    trees: list[InventoryObject] = field(default_factory=list)
    buildings_from: list[RegisteredBuilding] = field(default_factory=list)
    buildings_to: list[RegisteredBuilding] = field(default_factory=list)
    ads_from: list[InventoryObject] | None = None
    ads_to: list[InventoryObject] | None = None


@dataclass
class ChangeResult:
    """The detected events (stable order) and notes on what was and was not analysed."""

    events: list[ChangeEvent]
    notes: list[str] = field(default_factory=list)

    @property
    def checksum(self) -> str:
        return events_checksum(self.events)

    def counts(self) -> dict[str, int]:
        """Events per type, for every type found (EVENT_TYPES order)."""
        found = [e.type for e in self.events]
        return {t: found.count(t) for t in EVENT_TYPES if t in found}


def plan_tiles(inputs: ChangeInputs, p: ChangeParams) -> list[ChangeTileTask]:
    """Tiles of `p.tile_m` on a grid through the anchor, clipped to the area; each with its trees."""
    p.check_grid(inputs.res_m)
    x0, y0, x1, y1 = inputs.area
    ax, ay, t = inputs.anchor[0], inputs.anchor[1], p.tile_m
    i0, i1 = math.floor((x0 - ax) / t + 1e-9), math.ceil((x1 - ax) / t - 1e-9)
    j0, j1 = math.floor((y0 - ay) / t + 1e-9), math.ceil((y1 - ay) / t - 1e-9)
    by_tile: dict[tuple[int, int], list[TreeProbe]] = {}
    for k, tree in enumerate(inputs.trees):
        if not (x0 <= tree.x <= x1 and y0 <= tree.y <= y1):
            continue
        i = min(max(math.floor((tree.x - ax) / t), i0), i1 - 1)
        j = min(max(math.floor((tree.y - ay) / t), j0), j1 - 1)
        radius = (tree.crown_diameter_m or p.default_crown_diameter_m) / 2
        by_tile.setdefault((i, j), []).append(TreeProbe(k, tree.x, tree.y, radius))
    tasks = []
    for j in range(j1 - 1, j0 - 1, -1):
        for i in range(i0, i1):
            core = (
                max(x0, ax + i * t),
                max(y0, ay + j * t),
                min(x1, ax + (i + 1) * t),
                min(y1, ay + (j + 1) * t),
            )
            if core[2] - core[0] < inputs.res_m / 2 or core[3] - core[1] < inputs.res_m / 2:
                continue
            tasks.append(
                ChangeTileTask(
                    f"{core[0]:.0f}_{core[1]:.0f}",
                    core,
                    inputs.res_m,
                    p.overlap_m,
                    inputs.paths_from,
                    inputs.paths_to,
                    p,
                    tuple(by_tile.get((i, j), ())),
                )
            )
    return tasks


def detect_changes(
    inputs: ChangeInputs, params: ChangeParams | None = None, *, workers: int | None = None
) -> ChangeResult:
    """All change events between the two epochs of `inputs` (no database needed).

    Tiles run in parallel through `map_tiles` (local Dask processes, or the cluster named by
    MSIP_DASK_SCHEDULER); `workers=1` runs them in this process.
    """
    from msip.core.rasters.store import map_tiles

    p = params or ChangeParams()
    kinds = sorted(set(inputs.paths_from) & set(inputs.paths_to))
    notes = [f"rasters compared: {', '.join(kinds) or 'none'} at {inputs.res_m:g} m"]
    tasks = plan_tiles(inputs, p)
    results: list[ChangeTileResult] = map_tiles(
        process_change_tile,
        tasks,
        workers=workers,
        progress_desc=f"change {inputs.epoch_from}→{inputs.epoch_to}",
    )
    events = []
    for region, geom in merge_regions([r for res in results for r in res.regions]):
        event = classify_region(region, geom, p, inputs.res_m)
        if event is not None:
            events.append(event)
    annotate_buildings(events, inputs.buildings_from, inputs.buildings_to)
    samples = [s for res in results for s in res.trees]
    events += tree_events(inputs.trees, samples, p)
    if "chm" not in kinds:
        notes.append("no CHM in both epochs: canopy changes and felled trees not analysed")
    if "ndvi" not in kinds:
        notes.append("no NDVI in both epochs: crown NDVI decline not analysed")
    if inputs.ads_from is not None and inputs.ads_to is not None:
        events += inventory_events(
            inputs.ads_from, inputs.ads_to, added="new_ad", removed="removed_ad"
        )
    notes.append(
        f"{len(tasks)} tiles of {p.tile_m:g} m (overlap {p.overlap_m:g} m), {len(samples)} inventory trees "
        "checked"
    )
    return ChangeResult(sort_events(events), notes)


def run_change(
    epoch_from: date | None = None,
    epoch_to: date | None = None,
    *,
    bbox: Bounds | None = None,
    params: ChangeParams | None = None,
    url: str | None = None,
    force: bool = False,
    workers: int | None = None,
) -> LoadReport:
    """Detect changes between two epochs (default: the two latest with rasters) and store them.

    Writes msip.change_event rows (one per event) in one recorded analysis run (kind
    'analysis:change'); the run replaces earlier events of the same epoch pair that intersect its
    area. The same inputs and parameters again → status 'unchanged' (use `force` to recompute).
    `bbox` (minx, miny, maxx, maxy, EPSG:2180 m) limits the area; default: where both epochs
    have rasters. Raises ValidationError (an MsipError) for unknown epochs or an empty area.
    """
    from msip.core.db import connect
    from processing.change.inputs import load_inputs
    from processing.provenance import run_analysis

    p = params or ChangeParams()
    with connect(url) as conn:
        inputs, run_ids, input_notes = load_inputs(conn, epoch_from, epoch_to, bbox, p)
    analysis_params = p.as_dict() | {
        "epoch_from": inputs.epoch_from.isoformat(),
        "epoch_to": inputs.epoch_to.isoformat(),
        "area": list(inputs.area),
    }

    def body(run: LoadRun) -> None:
        from msip.core.copy import copy_rows, ewkb_hex

        result = detect_changes(inputs, p, workers=workers)
        conn = run.conn
        retired = conn.execute(
            "DELETE FROM msip.change_event WHERE epoch_from = %s AND epoch_to = %s "
            "AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 2180))",
            (inputs.epoch_from, inputs.epoch_to, *inputs.area),
        ).rowcount
        geoms = ewkb_hex(np.array([e.geom for e in result.events], dtype=object))
        copy_rows(
            conn,
            "msip.change_event",
            EVENT_COLUMNS,
            (
                (
                    e.type,
                    inputs.epoch_from,
                    inputs.epoch_to,
                    e.area_m2,
                    e.height_change_m,
                    e.object_id,
                    json.dumps(e.evidence, sort_keys=True, ensure_ascii=False),
                    g,
                    run.run_id,
                )
                for e, g in zip(result.events, geoms)
            ),
        )
        run.count_in(len(result.events))
        run.loaded(inserted=len(result.events), retired=retired)
        counts = ", ".join(f"{n} {t}" for t, n in result.counts().items()) or "no changes"
        run.note(f"{inputs.epoch_from} → {inputs.epoch_to}: {counts}")
        for note in input_notes + result.notes:
            run.note(note)
        run.note(f"events checksum {result.checksum}")

    return run_analysis(
        "change",
        analysis_params,
        input_run_ids=run_ids,
        body=body,
        epoch=inputs.epoch_to,
        url=url,
        force=force,
    )


def run_outputs(run_id: int, *, url: str | None = None) -> dict:
    """What a change run found: run id, epochs, events per type and the events as GeoJSON (EPSG:2180).

    For a run reported 'unchanged' pass the id of the earlier run it points to (LoadReport.run_id).
    """
    from msip.core.db import connect

    with connect(url) as conn:
        params = conn.execute(
            "SELECT params FROM msip.load_run WHERE run_id = %s", (run_id,)
        ).fetchone()
        rows = conn.execute(
            "SELECT event_id, type, area_m2, height_change_m, object_id, evidence, ST_AsGeoJSON(geom, 2)::json "
            "FROM msip.change_event WHERE load_run_id = %s ORDER BY event_id",
            (run_id,),
        ).fetchall()
    params = (params[0] if params else None) or {}
    feats = [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": r[6],
            "properties": {
                "type": r[1],
                "area_m2": r[2],
                "height_change_m": r[3],
                "object_id": r[4],
                "evidence": r[5],
            },
        }
        for r in rows
    ]
    found = [r[1] for r in rows]
    return {
        "run_id": run_id,
        "epoch_from": params.get("epoch_from"),
        "epoch_to": params.get("epoch_to"),
        "counts": {t: found.count(t) for t in EVENT_TYPES if t in found},
        "events": {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
            "features": feats,
        },
    }
