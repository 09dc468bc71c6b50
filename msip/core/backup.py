"""Backups of an MSIP database: `pg_dump -Fc` out, and back into a freshly bootstrapped database.

A dump holds the schema, every row, the migration record (public._yoyo_migration) and the
raster catalogue, but not the COGs it points at (out-db rasters under $MSIP_DATA_DIR/rasters),
nor the roles and database settings, which `cluster.bootstrap` recreates before a restore.
pgpointcloud's format registry is restored before the tables whose patches refer to it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from msip.core.db import connect, one_row
from msip.core.errors import ConfigError, DatabaseError
from msip.core.settings import Settings

#: Extension tables whose rows other tables' values depend on (pgpointcloud checks pcids on COPY).
FIRST_DATA = (" TABLE DATA public pointcloud_formats ", " TABLE DATA public spatial_ref_sys ")


@dataclass(frozen=True)
class RestoreReport:
    """What a restore brought back: the database, its tables, migrations and catalogued rasters."""

    dbname: str
    tables: int
    migrations: int
    rasters: int
    rasters_missing: list[str]

    def summary(self) -> str:
        text = (
            f"restored database {self.dbname}: {self.tables} tables, {self.migrations} migrations recorded, "
            f"{self.rasters} catalogued raster files"
        )
        if self.rasters_missing:
            text += (
                f"; {len(self.rasters_missing)} of them are missing on disk (e.g. {self.rasters_missing[0]}): "
                "restore the raster store ($MSIP_DATA_DIR/rasters) to the same path"
            )
        return text


def _tool(name: str) -> str:
    from msip.core.cluster import pg_bindir

    return str(pg_bindir() / name)


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise DatabaseError(f"{what} failed: {' | '.join(lines[:3]) or f'exit code {result.returncode}'}")


def dump_database(url: str, out: Path) -> int:
    """Write `pg_dump -Fc` of the database at `url` to `out` (via a temporary name); returns its size in bytes."""
    out = out.expanduser().resolve()
    if not out.parent.is_dir():
        raise ConfigError(f"cannot write the dump {out}: folder {out.parent} does not exist; create it first")
    partial = out.with_name(out.name + ".partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={url}"], f"pg_dump to {out}")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out.stat().st_size


def is_local(settings: Settings, url: str) -> bool:
    """True when `url` is a database of the project-local cluster (its socket folder and port)."""
    from msip.core.db import conninfo_params

    p = conninfo_params(url)
    return p.get("host") == str(settings.pg_socket_dir) and p.get("port", "5432") == str(settings.pg_port)


def _restore_list(dump: Path) -> str:
    """The dump's table of contents with the extension tables' rows moved before all other rows."""
    listing = subprocess.run([_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise ConfigError(f"{dump} is not a pg_dump custom-format archive (make one with `msip db dump FILE`)")
    lines = listing.stdout.splitlines()
    first = [ln for ln in lines if any(key in ln for key in FIRST_DATA)]
    rest = [ln for ln in lines if ln not in first]
    at = next((i for i, ln in enumerate(rest) if " TABLE DATA " in ln), len(rest))
    return "\n".join(rest[:at] + first + rest[at:]) + "\n"


def _load_runs(settings: Settings, dbname: str) -> int:
    """Rows of msip.load_run in `dbname` (0 when the database, schema or table does not exist)."""
    from msip.core import cluster

    with connect(cluster.superuser_url(settings), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            return 0
    with connect(cluster.superuser_url(settings, dbname), autocommit=True) as conn:
        if not one_row(conn.execute("SELECT to_regclass('msip.load_run') IS NOT NULL"))[0]:
            return 0
        runs: int = one_row(conn.execute("SELECT count(*) FROM msip.load_run"))[0]
        return runs


def restore_database(settings: Settings, dump: Path, dbname: str, *, replace: bool = False) -> RestoreReport:
    """Recreate `dbname` on the local cluster (roles, extensions, settings) and restore `dump` into it.

    All or nothing: pg_restore runs in one transaction into `<dbname>_restoring`, which replaces
    `dbname` only when it succeeded. Refuses to replace a database holding load runs unless `replace` is given.
    """
    from msip.core import cluster
    from msip.core.db import applied_migrations

    dump = dump.expanduser().resolve()
    if not dump.is_file():
        raise ConfigError(f"dump file {dump} not found; make one with `msip db dump FILE`")
    toc = _restore_list(dump)
    cluster.start(settings)  # (re)creates an empty default database: an empty one may be replaced
    runs = _load_runs(settings, dbname)
    if runs and not replace:
        raise ConfigError(
            f"database {dbname} exists and holds {runs} load runs; add --replace to drop it (and every row "
            f"in it) and restore {dump.name}"
        )
    # Restore beside the old database and swap at the end: a failed restore leaves it untouched.
    staging = f"{dbname}_restoring"
    cluster.bootstrap(settings, staging, fresh=True)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".list", prefix="msip-restore-") as fh:
            fh.write(toc)
            fh.flush()
            _run(
                [_tool("pg_restore"), "--exit-on-error", "--single-transaction", f"--use-list={fh.name}",
                 f"--dbname={cluster.superuser_url(settings, staging)}", str(dump)],
                f"pg_restore of {dump} into {dbname} (left unchanged)",
            )
    except DatabaseError:
        with connect(cluster.superuser_url(settings), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(staging)))
        raise
    with connect(cluster.superuser_url(settings), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(dbname)))
    with connect(cluster.superuser_url(settings, dbname), autocommit=True) as conn:
        conn.execute("ANALYZE")  # a restore brings rows, not planner statistics
        tables = one_row(conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'msip'"))[0]
        migrations = len(applied_migrations(conn))
        has_catalogue = one_row(conn.execute("SELECT to_regclass('msip.raster_asset') IS NOT NULL"))[0]
        paths = [r[0] for r in conn.execute("SELECT DISTINCT path FROM msip.raster_asset")] if has_catalogue else []
    missing = [p for p in paths if not Path(p).exists()]
    return RestoreReport(dbname, tables, migrations, len(paths), missing)
