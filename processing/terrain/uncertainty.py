"""Per-cell elevation uncertainty of one LiDAR epoch's DTM from its own ground points (density and roughness).

The model (docs/terrain-change.md; Lane et al. 2003, Wheaton et al. 2010, Brasington et al. 2003):
for each cell of the DEM-of-difference grid, `n` is the number of ground points of the epoch in
the cell (point density × cell area) and `r` the local roughness: the standard deviation of the
ground points about a least-squares plane fitted to every point within ±`window_px` cells. The
DTM cell is a mean of its points, so

    σ² = σ_floor² + r² / n                       (n ≥ 1)
    σ² = σ_floor² + r² + (g · d)²                (n = 0: interpolated, d m from the nearest cell with points)

`r` absorbs the sensor's ranging noise, micro-relief and the slope-times-position error of
points that do not sit at the cell centre; the floor stands for what a single survey cannot see
in itself (e.g. a GNSS offset of the whole flight).
"""

from __future__ import annotations

import numpy as np

#: Fewest degrees of freedom (points − 3) for a window's plane fit to give a roughness.
MIN_DOF = 6


def cell_moments(x: np.ndarray, y: np.ndarray, z: np.ndarray, *, left: float, top: float, cell_m: float,
                 shape: tuple[int, int]) -> np.ndarray:
    """Per cell sums (10, rows, cols) of 1, x, y, z, xx, xy, yy, xz, yz, zz (x, y from the cell centre, z centred).

    Points outside the grid are ignored. Coordinates are relative to each point's own cell
    centre; `window_moments` shifts them to the window's centre.
    """
    h, w = shape
    col = np.floor((x - left) / cell_m).astype(np.int64)
    row = np.floor((top - y) / cell_m).astype(np.int64)
    ok = (col >= 0) & (col < w) & (row >= 0) & (row < h)
    col, row = col[ok], row[ok]
    dx = x[ok] - (left + (col + 0.5) * cell_m)
    dy = y[ok] - (top - (row + 0.5) * cell_m)
    zc = z[ok] - (float(np.median(z[ok])) if ok.any() else 0.0)
    idx = row * w + col
    terms = (np.ones_like(dx), dx, dy, zc, dx * dx, dx * dy, dy * dy, dx * zc, dy * zc, zc * zc)
    return np.stack([np.bincount(idx, weights=t, minlength=h * w).reshape(h, w) for t in terms])


def _box_sum(a: np.ndarray, k: int) -> np.ndarray:
    """Sum over the (2k+1)² window around every cell (zero outside)."""
    from scipy import ndimage

    size = 2 * k + 1
    return ndimage.uniform_filter(a, size=size, mode="constant", cval=0.0) * size * size


def roughness(m: np.ndarray, *, window_px: int, cell_m: float) -> np.ndarray:
    """Standard deviation (m) of the points about a plane fitted in each cell's window; NaN with too few points.

    `m` are `cell_moments`. Each cell's moments are moved to the window centre (the point's
    offset plus the cell's offset from the window centre) and summed over the window: a sum
    of the neighbours' moments times a polynomial of their offsets, i.e. one small correlation
    per term (zero outside the grid); the plane z = a + b·x + c·y is solved from the normal
    equations.
    """
    from scipy import ndimage

    h, w = m.shape[1:]
    n, sx, sy, sz, sxx, sxy, syy, sxz, syz, szz = m
    # neighbour (r+di, c+dj) seen from cell (r, c): x offset dj·cell, y offset −di·cell; every weight is
    # a product of a polynomial in di and one in dj, so each window sum is two 1-D passes
    off = np.arange(-window_px, window_px + 1, dtype=np.float64) * cell_m
    one, ox, oy = np.ones_like(off), off, -off  # x by column (dj), y by row (−di: rows go down)

    def box(a: np.ndarray, w_row: np.ndarray = one, w_col: np.ndarray = one) -> np.ndarray:
        rows = ndimage.correlate1d(a, w_row, axis=0, mode="constant", cval=0.0)
        return ndimage.correlate1d(rows, w_col, axis=1, mode="constant", cval=0.0)

    acc = {
        "n": box(n),
        "x": box(sx) + box(n, one, ox),
        "y": box(sy) + box(n, oy, one),
        "z": box(sz),
        "xx": box(sxx) + 2 * box(sx, one, ox) + box(n, one, ox * ox),
        "xy": box(sxy) + box(sy, one, ox) + box(sx, oy, one) + box(n, oy, ox),
        "yy": box(syy) + 2 * box(sy, oy, one) + box(n, oy * oy, one),
        "xz": box(sxz) + box(sz, one, ox),
        "yz": box(syz) + box(sz, oy, one),
        "zz": box(szz),
    }
    dof = acc["n"] - 3
    ok = dof >= MIN_DOF
    out = np.full((h, w), np.nan)
    if ok.any():
        v = {name: a[ok] for name, a in acc.items()}
        a = np.stack([
            np.stack([v["n"], v["x"], v["y"]], -1),
            np.stack([v["x"], v["xx"], v["xy"]], -1),
            np.stack([v["y"], v["xy"], v["yy"]], -1),
        ], -2)
        b = np.stack([v["z"], v["xz"], v["yz"]], -1)
        sol = np.linalg.solve(a + np.eye(3) * 1e-9, b[..., None])[..., 0]
        rss = v["zz"] - np.einsum("ij,ij->i", sol, b)
        out[ok] = np.sqrt(np.maximum(rss, 0.0) / dof[ok])
    return out


def sigma_grid(m: np.ndarray, *, window_px: int, cell_m: float, floor_m: float, gap_m_per_m: float,
               fallback_roughness_m: float | None = None) -> tuple[np.ndarray, float | None]:
    """(σ per cell (m), the roughness used where a window had too few points) for one epoch.

    Where a window holds too few points for a plane the median roughness of the grid stands in
    (or `fallback_roughness_m`); a grid without any usable window gives NaN (unknown) everywhere.
    """
    from scipy import ndimage

    n = m[0]
    r = roughness(m, window_px=window_px, cell_m=cell_m)
    fill = fallback_roughness_m
    if np.isfinite(r).any():
        fill = float(np.nanmedian(r)) if fill is None else fill
    if fill is None:
        return np.full(n.shape, np.nan), None
    r = np.where(np.isfinite(r), r, fill)
    has = n > 0
    sigma2 = floor_m**2 + r**2 / np.maximum(n, 1)
    if not has.all():
        d = ndimage.distance_transform_edt(~has) * cell_m if has.any() else np.full(n.shape, np.inf)
        sigma2 = np.where(has, sigma2, floor_m**2 + r**2 + (gap_m_per_m * d) ** 2)
    return np.sqrt(sigma2), fill
