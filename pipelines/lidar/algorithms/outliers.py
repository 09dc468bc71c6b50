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
    occupied = len(np.unique(cx * (int(cy.max()) + 1) + cy))
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
    than this in the window and the point is not judged (kept).
    """
    n = len(x)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    cx = np.floor((x - x.min()) / cell_m).astype(np.int64) + WINDOW
    cy = np.floor((y - y.min()) / cell_m).astype(np.int64) + WINDOW
    ny = int(cy.max()) + WINDOW + 1
    key = cx * ny + cy
    order = np.lexsort((z, key))
    sk, sz = key[order], z[order]
    starts = run_starts(sk)
    ends = np.r_[starts[1:], n] - 1
    cols = sk[starts]
    count = ends - starts + 1
    top1, bot1 = sz[ends], sz[starts]
    two = count >= 2
    top2 = np.where(two, sz[np.maximum(ends - 1, starts)], -np.inf)
    bot2 = np.where(two, sz[np.minimum(starts + 1, ends)], np.inf)
    # candidates: the top (bottom) of its own column, clear of the column's next point
    hi_c = ends[top1 - top2 > high_gap_m]
    lo_c = starts[bot2 - bot1 > low_gap_m]
    for cand, high in ((hi_c, True), (lo_c, False)):
        if not len(cand):
            continue
        own = np.searchsorted(cols, sk[cand])
        support = count[own] - 1
        other = top2[own] if high else bot2[own]
        for dx in range(-WINDOW, WINDOW + 1):
            for dy in range(-WINDOW, WINDOW + 1):
                if dx == dy == 0:
                    continue
                probe = sk[cand] + dx * ny + dy
                pos = np.minimum(np.searchsorted(cols, probe), len(cols) - 1)
                hit = cols[pos] == probe
                support += np.where(hit, count[pos], 0)
                if high:
                    other = np.where(hit, np.maximum(other, top1[pos]), other)
                else:
                    other = np.where(hit, np.minimum(other, bot1[pos]), other)
        gap = sz[cand] - other if high else other - sz[cand]
        bad = (support >= min_support) & (gap > (high_gap_m if high else low_gap_m))
        out[order[cand[bad]]] = True
    return out


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
