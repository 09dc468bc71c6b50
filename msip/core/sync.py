"""Staged upserts by source key and row hash: inserted / updated / unchanged / retired counts.

A loader COPYs its accepted rows into a temporary staging table shaped like the target
(`msip.core.copy.create_staging`), then `sync_staged` applies them: new keys are inserted,
keys whose `row_hash` changed are updated, equal ones are left alone (they keep the run
that brought them), and, when a `scope` is given, target rows in that scope whose key is
missing from the stage are deleted (a snapshot replaced: e.g. one epoch of buildings).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from msip.core.copy import qualified


@dataclass(frozen=True)
class SyncCounts:
    """Row counts of one sync."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


def row_hash(values: Sequence[object]) -> str:
    """A stable digest of a row's values (geometries as WKB hex, numbers rounded by the caller)."""
    text = json.dumps(list(values), default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _match(keys: Sequence[str], left: str, right: str) -> sql.Composable:
    return sql.SQL(" AND ").join(
        sql.SQL("{}.{} IS NOT DISTINCT FROM {}.{}").format(
            sql.Identifier(left), sql.Identifier(k), sql.Identifier(right), sql.Identifier(k)
        )
        for k in keys
    )


def sync_staged(
    conn: psycopg.Connection,
    target: str,
    stage: str,
    columns: Sequence[str],
    keys: Sequence[str],
    scope: dict[str, object] | None = None,
) -> SyncCounts:
    """Apply staging table `stage` to `target` (both with `columns` and a `row_hash` column).

    `keys` identify a row (e.g. ("epoch", "source_id")); `scope` (column → value) limits
    retirement to the snapshot being replaced; None retires nothing.
    """
    t, s = qualified(target), sql.Identifier(stage)
    match = _match(keys, "t", "s")
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    unchanged = conn.execute(
        sql.SQL("SELECT count(*) FROM {} s JOIN {} t ON {} AND t.row_hash = s.row_hash").format(
            s, t, match
        )
    ).fetchone()[0]
    updates = sql.SQL(", ").join(
        sql.SQL("{} = s.{}").format(sql.Identifier(c), sql.Identifier(c))
        for c in columns
        if c not in keys
    )
    updated = conn.execute(
        sql.SQL("UPDATE {} t SET {} FROM {} s WHERE {} AND t.row_hash <> s.row_hash").format(
            t, updates, s, match
        )
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
    return SyncCounts(inserted=inserted, updated=updated, unchanged=unchanged, retired=retired)
