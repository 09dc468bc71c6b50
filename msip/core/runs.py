"""The one load-run recorder: provenance, quarantine, idempotency and all-or-nothing commits.

Longer than ~300 lines because the run's report, its commit and its failure record must agree
on one status, so they stay in one module.

Every loader calls `run_load(kind, path, epoch=…, body=…)`. The body receives a `LoadRun`
whose connection is inside one transaction: the data, the `load_run` row and the quarantined
rows commit together or not at all. A failure rolls everything back and records a `failed`
run (with the message) in a separate transaction; a SIGKILL leaves the database as it was.
A run that loaded nothing because every row was refused is `failed` too (its data rolled back,
its counts and quarantined rows kept), never `succeeded`. Texts stored or printed whole are
shortened only at a word boundary, with "…" (`shorten`).
The same file (same kind, checksum, epoch and parameters) loaded again is a no-op. Raster files
written by a run that does not commit are undone (msip.core.rasters.journal): at once after an
exception, by the next run after a kill.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from msip import __version__
from msip.core.checksums import file_sha256
from msip.core.db import connect, one_row
from msip.core.errors import MsipError, ValidationError
from msip.core.rasters import journal as store_journal

_ROW_PREFIX = re.compile(r"^[^:]*? row \d+(?: \([^)]*\))?: ")
#: Longest message or note list stored in msip.load_run, characters.
MESSAGE_CHARS = 2000
#: Longest reason family shown in a summary's "rejected N×" line, characters.
REASON_CHARS = 120


def shorten(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut at the last word boundary before it, with "…".

    >>> shorten("not accepted (EPSG:2180 or PL-2000 2176–2179)", 40)
    'not accepted (EPSG:2180 or PL-2000 …'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # else one very long word: cut it rather than lose most of the text
        cut = cut[:space + 1]
    return cut + "…"


class NothingLoaded(ValidationError):
    """Every row (tile, feature) of a source was refused, so nothing was loaded: the run is `failed`."""


@dataclass
class Rejection:
    """One refused row: where it was, why, and its raw values."""

    row_number: int | None
    reason: str
    source_id: str | None = None
    field: str | None = None
    raw: dict[str, Any] | None = None
    count: int = 1
    """Rows this record stands for (bulk sources such as LiDAR summarise many points in one record)."""


@dataclass
class LoadReport:
    """What a load did; `summary()` is what the CLI prints at the end."""

    kind: str
    source_path: str
    sha256: str
    epoch: date | None
    status: str = "running"  # succeeded | unchanged | failed
    run_id: int | None = None
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_retired: int = 0
    duration_s: float = 0.0
    message: str = ""
    notes: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def top_reasons(self, n: int = 5) -> list[tuple[str, int]]:
        """The most frequent rejection reasons, with counts (values stripped to group alike)."""
        def family(reason: str) -> str:
            # Reasons open with "<file> row <n>[ (id …)]: " (STYLE.md); group on what follows.
            reason = _ROW_PREFIX.sub("", reason, count=1)
            return reason.split("=")[0] if "=" in reason else shorten(reason, REASON_CHARS)

        counts: Counter[str] = Counter()
        for r in self.rejections:
            counts[family(r.reason)] += r.count
        return counts.most_common(n)

    def summary(self) -> str:
        name = Path(self.source_path).name
        if self.status == "unchanged":
            return f"{name}: unchanged — {self.message}"
        lines = [
            f"{name}: {self.status} (run {self.run_id}) — {self.rows_in} in = {self.rows_loaded} loaded "
            f"+ {self.rows_rejected} rejected; inserted {self.rows_inserted}, updated {self.rows_updated}, "
            f"unchanged {self.rows_unchanged}, retired {self.rows_retired} ({self.duration_s:.1f} s)"
        ]
        lines += [f"  note: {n}" for n in self.notes[:10]]
        for reason, count in self.top_reasons():
            lines.append(f"  rejected {count}×: {reason}")
        for r in self.rejections[:3]:
            where = "" if f"row {r.row_number}" in r.reason else f"row {r.row_number}: "
            lines.append(f"    e.g. {where}{r.reason}")
        if self.message and self.status != "succeeded":
            lines.append(f"  {self.message}")
        return "\n".join(lines)


class LoadRun:
    """The state of one running load, handed to the loader's body."""

    def __init__(self, conn: psycopg.Connection, report: LoadReport):
        self.conn = conn
        self.report = report

    @property
    def run_id(self) -> int:
        assert self.report.run_id is not None
        return self.report.run_id

    def count_in(self, n: int = 1) -> None:
        """Count rows read from the source (before validation)."""
        self.report.rows_in += n

    def reject(self, row_number: int | None, reason: str, *, raw: dict[str, Any] | None = None,
               source_id: str | None = None, field: str | None = None, count: int = 1) -> None:
        """Quarantine one row with its reason; it counts as rejected.

        `count` > 1 records one summary for that many rows of the same reason (e.g. LiDAR
        points with absurd heights: one record per file and reason, the count in `raw`).
        """
        if count < 1:
            raise ValueError(f"reject(count={count}): count must be ≥ 1")
        self.report.rows_rejected += count
        self.report.rejections.append(Rejection(row_number, reason, source_id, field, _jsonable(raw), count))

    def loaded(self, *, inserted: int = 0, updated: int = 0, unchanged: int = 0, retired: int = 0) -> None:
        """Record rows accepted (inserted + updated + unchanged) and earlier rows retired."""
        r = self.report
        r.rows_inserted += inserted
        r.rows_updated += updated
        r.rows_unchanged += unchanged
        r.rows_retired += retired
        r.rows_loaded += inserted + updated + unchanged

    def note(self, text: str) -> None:
        """A remark for the summary (e.g. repaired geometries, detected CRS)."""
        self.report.notes.append(text)


