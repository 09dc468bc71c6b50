"""Living-conditions indicator grid: people, greenery, heat, 3-30-300, trees, ads and zoning compliance per cell.

Per cell of a grid (`cell_m` 100 m default, 250 m or 1 km; `grid_epsg` 2180 = aligned to
PUWG-1992 multiples of the size, 3035 = the EU statistical grid) over the analysed area
(`bbox`, default the extent of the building snapshot):

* population, residential buildings: buildings assigned by centroid;
* canopy_pct = CHM ≥ canopy_min_height_m (2 m) pixels / pixels with CHM data × 100;
* bio_active_pct = biologically active pixels / pixels with NDVI or CHM data × 100, where a
  pixel is biologically active when no building covers it and NDVI ≥ ndvi_min (0.3; where
  the orthophoto has no data: CHM canopy) — vegetation seen from above, so crowns over
  paving count (the legal definition measures the ground; the orthophoto cannot see it);
* built_pct = pixels whose centre is in a building footprint / all pixels × 100;
* t_air_mean_c = mean T_air of the latest heat-island run (mode `heat_mode`) over the cell's
  pixels with data (null with a note when the heat island was not run);
* pct_3 / pct_30 / pct_300 / pct_3_30_300 = residents meeting each rule / residents of
  buildings with a green-access result for the snapshot × 100;
* trees (inventory valid on the date ∪ LiDAR-only, de-duplicated within dedup_distance_m)
  and trees_per_100_residents = 100 × trees / population;
* ads, ads_per_km2 = carriers valid on the date / cell area;
* zoning: each current zone with indicators is checked as a whole — its biologically
  active share (pixels as above) ≥ min_biologically_active_pct and its building coverage
  (footprint area in the zone / zone area, exact vector areas) ≤ max_building_coverage_pct;
  zoned_pct = share of the cell in such zones, zoning_compliant_pct = share of that zoned
  part lying in zones meeting every indicator they set (also stored per zone).

Rasters are read onto an EPSG:2180 grid of `pixel_m` (0.5 m), tile by tile (`tile_m`)
through `map_tiles`; pixels count for the cell their centre falls in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import box
from shapely.strtree import STRtree

from msip.core.runs import LoadReport, LoadRun
from processing.contract import Analysis, Outcome, Resolved, ResultTable
from processing.living.grid import Grid
from processing.living.inputs import LivingInputs, point_indicators, resolve
from processing.living.params import PARAMETERS, LivingParams
from processing.living.rasters import CELL_SUMS, ZONE_SUMS, RasterTile, tile_sums, tiles_over
from processing.living.store import load_zones, store_cells, store_zones, zone_coverage

NAME = "living-conditions"


@dataclass
class LivingResult:
    """What a run did: its report, the number of cells and a checksum of the stored rows."""

    report: LoadReport
    cells: int
    checksum: str | None

    def summary(self) -> str:
        return f"{self.report.summary()}\n  cells: {self.cells}; checksum of the results: {self.checksum}"

    def as_dict(self) -> dict:
        return {
            "run_id": self.report.run_id,
            "status": self.report.status,
            "cells": self.cells,
            "checksum": self.checksum,
            "notes": self.report.notes,
        }


@dataclass(frozen=True)
class LivingRequest:
    """One run: the parameters (epoch and bbox among them) and the worker count."""

    params: LivingParams
    workers: int | None = None


def _request(values: dict, *, workers: int | None = None) -> LivingRequest:
    names = ("epoch", "bbox", *PARAMETERS.names())
    return LivingRequest(LivingParams(**{n: values[n] for n in names if n in values}), workers)


def _resolve(conn, request: LivingRequest) -> Resolved:
    params = request.params
    inputs = resolve(conn, params.epoch, params.heat_mode)
    area = params.bbox or _buildings_extent(conn, inputs.epoch)
    return Resolved(params.record(inputs.epoch), inputs.input_run_ids, inputs.epoch, state=(inputs, area))


def _run(run: LoadRun, request: LivingRequest, resolved: Resolved) -> None:
    inputs, area = resolved.state
    _compute(run, request.params, inputs, area, request.workers)


def _finish(conn, outcome: Outcome) -> LivingResult:
    cells = conn.execute(
        "SELECT count(*) FROM msip.living_conditions_result WHERE load_run_id = %s",
        (outcome.report.run_id,),
    ).fetchone()[0]
    return LivingResult(outcome.report, cells, outcome.checksum)


#: What a run's checksum covers: its cell and zone rows (ids and run numbers left out).
CHECKSUM = (
    ResultTable(
        "msip.living_conditions_result",
        ("cell_code", "population", "buildings", "data_pct", "canopy_pct", "bio_active_pct", "built_pct",
         "t_air_mean_c", "pct_3", "pct_30", "pct_300", "pct_3_30_300", "trees", "ads", "zoned_pct",
         "zoning_compliant_pct", "ST_AsEWKB(geom)"),
        "cell_code",
    ),
    ResultTable("msip.living_conditions_zone", ("zone_pk", "bio_active_pct", "coverage_pct", "compliant"), "zone_pk"),
)
ANALYSIS: Analysis[LivingResult] = Analysis(NAME, PARAMETERS, _request, _resolve, _run, _finish, CHECKSUM)


def run_living_conditions(
    params: LivingParams | None = None,
    *,
    url: str | None = None,
    force: bool = False,
    workers: int | None = None,
) -> LivingResult:
    """Compute the indicator grid and store it (msip.living_conditions_result, _zone) as one analysis run."""
    return ANALYSIS.run(LivingRequest(params or LivingParams(), workers), url=url, force=force)


def _buildings_extent(conn, epoch) -> tuple[float, float, float, float]:
    row = conn.execute(
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e "
        "FROM msip.building WHERE epoch IS NOT DISTINCT FROM %s) x",
        (epoch,),
    ).fetchone()
    xmin, ymin, xmax, ymax = (float(v) for v in row)
    return xmin, ymin, xmax, ymax


def _compute(
    run: LoadRun, params: LivingParams, inputs: LivingInputs, area: tuple, workers: int | None
) -> None:
    from msip.core.rasters.store import map_tiles

    conn = run.conn
    for note in inputs.notes:
        run.note(note)
    grid = Grid.covering(area, params.cell_m, params.grid_epsg)
    bounds = grid.bounds2180()
    box_wkb = _box_wkb(bounds)
    run.count_in(len(grid))
    buildings = [
        bytes(r[0])
        for r in conn.execute(
            "SELECT ST_AsBinary(geom) FROM msip.building WHERE epoch IS NOT DISTINCT FROM %s "
            "AND geom && ST_GeomFromWKB(%s, 2180) ORDER BY building_pk",
            (inputs.epoch, box_wkb),
        )
    ]
    zones = load_zones(conn, box_wkb)
    footprints = STRtree(shapely.from_wkb(buildings)) if buildings else None
    zone_tree = STRtree(shapely.from_wkb([z.wkb for z in zones])) if zones else None
    tiles = []
    for t in tiles_over(bounds, params.tile_m, params.pixel_m):
        frame = box(*t)
        near = (
            sorted(footprints.query(frame, predicate="intersects").tolist()) if footprints else []
        )
        touching = (
            sorted(zone_tree.query(frame, predicate="intersects").tolist()) if zone_tree else []
        )
        tiles.append(
            RasterTile(
                *t,
                params.pixel_m,
                grid,
                inputs.chm,
                inputs.ndvi,
                inputs.tair,
                params.canopy_min_height_m,
                params.ndvi_min,
                tuple(buildings[i] for i in near),
                tuple((zones[i].number, zones[i].wkb) for i in touching),
            )
        )
    cell_sums = np.zeros((len(grid), len(CELL_SUMS)))
    zone_sums = np.zeros((len(zones) + 1, len(ZONE_SUMS)))
    cell_zone: dict[tuple[int, int], float] = {}
    for part in map_tiles(tile_sums, tiles, workers=workers, progress_desc="living conditions"):
        cell_sums[part.cells] += part.cell_sums
        zone_sums[part.zones] += part.zone_sums
        for c, z, k in part.cell_zone.tolist():
            cell_zone[c, z] = cell_zone.get((c, z), 0) + k
    points = point_indicators(conn, grid, inputs, box_wkb, params.dedup_distance_m)
    checked = zone_coverage(conn, zones, zone_sums, inputs.epoch)
    zoned = np.zeros(len(grid))
    ok = np.zeros(len(grid))
    for (c, z), k in sorted(cell_zone.items()):
        zone_check = checked[z]
        assert zone_check is not None  # zone numbers start at 1 (index 0 is unused)
        verdict = zone_check["compliant"]
        if verdict is not None:
            zoned[c] += k
            ok[c] += k * verdict
    store_zones(conn, run.run_id, zones, zone_sums, checked)
    written = store_cells(
        conn, run.run_id, params, grid, cell_sums, points, zoned, ok, inputs.epoch
    )
    run.note(
        f"{written} cells of {params.cell_m} m (EPSG:{params.grid_epsg} grid), {len(tiles)} tiles, "
        f"{len(zones)} zoning zones"
    )
    run.loaded(inserted=written)


def _box_wkb(bounds: tuple) -> bytes:
    return box(*bounds).wkb
