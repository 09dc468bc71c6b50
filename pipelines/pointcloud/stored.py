"""The stored points of an epoch (msip.lidar_patch), patch by patch or as one numpy array, decoded client-side.

Patches travel as their WKB (`decode(pa::text, 'hex')`, binary: half the bytes of hex) and are
decoded here: uncompressed patches and dimensional ones whose dimensions are plain, run-length
or zlib encoded — everything MSIP writes and the pgpointcloud defaults. A patch in another form
(sigbits, LAZ) is asked for again through the server's `PC_Uncompress`, so nothing is dropped.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from datetime import date

import numpy as np
import psycopg

from msip.core.errors import DatabaseError
from pipelines.lidar.patches import POINT_DTYPE

_HEAD = struct.Struct("<BIII")  # endian, pcid, compression, points
_DIM_HEAD = struct.Struct("<BI")  # compression, bytes
NONE, DIMENSIONAL = 0, 1
DIM_NONE, DIM_RLE, DIM_ZLIB = 0, 1, 3


def decode_patch(wkb: bytes, names: tuple[str, ...] | None = None) -> np.ndarray | None:
    """Points of one patch in POINT_DTYPE (or only the dimensions `names`, in that order), or None when its
    compression is not decoded here. Reading a few dimensions skips decoding the others."""
    endian, _pcid, compression, n = _HEAD.unpack_from(wkb, 0)
    if endian != 1:
        return None
    dtype_out = POINT_DTYPE if names is None else np.dtype([(name, POINT_DTYPE[name]) for name in names])
    if compression == NONE:
        full = np.frombuffer(wkb, dtype=POINT_DTYPE, count=n, offset=_HEAD.size)
        if names is None:
            return full
        picked = np.empty(n, dtype=dtype_out)
        for name in names:
            picked[name] = full[name]
        return picked
    if compression != DIMENSIONAL:
        return None
    out = np.empty(n, dtype=dtype_out)
    wanted = set(dtype_out.names or ())
    pos = _HEAD.size
    for name in POINT_DTYPE.names or ():
        code, size = _DIM_HEAD.unpack_from(wkb, pos)
        pos += _DIM_HEAD.size
        data = wkb[pos : pos + size]
        pos += size
        if name not in wanted:
            continue
        dtype = POINT_DTYPE[name]
        if code == DIM_ZLIB:
            data, code = zlib.decompress(data), DIM_NONE
        if code == DIM_NONE:
            out[name] = np.frombuffer(data, dtype=dtype, count=n)
        elif code == DIM_RLE:
            runs = np.frombuffer(data, dtype=[("n", "u1"), ("v", dtype)])
            values = np.repeat(runs["v"], runs["n"])
            if len(values) != n:
                raise DatabaseError(f"a stored patch's {name} runs hold {len(values)} values for {n} points")
            out[name] = values
        else:
            return None
    return out


def _patches(conn: psycopg.Connection, sql: str, params: tuple) -> Iterator[tuple[int, bytes]]:
    with conn.cursor(binary=True) as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(2000):
            yield from rows


def iter_epoch_points(
    conn: psycopg.Connection, epoch: date, source_file: str | None = None, runs: list[int] | None = None
) -> Iterator[np.ndarray]:
    """The stored points of `epoch` (POINT_DTYPE, X/Y/Z in mm) patch by patch, in patch order (patches not
    decoded here last, uncompressed by the server); only those loaded from `source_file` (one source
    tile) and/or by the load `runs` when given. A patch at a time: an epoch of any size streams."""
    odd: list[int] = []
    for patch_id, wkb in _patches(
        conn,
        "SELECT patch_id, decode(pa::text, 'hex') FROM msip.lidar_patch WHERE epoch = %s "
        "AND (%s::text IS NULL OR source_file = %s) AND (%s::bigint[] IS NULL OR load_run_id = ANY(%s)) "
        "ORDER BY patch_id",
        (epoch, source_file, source_file, runs, runs),
    ):
        pts = decode_patch(bytes(wkb))
        if pts is None:
            odd.append(patch_id)
        else:
            yield pts
    if odd:
        for _, wkb in _patches(
            conn,
            "SELECT patch_id, decode(PC_Uncompress(pa)::text, 'hex') FROM msip.lidar_patch "
            "WHERE patch_id = ANY(%s) ORDER BY patch_id",
            (odd,),
        ):
            pts = decode_patch(bytes(wkb))
            if pts is None:
                raise DatabaseError("a stored patch is big-endian even uncompressed; MSIP reads little-endian only")
            yield pts


def epoch_points(
    conn: psycopg.Connection, epoch: date, source_file: str | None = None, runs: list[int] | None = None
) -> np.ndarray:
    """Every stored point of `epoch` as one array: `iter_epoch_points` gathered."""
    parts = list(iter_epoch_points(conn, epoch, source_file, runs))
    return np.concatenate(parts) if parts else np.empty(0, dtype=POINT_DTYPE)
