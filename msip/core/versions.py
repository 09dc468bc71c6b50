"""Version writing: a source's new rows against the ones already stored, in two modes, one change test.

- **History** (`write_version`; trees, advertisements, landscape zones): rows of one dataset
  are matched by `source_id` and kept with valid_from / valid_to. A new version (later
  epoch) leaves equal rows alone (unchanged), closes changed rows at the new epoch and
  inserts their new state (updated), inserts new ids (inserted) and closes ids it no longer
  lists (retired, e.g. a felled tree). The first version of a dataset is COPYed straight into
  the table; a big one rebuilds the table's indexes afterwards instead of updating them row
  by row.
- **Snapshot** (`sync_staged`; zoning, buildings, green spaces): a loader COPYs its accepted
  rows into a temporary staging table shaped like the target (`msip.core.copy.create_staging`);
  new keys are inserted, changed rows updated in place, equal ones left alone (they keep the
  run that brought them), and, when a `scope` is given, target rows in that scope whose key
  is missing from the stage are deleted (a snapshot replaced: e.g. one epoch of buildings).

Both modes tell an unchanged row from a changed one with the same test (`_same`): the
compared columns of the new and the stored row are not distinct. Snapshot tables store a
`row_hash` (the loader's `row_hash` of the row's values), so only that column is compared;
history tables compare their value columns themselves. Both count with `VersionCounts`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

import psycopg
import pyarrow as pa
from psycopg import sql

from msip.core.copy import copy_rows, qualified, rebuilt_indexes
from msip.core.db import one_row
from msip.core.errors import DatabaseError, MsipError, ValidationError
from msip.core.runs import LoadRun

#: A first version this big into a table this small rebuilds the table's indexes instead of updating them.
BULK_ROWS = 50_000


@dataclass(frozen=True)
class VersionCounts:
    """Rows of one version write: inserted, updated, unchanged, and earlier rows retired."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


def row_hash(values: Sequence[object]) -> str:
    """A stable digest of a row's values (geometries as WKB hex, numbers rounded by the caller)."""
    text = json.dumps(list(values), default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _same(columns: Sequence[str], left: str, right: str, *, not_null: bool = False) -> sql.Composable:
    """The change test: `left`'s and `right`'s `columns` are not distinct (NULL equals NULL).

    `not_null` columns (a row hash) compare with `=`, which the planner can hash-join on.
    """
    op = "=" if not_null else "IS NOT DISTINCT FROM"
    return sql.SQL("({}) " + op + " ({})").format(
        sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(left), sql.Identifier(c)) for c in columns),
        sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(right), sql.Identifier(c)) for c in columns))


# --- history mode -----------------------------------------------------------------------------


def write_version(run: LoadRun, table: str, data: pa.Table, *, dataset: str, epoch: date,
                  advance: Callable[[int], None] | None = None) -> VersionCounts:
    """Write `data` (source_id, value columns, geom) as the `epoch` version of `dataset` in `table`.

    Every column but source_id is compared to tell unchanged rows from changed ones.

    Counts go to `run.loaded` and are returned. Raises ValidationError when `epoch` is older
    than the dataset's newest version, or equal to it with different content (a version
    cannot change in place).
    """
    conn = run.conn
    t = qualified(table)
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{table}:{dataset}",))
    newest, current = one_row(conn.execute(
        sql.SQL("SELECT greatest(max(valid_from), max(valid_to)), count(*) FILTER (WHERE valid_to IS NULL) "
                "FROM {} WHERE dataset = %s").format(t), (dataset,)))
    if newest is not None and epoch < newest:
        raise ValidationError(
            f"dataset {dataset!r} in {table} already holds the version of {newest}; {epoch} is older. Versions "
            "load in date order: give the right --epoch, or load it as another --dataset")
    n = data.num_rows
    full = (data.append_column("dataset", pa.repeat(pa.scalar(dataset, pa.string()), n))
                .append_column("valid_from", pa.repeat(pa.scalar(epoch, pa.date32()), n))
                .append_column("load_run_id", pa.repeat(pa.scalar(run.run_id, pa.int64()), n)))
    if current == 0:
        try:
            with rebuilt_indexes(conn, table) if _is_bulk(conn, table, n) else nullcontext():
                copy_rows(conn, table, full.column_names, full, advance=advance)
        except psycopg.errors.DeadlockDetected:
            raise DatabaseError(
                f"another big load into {table} or msip.load_run ran at the same time as this one "
                f"({n} rows, which rebuilds the table's indexes); nothing was written — run it again") from None
        counts = VersionCounts(inserted=n)
    else:
        value_columns = [c for c in data.column_names if c != "source_id"]
        counts = _apply_diff(run, table, full, dataset, epoch, value_columns, advance,
                             same_epoch=(epoch == newest))
    run.loaded(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged,
               retired=counts.retired)
    return counts


def _is_bulk(conn: psycopg.Connection, table: str, n: int) -> bool:
    if n < BULK_ROWS:
        return False
    rows = one_row(conn.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (table,)))[0]
    if rows < 0:
        rows = one_row(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(qualified(table))))[0]
    return bool(n >= rows)


