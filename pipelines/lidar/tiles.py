"""One processing tile: spilled points → noise/outliers out → ground → DTM/DSM/nDSM/CHM → trees.

`process_tile` runs in a worker process (see msip.core.rasters.tile_loop.map_tiles): it reads its
tile from disk, writes its COGs and returns only small results (paths, counts, trees).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.lidar.algorithms.canopy import (
    MULTI_RETURN,
    TERRAIN_CLASSES,
    canopy_returns,
    point_rules,
)
from pipelines.lidar.algorithms.grids import NODATA, Grid, cells, coverage, surfaces
from pipelines.lidar.algorithms.outliers import by_height_band, cell_for_density, point_spacing_m
from pipelines.lidar.algorithms.trees import DetectedTree, detect
from pipelines.lidar.engine import get_engine
from pipelines.lidar.params import GROUND_CLASS, NOISE_CLASSES, LidarParams
from pipelines.lidar.spill import OVERLAP, WITHHELD, read_tile

KINDS = ("dtm", "dsm", "ndsm", "chm")
DESCRIPTIONS = {
    "dtm": "DTM: terrain height, m PL-EVRF2007-NH (ground points, gaps interpolated)",
    "dsm": "DSM: surface height, m PL-EVRF2007-NH (highest first return)",
    "ndsm": "nDSM: height above terrain, m (DSM - DTM)",
    "chm": "CHM: canopy height above terrain, m (vegetation only, 0 elsewhere)",
}
#: File index of points read back from msip.lidar_patch (stored by earlier loads of the epoch).
READBACK = 65535
#: Cells farther than this from any point have no data (outside the survey, water without returns);
#: sparse surveys get 3 point spacings instead (see max_gap_m).
MAX_GAP_M = 2.0


@dataclass(frozen=True)
class TileTask:
    """Everything a worker needs for one tile (small and picklable)."""

    name: str
    origin: tuple[float, float]
    """Lower-left corner of the core tile (m)."""
    core: tuple[float, float, float, float]
    out_bounds: tuple[float, float, float, float]
    """Raster extent: the core cropped to where the data are, on the pixel grid."""
    buffer_m: float
    parts: tuple[str, ...]
    canopy_rules: tuple[tuple[int, str], ...]
    """(file index, canopy rule) of every file (`algorithms.canopy`); SMRF for `multi_return`."""
    out_paths: dict[str, str]
    params: LidarParams
    epoch: str = ""
    readback: bool = False
    """Also read this epoch's stored points from other files (earlier loads) around the tile."""
    db_url: str | None = None
    own_files: tuple[str, ...] = ()


@dataclass
class TileResult:
    """What one tile produced."""

    name: str
    rasters: dict[str, str] = field(default_factory=dict)
    trees: list[DetectedTree] = field(default_factory=list)
    points: int = 0
    noise: int = 0
    withheld: int = 0
    overlap: int = 0
    outliers: int = 0
    judged: int = 0
    """Core points the outlier test looked at (all but noise, withheld and overlap)."""
    outlier_bands: dict[str, int] = field(default_factory=dict)
    """Outliers of the core by height above the DTM (`algorithms.outliers.band_labels`)."""
    ground_classes: int = 0
    water: int = 0
    ground_smrf: int = 0
    too_tall: int = 0
    """Canopy maxima at least tree_max_height_m tall, not taken for trees."""
    empty: str = ""
    """Why the tile has no rasters (nothing usable left), else ''."""

    def left_out(self) -> tuple[int, int, int, int]:
        """Core points left out of the rasters: noise, withheld, overlap, outliers."""
        return self.noise, self.withheld, self.overlap, self.outliers


def snap_out(value: float, step: float, up: bool) -> float:
    """`value` rounded outward to a multiple of `step`."""
    q = value / step
    return (math.ceil(q - 1e-9) if up else math.floor(q + 1e-9)) * step


def max_gap_m(points: int, bounds: tuple[float, float, float, float]) -> float:
    """Largest distance (m) from a point at which a cell has data: 2 m, or 3 point spacings."""
    area = max((bounds[2] - bounds[0]) * (bounds[3] - bounds[1]), 1.0)
    spacing = math.sqrt(area / max(points, 1))
    return max(MAX_GAP_M, 3.0 * spacing)


