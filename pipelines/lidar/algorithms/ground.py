"""Ground classification with SMRF, the Simple Morphological Filter (Pingel, Clarke & McBride 2013).

1. minimum surface: lowest point per `cell_m` cell; low outliers (cells far below their 3×3
   median) and empty cells are filled by Laplace interpolation;
2. progressive opening with a disk-like (octagonal) element of radius 1 … window_m/cell_m
   cells; a cell is an object once the opening lowers it by more than slope × radius × cell;
3. provisional DTM: the surface without object cells, interpolated;
4. a point is ground when |z − DTM| ≤ threshold_m + scalar × local DTM slope.
"""

from __future__ import annotations

import math

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


def smrf_ground(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    bounds: tuple[float, float, float, float],
    params: SmrfParams,
) -> np.ndarray:
    """Boolean mask of ground points among (x, y, z) inside `bounds` (EPSG:2180 m, buffered tile).

    `bounds` must lie on multiples of params.cell_m. Points should exclude noise and outliers.
    """
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    grid = Grid.over(bounds, params.cell_m)
    dtm = provisional_dtm(grid, x, y, z, params)
    if dtm is None:
        return np.zeros(len(x), dtype=bool)
    gy, gx = np.gradient(dtm, params.cell_m)
    slope = np.hypot(gx, gy)
    row, col, _ = grid.index(x, y)
    tolerance = params.threshold_m + params.scalar * slope[row, col]
    return np.abs(z - grid.sample(dtm, x, y)) <= tolerance