def _jsonable(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """Raw values as valid JSON: NaN/inf become null, unknown types their text."""
    if raw is None:
        return None

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    cleaned: dict[str, Any] = json.loads(json.dumps(clean(raw), default=str, ensure_ascii=False))
    return cleaned


def previous_success(conn: psycopg.Connection, kind: str, sha256: str, epoch: date | None,
                     params: dict[str, Any]) -> tuple[int, object] | None:
    """(run_id, finished_at) of an earlier successful load of the same content, if any.

    Runs recorded `succeeded` by older versions although they refused every row do not count.
    """
    row = conn.execute(
        "SELECT run_id, finished_at FROM msip.load_run WHERE source_kind = %s AND source_sha256 = %s "
        "AND epoch IS NOT DISTINCT FROM %s AND params = %s AND status = 'succeeded' "
        "AND NOT (rows_in > 0 AND rows_rejected = rows_in) ORDER BY run_id DESC LIMIT 1",
        (kind, sha256, epoch, Jsonb(params)),
    ).fetchone()
    return (row[0], row[1]) if row else None


def run_load(kind: str, path: Path | str, *, epoch: date | None, body: Callable[[LoadRun], None],
             params: dict[str, Any] | None = None, url: str | None = None, force: bool = False,
             sha256: str | None = None, unit: str = "rows") -> LoadReport:
    """Run `body` as one all-or-nothing load of `path`, recorded in msip.load_run.

    Returns the report; raises the body's MsipError after recording the failed run, and
    NothingLoaded (a ValidationError) when the body refused every row it read (`unit` names
    them in the message: rows, tiles, points): that run is recorded `failed` with its counts
    and quarantined rows, and its data are rolled back.
    """
    path = Path(path)
    params = params or {}
    digest = sha256 or file_sha256(path)
    # Analyses record a virtual source such as "analysis:heat-island" (no file behind it).
    source = str(path.resolve()) if path.exists() else str(path)
    report = LoadReport(kind=kind, source_path=source, sha256=digest, epoch=epoch)
    started = time.monotonic()
    conn = connect(url)
    journal: store_journal.Journal | None = None
    committed = False
    try:
        store_journal.recover(url)  # raster files of runs killed earlier are undone first
        with conn.transaction():
            # One load of a given content at a time; a second waits, then sees it as done.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{kind}:{digest}",))
            done = None if force else previous_success(conn, kind, digest, epoch, params)
            if done:
                report.status = "unchanged"
                report.run_id = done[0]
                report.message = f"already loaded by run {done[0]} at {done[1]:%Y-%m-%d %H:%M}; nothing changed"
                return report
            report.run_id = one_row(conn.execute(
                "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, source_bytes, epoch, "
                "params, msip_version) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING run_id",
                (kind, report.source_path, digest, _size(path), epoch, Jsonb(params), __version__),
            ))[0]
            journal = store_journal.begin(conn, report.run_id, url)
            body(LoadRun(conn, report))
            if report.rows_in != report.rows_loaded + report.rows_rejected:
                raise MsipError(
                    f"internal count mismatch for {path.name}: {report.rows_in} in ≠ "
                    f"{report.rows_loaded} loaded + {report.rows_rejected} rejected; nothing was committed"
                )
            if report.rows_in and report.rows_rejected == report.rows_in:
                raise NothingLoaded(_nothing_loaded(path.name, report, unit))
            _write_rejections(conn, report)
            report.duration_s = time.monotonic() - started
            report.status = "succeeded"
            conn.execute(
                "UPDATE msip.load_run SET status = 'succeeded', rows_in = %s, rows_loaded = %s, "
                "rows_rejected = %s, rows_inserted = %s, rows_updated = %s, rows_unchanged = %s, "
                "rows_retired = %s, finished_at = now(), duration_s = %s, message = %s WHERE run_id = %s",
                (report.rows_in, report.rows_loaded, report.rows_rejected, report.rows_inserted,
                 report.rows_updated, report.rows_unchanged, report.rows_retired, report.duration_s,
                 shorten("; ".join(report.notes), MESSAGE_CHARS) or None, report.run_id),
            )
        committed = True
        if journal is not None:
            journal.finish(committed=True)
        return report
    except BaseException as exc:
        if journal is not None and not committed:
            journal.finish(committed=False)
        report.status = "failed"
        report.duration_s = time.monotonic() - started
        report.message = str(exc) if isinstance(exc, MsipError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, KeyboardInterrupt):
            report.message = "interrupted (Ctrl-C); nothing was committed"
        _record_failure(url, report, params)
        raise
    finally:
        conn.close()


def _size(path: Path) -> int | None:
    """Bytes of a file or folder; None for virtual sources (analysis runs)."""
    if not path.exists():
        return None
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _write_rejections(conn: psycopg.Connection, report: LoadReport) -> None:
    if not report.rejections:
        return
    from msip.core.copy import copy_rows

    copy_rows(
        conn, "msip.rejected_record", ["run_id", "row_number", "source_id", "field", "reason", "raw"],
        ((report.run_id, r.row_number, r.source_id, r.field, r.reason, Jsonb(r.raw) if r.raw else None)
         for r in report.rejections),
    )


def _nothing_loaded(name: str, report: LoadReport, unit: str) -> str:
    """The one line of a run whose every row was refused: how many, the commonest reasons, the first in full."""
    first = report.rejections[0].reason if report.rejections else "no reason recorded"
    if report.rows_rejected > 1:
        families = ", ".join(f"{count}× {family}" for family, count in report.top_reasons(3))
        first = f"{families}; e.g. {first}"
    return (f"{name}: none of its {report.rows_in} {unit} could be loaded — {first}; each refused one is kept "
            "with its reason in msip.rejected_record; nothing was loaded")


def _record_failure(url: str | None, report: LoadReport, params: dict[str, Any]) -> None:
    """Record the failed attempt in its own transaction (best effort: the DB may be the fault).

    The quarantined rows are kept when the body refused every row (the counts then add up);
    after a crash half-way they would be a partial list, so they are not written.
    """
    complete = report.rows_in == report.rows_loaded + report.rows_rejected == report.rows_rejected > 0
    try:
        with connect(url) as conn, conn.transaction():
            report.run_id = one_row(conn.execute(
                "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, params, status, "
                "rows_in, rows_loaded, rows_rejected, finished_at, duration_s, message, msip_version) "
                "VALUES (%s, %s, %s, %s, %s, 'failed', %s, %s, %s, now(), %s, %s, %s) RETURNING run_id",
                (report.kind, report.source_path, report.sha256, report.epoch, Jsonb(params),
                 report.rows_in, 0, report.rows_rejected, report.duration_s,
                 shorten(report.message, MESSAGE_CHARS), __version__),
            ))[0]
            if complete:
                _write_rejections(conn, report)
    except Exception:  # noqa: BLE001 - the original error matters more than this record
        pass
