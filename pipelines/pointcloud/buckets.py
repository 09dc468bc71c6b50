"""Points streamed from files and arrays, and split by Morton code into buckets that fit a memory budget.

An external bucket sort (as untwine and PDAL's writers.copc do): a pass over the points finds
their bounds, a second counts them per octree node of the sampling level (a histogram), a third
writes each point to the bucket file of its node at level `top`; a bucket is a run of
consecutive level-`top` nodes (a contiguous range of the Morton order) holding at most the
budget's points. `top` is the shallowest level whose nodes all fit, at most the sampling
lattice's bits (7): then every sampling cell of a node above `top` lies inside one bucket, so
each bucket places its share of those nodes' points on its own. A cloud within the budget is
one bucket (`top` 0), held in memory: the whole octree of today's writer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.octree import GRID, Cube, morton_codes, node_depth

#: A stored point and its position in the input (ties in GPS time keep input order across buckets);
#: the point's bytes first, as in POINT_DTYPE (a packed record).
BUCKET_DTYPE = np.dtype([*((name, POINT_DTYPE[name]) for name in POINT_DTYPE.names or ()), ("Index", "<i8")])
#: Bytes of memory the octree of one bucket needs per point (the bucket, codes, sort, records, chunks).
BYTES_PER_POINT = 160
#: Points read at a time while streaming.
CHUNK_POINTS = 1 << 20


class PointSource:
    """Stored points (POINT_DTYPE) in files of raw records and/or arrays, read in chunks as often as needed."""

    def __init__(self, parts: Sequence[Path | np.ndarray]) -> None:
        self.parts = list(parts)
        for part in self.parts:
            if isinstance(part, Path) and part.stat().st_size % POINT_DTYPE.itemsize:
                raise ValueError(f"{part} is not a file of whole stored points ({POINT_DTYPE.itemsize} bytes each)")

    def __len__(self) -> int:
        return sum(p.stat().st_size // POINT_DTYPE.itemsize if isinstance(p, Path) else len(p) for p in self.parts)

    def chunks(self) -> Iterator[np.ndarray]:
        """The points in order, at most CHUNK_POINTS at a time (plain reads: no mapping grows the memory)."""
        for part in self.parts:
            if not isinstance(part, Path):
                for at in range(0, len(part), CHUNK_POINTS):
                    yield part[at : at + CHUNK_POINTS]
                continue
            with open(part, "rb") as f:
                while True:
                    block = np.fromfile(f, dtype=POINT_DTYPE, count=CHUNK_POINTS)
                    if not len(block):
                        break
                    yield block


@dataclass(frozen=True)
class Stats:
    """What the header needs: points, bounds (mm), GPS time range and points per return number."""

    points: int
    lo: np.ndarray
    hi: np.ndarray
    gps_min: float
    gps_max: float
    by_return: np.ndarray


def scan(source: PointSource) -> Stats:
    """One pass over the points: their count, bounds, GPS time range and return numbers."""
    n, lo, hi = 0, np.full(3, np.iinfo(np.int64).max), np.full(3, np.iinfo(np.int64).min)
    gps_lo, gps_hi = np.inf, -np.inf
    by_return = np.zeros(16, dtype=np.int64)
    for pts in source.chunks():
        if not len(pts):
            continue
        n += len(pts)
        lo = np.minimum(lo, [int(pts[a].min()) for a in "XYZ"])
        hi = np.maximum(hi, [int(pts[a].max()) for a in "XYZ"])
        gps_lo, gps_hi = min(gps_lo, float(pts["GpsTime"].min())), max(gps_hi, float(pts["GpsTime"].max()))
        by_return += np.bincount(np.clip(pts["ReturnNumber"], 0, 15), minlength=16)
    return Stats(n, lo, hi, gps_lo, gps_hi, by_return[1:16])


def take_rows(records: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`records[index]` for a contiguous structured array, gathered as rows of bytes: several times faster
    than numpy's gather of structured records."""
    rows = records.view(np.uint8).reshape(len(records), records.dtype.itemsize)
    return rows[index].view(records.dtype).reshape(len(index))


