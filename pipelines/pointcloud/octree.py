"""The COPC octree of a point set: which node (level, x, y, z) each point goes to.

A node keeps at most one point per cell of a `grid`³ lattice over its cube and hands the rest
down to its eight children, so each level is a thinned copy of the cloud about twice as dense as
the one above (COPC's "spacing" halves per level). A node whose subtree holds no more than
`leaf_points` points keeps all of them: it is a leaf.

One sort does it: every point gets a Morton (z-order) code of its cell on the finest lattice
used, and the points are sorted by it once. In that order every node of every level, and every
sampling cell inside a node, is one contiguous run, and the points still unplaced stay sorted
when the placed ones are removed; so a level is a few vectorised passes over the unplaced points
(the first point of each cell is where the cell's code changes) instead of a sort per level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Cells per axis of a node's sampling lattice (untwine and PDAL's COPC writer use 128).
GRID = 128
#: A subtree of at most this many points is one leaf node (one LAZ chunk).
LEAF_POINTS = 100_000
#: Deepest level: MAX_LEVEL + log2(GRID) bits per axis must fit three times into a 64-bit code.
MAX_LEVEL = 13
_M21 = np.uint64(0x1FFFFF)
_NONE = np.empty(0, dtype=np.uint64)
_SPREAD = [(32, 0x1F00000000FFFF), (16, 0x1F0000FF0000FF), (8, 0x100F00F00F00F00F),
           (4, 0x10C30C30C30C30C3), (2, 0x1249249249249249)]
_COMPACT = [(2, 0x10C30C30C30C30C3), (4, 0x100F00F00F00F00F), (8, 0x1F0000FF0000FF),
            (16, 0x1F00000000FFFF), (32, 0x1FFFFF)]


@dataclass(frozen=True)
class Cube:
    """The root cube of the octree in storage units (mm integers of EPSG:2180)."""

    min_xyz: tuple[int, int, int]
    size: int

    @classmethod
    def around(cls, xyz: np.ndarray) -> Cube:
        """The smallest cube with its lower corner at the points' minimum, a power of two units wide,
        that holds every point (a power of two: every lattice cell is a bit shift, no division)."""
        return cls.spanning(xyz.min(axis=0), xyz.max(axis=0))

    @classmethod
    def spanning(cls, lo: np.ndarray, hi: np.ndarray) -> Cube:
        """`around` points whose minimum and maximum per axis are `lo` and `hi`."""
        span = int((np.asarray(hi, dtype=np.int64) - lo).max()) + 1  # +1: the maximum inside the half-open cube
        return cls((int(lo[0]), int(lo[1]), int(lo[2])), 1 << (span - 1).bit_length())


@dataclass
class Octree:
    """Node keys (level, x, y, z) in writing order and, per node, the indices of its points."""

    keys: np.ndarray
    """int32 array (nodes, 4): level, x, y, z; level by level, each level in Morton order."""
    order: np.ndarray
    """Point indices grouped by node in the order of `keys`, in input (or `within`) order inside a node."""
    counts: np.ndarray
    """Points per node (all > 0)."""
    codes: np.ndarray
    """Each node's Morton code at its own level (uint64): the node order inside a level."""


def _spread(v: np.ndarray) -> np.ndarray:
    """The 21 low bits of each uint64 moved to every third bit (bit i → bit 3i)."""
    v = v & _M21
    for shift, mask in _SPREAD:
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def _compact(v: np.ndarray) -> np.ndarray:
    """The inverse of `_spread`: every third bit (3i → i) of each uint64."""
    v = v & np.uint64(_SPREAD[-1][1])
    for shift, mask in _COMPACT:
        v = (v ^ (v >> np.uint64(shift))) & np.uint64(mask)
    return v


#: `_spread` of every 11-bit value, shifted for x (2), y (1) and z (0): two lookups spread 21 bits.
_TABLE_BITS = 11
_SPREAD_TABLES = [_spread(np.arange(1 << _TABLE_BITS, dtype=np.uint64)) << np.uint64(2 - k) for k in range(3)]


def morton_codes(xyz: np.ndarray | Sequence[np.ndarray], cube: Cube, bits: int) -> np.ndarray:
    """Morton code (x, y, z interleaved, x highest) of each point's cell on a 2**bits lattice over `cube`.

    `xyz`: an integer array (n, 3) or its three columns (e.g. the int32 fields of stored points:
    no (n, 3) copy is made). By table lookup (11 bits of each axis at a time): a third of the
    time of spreading the bits with shifts and masks.
    """
    if bits > 21:
        raise ValueError(f"a 64-bit Morton code holds 21 bits per axis, not {bits}")
    columns = list(xyz.T) if isinstance(xyz, np.ndarray) else list(xyz)
    shift = bits - (cube.size.bit_length() - 1)  # the cube's size is a power of two
    low = np.zeros(len(columns[0]), dtype=np.uint64)
    high = np.zeros(len(low), dtype=np.uint64) if bits > _TABLE_BITS else None
    for axis, table in enumerate(_SPREAD_TABLES):
        # In the columns' own type (int32 for stored points): every value fits, cells < 2**21.
        rel = columns[axis] - columns[axis].dtype.type(cube.min_xyz[axis])
        cells = rel << shift if shift >= 0 else rel >> -shift  # < 2**bits: inside the cube
        low |= table[cells & ((1 << _TABLE_BITS) - 1)]
        if high is not None:
            high |= table[cells >> _TABLE_BITS]
    if high is not None:
        low |= high << np.uint64(3 * _TABLE_BITS)
    return low


