"""Columnar bulk writing: Arrow tables COPYed as CSV, vectorised EWKB, indexes rebuilt after big loads.

`copy.copy_rows` takes Python tuples, which costs ~1 µs a row in the client; this module is
its columnar sibling for loads of 10⁵–10⁷ rows: pyarrow renders the COPY stream in C++ and
point geometries become EWKB hex without a Python object per point.
"""

from __future__ import annotations

import binascii
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from msip.core.copy import qualified

#: Rows per COPY chunk: big enough to amortise calls, small enough for a live progress bar.
CHUNK_ROWS = 100_000
#: A load this big into a table this small rebuilds the table's indexes instead of updating them.
BULK_ROWS = 50_000

_EWKB_POINT_HEADER = np.frombuffer(b"\x01" + np.uint32(0x20000001).astype("<u4").tobytes(), np.uint8)


def point_ewkb_hex(x: np.ndarray, y: np.ndarray, srid: int = 2180) -> pa.Array:
    """EWKB hex strings of 2D points (x = easting) as an Arrow string array, without shapely objects.

    >>> point_ewkb_hex(np.array([1.0]), np.array([2.0]))[0].as_py()[:18]
    '010100002084080000'
    """
    n = len(x)
    raw = np.empty((n, 25), np.uint8)
    raw[:, 0:5] = _EWKB_POINT_HEADER
    raw[:, 5:9] = np.frombuffer(np.uint32(srid).astype("<u4").tobytes(), np.uint8)
    raw[:, 9:17] = np.ascontiguousarray(x, dtype="<f8").view(np.uint8).reshape(n, 8)
    raw[:, 17:25] = np.ascontiguousarray(y, dtype="<f8").view(np.uint8).reshape(n, 8)
    text = binascii.hexlify(raw.tobytes())  # 50 ASCII characters a row
    offsets = (np.arange(n + 1, dtype=np.int64) * 50).astype(np.int32 if n * 50 < 2**31 else np.int64)
    kind = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    return pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(text)])


def copy_arrow(conn: psycopg.Connection, table: str, data: pa.Table,
               advance: Callable[[int], None] | None = None) -> int:
    """COPY every row of `data` into `table` (columns by name); returns the row count.

    Nulls become SQL NULL, empty strings stay empty; geometry columns take EWKB hex, array
    columns their text form ('{1,2}'), jsonb columns JSON text. `advance(n)` is called per chunk.
    """
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        qualified(table), sql.SQL(", ").join(sql.Identifier(c) for c in data.column_names)
    )
    options = pacsv.WriteOptions(include_header=False)
    with conn.cursor().copy(stmt) as cp:
        for start in range(0, data.num_rows, CHUNK_ROWS):
            part = data.slice(start, CHUNK_ROWS)
            sink = io.BytesIO()
            pacsv.write_csv(part, sink, options)
            cp.write(sink.getbuffer())
            if advance:
                advance(part.num_rows)
    return data.num_rows


@contextmanager
def rebuilt_indexes(conn: psycopg.Connection, table: str) -> Iterator[None]:
    """Drop `table`'s indexes and foreign keys, run the block, then recreate them.

    Building a GiST or B-tree index once by sorting beats updating it row by row, and one
    anti-join validating a foreign key beats a trigger call per row (5× for 10⁶ rows). All of
    it is inside the caller's transaction: on failure or kill the old definitions stay. The
    definitions come from the catalogue, so the migration stays the only place they are
    written. Foreign keys lock the referenced tables until commit; keep this to big loads.
    """
    schema, name = table.split(".")
    indexes = conn.execute(
        "SELECT n.nspname || '.' || ic.relname, pg_get_indexdef(i.indexrelid), "
        "obj_description(i.indexrelid, 'pg_class') FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_class ic ON ic.oid = i.indexrelid "
        "WHERE n.nspname = %s AND c.relname = %s AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        (schema, name),
    ).fetchall()
    # Foreign keys, and the primary key unless another table's foreign key needs it.
    fkeys = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid), obj_description(oid, 'pg_constraint') "
        "FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND (contype = 'f' OR (contype = 'p' AND NOT EXISTS "
        "(SELECT FROM pg_constraint r WHERE r.confrelid = %s::regclass))) ORDER BY contype DESC",
        (table, table),
    ).fetchall()
    for index_name, _, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(qualified(index_name)))
    for con_name, _, _ in fkeys:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(qualified(table), sql.Identifier(con_name)))
    yield
    # Definitions read back from pg_catalog are trusted SQL text, not user input; comments
    # (which surface in QGIS) go back on too.
    for index_name, definition, comment in indexes:
        conn.execute(sql.SQL(definition))  # type: ignore[arg-type]
        if comment is not None:
            conn.execute(sql.SQL("COMMENT ON INDEX {} IS {}").format(qualified(index_name), sql.Literal(comment)))
    for con_name, definition, comment in fkeys:
        name_sql = sql.Identifier(con_name)
        conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(qualified(table), name_sql)
                     + sql.SQL(definition))  # type: ignore[arg-type]
        if comment is not None:
            conn.execute(sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(
                name_sql, qualified(table), sql.Literal(comment)))
