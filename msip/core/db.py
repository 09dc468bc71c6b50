"""The one database helper: psycopg connections and a SQLAlchemy engine for the same URL.

Pipelines, analyses and tests all connect through here, so connection errors read the same
everywhere and never show a password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from msip.core.errors import DatabaseError
from msip.core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def redact(url: str) -> str:
    """A printable description of a connection URL: host, port, database and user, no password."""
    try:
        p = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<unparsable database URL>"
    return (f"user={p.get('user', '?')} db={p.get('dbname', '?')} "
            f"host={p.get('host', 'localhost')} port={p.get('port', 5432)}")


def conninfo_params(url: str) -> dict[str, str]:
    """The URL split into libpq keywords (host, port, dbname, user, password …)."""
    return {k: str(v) for k, v in conninfo_to_dict(url).items()}


def connect(url: str | None = None, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg 3 connection to `url` (default: MSIP_DATABASE_URL, as msip_owner).

    Raises `DatabaseError` naming the server and the fix when the database is unreachable.
    """
    url = url or get_settings().database_url
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(
            f"cannot connect to the database ({redact(url)}): {reason}. "
            "Start the project's cluster with `msip db start` (or `make demo`), "
            "or point MSIP_DATABASE_URL at a running PostGIS"
        ) from None


def one_row(cursor: psycopg.Cursor[Any]) -> tuple[Any, ...]:
    """The row of a query that always returns exactly one (an aggregate, INSERT … RETURNING)."""
    row = cursor.fetchone()
    if row is None:  # only a wrong query gets here
        raise DatabaseError("the database returned no row where the query always returns one")
    return tuple(row)


@contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg.Connection]:
    """A connection whose work commits on success and rolls back entirely on any error."""
    conn = connect(url)
    try:
        with conn.transaction():
            yield conn
    finally:
        conn.close()


@lru_cache(maxsize=4)
def engine(url: str | None = None) -> Engine:
    """A pooled SQLAlchemy engine (psycopg 3 driver) for geopandas and GeoAlchemy2 work."""
    from sqlalchemy import create_engine

    target = url or get_settings().database_url
    return create_engine(
        "postgresql+psycopg://", creator=lambda: connect(target), pool_pre_ping=True
    )


def applied_migrations(conn: psycopg.Connection) -> list[str]:
    """Ids of the migrations recorded in the database (empty if none were ever applied)."""
    exists = one_row(conn.execute("SELECT to_regclass('public._yoyo_migration') IS NOT NULL"))[0]
    if not exists:
        return []
    rows = conn.execute("SELECT migration_id FROM public._yoyo_migration ORDER BY applied_at_utc")
    return [r[0] for r in rows]
