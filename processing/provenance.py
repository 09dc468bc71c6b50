"""Provenance of analysis runs: recorded in msip.load_run like loads, with an input fingerprint.

An analysis run's "source" is virtual (`analysis:<name>`); its checksum is the SHA-256 of its
parameters plus the ids of the load runs it read, so the same inputs and parameters give the
same fingerprint and a rerun is reported as unchanged (results already stored).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date

from msip.core.runs import LoadReport, LoadRun, run_load


def fingerprint(name: str, params: dict, input_run_ids: list[int]) -> str:
    """SHA-256 of an analysis name, its parameters (sorted JSON) and the input load runs."""
    payload = json.dumps({"analysis": name, "params": params, "inputs": sorted(input_run_ids)},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def latest_input_runs(conn, kinds: list[str]) -> list[int]:
    """Ids of the succeeded load runs of the given source kinds (what an analysis depends on)."""
    rows = conn.execute(
        "SELECT run_id FROM msip.load_run WHERE status = 'succeeded' AND source_kind = ANY(%s) ORDER BY run_id",
        (kinds,),
    )
    return [r[0] for r in rows]


def run_analysis(name: str, params: dict, *, input_run_ids: list[int], body: Callable[[LoadRun], None],
                 epoch: date | None = None, url: str | None = None, force: bool = False) -> LoadReport:
    """Run `body` as one all-or-nothing analysis run recorded in msip.load_run.

    The body writes its result rows through `run.conn` and counts them with `run.count_in` /
    `run.loaded` (e.g. one row per building or grid cell); skipped objects are `run.reject`ed
    with the reason, exactly as loaders do.
    """
    digest = fingerprint(name, params, input_run_ids)
    return run_load(f"analysis:{name}", f"analysis:{name}", epoch=epoch, body=body,
                    params={**params, "input_runs": sorted(input_run_ids)}, url=url, force=force,
                    sha256=digest)