def work_bounds(
    core: tuple[float, float, float, float],
    buffer_m: float,
    x: np.ndarray,
    y: np.ndarray,
    align_m: float,
    out_bounds: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float]:
    """The buffered tile cropped to the points' extent (plus a step), on multiples of align_m,
    always holding `out_bounds` (the raster written): the points given may be fewer than those
    the raster extent was planned from."""
    b = buffer_m
    if not len(x):
        return (core[0] - b, core[1] - b, core[2] + b, core[3] + b)
    lo = (float(x.min()) - align_m, float(y.min()) - align_m)
    hi = (float(x.max()) + align_m, float(y.max()) + align_m)
    if out_bounds is not None:
        lo = (min(lo[0], out_bounds[0]), min(lo[1], out_bounds[1]))
        hi = (max(hi[0], out_bounds[2]), max(hi[1], out_bounds[3]))
    return (
        max(core[0] - b, snap_out(lo[0], align_m, False)),
        max(core[1] - b, snap_out(lo[1], align_m, False)),
        min(core[2] + b, snap_out(hi[0], align_m, True)),
        min(core[3] + b, snap_out(hi[1], align_m, True)),
    )


def _points(task: TileTask) -> tuple[np.ndarray, ...]:
    """x, y, z (m), class, return no., number of returns, file index, flags (buffered tile)."""
    rec = read_tile([Path(s) for s in task.parts])
    ox, oy = task.origin
    cols = [
        rec["dx"].astype(np.float64) + ox,
        rec["dy"].astype(np.float64) + oy,
        rec["z"].astype(np.float64),
        rec["cls"],
        rec["ret"],
        rec["nret"],
        rec["file"],
        rec["flags"],
    ]
    if not task.readback:
        return tuple(cols)
    from msip.core.db import connect
    from pipelines.lidar.patches import SCALE, read_points

    b = task.buffer_m
    c = task.core
    with connect(task.db_url) as conn:
        pts = read_points(
            conn,
            epoch=task.epoch,
            bounds=(c[0] - b, c[1] - b, c[2] + b, c[3] + b),
            exclude_files=list(task.own_files),
        )
    if not len(pts):
        return tuple(cols)
    more = [
        pts["X"] * SCALE,
        pts["Y"] * SCALE,
        pts["Z"] * SCALE,
        pts["Classification"],
        pts["ReturnNumber"],
        pts["NumberOfReturns"],
        np.full(len(pts), READBACK, dtype=np.uint16),
        np.zeros(len(pts), dtype=np.uint8),  # the store keeps no withheld/overlap flags
    ]
    return tuple(np.concatenate([a, np.asarray(m, dtype=a.dtype)]) for a, m in zip(cols, more, strict=False))


