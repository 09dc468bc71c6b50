"""The one contract every analysis follows: declared parameters, input resolution, compute and store, checksum.

An analysis module builds an `Analysis`:

* `parameters` — its `ParamTable` (the CLI options, OGC inputs and docs table come from it);
* `resolve(conn, request)` — input resolution: which epochs, rasters and load runs it reads,
  the parameters as recorded, or a ValidationError naming what is missing (`Resolved`);
* `compute(run, request, resolved)` — compute and store through the run's transaction
  (`run.conn`), counting rows like a loader;
* `checksum` — the stored results it digests (`ResultTable`s; None: the analysis notes its own);
* `finish(conn, outcome)` — the analysis's public result (default: the run's LoadReport).

`Analysis.run(request, url=…, force=…)` drives the steps the same way for every analysis:
resolve → one recorded, all-or-nothing analysis run (`processing.provenance.run_analysis`; a
rerun with the same inputs and parameters is 'unchanged') → checksum → finish. The CLI
(`msip run …`), the OGC processes (`msip.api.processes`) and `msip demo` call it through
`run_values(values, …)`, which builds the request from values by parameter name (`request`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar, cast

import psycopg

from msip.core.db import connect, one_row
from msip.core.runs import LoadReport, LoadRun
from processing.parameters import ParamTable
from processing.provenance import run_analysis

R = TypeVar("R")


@dataclass(frozen=True)
class ResultTable:
    """Rows of one result table that enter a run's checksum: `columns` (SQL expressions) joined by '|',
    rows joined by ';' in `order` (ids and run numbers left out, so equal results give equal sums)."""

    table: str
    columns: tuple[str, ...]
    order: str


def result_checksum(conn: psycopg.Connection, run_id: int | None, tables: tuple[ResultTable, ...]) -> str | None:
    """MD5 over a run's rows of `tables`, in order (the text of each table concatenated)."""
    parts = [
        f"coalesce((SELECT string_agg(concat_ws('|', {', '.join(t.columns)}), ';' ORDER BY {t.order}) "
        f"FROM {t.table} WHERE load_run_id = %(r)s), '')"
        for t in tables
    ]
    # the SQL is built from the analyses' own constants, never from input
    return one_row(conn.execute(f"SELECT md5({' || '.join(parts)})", {"r": run_id}))[0]


@dataclass
class Resolved:
    """What input resolution found: the parameters as recorded, the load runs read, the epoch, and state."""

    record: dict[str, Any]
    input_run_ids: list[int]
    epoch: date | None
    state: Any = None
    notes: list[str] = field(default_factory=list)
    #: True when the stored results of an identical earlier run were since replaced (recompute).
    stale: bool = False


@dataclass
class Outcome:
    """One run: its report, what was resolved, and the checksum of the stored results (or None)."""

    report: LoadReport
    resolved: Resolved
    checksum: str | None


@dataclass(frozen=True)
class Analysis(Generic[R]):
    """One analysis driven through the contract (see the module docstring)."""

    name: str
    parameters: ParamTable
    request: Callable[..., Any]
    resolve: Callable[[psycopg.Connection, Any], Resolved]
    compute: Callable[[LoadRun, Any, Resolved], None]
    finish: Callable[[psycopg.Connection, Outcome], R] | None = None
    checksum: tuple[ResultTable, ...] | None = None

    def run(self, request: Any, *, url: str | None = None, force: bool = False) -> R:
        """Resolve the inputs, compute and store as one recorded run, checksum the results."""
        with connect(url) as conn:
            resolved = self.resolve(conn, request)
        report = run_analysis(self.name, resolved.record, input_run_ids=resolved.input_run_ids,
                              body=lambda run: self.compute(run, request, resolved), epoch=resolved.epoch,
                              url=url, force=force or resolved.stale)
        if self.checksum is None and self.finish is None:
            return cast(R, report)  # without `finish` an analysis's result is its LoadReport
        with connect(url) as conn:
            digest = None if self.checksum is None else result_checksum(conn, report.run_id, self.checksum)
            outcome = Outcome(report, resolved, digest)
            return cast(R, outcome.report) if self.finish is None else self.finish(conn, outcome)

    def run_values(self, values: Mapping[str, Any] | None = None, *, url: str | None = None,
                   force: bool = False, workers: int | None = None) -> R:
        """`run` with the request built from values by name (parameters and scope, e.g. epoch, bbox)."""
        return self.run(self.request(dict(values or {}), workers=workers), url=url, force=force)