def node_keys(levels: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Keys (level, x, y, z) (int32, (n, 4)) of the nodes of `levels` whose Morton codes at that level are `codes`."""
    ijk = np.column_stack([_compact(codes >> np.uint64(2)), _compact(codes >> np.uint64(1)), _compact(codes)])
    return np.column_stack([levels, ijk.astype(np.int64)]).astype(np.int32)


def _runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    if not len(sorted_keys):
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def sort_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(The permutation sorting `codes`, the sorted codes), equal codes in input order (a stable sort's result
    at a quicksort's cost: only the rare runs of equal codes are put back in input order). Which of two
    points of one finest cell a node keeps then does not depend on where else the points are (one bucket
    or many)."""
    by_code = np.argsort(codes)
    ordered = codes[by_code]
    tied = np.flatnonzero(ordered[1:] == ordered[:-1])
    if len(tied):
        at = np.unique(np.r_[tied, tied + 1])  # positions inside a run of equal codes
        run = np.cumsum(np.r_[True, ordered[at[1:]] != ordered[at[:-1]]] | np.r_[True, np.diff(at) > 1])
        by_code[at] = by_code[at][np.lexsort((by_code[at], run))]
    return by_code, ordered


def node_depth(grid: int = GRID) -> tuple[int, int]:
    """(Bits per axis of a node's sampling lattice, bits per axis of the finest lattice used)."""
    grid_bits = int(np.ceil(np.log2(grid)))
    return grid_bits, MAX_LEVEL + grid_bits


def build_octree(
    xyz: np.ndarray | Sequence[np.ndarray], cube: Cube, *, grid: int = GRID, leaf_points: int = LEAF_POINTS,
    within: np.ndarray | None = None, top: int = 0, top_leaves: Mapping[int, np.ndarray] | None = None,
) -> Octree:
    """Assign every point of `xyz` (integer array (n, 3), or its three columns, inside `cube`) to exactly one node.

    Inside a node the points follow `within` (a permutation of the point indices, e.g. by GPS
    time: acquisition order), by default the input order. The points may be one bucket of a
    bigger cloud (whole nodes of level `top`, see pipelines.pointcloud.buckets): then whether a
    node above `top` is a leaf is not counted here but given, `top_leaves` (level → sorted codes
    of the leaves), and the nodes above `top` are this bucket's share of those nodes.
    """
    grid_bits, depth = node_depth(grid)  # depth: bits per axis of the finest lattice
    codes = morton_codes(xyz, cube, depth)
    by_code, codes = sort_codes(codes)  # the one sort
    remaining = np.arange(len(codes), dtype=np.int64)  # positions in code order, still sorted
    key_rows: list[np.ndarray] = []
    orders: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    node_codes: list[np.ndarray] = []
    for level in range(MAX_LEVEL + 1):
        if not len(remaining):
            break
        code = codes[remaining]
        node = code >> np.uint64(3 * (depth - level))
        starts = _runs(node)
        sizes = np.diff(np.r_[starts, len(node)])
        if level < top:
            leaf = np.isin(node[starts], (top_leaves or {}).get(level, _NONE))
        else:
            leaf = (sizes <= leaf_points) | (level == MAX_LEVEL)
        take = np.repeat(leaf, sizes)
        if not leaf.all():
            cell = code >> np.uint64(3 * (depth - level - grid_bits))
            first = np.zeros(len(cell), dtype=bool)
            first[_runs(cell)] = True
            take |= first
        picked_node = node[take]  # every node picks at least its first cell's first point
        picked_starts = _runs(picked_node)
        uniq = picked_node[picked_starts]
        key_rows.append(node_keys(np.full(len(uniq), level), uniq))
        counts.append(np.diff(np.r_[picked_starts, len(picked_node)]))
        node_codes.append(uniq)
        orders.append(by_code[remaining[take]])
        remaining = remaining[~take]
    if not key_rows:
        return Octree(np.empty((0, 4), dtype=np.int32), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64),
                      _NONE)
    sizes = np.concatenate(counts)
    order = np.concatenate(orders)
    # Inside a node, back to input or `within` (acquisition) order: LAZ compresses that 8–15 % smaller.
    # Sorting the values (node << 32 | rank) is several times cheaper than an argsort and a gather.
    node_of = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    if within is None:
        order = np.sort((node_of << 32) | order) & 0xFFFFFFFF
    else:
        rank = np.empty(len(within), dtype=np.int64)
        rank[within] = np.arange(len(within), dtype=np.int64)
        order = within[np.sort((node_of << 32) | rank[order]) & 0xFFFFFFFF]
    return Octree(keys=np.concatenate(key_rows), order=order, counts=sizes, codes=np.concatenate(node_codes))
