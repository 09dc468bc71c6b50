"""Rasterising points on a north-up grid: cell statistics, DTM/DSM/nDSM/CHM, vegetation masks.

All heights are metres; grids are float32 with NaN for "no value" until written (nodata −9999).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from pipelines.lidar.algorithms.inpaint import fill_laplace

NODATA = -9999.0


@dataclass(frozen=True)
class Grid:
    """A north-up grid: upper-left corner (minx, maxy), square cells of `res` m, rows × cols."""

    minx: float
    maxy: float
    res: float
    rows: int
    cols: int

    @classmethod
    def over(cls, bounds: tuple[float, float, float, float], res: float) -> Grid:
        """The grid covering `bounds` (minx, miny, maxx, maxy; multiples of res) exactly."""
        minx, miny, maxx, maxy = bounds
        return cls(minx, maxy, res, round((maxy - miny) / res), round((maxx - minx) / res))

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.cols

    def index(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, inside) of points; row/col clipped, `inside` says which fell in the grid."""
        col = np.floor((x - self.minx) / self.res).astype(np.int64)
        row = np.floor((self.maxy - y) / self.res).astype(np.int64)
        inside = (row >= 0) & (row < self.rows) & (col >= 0) & (col < self.cols)
        return np.clip(row, 0, self.rows - 1), np.clip(col, 0, self.cols - 1), inside

    def sample(self, grid: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bilinear value of a (gap-free) grid at points (cell centres are the nodes)."""
        r = (self.maxy - y) / self.res - 0.5
        c = (x - self.minx) / self.res - 0.5
        return ndimage.map_coordinates(grid, [r, c], order=1, mode="nearest")


def cells(grid: Grid, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Flat cell number (row * cols + col) of each point, −1 outside the grid."""
    row, col, inside = grid.index(x, y)
    return np.where(inside, row * grid.cols + col, -1)


def cell_stat(grid: Grid, flat: np.ndarray, v: np.ndarray, how: str) -> np.ndarray:
    """Per-cell 'min', 'max' or 'mean' of v for points in cells `flat` (NaN where none)."""
    inside = flat >= 0
    flat, v = flat[inside], v[inside]
    size = grid.rows * grid.cols
    if how == "mean":
        s = np.bincount(flat, weights=v, minlength=size)
        n = np.bincount(flat, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = s / n
    else:
        out = np.full(size, np.inf if how == "min" else -np.inf)
        (np.minimum if how == "min" else np.maximum).at(out, flat, v)
        out[~np.isfinite(out)] = np.nan
    return out.reshape(grid.shape)


def cell_count(grid: Grid, flat: np.ndarray) -> np.ndarray:
    """Points per cell (int64 grid)."""
    return np.bincount(flat[flat >= 0], minlength=grid.rows * grid.cols).reshape(grid.shape)


def fill(grid: np.ndarray, active: np.ndarray | None = None) -> np.ndarray:
    """NaN cells (within `active`, default all) filled by Laplace interpolation."""
    known = np.isfinite(grid)
    if known.all() or not known.any():
        return grid.astype(np.float64)
    filled = fill_laplace(np.where(known, grid, 0.0), known, active)
    if active is not None:
        filled[~active & ~known] = np.nan
    return filled


def coverage(grid: Grid, flat: np.ndarray, max_gap_m: float) -> np.ndarray:
    """Cells within `max_gap_m` of some point: where the survey says something."""
    has = cell_count(grid, flat) > 0
    if has.all():
        return has
    dist = ndimage.distance_transform_edt(~has) * grid.res
    return dist <= max_gap_m


def fill_small_holes(grid: np.ndarray, passes: int = 2) -> np.ndarray:
    """NaN cells with valid 8-neighbours take their mean (cheap; single empty cells are common)."""
    out = grid.copy()
    for _ in range(passes):
        holes = np.isnan(out)
        if not holes.any():
            break
        # 3×3 means (separable uniform filters) of values and of validity: their ratio is the
        # mean of the valid neighbours; 3 of 9 valid (1/3) is enough.
        total = ndimage.uniform_filter(np.where(holes, 0.0, out), size=3, mode="constant")
        share = ndimage.uniform_filter((~holes).astype(np.float64), size=3, mode="constant")
        ok = holes & (share >= 3 / 9 - 1e-9)
        out[ok] = total[ok] / share[ok]
    return out


@dataclass
class Surfaces:
    """DTM, DSM, nDSM and CHM (m, float32, NaN outside coverage) of one grid."""

    dtm: np.ndarray
    dsm: np.ndarray
    ndsm: np.ndarray
    chm: np.ndarray


def surfaces(
    grid: Grid,
    flat: np.ndarray,
    z: np.ndarray,
    *,
    ground: np.ndarray,
    first: np.ndarray,
    vegetation: np.ndarray | None,
    multi_return: np.ndarray,
    covered: np.ndarray,
    unclassified: np.ndarray | None = None,
) -> Surfaces:
    """Build the four height models from cleaned points (noise and outliers already left out).

    flat: cell numbers of the points (`cells`); ground: points of the terrain; first: first
    returns (DSM = their highest per cell); vegetation: returns whose height above the DTM is
    canopy (`canopy.canopy_returns`), or None when no point carries trustworthy classes —
    then the CHM is the nDSM masked to cells that look like vegetation (`vegetation_mask`:
    several returns per pulse, smoothed); unclassified: with `vegetation`, the points that
    get that multi-return rule instead (files without classes among classified ones);
    multi_return: points of pulses with more than one return; covered: cells with data.

    The four grids agree on nodata (NaN): a cell has a value only where it is covered and
    both the terrain and the surface are known there, so a CHM never says 0 m where the
    DTM does not know the ground.
    """
    dtm = fill(
        fill_small_holes(cell_stat(grid, flat[ground], z[ground], "mean"), passes=1), covered
    )
    dsm = fill(fill_small_holes(cell_stat(grid, flat[first], z[first], "max")), covered)
    dsm = np.fmax(dsm, dtm)  # a surface never lies below the terrain
    ndsm = dsm - dtm
    chm = np.zeros(grid.shape)
    if vegetation is not None:
        veg_top = cell_stat(grid, flat[vegetation], z[vegetation], "max")
        with np.errstate(invalid="ignore"):
            chm = np.where(np.isfinite(veg_top), np.maximum(veg_top - dtm, 0.0), 0.0)
        chm = close_canopy_holes(np.nan_to_num(chm, nan=0.0))
    if vegetation is None or (unclassified is not None and unclassified.any()):
        split = multi_return if vegetation is None else multi_return & unclassified
        mask = vegetation_mask(grid, flat[split], ndsm)
        chm = np.fmax(chm, np.where(mask, ndsm, 0.0))
    valid = covered & np.isfinite(dtm) & np.isfinite(dsm)
    out = [np.where(valid, a, np.nan).astype(np.float32) for a in (dtm, dsm, ndsm, chm)]
    return Surfaces(*out)


def close_canopy_holes(chm: np.ndarray) -> np.ndarray:
    """Fill single empty cells inside crowns (no vegetation return there) with the local median."""
    canopy = chm > 0
    nb = ndimage.convolve(canopy.astype(np.int8), np.ones((3, 3), np.int8), mode="constant")
    holes = ~canopy & (nb >= 5)
    if not holes.any():
        return chm
    med = ndimage.median_filter(np.where(canopy, chm, np.nan), size=3, mode="nearest")
    med = np.where(np.isfinite(med), med, ndimage.maximum_filter(chm, size=3))
    out = chm.copy()
    out[holes] = med[holes]
    return out


def vegetation_mask(
    grid: Grid, multi_flat: np.ndarray, ndsm: np.ndarray, min_height_m: float = 0.5
) -> np.ndarray:
    """Cells that look like vegetation without classes: multiple returns, above the ground.

    Laser pulses split in crowns (several returns) but not on roofs. Cells with a
    multiple-return point (`multi_flat`: their cell numbers) are closed (fill gaps inside
    crowns), then opened (drop thin lines of split returns along roof edges), grown back by
    one cell and kept where the nDSM is above `min_height_m`.
    """
    multi = cell_count(grid, multi_flat) > 0
    disk = ndimage.generate_binary_structure(2, 1)
    multi = ndimage.binary_closing(multi, structure=disk, iterations=2)
    multi = ndimage.binary_opening(multi, structure=np.ones((3, 3), bool))
    raised = ndsm > min_height_m
    # The opening also shaves one cell off every crown rim: give it back where the cell is raised.
    return ndimage.binary_dilation(multi, structure=disk) & raised
