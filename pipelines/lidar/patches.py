"""pgpointcloud patches: the point schema (scaled integers) and a COPY writer of grid-cell patches.

Points are grouped into patches by a square grid of `cell_m` metres aligned on multiples of
`cell_m` in EPSG:2180 (one patch per occupied cell and decoded chunk), so `PC_Intersects`
through the envelope index reads few patches for a small polygon. Patches are sent as
dimensionally compressed WKB in hex (the text form of pcpatch), matching the schema's
'dimensional' compression, so the server stores them without recompressing.
"""

from __future__ import annotations

import binascii
import math
import queue
import threading
from dataclasses import dataclass
from typing import Self

import numpy as np
import psycopg

from msip.core.errors import DatabaseError
from pipelines.lidar.algorithms.cellsort import cell_order, run_starts
from pipelines.lidar.las.reader import PointChunk

#: Scale of X, Y and Z (m per integer step): 1 mm; offsets are 0, so EPSG:2180 fits in int32.
SCALE = 0.001
#: One point of a patch, in the order of the pcid schema registered by sql/050_lidar.sql.
POINT_DTYPE = np.dtype(
    [
        ("X", "<i4"),
        ("Y", "<i4"),
        ("Z", "<i4"),
        ("Intensity", "<u2"),
        ("ReturnNumber", "u1"),
        ("NumberOfReturns", "u1"),
        ("Classification", "u1"),
        ("GpsTime", "<f8"),
    ]
)
COLUMNS = ("epoch", "source_file", "load_run_id", "pa")
#: pgpointcloud's patch compression code for dimensional patches in WKB.
DIMENSIONAL = 1


def table_pcid(conn: psycopg.Connection) -> int:
    """The pcid of msip.lidar_patch.pa (its typmod: pointcloud_columns is not granted to us)."""
    row = conn.execute(
        "SELECT pc_typmod_pcid(atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass('msip.lidar_patch') AND attname = 'pa'"
    ).fetchone()
    if not row or row[0] is None:
        raise DatabaseError(
            "msip.lidar_patch is missing or has no pcid; run `msip db migrate` (sql/050_lidar.sql)"
        )
    return int(row[0])


def patch_cell_m(points: int, area_m2: float, target_points: int) -> float:
    """Patch cell side (m) giving about `target_points` per patch (0.5 m steps, 1–100 m)."""
    density = points / area_m2 if area_m2 > 0 else float("inf")
    side = math.sqrt(target_points / density) if density > 0 else 100.0
    return float(min(100.0, max(1.0, round(side * 2) / 2)))


