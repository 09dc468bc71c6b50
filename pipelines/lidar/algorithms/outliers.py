"""Statistical outliers: isolated points (birds, multipath far below ground) by voxel counts."""

from __future__ import annotations

import numpy as np

from pipelines.lidar.algorithms.cellsort import cell_order, run_starts

#: Largest voxel block (voxels, with a 1-voxel margin) counted in a dense array (8 bytes each);
#: bigger blocks (e.g. a tile spanning hundreds of metres in height) use the sorting method.
DENSE_MAX_VOXELS = 8_000_000


def isolated(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, *, voxel_m: float = 1.0, max_neighbours: int = 0
) -> np.ndarray:
    """True for points with at most `max_neighbours` other points in the 3×3×3 voxels around theirs.

    An isolated-voxel filter (like lidR's ivf): points are counted per voxel of `voxel_m`
    metres (grouped by radix sorts); only voxels holding at most max_neighbours + 1 points can
    hold outliers, and only those look up their 26 neighbours. Voxel counts come from one
    dense array when the voxel block is small enough (a 240 m tile of ordinary terrain),
    else from sorted voxel keys (binary search); both give the same answer.
    """
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=bool)
    vx = np.floor((x - x.min()) / voxel_m).astype(np.int64)
    vy = np.floor((y - y.min()) / voxel_m).astype(np.int64)
    vz = np.floor((z - z.min()) / voxel_m).astype(np.int64)
    ny, nz = int(vy.max()) + 3, int(vz.max()) + 3
    if (int(vx.max()) + 3) * ny * nz <= DENSE_MAX_VOXELS:
        return _isolated_dense(vx, vy, vz, ny, nz, max_neighbours)
    return _isolated_sorted(vx, vy, vz, max_neighbours)


def _isolated_dense(vx, vy, vz, ny: int, nz: int, max_neighbours: int) -> np.ndarray:
    """`isolated` with voxel counts in a dense array (voxel indices shifted by one: a margin)."""
    flat = ((vx + 1) * ny + (vy + 1)) * nz + (vz + 1)
    counts = np.bincount(flat, minlength=(int(vx.max()) + 3) * ny * nz)
    cand = np.flatnonzero(counts[flat] <= max_neighbours + 1)
    out = np.zeros(len(flat), dtype=bool)
    if len(cand):
        fc = flat[cand]
        total = np.zeros(len(cand), dtype=np.int64)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    total += counts[fc + (dx * ny + dy) * nz + dz]
        out[cand] = (total - 1) <= max_neighbours
    return out


def _isolated_sorted(vx, vy, vz, max_neighbours: int) -> np.ndarray:
    """`isolated` with voxel counts from sorted voxel keys (any extent)."""
    n = len(vx)
    ny0 = int(vy.max()) + 1
    flat2d = vx * ny0 + vy
    # one 16-bit column index when the columns fit (tiles up to 256 m at 1 m voxels), else three
    order = cell_order(flat2d, vz) if int(flat2d.max()) < 65536 else cell_order(vx, vy, vz)
    sx, sy, sz = vx[order], vy[order], vz[order]
    starts = run_starts(sx, sy, sz)
    counts = np.diff(np.r_[starts, n])
    # voxel keys in sorted order (64-bit keys are safe: spans stay < 2**21 per axis in a tile)
    ny, nz = int(vy.max()) + 3, int(vz.max()) + 3
    uniq = ((sx[starts] + 1) * ny + (sy[starts] + 1)) * nz + (sz[starts] + 1)
    cand = np.flatnonzero(counts <= max_neighbours + 1)
    lonely = np.zeros(len(starts), dtype=bool)
    if len(cand):
        total = np.zeros(len(cand), dtype=np.int64)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    probe = uniq[cand] + (dx * ny + dy) * nz + dz
                    pos = np.minimum(np.searchsorted(uniq, probe), len(uniq) - 1)
                    total += np.where(uniq[pos] == probe, counts[pos], 0)
        lonely[cand] = (total - 1) <= max_neighbours
    out = np.zeros(n, dtype=bool)
    out[order] = np.repeat(lonely, counts)
    return out
