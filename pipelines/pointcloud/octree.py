"""The COPC octree of a point set: which node (level, x, y, z) each point goes to.

A node keeps at most one point per cell of a `grid`³ lattice over its cube (the first point of
each cell in input order) and hands the rest down to its eight children, so each level is a
thinned copy of the cloud about twice as dense as the one above (COPC's "spacing" halves per
level). A node whose subtree holds no more than `leaf_points` points keeps all of them: it is a
leaf. Everything is vectorised: one `np.unique` per level over the points still unplaced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Cells per axis of a node's sampling lattice (untwine and PDAL's COPC writer use 128).
GRID = 128
#: A subtree of at most this many points is one leaf node (one LAZ chunk).
LEAF_POINTS = 100_000
#: Deepest level: (level + 7) bits per axis must fit three times into an int64 cell key.
MAX_LEVEL = 13


@dataclass(frozen=True)
class Cube:
    """The root cube of the octree in storage units (mm integers of EPSG:2180)."""

    min_xyz: tuple[int, int, int]
    size: int

    @classmethod
    def around(cls, xyz: np.ndarray) -> Cube:
        """The smallest cube with its lower corner at the points' minimum that holds every point."""
        lo = xyz.min(axis=0)
        hi = xyz.max(axis=0)
        size = int((hi - lo).max()) + 1  # +1: the maximum must fall inside the half-open cube
        return cls((int(lo[0]), int(lo[1]), int(lo[2])), size)


@dataclass
class Octree:
    """Node keys (level, x, y, z) in writing order and, per node, the indices of its points."""

    keys: np.ndarray
    """int32 array (nodes, 4): level, x, y, z; breadth first, then x, y, z."""
    order: np.ndarray
    """Point indices grouped by node in the order of `keys`."""
    counts: np.ndarray
    """Points per node (all > 0)."""


def _cells(rel: np.ndarray, size: int, per_axis: int) -> np.ndarray:
    """Cell index per axis of points (`rel`: offsets from the cube's corner) on a lattice of `per_axis`."""
    return (rel * per_axis // size).astype(np.int64)


def _pack(ijk: np.ndarray, bits: int) -> np.ndarray:
    return (ijk[:, 0] << (2 * bits)) | (ijk[:, 1] << bits) | ijk[:, 2]


def build_octree(xyz: np.ndarray, cube: Cube, *, grid: int = GRID, leaf_points: int = LEAF_POINTS) -> Octree:
    """Assign every point of `xyz` (int64 array (n, 3) inside `cube`) to exactly one node."""
    n = len(xyz)
    rel = xyz.astype(np.int64) - np.asarray(cube.min_xyz, dtype=np.int64)
    grid_bits = int(np.ceil(np.log2(grid)))
    remaining = np.arange(n, dtype=np.int64)
    node_of = np.full(n, -1, dtype=np.int64)  # packed (level, node) id per point, see below
    key_rows: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    level = 0
    while len(remaining):
        bits = level
        node_ijk = _cells(rel[remaining], cube.size, 1 << level)
        node_key = _pack(node_ijk, bits) if level else np.zeros(len(remaining), dtype=np.int64)
        uniq, inverse, counts = np.unique(node_key, return_inverse=True, return_counts=True)
        leaf = (counts <= leaf_points) | (level == MAX_LEVEL)
        take = leaf[inverse]
        if not leaf.all():
            inner = ~take
            cell = _cells(rel[remaining[inner]], cube.size, (1 << level) * grid)
            cell_key = _pack(cell, bits + grid_bits)
            _, first = np.unique(cell_key, return_index=True)
            take[np.flatnonzero(inner)[first]] = True
        picked = remaining[take]
        # A node id unique over all levels: its index among this level's nodes plus an offset.
        base = sum(len(k) for k in key_rows)
        node_of[picked] = base + inverse[take]
        ijk = np.empty((len(uniq), 3), dtype=np.int64)
        if level:
            mask = (1 << bits) - 1
            ijk[:, 0] = (uniq >> (2 * bits)) & mask
            ijk[:, 1] = (uniq >> bits) & mask
            ijk[:, 2] = uniq & mask
        else:
            ijk[:] = 0
        key_rows.append(np.column_stack([np.full(len(uniq), level), ijk]).astype(np.int32))
        ids.append(np.arange(base, base + len(uniq)))
        remaining = remaining[~take]
        level += 1
    keys = np.concatenate(key_rows) if key_rows else np.empty((0, 4), dtype=np.int32)
    order = np.argsort(node_of, kind="stable")
    counts = np.bincount(node_of, minlength=len(keys))
    present = counts > 0  # a level's node may have handed every point down (cannot happen) or none
    keep = np.flatnonzero(present)
    return Octree(keys=keys[keep], order=order, counts=counts[keep])