def _rle(col: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pgpointcloud run-length encoding (type 1) of a uint8 column, per patch, vectorised.

    Returns (bytes: (count, value) pairs of all patches in order, byte size per patch). Runs
    break at patch starts and at 255 repeats.
    """
    n = len(col)
    brk = np.ones(n, dtype=bool)
    brk[1:] = col[1:] != col[:-1]
    brk[starts] = True
    run_start = np.flatnonzero(brk)
    run_len = np.diff(np.r_[run_start, n])
    pieces = (run_len + 254) // 255
    first = np.repeat(run_start, pieces)
    within = np.arange(len(first)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    piece_start = first + within * 255
    pairs = np.empty((len(first), 2), dtype=np.uint8)
    pairs[:, 0] = np.minimum(255, np.repeat(run_len, pieces) - within * 255)
    pairs[:, 1] = col[piece_start]
    patch = np.searchsorted(starts, piece_start, side="right") - 1
    return pairs.ravel(), 2 * np.bincount(patch, minlength=len(starts))


def copy_text(chunk: PointChunk, spec: PatchSpec) -> tuple[bytes, int, int]:
    """(COPY text rows of msip.lidar_patch, points, patches) for a cleaned chunk.

    Built wherever the chunk was cleaned (a worker process), so the loader's own process only
    passes the bytes on to the COPY of its transaction.
    """
    data, patches, points = copy_text_with_points(chunk, spec)
    return data, len(points), patches


def copy_text_with_points(chunk: PointChunk, spec: PatchSpec) -> tuple[bytes, int, np.ndarray]:
    """`copy_text`, with the points as stored: (COPY text, patches, POINT_DTYPE points in patch order)."""
    wkbs, points = patch_wkbs(chunk, spec.pcid, spec.cell_m)
    out = []
    for w in wkbs:
        out += [spec.prefix, binascii.hexlify(w), b"\n"]
    return b"".join(out), len(wkbs), points


def stored_points(chunk: PointChunk) -> np.ndarray:
    """A cleaned chunk's points as they are stored (POINT_DTYPE: X/Y/Z in mm, GPS time 0 when absent)."""
    out = np.empty(len(chunk), dtype=POINT_DTYPE)
    for name, metres in (("X", chunk.x), ("Y", chunk.y), ("Z", chunk.z)):
        out[name] = np.rint(metres / SCALE)
    out["Intensity"] = chunk.intensity
    out["ReturnNumber"] = chunk.return_number
    out["NumberOfReturns"] = chunk.number_of_returns
    out["Classification"] = chunk.classification
    out["GpsTime"] = 0.0 if chunk.gps_time is None else chunk.gps_time
    return out


def patch_wkbs(chunk: PointChunk, pcid: int, cell_m: float) -> tuple[list[bytes], np.ndarray]:
    """(WKB of one patch per occupied grid cell, the points as stored in them, in patch order) for a
    cleaned chunk.

    Patches are written already in pgpointcloud's dimensional form, so the server stores them
    as they come (its own dimensional compression runs zlib at level 9, which made loading
    several times slower): the 1-byte dimensions are run-length encoded, the others stored
    plain. Everything but one join per patch is vectorised.
    """
    n = len(chunk)
    if n == 0:
        return [], np.empty(0, dtype=POINT_DTYPE)
    ix = np.floor(chunk.x / cell_m).astype(np.int64)
    iy = np.floor(chunk.y / cell_m).astype(np.int64)
    order = cell_order(ix, iy)
    starts = run_starts(ix[order], iy[order])
    counts = np.diff(np.r_[starts, n])
    pts = stored_points(chunk)[order]
    plain = [np.ascontiguousarray(pts[name]) for name in ("X", "Y", "Z", "Intensity")]
    gps = np.ascontiguousarray(pts["GpsTime"])
    rle = [
        _rle(np.ascontiguousarray(pts[name]), starts)
        for name in ("ReturnNumber", "NumberOfReturns", "Classification")
    ]
    # Per dimension, one buffer of all patches' data in order and one of their 5-byte
    # dimension headers; a patch is its 13-byte header plus, per dimension, a header slice and
    # a data slice: seventeen pieces joined once (no copying of the data before that).
    pieces = [(0, col) for col in plain] + [(1, data) for data, _ in rle] + [(0, gps)]
    offsets = [np.r_[starts, n] * col.itemsize for col in plain]
    offsets += [np.r_[0, np.cumsum(sizes)] for _, sizes in rle] + [np.r_[starts, n] * 8]
    n_patch = len(starts)
    head = np.zeros(n_patch, dtype=[("e", "u1"), ("pcid", "<u4"), ("c", "<u4"), ("n", "<u4")])
    head["e"], head["pcid"], head["c"], head["n"] = 1, pcid, DIMENSIONAL, counts
    head_b = head.tobytes()
    buffers = []
    for (code, data), off in zip(pieces, offsets, strict=False):
        dim_head = np.zeros(n_patch, dtype=[("c", "u1"), ("size", "<u4")])
        dim_head["c"], dim_head["size"] = code, np.diff(off)
        buffers.append((dim_head.tobytes(), data.data.cast("B"), off.tolist()))
    wkbs = []
    for p in range(n_patch):
        parts: list[bytes | memoryview] = [head_b[13 * p : 13 * p + 13]]
        for dh, buf, b in buffers:
            parts += [dh[5 * p : 5 * p + 5], buf[b[p] : b[p + 1]]]
        wkbs.append(b"".join(parts))
    return wkbs, pts


@dataclass(frozen=True)
class PatchSpec:
    """How one file's patches are written: pcid, grid cell (m) and the COPY row prefix."""

    pcid: int
    cell_m: float
    prefix: bytes
    """epoch, source_file and load_run_id as the first three COPY text columns."""


def _copy_escape(value: str) -> str:
    """A value in COPY text format (backslash, tab, newline and carriage return escaped)."""
    for raw, esc in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        value = value.replace(raw, esc)
    return value


class PatchWriter:
    """Streams the COPY text of one file's patches into msip.lidar_patch, in a background thread.

    COPY (waiting on the server) releases the GIL, so it overlaps with decoding and building
    the next chunks. The COPY runs inside the load's transaction on `conn`, which the caller
    must not use until `close`: a failure anywhere rolls the whole file back. At most `depth`
    chunks wait in the queue, which bounds memory.
    """

    _STOP = object()

    def __init__(
        self,
        conn: psycopg.Connection,
        *,
        epoch,
        source_file: str,
        run_id: int,
        cell_m: float,
        depth: int = 2,
    ):
        self.conn = conn
        prefix = f"{epoch.isoformat()}\t{_copy_escape(source_file)}\t{int(run_id)}\t"
        self.spec = PatchSpec(table_pcid(conn), cell_m, prefix.encode("utf-8"))
        self.points = 0
        self.patches = 0
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"copy {source_file}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def _run(self) -> None:
        from psycopg import sql

        stmt = sql.SQL("COPY msip.lidar_patch ({}) FROM STDIN").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS)
        )
        try:
            with self.conn.cursor().copy(stmt) as cp:
                while (data := self._queue.get()) is not self._STOP:
                    if data is None:
                        raise _Aborted
                    cp.write(data)
        except _Aborted:
            pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self._error = exc
            while self._queue.get() is not self._STOP:  # let the producer finish without blocking
                pass

    def write(self, data: bytes, points: int, patches: int) -> None:
        """Queue COPY text from `copy_text`; raises the writer's error if it failed."""
        if self._error is not None:
            raise self._error
        self.points += points
        self.patches += patches
        if data:
            self._queue.put(data)

    def __exit__(self, exc_type, exc, tb) -> None:
        self._queue.put(None if exc_type is not None else self._STOP)
        if exc_type is not None:
            self._queue.put(self._STOP)
        self._thread.join()
        if self._error is not None and exc_type is None:
            raise self._error


