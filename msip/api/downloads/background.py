"""Download files built in the background by the API's job manager, so no request holds a worker for long.

A request for a download that is not built for the current data starts a job (pygeoapi's job
manager, `msip.api.jobs.MsipJobManager`: its async runner and its job records) that builds the
asked format first and then the collection's other formats from the same read of the table. The
request waits at most `MSIP_DOWNLOAD_WAIT_S` seconds (default 2) for it — a small collection is then
answered at once — else it gets `202 Accepted` with `Retry-After`. A request while a build runs, in
any server worker (the build holds a lock file), waits as long for that build. A failed build answers
the documented 503 with Retry-After (the reason goes to the log) and is tried again after
`RETRY_FAILED_S`.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pygeoapi.process.base import BaseProcessor
from pygeoapi.process.manager.base import BaseManager
from pygeoapi.util import JobStatus, get_current_datetime

from msip.api.downloads.build import build, current_file, failure_file, is_building
from msip.api.downloads.formats import formats_for

WAIT_ENV = "MSIP_DOWNLOAD_WAIT_S"
WAIT_S = 2.0
#: The Retry-After of a 202 (a download being built) and of a 503 (database unavailable), in seconds.
RETRY_AFTER_S = 5
POLL_S = 0.1
#: A failed build is answered as failed for this long, then tried again on the next request (seconds).
RETRY_FAILED_S = 60
PROCESS_ID = "msip-download-build"

PROCESS_METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": PROCESS_ID,
    "title": {"pl": "Budowa plików do pobrania", "en": "Building the download files"},
    "description": {"pl": "Zapisuje cały zbiór danych jako GeoPackage, GeoParquet i CSV (lub COG).",
                    "en": "Writes a whole dataset as GeoPackage, GeoParquet and CSV (or COG)."},
    "jobControlOptions": ["async-execute"],
    "keywords": ["downloads"],
    "inputs": {},
    "outputs": {"files": {"title": "files built", "schema": {"type": "object"}}},
}


@dataclass(frozen=True)
class Pending:
    """A download not ready yet: the job building it (None when another worker's job does) and when to ask again."""

    job_id: str | None
    retry_after_s: int = RETRY_AFTER_S


@dataclass(frozen=True)
class Failed:
    """A download whose build for the current data failed, with the one-line reason."""

    reason: str


class DownloadBuildProcessor(BaseProcessor):
    """Builds one collection's download files (run by the job manager, never published as an OGC process)."""

    def __init__(self) -> None:
        super().__init__({"name": PROCESS_ID}, PROCESS_METADATA)

    def execute(self, data: dict, outputs: dict | None = None) -> tuple[str, Any]:
        files = build(data["collection"], data["formats"], data["provider"])
        return "application/json", {"files": {ext: path.name for ext, path in files.items()}}


def wait_s() -> float:
    """How long a request waits for a build it started: MSIP_DOWNLOAD_WAIT_S, else WAIT_S (0 never waits)."""
    try:
        value = float(os.environ.get(WAIT_ENV, "") or WAIT_S)
    except ValueError:
        return WAIT_S
    return max(value, 0.0)


def start_job(manager: BaseManager, cid: str, exts: list[str], provider_def: dict) -> str:
    """Record a build job of `cid` in `exts` with the manager and run it in its async runner; its id."""
    now = get_current_datetime()
    job_id = f"download-{cid}-{time.time_ns()}"
    # a configuration without a job manager (pygeoapi's Dummy) does not record jobs: the build still runs
    with contextlib.suppress(NotImplementedError):
        manager.add_job({
            "type": "process", "identifier": job_id, "process_id": PROCESS_ID, "created": now, "started": now,
            "updated": now, "finished": None, "status": JobStatus.accepted.value, "location": None,
            "mimetype": "application/json", "message": f"building the downloads of {cid}: {', '.join(exts)}",
            "progress": 5,
        })
    manager._execute_handler_async(DownloadBuildProcessor(), job_id,  # the manager's async runner
                                   {"collection": cid, "formats": exts, "provider": provider_def})
    return job_id


def request(manager: BaseManager, cid: str, ext: str, kind: str, provider_def: dict) -> Path | Pending | Failed:
    """The current download file of `cid` in `ext` if built (or built within the wait), else what to answer."""
    path = current_file(cid, ext, provider_def)
    if path.is_file():
        return path
    failed = failure_file(path)
    if failed.is_file():
        if time.time() - failed.stat().st_mtime < RETRY_FAILED_S:
            return Failed(failed.read_text().strip())
        failed.unlink(missing_ok=True)  # perhaps passing (the database away): try once more
    job_id = None
    if not is_building(path):  # else a job (of this or another worker) builds it already: wait for that one
        others = [f.ext for f in formats_for(kind) if f.ext != ext]
        job_id = start_job(manager, cid, [ext, *others], provider_def)
    deadline = time.monotonic() + wait_s()
    while True:
        if path.is_file():
            return path
        if failed.is_file():
            return Failed(failed.read_text().strip())
        if time.monotonic() >= deadline:
            return Pending(job_id)
        time.sleep(POLL_S)