def _apply_diff(run: LoadRun, table: str, full: pa.Table, dataset: str, epoch: date,
                value_columns: Sequence[str], advance: Callable[[int], None] | None, *,
                same_epoch: bool) -> VersionCounts:
    conn = run.conn
    t, s = qualified(table), sql.Identifier("inventory_stage")
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in full.column_names)
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(s, columns, t))
    copy_rows(conn, "inventory_stage", full.column_names, full, advance=advance)
    conn.execute(sql.SQL("CREATE INDEX ON {} (source_id)").format(s))
    conn.execute(sql.SQL("ANALYZE {}").format(s))
    equal = _same(value_columns, "s", "c")
    current = sql.SQL("c.dataset = %(ds)s AND c.valid_to IS NULL")
    params = {"ds": dataset, "epoch": epoch, "run": run.run_id}
    unchanged, changed, new = one_row(conn.execute(sql.SQL(
        "SELECT count(*) FILTER (WHERE c.source_id IS NOT NULL AND {eq}), "
        "count(*) FILTER (WHERE c.source_id IS NOT NULL AND NOT {eq}), count(*) FILTER (WHERE c.source_id IS NULL) "
        "FROM {s} s LEFT JOIN {t} c ON {cur} AND c.source_id = s.source_id").format(
        eq=equal, s=s, t=t, cur=current), params))
    retired = one_row(conn.execute(sql.SQL(
        "SELECT count(*) FROM {t} c WHERE {cur} AND NOT EXISTS (SELECT FROM {s} s WHERE s.source_id = c.source_id)"
    ).format(t=t, cur=current, s=s), params))[0]
    if same_epoch and (changed or new or retired):
        raise ValidationError(
            f"dataset {dataset!r} in {table} already has a version of {epoch} with different content ({changed} "
            f"changed, {new} new, {retired} missing rows); a version cannot change in place: give this file a "
            "later --epoch (history keeps both), or load it as another --dataset")
    closed = conn.execute(sql.SQL(
        "UPDATE {t} c SET valid_to = %(epoch)s, retired_run_id = %(run)s WHERE {cur} AND NOT EXISTS "
        "(SELECT FROM {s} s WHERE s.source_id = c.source_id AND {eq})").format(t=t, cur=current, s=s, eq=equal),
        params).rowcount
    inserted = conn.execute(sql.SQL(
        "INSERT INTO {t} ({cols}) SELECT {cols} FROM {s} s WHERE NOT EXISTS "
        "(SELECT FROM {t} c WHERE {cur} AND c.source_id = s.source_id)").format(t=t, cols=columns, s=s, cur=current),
        params).rowcount
    if closed != changed + retired or inserted != changed + new:
        raise MsipError(f"internal count mismatch writing {table} (closed {closed}, inserted {inserted}); "
                        "nothing was committed")
    return VersionCounts(inserted=new, updated=changed, unchanged=unchanged, retired=retired)


# --- snapshot mode ----------------------------------------------------------------------------


def _match(keys: Sequence[str], left: str, right: str, not_null: frozenset[str] = frozenset()) -> sql.Composable:
    """Key equality; `=` for keys declared NOT NULL (index and hash joins), IS NOT DISTINCT FROM for the rest."""
    return sql.SQL(" AND ").join(
        sql.SQL("{}.{} {} {}.{}").format(
            sql.Identifier(left), sql.Identifier(k), sql.SQL("=" if k in not_null else "IS NOT DISTINCT FROM"),
            sql.Identifier(right), sql.Identifier(k),
        )
        for k in keys
    )


def _not_null_columns(conn: psycopg.Connection, target: str) -> frozenset[str]:
    """The columns of table `target` (schema.table) declared NOT NULL."""
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND attnotnull "
        "AND NOT attisdropped",
        (target,),
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)


def sync_staged(
    conn: psycopg.Connection,
    target: str,
    stage: str,
    columns: Sequence[str],
    keys: Sequence[str],
    scope: dict[str, object] | None = None,
) -> VersionCounts:
    """Apply staging table `stage` to `target` (both with `columns` and a `row_hash` column).

    `keys` identify a row (e.g. ("epoch", "source_id")); `scope` (column → value) limits
    retirement to the snapshot being replaced; None retires nothing.
    """
    t, s = qualified(target), sql.Identifier(stage)
    match = _match(keys, "t", "s", _not_null_columns(conn, target))
    same = _same(("row_hash",), "t", "s", not_null=True)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    unchanged = one_row(conn.execute(
        sql.SQL("SELECT count(*) FROM {} s JOIN {} t ON {} AND {}").format(s, t, match, same)
    ))[0]
    updates = sql.SQL(", ").join(
        sql.SQL("{} = s.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in columns
        if c not in keys
    )
    updated = conn.execute(
        sql.SQL("UPDATE {} t SET {} FROM {} s WHERE {} AND NOT {}").format(t, updates, s, match, same)
    ).rowcount
    inserted = conn.execute(
        sql.SQL(
            "INSERT INTO {} ({}) SELECT {} FROM {} s WHERE NOT EXISTS (SELECT 1 FROM {} t WHERE {})"
        ).format(t, cols, cols, s, t, match)
    ).rowcount
    retired = 0
    if scope is not None:
        where = (
            sql.SQL(" AND ").join(
                sql.SQL("t.{} IS NOT DISTINCT FROM {}").format(sql.Identifier(k), sql.Literal(v))
                for k, v in scope.items()
            )
            if scope
            else sql.SQL("true")
        )
        retired = conn.execute(
            sql.SQL(
                "DELETE FROM {} t WHERE {} AND NOT EXISTS (SELECT 1 FROM {} s WHERE {})"
            ).format(t, where, s, match)
        ).rowcount
    return VersionCounts(inserted=inserted, updated=updated, unchanged=unchanged, retired=retired)
