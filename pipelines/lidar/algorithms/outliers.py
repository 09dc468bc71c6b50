"""Statistical outliers: lone points far above or below everything around them (birds, multipath).

The test is deliberately conservative, because a point wrongly removed lowers the DSM or the
canopy: a point is an outlier only when (1) no other point lies in the 3×3×3 block of voxels
around it (voxels `cell_m` wide and `layer_m` tall, so nothing within at least `cell_m`
horizontally and `layer_m` vertically), (2) the 3×3 columns around it hold at least
`min_support` other points (the survey clearly has data there; a lone point of a sparse
survey is never judged), and (3) it is the highest or the lowest point of those columns (a
point between others changes no surface). The horizontal cell grows with the point spacing
(`cell_for_density`), so sparse surveys are judged at their own scale; a point high above
the ground is kept whenever anything lies within `layer_m` below it.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np

from pipelines.lidar.algorithms.cellsort import run_starts

#: Columns on each side of a point's own column in its window (2: a 5 × 5 window).
WINDOW = 2
#: Largest column grid (cells, margin included) kept in dense arrays (5 float64/int64 each);
#: larger extents use sorted column keys.
DENSE_MAX_CELLS = 4_000_000
#: Side (m) of the cells over which the occupied area (and so the point spacing) is measured.
DENSITY_CELL_M = 5.0


def point_spacing_m(x: np.ndarray, y: np.ndarray) -> float:
    """Mean distance (m) between neighbouring points: √(occupied area / points).

    The area counts only the DENSITY_CELL_M cells holding points, so a tile the survey
    covers in part is not mistaken for a sparse one.
    """
    if len(x) == 0:
        return math.inf
    cx = np.floor((x - x.min()) / DENSITY_CELL_M).astype(np.int64)
    cy = np.floor((y - y.min()) / DENSITY_CELL_M).astype(np.int64)
    cells = cx * (int(cy.max()) + 1) + cy
    size = int(cells.max()) + 1
    occupied = (
        int(np.count_nonzero(np.bincount(cells, minlength=size)))
        if size <= DENSE_MAX_CELLS
        else len(np.unique(cells))
    )
    return math.sqrt(occupied * DENSITY_CELL_M**2 / len(x))


def cell_for_density(spacing_m: float, min_cell_m: float) -> float:
    """Horizontal voxel side (m): two point spacings, at least `min_cell_m`."""
    return max(min_cell_m, 2.0 * spacing_m) if math.isfinite(spacing_m) else min_cell_m


def isolated(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    *,
    cell_m: float = 1.0,
    high_gap_m: float = 10.0,
    low_gap_m: float = 3.0,
    min_support: int = 8,
) -> np.ndarray:
    """True for outliers among the points (see the module docstring); metres throughout.

    cell_m: column width (the window is 5 × 5 columns); high_gap_m / low_gap_m: how far a point
    must lie above / below every other point of its window; min_support: fewer other points
    than this in the window and the point is not judged (kept). Column statistics live in
    dense grids when the extent is small enough (a tile), else in sorted column keys; both
    give the same answer.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=bool)
    cx = np.floor((x - x.min()) / cell_m).astype(np.int64) + WINDOW
    cy = np.floor((y - y.min()) / cell_m).astype(np.int64) + WINDOW
    ny = int(cy.max()) + WINDOW + 1
    key = cx * ny + cy
    size = (int(cx.max()) + WINDOW + 1) * ny
    cols = _dense_columns(key, z, size) if size <= DENSE_MAX_CELLS else _sorted_columns(key, z)
    out = np.zeros(n, dtype=bool)
    for high, gap in ((True, high_gap_m), (False, low_gap_m)):
        cand = cols.candidates(key, z, high, gap)
        if not len(cand):
            continue
        support, other = cols.window(key[cand], ny, high)
        far = z[cand] - other if high else other - z[cand]
        out[cand[(support >= min_support) & (far > gap)]] = True
    return out