def process_tile(task: TileTask) -> TileResult:
    """Derive the four rasters and the trees of one tile; returns paths and counts."""
    p = task.params
    engine = get_engine(p.engine)
    x, y, z, cls, ret, nret, file_idx, flags = _points(task)
    result = TileResult(task.name, points=len(x))
    core = task.core
    in_core = (x >= core[0]) & (x < core[2]) & (y >= core[1]) & (y < core[3])
    # the grid holds every point read (and the planned raster extent), whatever is filtered
    buffered = work_bounds(core, task.buffer_m, x, y, p.align_m, task.out_bounds)
    noise = np.isin(cls, NOISE_CLASSES)
    withheld = (flags & WITHHELD > 0) & ~noise
    overlap = (flags & OVERLAP > 0) & ~noise & ~withheld
    use = ~(noise | withheld | overlap)
    out = np.zeros(len(x), dtype=bool)
    if use.any():
        cell_m = cell_for_density(point_spacing_m(x[use], y[use]), p.outlier_cell_m)
        out[use] = engine.outliers(
            x[use],
            y[use],
            z[use],
            cell_m=cell_m,
            high_gap_m=p.outlier_high_gap_m,
            low_gap_m=p.outlier_low_gap_m,
            min_support=p.outlier_min_support,
        )
    result.judged = int((use & in_core).sum())
    use &= ~out
    result.noise, result.withheld, result.overlap, result.outliers = (
        int((m & in_core).sum()) for m in (noise, withheld, overlap, out)
    )
    if not (use & in_core).any():
        counts = zip(("noise", "withheld", "overlap", "outliers"), result.left_out(), strict=True)
        left = ", ".join(f"{n} {what}" for what, n in counts if n) or "none in the tile"
        result.empty = f"{task.name}: no usable points ({left}); no rasters"
        return result
    odd = out & in_core
    ox, oy, oz = x[odd], y[odd], z[odd]
    x, y, z, cls, ret, nret, file_idx, in_core = (
        a[use] for a in (x, y, z, cls, ret, nret, file_idx, in_core)
    )
    rules = point_rules(task.canopy_rules, file_idx, cls, READBACK)
    ground = _ground(task, engine, buffered, x, y, z, cls, rules, in_core, result)
    grid = Grid.over(buffered, p.resolution_m)
    flat = cells(grid, x, y)
    covered = coverage(grid, flat, max_gap_m(int(in_core.sum()), task.out_bounds))
    unclassified = rules == MULTI_RETURN
    s = surfaces(
        grid,
        flat,
        z,
        ground=ground,
        first=ret <= 1,
        vegetation=None if unclassified.all() else canopy_returns(cls, rules),
        multi_return=nret > 1,
        covered=covered,
        unclassified=unclassified,
    )
    row, col, inside = grid.index(ox, oy)
    result.outlier_bands = by_height_band(np.where(inside, oz - s.dtm[row, col], np.nan))
    if not np.isfinite(s.dtm).any():
        result.empty = (
            f"{task.name}: no ground points within the tile and its {task.buffer_m:g} m buffer, "
            "so no terrain; no rasters (DSM, nDSM and CHM would have no ground to agree with)"
        )
        return result
    trees = detect(s.chm, grid, core=core, min_height_m=p.tree_min_height_m, dtm=s.dtm, params=p.trees)
    result.trees = [t for t in trees if t.height_m < p.tree_max_height_m]
    result.too_tall = len(trees) - len(result.trees)
    result.rasters = _write(task, grid, {"dtm": s.dtm, "dsm": s.dsm, "ndsm": s.ndsm, "chm": s.chm})
    return result


def _ground(
    task: TileTask, engine, bounds, x, y, z, cls, rules, in_core, result: TileResult
) -> np.ndarray:
    """Terrain points: classes 2 and 9 (water) where files are classified, SMRF elsewhere."""
    needs_smrf = rules == MULTI_RETURN
    ground = np.isin(cls, TERRAIN_CLASSES) & ~needs_smrf
    if needs_smrf.any():
        smrf = engine.ground(x, y, z, bounds, task.params.smrf)
        ground = np.where(needs_smrf, smrf, ground)
        result.ground_smrf = int((smrf & needs_smrf & in_core).sum())
    core_ground = ground & in_core & ~needs_smrf
    result.ground_classes = int((core_ground & (cls == GROUND_CLASS)).sum())
    result.water = int((core_ground & (cls != GROUND_CLASS)).sum())
    return ground


def _write(task: TileTask, grid: Grid, rasters: dict[str, np.ndarray]) -> dict[str, str]:
    """Write the rasters, cropped from the buffered grid to out_bounds, as COGs; returns paths."""
    from affine import Affine

    from msip.core.rasters.store import write_cog

    minx, miny, maxx, maxy = task.out_bounds
    c0 = round((minx - grid.minx) / grid.res)
    r0 = round((grid.maxy - maxy) / grid.res)
    cols = round((maxx - minx) / grid.res)
    rows = round((maxy - miny) / grid.res)
    transform = Affine(grid.res, 0.0, minx, 0.0, -grid.res, maxy)  # north-up
    if r0 < 0 or c0 < 0 or r0 + rows > grid.rows or c0 + cols > grid.cols or not rows or not cols:
        raise AssertionError(
            f"tile {task.name}: raster window {task.out_bounds} does not lie inside the grid "
            f"({grid.minx}, {grid.maxy}, {grid.cols}×{grid.rows} cells)"
        )
    paths = {}
    for kind, arr in rasters.items():
        window = arr[r0 : r0 + rows, c0 : c0 + cols]
        data = np.where(np.isfinite(window), window, NODATA).astype(np.float32)
        paths[kind] = str(
            write_cog(
                Path(task.out_paths[kind]),
                data,
                transform=transform,
                nodata=NODATA,
                band_descriptions=[DESCRIPTIONS[kind]],
                predictor=3,
            )
        )
    return paths
