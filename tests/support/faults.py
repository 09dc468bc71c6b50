"""Helpers of the fault tests: database and raster-store snapshots, databases cloned from a
template, and loader subprocesses that are killed at a chosen moment of their run.

A *state* snapshot (`db_state`) covers every column of every msip table, grouped by the load
run that wrote each row: equal snapshots mean the database did not change. A *content* snapshot
(`db_content`) leaves out what differs between two equal loads (generated ids, timestamps,
durations, the raster store's absolute path) and groups by the run's kind, checksum and epoch,
so a database can be compared with a reference load in another database.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from msip.core import cluster
from msip.core.checksums import file_sha256
from msip.core.settings import Settings
from tests.support.paths import ROOT

VOLATILE_TYPES = ("timestamp with time zone", "timestamp without time zone")
#: search_item.ref is the item's key in its table (a serial id as text): ids differ between databases.
VOLATILE_COLUMNS = ("duration_s", "rast", "path", "message", "source_runs", "ref")


def fresh_db(settings: Settings, name: str) -> str:
    """Owner URL of a new, migrated database `name` (dropped first if it exists)."""
    from msip.core.migrate import migrate

    url = cluster.bootstrap(settings, name, fresh=True)
    migrate(url)
    return url


def clone_db(settings: Settings, template: str, name: str) -> str:
    """Owner URL of database `name`, recreated as a copy of `template` (CREATE DATABASE … TEMPLATE)."""
    with psycopg.connect(cluster.superuser_url(settings), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER msip_owner").format(
            sql.Identifier(name), sql.Identifier(template)))
    return cluster.bootstrap(settings, name)


def drop_db(settings: Settings, name: str) -> None:
    with psycopg.connect(cluster.superuser_url(settings), autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'msip' "
        "AND table_name = %s ORDER BY ordinal_position", (table,)).fetchall()


def _tables(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'msip' ORDER BY tablename")]


def _expr(name: str, kind: str, table: str) -> sql.Composable:
    col = sql.Identifier("t", name)
    if kind == "USER-DEFINED" and table == "lidar_patch":
        return sql.SQL("md5({}::text)").format(col)  # the patch's points, hashed
    return sql.SQL("{}::text").format(col)


def _run_column(cols: list[tuple[str, str]]) -> str | None:
    names = [c for c, _ in cols]
    return next((c for c in ("load_run_id", "run_id") if c in names), None)


def db_state(url: str) -> dict[str, dict[int | None, tuple[int, str]]]:
    """{table: {run id (None for rows without one): (rows, md5 of every column)}} — the exact state."""
    out: dict[str, dict] = {}
    with psycopg.connect(url) as conn:
        for table in _tables(conn):
            cols = _columns(conn, table)
            run = _run_column(cols)
            row = sql.SQL("md5(concat_ws('|', {}))").format(
                sql.SQL(", ").join(_expr(c, k, table) for c, k in cols))
            group = sql.Identifier("t", run) if run else sql.SQL("NULL::bigint")
            q = sql.SQL("SELECT {g}, count(*), md5(string_agg({r}, '' ORDER BY {r})) FROM msip.{t} t GROUP BY 1"
                        ).format(g=group, r=row, t=sql.Identifier(table))
            out[table] = {g: (n, h) for g, n, h in conn.execute(q)}
    return out


def db_content(url: str) -> dict[tuple, tuple[int, str]]:
    """{(table, run kind, run checksum, epoch, status): (rows, md5 of the stable columns)}.

    Ids, timestamps, durations and messages are left out, raster paths are made relative to
    the store, so two databases loaded with the same files compare equal.
    """
    out: dict[tuple, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        for table in _tables(conn):
            cols = _columns(conn, table)
            run = _run_column(cols)
            keep = [(c, k) for c, k in cols if not (c.endswith("_id") or k in VOLATILE_TYPES
                                                    or c in VOLATILE_COLUMNS)]
            parts = [_expr(c, k, table) for c, k in keep]
            if table == "raster_asset":
                parts.append(sql.SQL("regexp_replace(t.path, '^.*/rasters/', '')"))
            row = sql.SQL("md5(concat_ws('|', {}))").format(sql.SQL(", ").join(parts))
            if run:
                key = sql.SQL("r.source_kind, r.source_sha256, r.epoch::text, r.status")
                join = sql.SQL("LEFT JOIN msip.load_run r ON r.run_id = t.{}").format(sql.Identifier(run))
            else:
                key, join = sql.SQL("NULL, NULL, NULL, NULL"), sql.SQL("")
            q = sql.SQL("SELECT {k}, count(*), md5(string_agg({r}, '' ORDER BY {r})) FROM msip.{t} t {j} "
                        "GROUP BY 1, 2, 3, 4").format(k=key, r=row, t=sql.Identifier(table), j=join)
            for kind, sha, epoch, status, n, h in conn.execute(q):
                out[(table, kind, sha, epoch, status)] = (n, h)
    return out


def store_files(root: Path, under: str = "rasters") -> dict[str, str]:
    """{path relative to the store: sha256} of every file (hidden ones too) under `root/under`."""
    base = root / under
    if not base.exists():
        return {}
    return {str(p.relative_to(root)): file_sha256(p) for p in sorted(base.rglob("*")) if p.is_file()}


def catalogue_problems(url: str) -> list[str]:
    """What is wrong with the raster catalogue: missing files, files that do not open, changed content."""
    import rasterio

    problems = []
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT path, sha256 FROM msip.raster_asset ORDER BY path").fetchall()
    for path, sha in rows:
        p = Path(path)
        if not p.is_file():
            problems.append(f"{path}: catalogued but missing")
            continue
        try:
            with rasterio.open(p) as src:
                src.read(1, window=((0, 1), (0, 1)))
        except rasterio.errors.RasterioError as exc:
            problems.append(f"{path}: does not open ({exc})")
            continue
        if sha and file_sha256(p) != sha:
            problems.append(f"{path}: content differs from the catalogued sha256")
    return problems


def copy_store(src: Path, dst: Path) -> None:
    """Make `dst` an exact copy of `src` (hard to get wrong: remove, then copy with metadata)."""
    shutil.rmtree(dst, ignore_errors=True)
    if src.exists():
        shutil.copytree(src, dst, symlinks=True)
    else:
        dst.mkdir(parents=True)


@dataclass
class Outcome:
    killed: bool
    returncode: int
    stdout: str
    stderr: str


class Loader:
    """`python -m msip load …` in a subprocess against one database and raster store.

    Its database sessions carry a unique application_name, so the test can see when its first
    transaction opens (the moment a load run exists) and when its backends are gone after a kill.
    """

    def __init__(self, args: list[str], *, url: str, store: Path, tag: str):
        self.args, self.url, self.store, self.tag = args, url, store, tag

    def env(self) -> dict[str, str]:
        return {**os.environ, "MSIP_DATABASE_URL": self.url, "MSIP_DATA_DIR": str(self.store),
                "MSIP_PROGRESS": "0", "PGAPPNAME": self.tag}

    def _in_transaction(self) -> bool:
        with psycopg.connect(self.url, autocommit=True) as c:
            return bool(c.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                                  "AND xact_start IS NOT NULL", (self.tag,)).fetchone()[0])

    def _backends(self) -> int:
        with psycopg.connect(self.url, autocommit=True) as c:
            return c.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                             (self.tag,)).fetchone()[0]

    def copying(self) -> bool:
        """Progress marker: one of the loader's sessions is running a COPY (a bulk write)."""
        with psycopg.connect(self.url, autocommit=True) as c:
            return bool(c.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                                  "AND query ILIKE 'COPY%%'", (self.tag,)).fetchone()[0])

    def writing_rasters(self) -> bool:
        """Progress marker: the load has journalled its first raster file."""
        return bool(pending_journals(self.store))

    def run(self, *, kill_after_s: float | None = None, kill_when=None,
            timeout_s: float = 300) -> tuple[Outcome, float]:
        """Run the load; with `kill_after_s`, SIGKILL it (and its workers) that long after its
        first transaction opened, or after `kill_when()` first returned true when given.

        Returns the outcome and the seconds from the first transaction to the exit (or kill).
        """
        # Its own process group: the kill takes its tile workers too, as the OOM killer, systemd
        # or Ctrl-C on a terminal would (a lone orphaned worker would also hold the pipes open).
        proc = subprocess.Popen([sys.executable, "-m", "msip", "load", *self.args], cwd=ROOT, env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        deadline = time.monotonic() + timeout_s
        started = marked = None
        killed = False
        while proc.poll() is None and time.monotonic() < deadline:
            now = time.monotonic()
            if started is None and self._in_transaction():
                started = now
            if marked is None and started is not None and (kill_when is None or kill_when()):
                marked = now
            if marked is not None and kill_after_s is not None and now - marked >= kill_after_s:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.01)
        if proc.poll() is None and not killed:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"msip load {' '.join(self.args)} did not finish within {timeout_s} s")
        out, err = proc.communicate()
        elapsed = time.monotonic() - (started or time.monotonic())
        if killed:
            self.wait_backends_gone()
        return Outcome(killed, proc.returncode, out, err), elapsed

    def wait_backends_gone(self, timeout_s: float = 60) -> None:
        """The server notices a killed client and ends its sessions (rolling back); wait for that."""
        deadline = time.monotonic() + timeout_s
        while self._backends() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self._backends() == 0, f"sessions of the killed loader {self.tag} are still open"


def pending_journals(store: Path) -> list[Path]:
    folder = store / "rasters" / ".pending"
    return sorted(folder.glob("*.journal")) if folder.is_dir() else []


def journalled_paths(store: Path) -> set[str]:
    """Paths (relative to the store) that open journals will delete or restore on the next run."""
    out = set()
    for journal in pending_journals(store):
        for line in journal.read_text().splitlines():
            for part in line.split("\t")[1:]:
                p = Path(part)
                if p.is_relative_to(store):
                    out.add(str(p.relative_to(store)))
        out.add(str(journal.relative_to(store)))
    return out
