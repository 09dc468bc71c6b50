"""`terrain-change`: DEM of difference between LiDAR epochs with a level of detection, volumes and a time series.

For every consecutive pair of the chosen epochs (default: all epochs with a DTM) the DTMs are
differenced on a `cell_m` grid, tile by tile (`processing.terrain.dod`); each epoch's σ per
cell comes from its own ground points in msip.lidar_patch (density and roughness,
`processing.terrain.uncertainty`), LoD = lod_z·√(σ₁² + σ₂²). The DoD is written as a COG (raster
kind `terrain_dod`, bands dz, LoD, significant dz, display), the connected areas of change above
the LoD go to msip.terrain_change_region and the cut/fill volumes of every watched area to
msip.terrain_volume: with ≥ 3 epochs, the rows of one area are its time series. One recorded,
all-or-nothing analysis run; the same inputs and parameters again are 'unchanged'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from msip.core.runs import LoadReport, LoadRun
from processing.contract import Analysis, Outcome, Resolved, ResultTable
from processing.terrain.inputs import Bounds, common_area, dtm_epochs, pick_epochs, watched_areas, watched_runs
from processing.terrain.params import PARAMETERS, TerrainParams

__all__ = ["ANALYSIS", "TerrainRequest", "run_terrain_change"]


@dataclass(frozen=True)
class TerrainRequest:
    """One run: parameters, the epochs (None = all with a DTM), the area, the database of the tile workers."""

    params: TerrainParams
    epochs: tuple[date, ...] | None = None
    bbox: Bounds | None = None
    workers: int | None = None
    url: str | None = None


@dataclass
class TerrainState:
    epochs: list[date]
    dtm: dict[date, tuple]
    area: Bounds
    areas: list[tuple[int, str, bytes]]


def _request(values: dict, *, workers: int | None = None) -> TerrainRequest:
    params = TerrainParams(**{n: values[n] for n in PARAMETERS.names() if values.get(n) is not None})
    epochs = values.get("epochs")
    return TerrainRequest(params, tuple(epochs) if epochs else None, values.get("bbox"), workers, values.get("url"))


def _resolve(conn, request: TerrainRequest) -> Resolved:
    p = request.params
    available = dtm_epochs(conn)
    epochs = pick_epochs(available, list(request.epochs) if request.epochs else None)
    for e in epochs:
        p.check_grid(available[e][1])
    area = common_area(available, epochs, request.bbox, p.cell_m)
    areas = watched_areas(conn, area)
    record = p.as_dict() | {"epochs": [e.isoformat() for e in epochs], "area": list(area)}
    runs = sorted({available[e][3] for e in epochs} | set(watched_runs(conn)))
    notes = [] if areas else ["no watched areas in the area: volumes only per change region "
                              "(load some with `msip load watched-areas FILE`)"]
    return Resolved(record, runs, epochs[-1], state=TerrainState(epochs, available, area, areas), notes=notes)


def _compute(run: LoadRun, request: TerrainRequest, resolved: Resolved) -> None:
    from processing.terrain.store import compute_pairs, store_pair

    state: TerrainState = resolved.state
    for note in resolved.notes:
        run.note(note)
    for pair in compute_pairs(state.dtm, state.epochs, state.area, request.params, url=request.url,
                              workers=request.workers):
        store_pair(run, pair, state.areas, request.params)


CHECKSUM = (
    ResultTable("msip.terrain_change_region",
                ("epoch_from", "epoch_to", "kind", "round(area_m2::numeric, 2)", "round(volume_m3::numeric, 2)"),
                "epoch_from, kind, round(volume_m3::numeric, 2), round(area_m2::numeric, 2)"),
    ResultTable("msip.terrain_volume",
                ("area_id", "epoch_from", "round(fill_m3::numeric, 2)", "round(cut_m3::numeric, 2)"),
                "area_id, epoch_from"),
)

def _finish(conn, outcome: Outcome) -> LoadReport:
    """The run's report with the checksum of its stored regions and volumes (equal results, equal sums)."""
    outcome.report.notes.append(f"results checksum {outcome.checksum}")
    return outcome.report


#: The terrain-change analysis.
ANALYSIS: Analysis[LoadReport] = Analysis("terrain-change", PARAMETERS, _request, _resolve, _compute,
                                          finish=_finish, checksum=CHECKSUM)


def run_terrain_change(epochs: list[date] | None = None, *, bbox: Bounds | None = None,
                       params: TerrainParams | None = None, url: str | None = None, force: bool = False,
                       workers: int | None = None) -> LoadReport:
    """Terrain change between consecutive `epochs` (default: every epoch with a DTM), stored as one run.

    Raises ValidationError (an MsipError) with fewer than two epochs with a DTM, unknown epochs
    or an empty area.
    """
    request = TerrainRequest(params or TerrainParams(), tuple(epochs) if epochs else None, bbox, workers, url)
    return ANALYSIS.run(request, url=url, force=force)
