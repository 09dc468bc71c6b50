"""The heat-island analysis: InVEST's Urban Cooling Model on MSIP's layers, run tile by tile on Dask.

`run_heat_island(epoch=…, bbox=…, params=HeatParams(…))` reads the CHM, orthophoto brightness
and NDVI (day) or the nDSM (night) of one epoch, the building register and the green spaces,
builds the per-cell inputs (processing.heat.layers), runs the model (processing.heat.ucm), writes
the HM and T_air COGs (raster kinds heat_hm, heat_tair) and the hot spots and per-building,
per-zone and per-cell means (msip.heat_*), all as one analysis run in msip.load_run. The same
inputs and parameters give the same result: a rerun answers 'unchanged' (force recomputes, with
byte-identical COGs).

Input blocks and convolution windows are tasks of `msip.core.rasters.store.map_tiles`: Dask's
local processes by default, or the cluster named by MSIP_DASK_SCHEDULER. The layout of the
tiles depends only on the grid and the kernels, never on the scheduler, so a run gives the
same bits wherever it runs. Convolution windows reach 5 × d_cool (cooling) and 5 × r_mix
(air mixing) beyond their tile, as InVEST's kernels do; the analysed area ends at the bbox (or
at the rasters' common extent) and, as in InVEST, the area beyond it neither cools nor warms.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from msip.core.runs import LoadReport, LoadRun
from msip.core.settings import get_settings
from processing.contract import Analysis, Resolved
from processing.heat import ucm
from processing.heat.inputs import (
    HeatGrid,
    HeatSources,
    find_sources,
    grid_for,
    read_buildings,
    read_green_areas,
    read_zones,
)
from processing.heat.layers import LAYERS, LayerTask, run_layer_task
from processing.heat.outputs import HeatRasters
from processing.heat.params import PARAMETERS, HeatParams
from processing.heat.store import store_results
from processing.heat.ucm_convolve import DEFAULT_TILE_PX, convolve_on_files

NAME = "heat-island"
#: Model cells per side of one input block (one Dask task).
DEFAULT_BLOCK_CELLS = 256


def _mapper(workers: int | None, desc: str):
    from msip.core.rasters.store import map_tiles

    return lambda fn, items: map_tiles(fn, items, workers=workers, progress_desc=desc)


def compute_layers(sources: HeatSources, grid: HeatGrid, params: HeatParams, buildings: list,
                   greens: list[bytes], workdir: Path, *, block_cells: int = DEFAULT_BLOCK_CELLS,
                   workers: int | None = None) -> np.ndarray:
    """The (6, rows, cols) input layers (LAYERS order), computed block by block on Dask."""
    from shapely import STRtree, box, wkb

    out_path = workdir / "layers.npy"
    out = np.lib.format.open_memmap(out_path, mode="w+", dtype=np.float32,
                                    shape=(len(LAYERS), grid.rows, grid.cols))
    out[...] = np.nan
    out.flush()
    del out
    b_geoms = [wkb.loads(b.wkb) for b in buildings]
    g_geoms = [wkb.loads(g) for g in greens]
    b_tree, g_tree = STRtree(b_geoms), STRtree(g_geoms)
    mode_params = params.as_dict()
    tasks = []
    for r0, c0, rows, cols in grid.blocks(block_cells):
        bounds = grid.window_bounds(r0, c0, rows, cols)
        area = box(*bounds)
        bi = sorted(int(i) for i in b_tree.query(area, predicate="intersects"))
        gi = sorted(int(i) for i in g_tree.query(area, predicate="intersects"))
        tasks.append(LayerTask(
            r0=r0, c0=c0, rows=rows, cols=cols, bounds=bounds, cell=grid.cell, mode=params.mode,
            rasters=dict(sources.rasters),
            buildings=tuple((buildings[i].wkb, buildings[i].storeys) for i in bi),
            greens=tuple(greens[i] for i in gi), params=mode_params, out_path=str(out_path)))
    _mapper(workers, "heat-island inputs")(run_layer_task, tasks)
    layers = np.array(np.load(out_path, mmap_mode="r"), dtype=np.float64)
    out_path.unlink()
    return layers


def cooling_capacity(layers: np.ndarray, params: HeatParams) -> np.ndarray:
    """CC per cell: daytime factors (shade, albedo, ETI = Kc with one ET0 for the area) or night 1 − intensity."""
    shade, albedo, kc, intensity, _, valid = layers
    if params.mode == "day":
        cc = ucm.cooling_capacity_factors(shade, albedo, ucm.eti(kc, 1.0, 1.0), params.weights)
    else:
        cc = ucm.cooling_capacity_intensity(intensity)
    return np.where(valid > 0, cc, np.nan)


def compute_heat(sources: HeatSources, grid: HeatGrid, params: HeatParams, buildings: list,
                 greens: list[bytes], workdir: Path, *, block_cells: int = DEFAULT_BLOCK_CELLS,
                 tile_px: int = DEFAULT_TILE_PX, workers: int | None = None) -> HeatRasters:
    """Inputs → CC → CC_park, HM → T_air on the grid; heavy steps run as Dask tasks over `workdir`."""
    layers = compute_layers(sources, grid, params, buildings, greens, workdir,
                            block_cells=block_cells, workers=workers)
    cc = cooling_capacity(layers, params)
    green = np.where(layers[5] > 0, layers[4], np.nan)
    names = itertools.count()

    def convolve(signal: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        return convolve_on_files(signal, kernel, workdir, f"conv{next(names)}",
                                 _mapper(workers, "heat-island kernels"), tile_px=tile_px, workers=workers or 2)

    model = ucm.UcmParams(
        cell_size_m=grid.cell, t_ref_c=params.t_ref, uhi_max_c=params.uhi_max_c,
        green_area_cooling_distance_m=params.green_area_cooling_distance_m,
        t_air_average_radius_m=params.t_air_average_radius_m, weights=params.weights,
        method="factors" if params.mode == "day" else "intensity")
    result = ucm.urban_cooling(cc, green, model, convolve=convolve)
    return HeatRasters(grid=grid, layers=layers, cc=cc, hm=result.hm, t_air=result.t_air)


@dataclass(frozen=True)
class HeatRequest:
    """One run: validated parameters, the epoch and area asked for, and how to split the work."""

    params: HeatParams
    epoch: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    workers: int | None = None
    block_cells: int = DEFAULT_BLOCK_CELLS
    tile_px: int = DEFAULT_TILE_PX


def _request(values: dict, *, workers: int | None = None) -> HeatRequest:
    params = HeatParams(**{name: values[name] for name in PARAMETERS.names() if name in values})
    return HeatRequest(params.validated(), values.get("epoch"), values.get("bbox"), workers)


def _resolve(conn, request: HeatRequest) -> Resolved:
    params = request.params
    sources = find_sources(conn, mode=params.mode, epoch=request.epoch, bbox=request.bbox)
    grid = grid_for(sources.extent, params.cell_size_m)
    recorded = {**params.as_dict(), "bbox": list(grid.bounds), "block_cells": request.block_cells,
                "tile_px": request.tile_px}
    return Resolved(recorded, sources.input_run_ids, sources.epoch, state=(sources, grid))


def _compute(run: LoadRun, request: HeatRequest, resolved: Resolved) -> None:
    params, (sources, grid) = request.params, resolved.state
    conn = run.conn
    buildings = read_buildings(conn, sources, grid, params.storey_height_m)
    greens = read_green_areas(conn, sources, grid, params.green_area_min_m2)
    zones = read_zones(conn, grid)
    workdir = get_settings().data_dir / "work" / f"heat-{run.run_id}-{uuid.uuid4().hex[:8]}"
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rasters = compute_heat(sources, grid, params, buildings, greens, workdir,
                               block_cells=request.block_cells, tile_px=request.tile_px, workers=request.workers)
        store_results(run, rasters, sources, params, buildings, zones)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


ANALYSIS: Analysis[LoadReport] = Analysis(NAME, PARAMETERS, _request, _resolve, _compute)


def run_heat_island(*, epoch: date | None = None, bbox: tuple[float, float, float, float] | None = None,
                    params: HeatParams | None = None, url: str | None = None, force: bool = False,
                    block_cells: int = DEFAULT_BLOCK_CELLS, tile_px: int = DEFAULT_TILE_PX,
                    workers: int | None = None) -> LoadReport:
    """Run the analysis and store its results; returns the LoadReport of the analysis run.

    `epoch`: survey date of the rasters (default: the latest with every raster the mode needs);
    `bbox`: (minx, miny, maxx, maxy) in EPSG:2180 m (default: the rasters' common extent).
    Raises ValidationError (an MsipError) naming a missing input or a bad parameter.
    """
    request = HeatRequest((params or HeatParams()).validated(), epoch, bbox, workers, block_cells, tile_px)
    return ANALYSIS.run(request, url=url, force=force)


__all__ = ["ANALYSIS", "HeatParams", "HeatRequest", "compute_heat", "cooling_capacity", "run_heat_island"]
