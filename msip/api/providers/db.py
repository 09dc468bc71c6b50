"""Database access for the API: one psycopg connection pool per database and cached table metadata.

pygeoapi builds a provider object for every request, so anything slow (pools, catalogue
look-ups) lives here at module level, created lazily in each server worker after the fork.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool, PoolTimeout
from pygeoapi.provider.base import ProviderConnectionError, ProviderQueryError

LOGGER = logging.getLogger(__name__)

#: Longest a single API query may run (ms); the reader role's own limit is 30 s.
STATEMENT_TIMEOUT_MS = 15_000
POOL_MAX = 4
#: How long a request waits for a connection before answering 503 (s).
POOL_TIMEOUT_S = 5.0

_pools: dict[str, ConnectionPool] = {}
_lock = threading.Lock()
#: conninfo → monotonic time until which the database counts as down: after a failed connection
#: the queries of the next POOL_TIMEOUT_S answer 503 at once instead of each waiting the pool
#: timeout again (a page that asks for many collections' metadata would otherwise wait for each).
_down_until: dict[str, float] = {}


class DatabaseUnavailable(ProviderConnectionError):
    """The database cannot be reached: answered as 503 with a message, never as a traceback."""

    http_status_code = 503
    ogc_exception_code = "ServiceUnavailable"
    default_msg = "the database is unavailable; try again in a minute"


class QueryTooExpensive(ProviderQueryError):
    """A query ran past the statement timeout: 503 telling the client to narrow it."""

    http_status_code = 503
    ogc_exception_code = "ServiceUnavailable"


def conninfo_from_def(data: dict) -> str:
    """libpq conninfo from a pygeoapi provider `data` block (host, port, dbname, user, password)."""
    keys = ("host", "port", "dbname", "user", "password")
    return _conninfo(tuple((k, str(data[k])) for k in keys if data.get(k) not in (None, "")))


@lru_cache(maxsize=64)
def _conninfo(params: tuple[tuple[str, str], ...]) -> str:
    return make_conninfo(**dict(params), application_name="msip-api")


def _configure(conn: psycopg.Connection) -> None:
    # Set here rather than trusting the role's defaults, which the role itself may change.
    conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    conn.commit()


def pool(conninfo: str) -> ConnectionPool:
    """The process's pool for `conninfo` (opened on first use; connections are read-only)."""
    p = _pools.get(conninfo)
    if p is None:
        with _lock:
            p = _pools.get(conninfo)
            if p is None:
                p = ConnectionPool(
                    conninfo,
                    min_size=1,
                    max_size=POOL_MAX,
                    timeout=POOL_TIMEOUT_S,
                    configure=_configure,
                    # a connection the database dropped (e.g. a restart) is replaced before use
                    check=lambda conn: _check(conninfo, conn),
                    open=False,
                    name="msip-api",
                    kwargs={"autocommit": True, "connect_timeout": 5},
                )
                p.open(wait=False)
                _pools[conninfo] = p
    return p


