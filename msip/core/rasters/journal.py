"""Raster-store journal: the files a load run writes are undone when its transaction does not commit.

A load writes its COGs and VRTs under their final names before its transaction commits
(PostGIS opens an out-db file when it is catalogued), so a crash or `kill -9` would otherwise
leave uncatalogued files behind, or catalogued files with new content. Every write of a run is
therefore first noted in `$MSIP_DATA_DIR/rasters/.pending/<database>-run<id>.journal`, and a
file it replaces is kept as a hard-linked backup `.<name>.run<id>.bak` beside it. After the
commit the backups and the journal are deleted; after a failure the new files are deleted and
the backups put back — at once for an exception, and for a killed process by the next load run
on the same database, as soon as the dead run's transaction is over (its advisory lock is free).

Worker processes find the journal through the MSIP_RASTER_JOURNAL environment variable, which
local worker processes inherit; tiles computed on a remote Dask cluster are not journalled.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from msip.core.checksums import file_sha256
from msip.core.db import connect, one_row
from msip.core.errors import SourceReadError
from msip.core.settings import get_settings

ENV = "MSIP_RASTER_JOURNAL"
#: First key of the two-key advisory lock a run holds while its journal may grow ('MSIP').
LOCK_CLASS = 0x4D534950
PENDING = Path("rasters") / ".pending"


def pending_dir() -> Path:
    """`$MSIP_DATA_DIR/rasters/.pending`, where open journals live."""
    return get_settings().data_dir / PENDING


def database_tag(url: str | None) -> str:
    """A short stable name of the database a URL points at (journals of other databases are left alone)."""
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(url or get_settings().database_url)
    key = f"{p.get('host', '')}|{p.get('port', '')}|{p.get('dbname', '')}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _lock_key(run_id: int) -> int:
    return run_id % 2_147_483_647


@dataclass
class Journal:
    """The journal of one load run: where it is and which environment value it replaced."""

    path: Path
    run_id: int
    previous_env: str | None

    def finish(self, *, committed: bool) -> None:
        """Forget the backups (committed) or undo every noted write (not committed); close the journal.

        A file that cannot be removed or restored now leaves the journal in place: the next
        run's `recover` settles it (the caller's outcome or error matters more here).
        """
        try:
            if self.path.exists():
                _settle(self.path, committed=committed, catalogued=None)
        except OSError:
            pass
        finally:
            if self.previous_env is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = self.previous_env


def begin(conn: psycopg.Connection, run_id: int, url: str | None) -> Journal:
    """Open the journal of `run_id` (created on the first write) and hold its advisory lock in `conn`'s transaction."""
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, _lock_key(run_id)))
    path = pending_dir() / f"{database_tag(url)}-run{run_id}.journal"
    journal = Journal(path, run_id, os.environ.get(ENV))
    os.environ[ENV] = str(path)
    return journal


def note_write(path: Path, tmp: Path) -> None:
    """Record that the current run is about to write `tmp` and then rename it to `path`.

    Outside a load run (no journal in the environment) this does nothing. An existing `path`
    is hard-linked to a backup first, so the old content can be put back. Raises OSError when
    the journal cannot be written (the caller reports it like any failed write).
    """
    journal = os.environ.get(ENV)
    if not journal:
        return
    journal_path = Path(journal)
    path, tmp = Path(path).resolve(), Path(tmp).resolve()
    run = journal_path.stem.rsplit("-", 1)[-1]
    lines = [f"tmp\t{tmp}"]
    if path.exists():
        backup = path.with_name(f".{path.name}.{run}.bak")
        if not backup.exists():
            os.link(path, backup)
        lines.append(f"over\t{path}\t{backup}")
    else:
        lines.append(f"new\t{path}")
    if not journal_path.parent.is_dir():
        journal_path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(journal_path.parent, 0o755)
    fd = os.open(journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, ("\n".join(lines) + "\n").encode())  # one write: lines of workers never interleave
    finally:
        os.close(fd)


def _entries(journal: Path) -> list[list[str]]:
    return [line.split("\t") for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]


def _settle(journal: Path, *, committed: bool, catalogued: Callable[[Path], str | None] | None) -> None:
    """Apply a finished run's journal: drop backups (committed) or restore them and drop new files.

    Two processes may settle the same journal at once — its run, just after its transaction ended
    (the lock is free then), and another load's `recover` — so a file the other one already removed,
    moved back or deleted is no error: the outcome is the same.
    """
    try:
        entries = _entries(journal)
    except FileNotFoundError:
        return  # settled by the other one
    for entry in entries:
        kind, target = entry[0], Path(entry[1])
        if kind == "tmp":
            target.unlink(missing_ok=True)
        elif kind == "new" and not committed:
            # A later committed run may have catalogued the same name since: then it stays.
            if catalogued is None or catalogued(target) is None:
                target.unlink(missing_ok=True)
        elif kind == "over":
            backup = Path(entry[2])
            if not backup.exists():
                continue
            if committed:
                backup.unlink(missing_ok=True)
                continue
            current = catalogued(target) if catalogued is not None else None
            try:
                if catalogued is None or current is None or current == file_sha256(backup):
                    os.replace(backup, target)
                else:  # a later committed run owns the file now
                    backup.unlink()
            except FileNotFoundError:
                continue  # the other one put it back first
    journal.unlink(missing_ok=True)


def recover(url: str | None) -> int:
    """Settle the journals that runs killed earlier left for this database; returns how many.

    A journal whose run still holds its lock is in flight and left alone; a run whose
    `load_run` row exists committed (its backups are dropped), any other did not (undone).
    """
    folder = pending_dir()
    if not folder.is_dir():
        return 0
    tag = database_tag(url)
    journals = sorted(folder.glob(f"{tag}-run*.journal"))
    if not journals:
        return 0
    settled = 0
    with connect(url, autocommit=True) as conn:
        for journal in journals:
            run_id = int(journal.stem.rsplit("-run", 1)[1])
            key = (LOCK_CLASS, _lock_key(run_id))
            if not one_row(conn.execute("SELECT pg_try_advisory_lock(%s, %s)", key))[0]:
                continue
            try:
                committed = one_row(conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM msip.load_run WHERE run_id = %s)", (run_id,)
                ))[0]

                def catalogued(path: Path) -> str | None:
                    row = conn.execute(
                        "SELECT coalesce(sha256, '') FROM msip.raster_asset WHERE path = %s LIMIT 1",
                        (str(path),),
                    ).fetchone()
                    return row[0] if row else None

                _settle(journal, committed=committed, catalogued=catalogued)
                settled += 1
            except OSError as exc:
                raise SourceReadError(
                    f"cannot undo the raster files of interrupted load run {run_id} listed in {journal}: "
                    f"{exc.strerror or exc}; fix: make {folder.parent} writable, then run the load again"
                ) from None
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)
    return settled