def _with_index(pts: np.ndarray, index: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """The points `pts[rows]` (all when None) and their input positions `index` as BUCKET_DTYPE rows (bytes
    copied at once, not field by field)."""
    n = len(pts) if rows is None else len(rows)
    out = np.empty(n, dtype=BUCKET_DTYPE)
    source = np.ascontiguousarray(pts).view(np.uint8).reshape(len(pts), POINT_DTYPE.itemsize)
    out.view(np.uint8).reshape(n, BUCKET_DTYPE.itemsize)[:, : POINT_DTYPE.itemsize] = \
        source if rows is None else source[rows]
    out["Index"] = index
    return out


def _node_codes(pts: np.ndarray, cube: Cube, level: int) -> np.ndarray:
    """Morton code of each point's node at `level` (the prefix of its finest code, at a third of the cost)."""
    return morton_codes([pts["X"], pts["Y"], pts["Z"]], cube, level)


@dataclass(frozen=True)
class Plan:
    """Buckets: level-`top` node codes [starts[i], starts[i + 1]) each; `counts`: points per node of each level
    down to `top` (dense, by code), for the leaf rule of the nodes above `top`."""

    top: int
    starts: np.ndarray
    sizes: np.ndarray
    counts: list[np.ndarray]


def plan(source: PointSource, cube: Cube, points: int, budget_points: int, grid: int = GRID) -> Plan:
    """The shallowest level `top` whose nodes each fit `budget_points`, and its nodes grouped into buckets."""
    if points <= budget_points:
        return Plan(0, np.zeros(1, dtype=np.uint64), np.array([points]), [])
    deepest = node_depth(grid)[0]
    hist = np.zeros(8**deepest, dtype=np.int64)
    for pts in source.chunks():
        hist += np.bincount(_node_codes(pts, cube, deepest).astype(np.int64), minlength=len(hist))
    counts = [hist.reshape(8**level, -1).sum(axis=1) for level in range(deepest + 1)]
    top = next((lv for lv in range(1, deepest + 1) if counts[lv].max() <= budget_points), deepest)
    starts: list[int] = []
    sizes: list[int] = []
    size = 0
    for code in np.flatnonzero(counts[top]).tolist():
        n = int(counts[top][code])
        if not starts or size + n > budget_points:
            starts.append(code)
            sizes.append(0)
            size = 0
        size += n
        sizes[-1] = size
    return Plan(top, np.array(starts, dtype=np.uint64), np.array(sizes), counts[: top + 1])


def distribute(source: PointSource, cube: Cube, the_plan: Plan, folder: Path) -> list[Path]:
    """Write every point (with its input position) to its bucket's file under `folder`, in input order."""
    paths = [folder / f"bucket{i:05d}.pts" for i in range(len(the_plan.starts))]
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, "wb")) for p in paths]
        first = 0
        for pts in source.chunks():
            bucket = np.searchsorted(the_plan.starts, _node_codes(pts, cube, the_plan.top), side="right") - 1
            # A stable sort by bucket: a radix sort when the bucket numbers fit 16 bits.
            order = np.argsort(bucket.astype(np.uint16) if len(paths) <= 1 << 16 else bucket, kind="stable")
            rows = _with_index(pts, order + first, order)
            ends = np.searchsorted(bucket[order], np.arange(len(paths) + 1))
            for b in np.flatnonzero(np.diff(ends)).tolist():
                rows[ends[b] : ends[b + 1]].tofile(files[b])
            first += len(pts)
    return paths


def read_bucket(the_plan: Plan, source: PointSource, paths: list[Path], i: int) -> np.ndarray:
    """The points of bucket `i` (BUCKET_DTYPE, input order): from its file, or the whole source when one bucket."""
    if paths:
        return np.fromfile(paths[i], dtype=BUCKET_DTYPE)
    out = np.empty(int(the_plan.sizes[0]), dtype=BUCKET_DTYPE)
    at = 0
    for pts in source.chunks():
        out[at : at + len(pts)] = _with_index(pts, np.arange(at, at + len(pts)))
        at += len(pts)
    return out