def _check(conninfo: str, conn: psycopg.Connection) -> None:
    """Check a connection before it is handed out; when it is broken, check the idle ones too.

    A database restart or a dropped database breaks every pooled connection at once. The pool
    would find them one by one, sleeping with a growing back-off after each (1 s, 2 s, …), so four
    dead connections outlast the 5 s a request waits; checking all idle ones at the first failure
    costs one back-off.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        p = _pools.get(conninfo)
        if p is not None:
            p.check()
        raise


def pool_stats() -> dict[str, dict[str, int]]:
    """Statistics of every open pool (for /metrics): size, available, waiting, errors."""
    return {conninfo: p.get_stats() for conninfo, p in _pools.items()}


def fetch(conninfo: str, query: sql.Composed | sql.SQL | str, params: tuple | dict = ()) -> list[tuple]:
    """Run a read-only query on a pooled connection; connection problems become DatabaseUnavailable."""
    if time.monotonic() < _down_until.get(conninfo, 0.0):
        raise DatabaseUnavailable(user_msg="the database is unavailable; try again later")
    try:
        with pool(conninfo).connection() as conn:
            return conn.execute(query, params or None).fetchall()
    except PoolTimeout:
        _down_until[conninfo] = time.monotonic() + POOL_TIMEOUT_S
        raise DatabaseUnavailable(
            user_msg=f"the database is unavailable (no connection within {POOL_TIMEOUT_S:g} s); "
            "try again later"
        ) from None
    except psycopg.errors.QueryCanceled:
        raise QueryTooExpensive(
            user_msg=f"the query ran longer than {STATEMENT_TIMEOUT_MS // 1000} s; "
            "narrow the bbox or the filter, or lower the limit"
        ) from None
    except psycopg.OperationalError as exc:
        LOGGER.warning("database error: %s", exc)
        _down_until[conninfo] = time.monotonic() + POOL_TIMEOUT_S
        raise DatabaseUnavailable(user_msg="the database is unavailable; try again later") from None


def data_version(conninfo: str) -> tuple[object, ...]:
    """What changes whenever a load or an analysis run writes data: the latest run and its end.

    Asked once per HTTP request and database (a /collections page asks it for every collection's
    extent and download links).
    """
    from flask import g, has_request_context

    cache: dict[str, tuple[object, ...]] | None = None
    if has_request_context():
        cache = g.setdefault("msip_data_versions", {})
        if conninfo in cache:
            return cache[conninfo]
    version = tuple(
        fetch(
            conninfo,
            "SELECT coalesce(max(run_id), 0), max(finished_at), count(*) FILTER "
            "(WHERE finished_at IS NULL) FROM msip.load_run_public",
        )[0]
    )
    if cache is not None:
        cache[conninfo] = version
    return version


@dataclass(frozen=True)
class Column:
    """A column of a published table: name, PostgreSQL type and its JSON-Schema type/format."""

    name: str
    pg_type: str
    json_type: str
    json_format: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class TableInfo:
    """What the providers need to know about a table or view: columns, geometry, key, SRID."""

    schema: str
    table: str
    columns: tuple[Column, ...]
    geom: str | None
    srid: int
    geometry_type: str
    id_field: str
    description: str | None

    @property
    def ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.table)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


_JSON_TYPES = {
    "smallint": ("integer", None),
    "integer": ("integer", None),
    "bigint": ("integer", None),
    "real": ("number", None),
    "double precision": ("number", None),
    "numeric": ("number", None),
    "boolean": ("boolean", None),
    "date": ("string", "date"),
    "timestamp with time zone": ("string", "date-time"),
    "timestamp without time zone": ("string", "date-time"),
    "time without time zone": ("string", "time"),
    "interval": ("string", "duration"),
    "jsonb": ("object", None),
    "json": ("object", None),
}


def _json_type(pg_type: str) -> tuple[str, str | None]:
    """JSON type and format of a `format_type()` name; modifiers such as numeric(12,2) do not change it."""
    if pg_type.endswith("[]"):
        return "array", None
    return _JSON_TYPES.get(re.sub(r"\(.*?\)", "", pg_type), ("string", None))


@lru_cache(maxsize=256)
def table_info(
    conninfo: str, qualified: str, geom: str | None = None, id_field: str | None = None
) -> TableInfo:
    """Read a table's (or view's) columns, geometry column/SRID and key from the catalogue (cached).

    `id_field` defaults to the primary key; views need it given. Raises ProviderQueryError naming
    the table and the fix when it does not exist or has no usable geometry or key.
    """
    schema, _, table = qualified.rpartition(".")
    schema = schema or "public"
    rows = fetch(
        conninfo,
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum),
               obj_description(c.oid, 'pg_class')
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum""",
        (schema, table),
    )
    if not rows:
        raise ProviderQueryError(
            user_msg=f"table {schema}.{table} does not exist (or msip_reader may not read it); "
            "run `msip db migrate` and load the data, or remove the collection from pygeoapi-config.yml"
        )
    description = rows[0][3]
    geoms = fetch(
        conninfo,
        "SELECT f_geometry_column, srid, type FROM geometry_columns "
        "WHERE f_table_schema = %s AND f_table_name = %s",
        (schema, table),
    )
    if geom is None and geoms:
        geom = geoms[0][0]
    found = next((g for g in geoms if g[0] == geom), None)
    if found is None and geom is not None:
        raise ProviderQueryError(
            user_msg=f"table {schema}.{table} has no geometry column {geom!r}; "
            "set geom_field in pygeoapi-config.yml"
        )
    srid, gtype = (
        (int(found[1]) or 2180, found[2]) if found else (2180, "None")
    )  # no geometry: a plain table
    if id_field is None:
        pk = fetch(
            conninfo,
            """
            SELECT a.attname FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = %s::regclass AND i.indisprimary""",
            (f'"{schema}"."{table}"',),
        )
        if len(pk) == 1:
            id_field = pk[0][0]
        elif rows[0][0] == "id" or rows[0][0].endswith("_id"):
            id_field = rows[0][0]  # a view: its first column when it is named like a key
        else:
            raise ProviderQueryError(
                user_msg=f"{schema}.{table} has no single-column primary key; "
                "set id_field in pygeoapi-config.yml"
            )
    columns = []
    for name, pg_type, comment, _ in rows:
        if (
            name == geom
            or pg_type in ("raster", "pcpatch")
            or pg_type.startswith(("geometry", "geography", "pcpatch"))
        ):
            continue
        jtype, jformat = _json_type(pg_type)
        columns.append(Column(name, pg_type, jtype, jformat, comment))
    if not any(c.name == id_field for c in columns):
        raise ProviderQueryError(
            user_msg=f"{schema}.{table} has no column {id_field!r} for id_field"
        )
    return TableInfo(schema, table, tuple(columns), geom, srid, gtype, id_field, description)


def close_pools() -> None:
    """Close every pool of this process (before forking workers, or at exit)."""
    with _lock:
        for p in _pools.values():
            p.close()
        _pools.clear()
