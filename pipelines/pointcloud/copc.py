"""Write a COPC file (Cloud Optimized Point Cloud: LAZ 1.4 with an octree hierarchy) from stored points.

Layout, as the COPC 1.0 specification asks: the LAS 1.4 header; the COPC info VLR first (its
record data at byte 429: octree centre, half size, root spacing, where the hierarchy is, GPS
time range); the WKT CRS (EPSG:2180 + PL-EVRF2007-NH) and the LASzip VLR with variable-size
chunks; one LAZ chunk per octree node (point format 6: X, Y, Z, intensity, return number and
count, classification, GPS time) and the LAZ chunk table; then the hierarchy as one EVLR
(user "copc", record 1000) holding a single page with one 32-byte entry per node. Coordinates
keep the database's millimetre integers (scale 0.001), so no point moves.
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import laspy
import lazrs  # type: ignore[import-untyped]  # no stubs shipped
import numpy as np
import pyproj
from laspy.vlrs.known import LasZipVlr

from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.octree import GRID, LEAF_POINTS, Cube, Octree, build_octree

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
    points: np.ndarray, path: Path, *, leaf_points: int = LEAF_POINTS, system_id: str = "MSIP",
    workers: int | None = None,
) -> CopcSummary:
    """Write `points` (POINT_DTYPE from msip.lidar_patch, at least one) to `path` as COPC.

    `workers`: threads compressing the octree nodes (default: the CPU count; 1 = this thread).
    """
    if len(points) == 0:
        raise ValueError("a COPC file needs at least one point")
    lo = np.array([points[axis].min() for axis in "XYZ"], dtype=np.int64)
    hi = np.array([points[axis].max() for axis in "XYZ"], dtype=np.int64)
    cube = Cube.spanning(lo, hi)
    # Acquisition (GPS time) order inside a node (ties in input order): LAZ compresses it best.
    by_time = np.argsort(points["GpsTime"], kind="stable")
    tree = build_octree([points["X"], points["Y"], points["Z"]], cube, leaf_points=leaf_points, within=by_time)
    offsets_mm = (np.asarray(cube.min_xyz) // 1_000_000) * 1_000_000  # whole kilometres
    records = to_format6(points[tree.order], offsets_mm)

    mins = lo * SCALE_M
    maxs = hi * SCALE_M
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.system_identifier = system_id
    header.generating_software = "MSIP pipelines.pointcloud"
    header.scales = np.array([SCALE_M] * 3)
    header.offsets = offsets_mm * SCALE_M
    header.mins, header.maxs = mins, maxs
    header.point_count = len(points)
    by_return = np.bincount(np.clip(points["ReturnNumber"], 0, 15), minlength=16)[1:16]
    header.number_of_points_by_return = by_return
    header.vlrs.append(laspy.VLR("copc", 1, "COPC info", b"\0" * _INFO.size))
    header.add_crs(pyproj.CRS(CRS))
    lazvlr = lazrs.LazVlr.new_for_compression(6, 0, True)
    header.vlrs.append(LasZipVlr(lazvlr.record_data()))
    header.are_points_compressed = True

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w+b") as f:
        header.write_to(f)
        first_chunk = header.offset_to_point_data + 8  # after the offset to the chunk table
        _compress_nodes(f, lazvlr, records, tree.counts, workers)
        f.seek(header.offset_to_point_data)
        table = lazrs.read_chunk_table(f, lazvlr)
        sizes = np.array([size for _, size in table], dtype=np.int64)
        if [n for n, _ in table] != tree.counts.tolist():
            raise RuntimeError("the LAZ chunk table does not match the octree nodes")
        chunk_offsets = first_chunk + np.r_[0, np.cumsum(sizes)[:-1]]

        page = io.BytesIO()
        for key, offset, size, n in zip(tree.keys.tolist(), chunk_offsets.tolist(), sizes.tolist(),
                                        tree.counts.tolist(), strict=True):
            page.write(_ENTRY.pack(*key, offset, size, n))
        page_bytes = page.getvalue()
        f.seek(0, io.SEEK_END)
        evlr_at = f.tell()
        f.write(_EVLR_HEAD.pack(0, b"copc", 1000, len(page_bytes), b"EPT hierarchy"))
        f.write(page_bytes)
        total = f.tell()

        half_m = cube.size * SCALE_M / 2
        centre = [(c + cube.size / 2) * SCALE_M for c in cube.min_xyz]
        gps = points["GpsTime"]
        info = _INFO.pack(*centre, half_m, 2 * half_m / GRID, evlr_at + _EVLR_HEAD.size, len(page_bytes),
                          float(gps.min()), float(gps.max()), *([0] * 11))
        header.vlrs[0].record_data = info
        header.start_of_first_evlr = evlr_at
        header.number_of_evlrs = 1
        f.seek(0)
        header.write_to(f, ensure_same_size=True)
    return CopcSummary(path, len(points), len(tree.keys), int(tree.keys[:, 0].max()) + 1, total,
                       (float(mins[0]), float(mins[1]), float(mins[2])),
                       (float(maxs[0]), float(maxs[1]), float(maxs[2])))


__all__ = ["CRS", "POINT_DTYPE", "CopcSummary", "Octree", "write_copc"]
