"""Ground classification with SMRF, the Simple Morphological Filter (Pingel, Clarke & McBride 2013).

0. cell: `cell_m`, or a multiple of it on sparse surveys so that a cell holds about
   `min_points_per_cell` points (`smrf_cell_m`; at 1 m a 0.9 pt/m² forest leaves most cells empty
   or holding only canopy, and the opening then keeps crowns as terrain);
1. minimum surface: lowest point per cell; low outliers (cells far below their 3×3
   median) and empty cells are filled by Laplace interpolation;
2. progressive opening with a disk-like (octagonal) element of radius 1 … window_m/cell_m
   cells; a cell is an object once the opening lowers it by more than slope × radius × cell;
3. provisional DTM: the surface without object cells, interpolated;
4. a point is ground when |z − DTM| ≤ threshold_m + scalar × local DTM slope.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy import ndimage

from pipelines.lidar.algorithms.grids import Grid, cell_stat, cells, fill
from pipelines.lidar.params import SmrfParams

_CROSS = ndimage.generate_binary_structure(2, 1)
_SQUARE = np.ones((3, 3), bool)


def _element(step: int) -> np.ndarray:
    """Alternating square and cross steps: their composition is an octagon close to a disk."""
    return _SQUARE if step % 2 else _CROSS


def object_cells(zmin: np.ndarray, params: SmrfParams) -> np.ndarray:
    """Cells of a gap-free minimum surface that SMRF's progressive opening flags as objects."""
    max_r = max(1, math.ceil(params.window_m / params.cell_m))
    obj = np.zeros(zmin.shape, dtype=bool)
    eroded = zmin
    previous = zmin
    for r in range(1, max_r + 1):
        eroded = ndimage.grey_erosion(eroded, footprint=_element(r), mode="nearest")
        opened = eroded
        for step in range(1, r + 1):
            opened = ndimage.grey_dilation(opened, footprint=_element(step), mode="nearest")
        obj |= (previous - opened) > params.slope * r * params.cell_m
        previous = opened
    return obj


def provisional_dtm(
    grid: Grid, x: np.ndarray, y: np.ndarray, z: np.ndarray, params: SmrfParams
) -> np.ndarray | None:
    """SMRF's provisional DTM on `grid` (cell = params.cell_m), or None when there are no points."""
    zmin = cell_stat(grid, cells(grid, x, y), z, "min")
    if not np.isfinite(zmin).any():
        return None
    filled = fill(zmin)
    median = ndimage.median_filter(filled, size=3, mode="nearest")
    low = np.isfinite(zmin) & (zmin < median - params.low_outlier_m)
    surface = fill(np.where(low, np.nan, zmin))
    obj = object_cells(surface, params)
    return fill(np.where(obj | low, np.nan, surface))


#: Side (m) of the coarse cells over which the point density is measured (empty ones are not survey).
DENSITY_CELL_M = 5.0


def smrf_cell_m(x: np.ndarray, y: np.ndarray, params: SmrfParams) -> float:
    """SMRF cell (m): params.cell_m, or the multiple of it that holds about
    params.min_points_per_cell points at the survey's density (points per m² of the 5 m cells
    that hold any point, so water without returns and the tile buffer do not thin it)."""
    if len(x) == 0:
        return params.cell_m
    keys = np.unique(
        np.floor(x / DENSITY_CELL_M).astype(np.int64) * (1 << 32)
        + np.floor(y / DENSITY_CELL_M).astype(np.int64)
    )
    density_pt_m2 = len(x) / (len(keys) * DENSITY_CELL_M**2)
    k = max(1, round(math.sqrt(params.min_points_per_cell / density_pt_m2) / params.cell_m))
    return k * params.cell_m


def smrf_ground(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    bounds: tuple[float, float, float, float],
    params: SmrfParams,
) -> np.ndarray:
    """Boolean mask of ground points among (x, y, z) inside `bounds` (EPSG:2180 m, buffered tile).

    `bounds` must lie on multiples of params.cell_m. Points should exclude noise and outliers.
    On sparse surveys the cell grows (`smrf_cell_m`); the grid then reaches past the lower
    right corner of `bounds` by less than one cell.
    """
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    cell_m = smrf_cell_m(x, y, params)
    params = replace(params, cell_m=cell_m)
    minx, miny, maxx, maxy = bounds
    grid = Grid(
        minx,
        maxy,
        cell_m,
        max(1, math.ceil((maxy - miny) / cell_m - 1e-9)),
        max(1, math.ceil((maxx - minx) / cell_m - 1e-9)),
    )
    dtm = provisional_dtm(grid, x, y, z, params)
    if dtm is None:
        return np.zeros(len(x), dtype=bool)
    gy, gx = np.gradient(dtm, params.cell_m)
    slope = np.hypot(gx, gy)
    row, col, _ = grid.index(x, y)
    tolerance = params.threshold_m + params.scalar * slope[row, col]
    return np.abs(z - grid.sample(dtm, x, y)) <= tolerance