class _Aborted(Exception):
    """The caller failed; the COPY is abandoned (its transaction rolls back)."""


def read_points(
    conn: psycopg.Connection,
    *,
    epoch,
    bounds: tuple[float, float, float, float],
    exclude_files: list[str],
) -> np.ndarray:
    """Stored points of `epoch` inside `bounds` (EPSG:2180 m) from files other than `exclude_files`.

    Used so a tile loaded later sees the neighbouring points an earlier load stored (its
    buffer), which keeps rasters and trees seamless across separate loads of one epoch.
    """
    rows = conn.execute(
        "SELECT PC_Uncompress(PC_Intersection(pa, env))::text FROM msip.lidar_patch, "
        "ST_MakeEnvelope(%s, %s, %s, %s, 2180) AS env "
        "WHERE epoch = %s AND NOT (source_file = ANY(%s)) AND PC_Intersects(pa, env)",
        (*bounds, epoch, list(exclude_files)),
    ).fetchall()
    parts = []
    for (text,) in rows:
        if text is None:
            continue
        raw = bytes.fromhex(text)
        if raw[0] != 1:
            raise DatabaseError(
                "a stored patch is big-endian; MSIP writes little-endian patches only"
            )
        parts.append(np.frombuffer(raw, dtype=POINT_DTYPE, offset=13))
    return np.concatenate(parts) if parts else np.empty(0, dtype=POINT_DTYPE)
