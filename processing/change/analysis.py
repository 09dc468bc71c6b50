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

from dataclasses import dataclass
from datetime import date

from msip.core.runs import LoadReport, LoadRun
from processing.change.detect import detect_changes
from processing.change.inputs import load_inputs
from processing.change.params import PARAMETERS, ChangeParams
from processing.change.rasters import Bounds
from processing.change.store import store_events
from processing.contract import Analysis, Resolved

__all__ = ["ANALYSIS", "ChangeRequest", "run_change"]


@dataclass(frozen=True)
class ChangeRequest:
    """One run: parameters, the epochs and area asked for (None = defaults) and the worker count."""

    params: ChangeParams
    epoch_from: date | None = None
    epoch_to: date | None = None
    bbox: Bounds | None = None
    workers: int | None = None


def _request(values: dict, *, workers: int | None = None) -> ChangeRequest:
    params = ChangeParams(**{name: values[name] for name in PARAMETERS.names() if name in values})
    return ChangeRequest(params, values.get("epoch_from"), values.get("epoch_to"), values.get("bbox"), workers)


def _resolve(conn, request: ChangeRequest) -> Resolved:
    p = request.params
    inputs, run_ids, input_notes = load_inputs(conn, request.epoch_from, request.epoch_to, request.bbox, p)
    record = p.as_dict() | {
        "epoch_from": inputs.epoch_from.isoformat(),
        "epoch_to": inputs.epoch_to.isoformat(),
        "area": list(inputs.area),
    }
    return Resolved(record, run_ids, inputs.epoch_to, state=inputs, notes=input_notes)


def _compute(run: LoadRun, request: ChangeRequest, resolved: Resolved) -> None:
    inputs = resolved.state
    result = detect_changes(inputs, request.params, workers=request.workers)
    store_events(run, inputs, result, resolved.notes)


#: The change analysis; its events checksum is noted by the run itself (`store_events`).
ANALYSIS: Analysis[LoadReport] = Analysis("change", PARAMETERS, _request, _resolve, _compute)


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
    request = ChangeRequest(params or ChangeParams(), epoch_from, epoch_to, bbox, workers)
    return ANALYSIS.run(request, url=url, force=force)
