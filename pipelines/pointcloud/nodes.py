"""The octree nodes of a cloud as LAZ chunks, built bucket by bucket in bounded memory.

Each bucket (pipelines.pointcloud.buckets) is sorted and its nodes at levels ≥ `top` are built
and compressed on their own into a chunk store (a work file); its share of the nodes above
`top` (thinned: first point per sampling cell, every cell inside the bucket) is kept aside and
those nodes are assembled after the last bucket, inside a node in GPS time order, ties in input
order, as in one bucket. Whether a node above `top` is a leaf needs the points its ancestors
left it, known only after every bucket: the buckets are built as if none were, then the leaves
are counted (histogram minus the ancestors' picks) and the few buckets under one are built
again. The file takes the chunks in the writer's node order (level by level, Morton order).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

import lazrs  # type: ignore[import-untyped]  # no stubs shipped
import numpy as np

from pipelines.pointcloud.buckets import Plan, take_rows
from pipelines.pointcloud.octree import Cube, build_octree, morton_codes, node_depth, node_keys


@dataclass
class Nodes:
    """Nodes in the chunk store: level, Morton code at that level, points, where (byte offset, size)."""

    levels: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray
    sizes: np.ndarray

    @classmethod
    def concat(cls, parts: list[Nodes]) -> Nodes:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("levels", "codes", "counts",
                                                                                "offsets", "sizes")))

    def in_file_order(self) -> Nodes:
        """Level by level, each level in Morton order: the order of the COPC hierarchy and chunks."""
        order = np.lexsort((self.codes, self.levels))
        return Nodes(self.levels[order], self.codes[order], self.counts[order], self.offsets[order],
                     self.sizes[order])

    def keys(self) -> np.ndarray:
        return node_keys(self.levels, self.codes)


Compress = Callable[[BinaryIO, np.ndarray, np.ndarray], None]
"""Writes records (already in node order) with per-node counts as LAZ chunks plus a chunk table."""


def _store(store: BinaryIO, compress: Compress, lazvlr: lazrs.LazVlr, records: np.ndarray, levels: np.ndarray,
           codes: np.ndarray, counts: np.ndarray) -> Nodes:
    """Compress the nodes' records and append their chunks (without the LAZ offset and table) to the store."""
    if not len(counts):
        return Nodes(levels, codes, counts, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    buf = io.BytesIO()
    compress(buf, records, counts)
    buf.seek(0)
    table = lazrs.read_chunk_table(buf, lazvlr)
    if [n for n, _ in table] != counts.tolist():
        raise RuntimeError("the LAZ chunk table does not match the octree nodes")
    sizes = np.array([size for _, size in table], dtype=np.int64)
    store.seek(0, io.SEEK_END)
    at = store.tell()
    store.write(buf.getbuffer()[8 : 8 + int(sizes.sum())])
    return Nodes(levels, codes, counts, at + np.r_[0, np.cumsum(sizes)[:-1]], sizes)


@dataclass
class Bucket:
    """One bucket's nodes at levels ≥ top (in the store) and its share of the nodes above (points kept)."""

    nodes: Nodes
    upper: np.ndarray
    upper_levels: np.ndarray
    upper_codes: np.ndarray


def build_bucket(pts: np.ndarray, cube: Cube, the_plan: Plan, leaves: dict[int, np.ndarray], leaf_points: int,
                 to_records: Callable[[np.ndarray], np.ndarray], store: BinaryIO, compress: Compress,
                 lazvlr: lazrs.LazVlr) -> Bucket:
    """The octree of one bucket (BUCKET_DTYPE points in input order), nodes above `top` as given `leaves`."""
    by_time = np.argsort(pts["GpsTime"], kind="stable")  # acquisition order inside a node, ties in input order
    tree = build_octree([pts["X"], pts["Y"], pts["Z"]], cube, leaf_points=leaf_points, within=by_time,
                        top=the_plan.top, top_leaves=leaves)
    del by_time
    n_upper = int((tree.keys[:, 0] < the_plan.top).sum())
    m = int(tree.counts[:n_upper].sum())
    levels = tree.keys[:, 0].astype(np.int64)
    upper = take_rows(pts, tree.order[:m])
    records = to_records(take_rows(pts, tree.order[m:]))
    nodes = _store(store, compress, lazvlr, records, levels[n_upper:], tree.codes[n_upper:], tree.counts[n_upper:])
    return Bucket(nodes, upper, np.repeat(levels[:n_upper], tree.counts[:n_upper]),
                  np.repeat(tree.codes[:n_upper], tree.counts[:n_upper]))


def top_leaves(the_plan: Plan, buckets: list[Bucket], cube: Cube, leaf_points: int) -> dict[int, np.ndarray]:
    """The nodes above `top` that are leaves: no leaf above them and at most `leaf_points` points left to them
    by their ancestors' picks (the buckets' picks, built with no leaf above `top`)."""
    depth = node_depth()[1]
    picked = np.concatenate([b.upper for b in buckets])
    finest = morton_codes([picked["X"], picked["Y"], picked["Z"]], cube, depth)
    picked_levels = np.concatenate([b.upper_levels for b in buckets])
    leaves: dict[int, np.ndarray] = {}
    for level in range(the_plan.top):
        codes = np.arange(8**level, dtype=np.uint64)
        before = finest[picked_levels < level] >> np.uint64(3 * (depth - level))
        left = the_plan.counts[level] - np.bincount(before.astype(np.int64), minlength=8**level)
        leaf = (left > 0) & (left <= leaf_points)
        for above, found in leaves.items():
            leaf &= ~np.isin(codes >> np.uint64(3 * (level - above)), found)
        if leaf.any():
            leaves[level] = codes[leaf]
    return leaves


def under_leaves(the_plan: Plan, leaves: dict[int, np.ndarray]) -> list[int]:
    """The buckets holding points of a leaf above `top` (to be built again knowing it)."""
    occupied = np.flatnonzero(the_plan.counts[the_plan.top]).astype(np.uint64)
    inside = np.zeros(len(occupied), dtype=bool)
    for level, codes in leaves.items():
        inside |= np.isin(occupied >> np.uint64(3 * (the_plan.top - level)), codes)
    return np.unique(np.searchsorted(the_plan.starts, occupied[inside], side="right") - 1).tolist()


def upper_nodes(buckets: list[Bucket], to_records: Callable[[np.ndarray], np.ndarray], store: BinaryIO,
                compress: Compress, lazvlr: lazrs.LazVlr) -> Nodes:
    """The nodes above `top` from every bucket's share: by node, inside a node by GPS time then input order."""
    pts = np.concatenate([b.upper for b in buckets])
    levels = np.concatenate([b.upper_levels for b in buckets])
    codes = np.concatenate([b.upper_codes for b in buckets])
    order = np.lexsort((pts["Index"], pts["GpsTime"], codes, levels))
    levels, codes = levels[order], codes[order]
    new = np.flatnonzero(np.r_[True, (levels[1:] != levels[:-1]) | (codes[1:] != codes[:-1])]) if len(order) else \
        np.empty(0, dtype=np.int64)
    counts = np.diff(np.r_[new, len(order)]).astype(np.int64)
    return _store(store, compress, lazvlr, to_records(take_rows(pts, order)), levels[new], codes[new], counts)