class _Columns:
    """Per column (cell of the 5 × 5 window): points, highest/lowest z and the next ones."""

    def __init__(self, ids, count, top1, top2, bot1, bot2) -> None:
        self.ids, self.count = ids, count
        self.top1, self.top2, self.bot1, self.bot2 = top1, top2, bot1, bot2

    def at(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row in the column arrays, whether the column exists) of column keys."""
        if self.ids is None:  # dense: the key is the row
            return keys, self.count[keys] > 0
        pos = np.minimum(np.searchsorted(self.ids, keys), len(self.ids) - 1)
        return pos, self.ids[pos] == keys

    def candidates(self, key: np.ndarray, z: np.ndarray, high: bool, gap: float) -> np.ndarray:
        """Points that are the top (bottom) of their column, clear of its next point by `gap`."""
        row, _ = self.at(key)
        if high:
            return np.flatnonzero((z >= self.top1[row]) & (z - self.top2[row] > gap))
        return np.flatnonzero((z <= self.bot1[row]) & (self.bot2[row] - z > gap))

    def window(self, keys: np.ndarray, ny: int, high: bool) -> tuple[np.ndarray, np.ndarray]:
        """(other points in, highest/lowest other z of) the 5 × 5 window around columns `keys`
        whose own top (bottom) point is the candidate."""
        row, _ = self.at(keys)
        support = self.count[row] - 1
        other = (self.top2 if high else self.bot2)[row].copy()
        for dx in range(-WINDOW, WINDOW + 1):
            for dy in range(-WINDOW, WINDOW + 1):
                if dx == dy == 0:
                    continue
                r, hit = self.at(keys + dx * ny + dy)
                support += np.where(hit, self.count[r], 0)
                if high:
                    other = np.where(hit, np.maximum(other, self.top1[r]), other)
                else:
                    other = np.where(hit, np.minimum(other, self.bot1[r]), other)
        return support, other


def _dense_columns(key: np.ndarray, z: np.ndarray, size: int) -> _Columns:
    count = np.bincount(key, minlength=size)
    top1, bot1 = np.full(size, -np.inf), np.full(size, np.inf)
    np.maximum.at(top1, key, z)
    np.minimum.at(bot1, key, z)
    second = []
    for first, fill, reduce in ((top1, -np.inf, np.maximum), (bot1, np.inf, np.minimum)):
        at_first = z == first[key]
        ties = np.bincount(key[at_first], minlength=size) >= 2
        nxt = np.full(size, fill)
        reduce.at(nxt, key[~at_first], z[~at_first])
        second.append(np.where(ties, first, nxt))
    return _Columns(None, count, top1, second[0], bot1, second[1])


def _sorted_columns(key: np.ndarray, z: np.ndarray) -> _Columns:
    n = len(key)
    order = np.lexsort((z, key))
    sk, sz = key[order], z[order]
    starts = run_starts(sk)
    ends = np.r_[starts[1:], n] - 1
    two = ends > starts
    return _Columns(
        sk[starts],
        ends - starts + 1,
        sz[ends],
        np.where(two, sz[np.maximum(ends - 1, starts)], -np.inf),
        sz[starts],
        np.where(two, sz[np.minimum(starts + 1, ends)], np.inf),
    )


#: Edges (m above the DTM) of the bands the removed points are reported in.
HEIGHT_BANDS_M = (-1.0, 2.0, 7.0, 15.0, 30.0)
NO_TERRAIN = "no terrain"


def band_labels() -> list[str]:
    """Labels of the height bands, low to high, then NO_TERRAIN."""
    e = HEIGHT_BANDS_M
    inner = [f"{a:g} to {b:g} m" for a, b in pairwise(e)]
    return [f"below {e[0]:g} m", *inner, f"≥ {e[-1]:g} m", NO_TERRAIN]


def by_height_band(height_m: np.ndarray) -> dict[str, int]:
    """Counts of heights above ground (m; NaN where the terrain is unknown) per band."""
    labels = band_labels()
    known = np.isfinite(height_m)
    idx = np.searchsorted(np.asarray(HEIGHT_BANDS_M), height_m[known], side="right")
    counts = np.bincount(idx, minlength=len(labels) - 1)
    out = {label: int(n) for label, n in zip(labels[:-1], counts, strict=True) if n}
    if (~known).any():
        out[NO_TERRAIN] = int((~known).sum())
    return out
