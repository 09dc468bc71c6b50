"""Write a COPC file (Cloud Optimized Point Cloud: LAZ 1.4 with an octree hierarchy) from stored points.

Layout, as the COPC 1.0 specification asks: the LAS 1.4 header; the COPC info VLR first (its
record data at byte 429: octree centre, half size, root spacing, where the hierarchy is, GPS
time range); the WKT CRS (EPSG:2180 + PL-EVRF2007-NH) and the LASzip VLR with variable-size
chunks; one LAZ chunk per octree node (point format 6: X, Y, Z, intensity, return number and
count, classification, GPS time) and the LAZ chunk table; then the hierarchy as one EVLR
(user "copc", record 1000) holding a single page with one 32-byte entry per node. Coordinates
keep the database's millimetre integers (scale 0.001), so no point moves.

Memory is bounded by a budget, not by the cloud: the points stream from files (or an array) and
are placed and compressed bucket by bucket (pipelines.pointcloud.buckets, .nodes); the chunks
wait in a work file and are copied into the COPC file in node order at the end.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import laspy
import lazrs  # type: ignore[import-untyped]  # no stubs shipped
import numpy as np
import pyproj
from laspy.vlrs.known import LasZipVlr

from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.buckets import BYTES_PER_POINT, PointSource, Stats, distribute, plan, read_bucket, scan
from pipelines.pointcloud.nodes import Bucket, Nodes, build_bucket, top_leaves, under_leaves, upper_nodes
from pipelines.pointcloud.octree import GRID, LEAF_POINTS, Cube, Octree

#: The horizontal and vertical CRS of stored points.
CRS = "EPSG:2180+9651"
#: LAS point record format 6 (30 bytes), the smallest 1.4 format COPC allows.
FORMAT6 = np.dtype(
    [
        ("X", "<i4"),
        ("Y", "<i4"),
        ("Z", "<i4"),
        ("intensity", "<u2"),
        ("returns", "u1"),
        ("flags", "u1"),
        ("classification", "u1"),
        ("user_data", "u1"),
        ("scan_angle", "<i2"),
        ("point_source_id", "<u2"),
        ("gps_time", "<f8"),
    ]
)
SCALE_M = 0.001
#: Memory for the points being placed, when neither the caller nor MSIP_COPC_MEMORY_MB says.
DEFAULT_MEMORY_MB = 1024
_INFO = struct.Struct("<5d2Q2d11Q")  # 160 bytes
_ENTRY = struct.Struct("<4iQii")  # 32 bytes
_EVLR_HEAD = struct.Struct("<H16sHQ32s")  # 60 bytes
HEADER_EVLR_AT = 235  # byte of "start of first EVLR" in a LAS 1.4 header


@dataclass(frozen=True)
class CopcSummary:
    """What was written: points, nodes (LAZ chunks), octree depth, bytes, bounds in metres."""

    path: Path
    points: int
    nodes: int
    levels: int
    bytes: int
    mins_m: tuple[float, float, float]
    maxs_m: tuple[float, float, float]


def to_format6(points: np.ndarray, offsets_mm: np.ndarray) -> np.ndarray:
    """Stored points (POINT_DTYPE, mm) as LAS format 6 records relative to `offsets_mm`."""
    out = np.zeros(len(points), dtype=FORMAT6)
    out["X"] = points["X"].astype(np.int64) - offsets_mm[0]
    out["Y"] = points["Y"].astype(np.int64) - offsets_mm[1]
    out["Z"] = points["Z"].astype(np.int64) - offsets_mm[2]
    out["intensity"] = points["Intensity"]
    out["returns"] = (points["ReturnNumber"] & 0x0F) | ((points["NumberOfReturns"] & 0x0F) << 4)
    out["classification"] = points["Classification"]
    out["gps_time"] = points["GpsTime"]
    return out


def _compress_nodes(f: BinaryIO, lazvlr: lazrs.LazVlr, records: np.ndarray, counts: np.ndarray,
                    workers: int | None) -> None:
    """Each node's records as one LAZ chunk (variable-size chunks), then the chunk table.

    With more than one worker the chunks are compressed in parallel by lazrs (its Rust thread
    pool, sized once per process by RAYON_NUM_THREADS, which is set to `workers` when unset:
    Python threads would not help, lazrs holds the GIL while it compresses).
    """
    raw = records.view(np.uint8)
    ends = np.cumsum(counts) * FORMAT6.itemsize
    chunks = [raw[start:end] for start, end in zip(np.r_[0, ends[:-1]].tolist(), ends.tolist(), strict=True)]
    workers = workers or os.cpu_count() or 1
    if workers > 1:
        os.environ.setdefault("RAYON_NUM_THREADS", str(workers))
        parallel = lazrs.ParLasZipCompressor(f, lazvlr)
        parallel.compress_chunks(chunks)
        parallel.done()
        return
    serial = lazrs.LasZipCompressor(f, lazvlr)
    for i, chunk in enumerate(chunks):
        if i:  # done() closes the last chunk; compress_chunks() would close it too, adding an empty one
            serial.finish_current_chunk()
        serial.compress_many(chunk)
    serial.done()


def write_copc(
    points: np.ndarray | PointSource, path: Path, *, leaf_points: int = LEAF_POINTS, system_id: str = "MSIP",
    workers: int | None = None, memory_mb: float | None = None, work_dir: Path | None = None,
) -> CopcSummary:
    """Write `points` (POINT_DTYPE from msip.lidar_patch, at least one; an array or a PointSource streaming
    them from files) to `path` as COPC.

    `workers`: threads compressing the octree nodes (default: the CPU count; 1 = this thread).
    `memory_mb`: memory for the points being placed (default MSIP_COPC_MEMORY_MB, else 1024): a bigger
    cloud is placed bucket by bucket from work files under `work_dir` (default: the system's temporary
    folder), removed afterwards; the file is the same byte for byte.
    """
    source = points if isinstance(points, PointSource) else PointSource([points])
    stats = scan(source)
    if stats.points == 0:
        raise ValueError("a COPC file needs at least one point")
    cube = Cube.spanning(stats.lo, stats.hi)
    offsets_mm = (np.asarray(cube.min_xyz) // 1_000_000) * 1_000_000  # whole kilometres
    memory_mb = memory_mb or float(os.environ.get("MSIP_COPC_MEMORY_MB") or DEFAULT_MEMORY_MB)
    budget_points = max(1, int(memory_mb * 1_000_000 // BYTES_PER_POINT))
    lazvlr = lazrs.LazVlr.new_for_compression(6, 0, True)

    def compress(f: BinaryIO, records: np.ndarray, counts: np.ndarray) -> None:
        _compress_nodes(f, lazvlr, records, counts, workers)

    def to_records(pts: np.ndarray) -> np.ndarray:
        return to_format6(pts, offsets_mm)

    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="copc-", dir=work_dir) as tmp, \
            open(Path(tmp) / "chunks", "w+b") as store:
        the_plan = plan(source, cube, stats.points, budget_points)
        paths = distribute(source, cube, the_plan, Path(tmp)) if len(the_plan.starts) > 1 else []

        def build(i: int, leaves: dict[int, np.ndarray]) -> Bucket:
            return build_bucket(read_bucket(the_plan, source, paths, i), cube, the_plan, leaves, leaf_points,
                                to_records, store, compress, lazvlr)

        buckets = [build(i, {}) for i in range(len(the_plan.starts))]
        if the_plan.top:
            leaves = top_leaves(the_plan, buckets, cube, leaf_points)
            for i in under_leaves(the_plan, leaves):
                buckets[i] = build(i, leaves)
            upper = upper_nodes(buckets, to_records, store, compress, lazvlr)
            nodes = Nodes.concat([upper, *(b.nodes for b in buckets)]).in_file_order()
        else:
            nodes = buckets[0].nodes
        del buckets
        total = _write_file(path, store, nodes, stats, cube, offsets_mm, lazvlr, system_id)
    keys = nodes.keys()
    mins, maxs = stats.lo * SCALE_M, stats.hi * SCALE_M
    return CopcSummary(path, stats.points, len(keys), int(keys[:, 0].max()) + 1, total,
                       (float(mins[0]), float(mins[1]), float(mins[2])),
                       (float(maxs[0]), float(maxs[1]), float(maxs[2])))


def _write_file(path: Path, store: BinaryIO, nodes: Nodes, stats: Stats, cube: Cube, offsets_mm: np.ndarray,
                lazvlr: lazrs.LazVlr, system_id: str) -> int:
    """The COPC file: header and VLRs, the nodes' chunks from the store in file order, the LAZ chunk table,
    the hierarchy EVLR; then the header again with where things are. Returns its size in bytes."""
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.system_identifier = system_id
    header.generating_software = "MSIP pipelines.pointcloud"
    header.scales = np.array([SCALE_M] * 3)
    header.offsets = offsets_mm * SCALE_M
    header.mins, header.maxs = stats.lo * SCALE_M, stats.hi * SCALE_M
    header.point_count = stats.points
    header.number_of_points_by_return = stats.by_return
    header.vlrs.append(laspy.VLR("copc", 1, "COPC info", b"\0" * _INFO.size))
    header.add_crs(pyproj.CRS(CRS))
    header.vlrs.append(LasZipVlr(lazvlr.record_data()))
    header.are_points_compressed = True

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w+b") as f:
        header.write_to(f)
        f.write(b"\0" * 8)  # the offset to the chunk table, known at the end
        first_chunk = f.tell()
        for offset, size in zip(nodes.offsets.tolist(), nodes.sizes.tolist(), strict=True):
            store.seek(offset)
            f.write(store.read(size))
        table_at = f.tell()
        lazrs.write_chunk_table(f, list(zip(nodes.counts.tolist(), nodes.sizes.tolist(), strict=True)), lazvlr)
        chunk_offsets = first_chunk + np.r_[0, np.cumsum(nodes.sizes)[:-1]]

        page = io.BytesIO()
        for key, offset, size, n in zip(nodes.keys().tolist(), chunk_offsets.tolist(), nodes.sizes.tolist(),
                                        nodes.counts.tolist(), strict=True):
            page.write(_ENTRY.pack(*key, offset, size, n))
        page_bytes = page.getvalue()
        f.seek(0, io.SEEK_END)
        evlr_at = f.tell()
        f.write(_EVLR_HEAD.pack(0, b"copc", 1000, len(page_bytes), b"EPT hierarchy"))
        f.write(page_bytes)
        total = f.tell()

        half_m = cube.size * SCALE_M / 2
        centre = [(c + cube.size / 2) * SCALE_M for c in cube.min_xyz]
        info = _INFO.pack(*centre, half_m, 2 * half_m / GRID, evlr_at + _EVLR_HEAD.size, len(page_bytes),
                          stats.gps_min, stats.gps_max, *([0] * 11))
        header.vlrs[0].record_data = info
        header.start_of_first_evlr = evlr_at
        header.number_of_evlrs = 1
        f.seek(0)
        header.write_to(f, ensure_same_size=True)
        f.seek(header.offset_to_point_data)
        f.write(struct.pack("<q", table_at))
    return total


__all__ = ["CRS", "POINT_DTYPE", "CopcSummary", "Octree", "PointSource", "write_copc"]
