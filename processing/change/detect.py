"""Change detection without a database: tiles planned over the area, processed on Dask, regions merged and classified.

`detect_changes(inputs, params)` takes the per-epoch mosaic paths (nDSM, CHM, DTM, NDVI), the
inventories and the register footprints (`ChangeInputs`, read by `processing.change.inputs`),
processes the rasters tile by tile with overlap (`msip.core.rasters.store.map_tiles`), merges
regions cut by tile edges, classifies them, and adds felled trees, crown NDVI decline and
carrier changes (`ChangeResult`). The methods are described in `processing.change.analysis`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

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

__all__ = ["ChangeInputs", "ChangeResult", "detect_changes", "plan_tiles"]


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
