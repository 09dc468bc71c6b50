"""The process job manager: pygeoapi's TinyDB manager, answering a failed synchronous run with its own status.

pygeoapi 0.21 records every exception of a synchronous execution as a failed job and answers
400 whatever happened. MSIP's processes raise errors that carry their status (400 bad input,
503 database down or the synchronous time limit passed, 500 a fault), so for synchronous runs
this manager re-raises that error after the failed job is recorded; pygeoapi then answers with
the error's status and message. Async jobs are unchanged (their failure is in /jobs/{id}).

Jobs belong to the API key that started them (`owner`, the key's random uid; `msip.api.auth`): while a
request is served as a key, the manager lists and finds only that key's jobs, so another key's
job is a 404. The per-key execution rate is counted in the same TinyDB file (a table of its
own, under the manager's file lock), so every server worker shares one count.
"""

from __future__ import annotations

import time
from typing import Any

import tinydb
from pygeoapi.process.base import JobNotFoundError, ProcessorExecuteError
from pygeoapi.process.manager.tinydb_ import TinyDBManager
from pygeoapi.util import JobStatus

from msip.api.auth import current_caller
from msip.api.processes.base import in_async_job
from msip.core.access.api_keys import ApiKey

#: The TinyDB table of execution start times per key (the rate limit's window is one minute).
EXECUTIONS_TABLE = "msip_executions"
WINDOW_S = 60.0


class MsipJobManager(TinyDBManager):
    """TinyDB job manager: jobs owned by API keys, a shared rate count, sync failures keep their status."""

    def add_job(self, job_metadata: dict) -> str:
        caller = current_caller()
        return super().add_job({**job_metadata, "owner": caller.uid if caller else None})

    def get_jobs(self, status: JobStatus | None = None, limit: int | None = None,
                 offset: int | None = None) -> dict:
        caller = current_caller()
        if caller is None:
            return super().get_jobs(status, limit, offset)
        with self._db() as db:
            jobs = db.search(tinydb.where("owner") == caller.uid)
        matched = len(jobs)
        jobs = jobs[offset or 0:]
        return {"jobs": jobs[:limit] if limit else jobs, "numberMatched": matched}

    def get_job(self, job_id: str) -> dict:
        job = super().get_job(job_id)
        caller = current_caller()
        if caller is not None and job.get("owner") != caller.uid:
            raise JobNotFoundError  # another key's job does not exist for this caller
        return job

    def admit(self, key: ApiKey, limit_per_min: int) -> float | None:
        """Record an execution by `key` if it has started fewer than `limit_per_min` in the last
        minute (None); else the seconds until it may start another."""
        now = time.time()
        with self._db() as db:
            table = db.table(EXECUTIONS_TABLE)
            table.remove(tinydb.where("t") < now - WINDOW_S)
            recent = sorted(r["t"] for r in table.search(tinydb.where("owner") == key.uid))
            if len(recent) >= limit_per_min:
                return recent[len(recent) - limit_per_min] + WINDOW_S - now
            table.insert({"owner": key.uid, "t": now})
        return None

    def accepted_status(self, job_id: str, base_url: str) -> dict:
        """The status document of a just accepted async job (the 201 body): jobID, status, links."""
        job = self.get_job(job_id)
        href = f"{base_url}/jobs/{job_id}"
        return {
            "type": "process", "processID": job["process_id"], "jobID": job_id,
            "status": job["status"], "message": job["message"], "created": job["created"],
            "links": [
                {"href": f"{href}?f=json", "rel": "monitor", "type": "application/json",
                 "title": "Job status (needs the key that started the job)"},
                {"href": f"{href}/results?f=json", "rel": "http://www.opengis.net/def/rel/ogc/1.0/results",
                 "type": "application/json", "title": "Job results, once successful"},
            ],
        }

    def _execute_handler_sync(self, p, job_id, data_dict, requested_outputs=None, subscriber=None,
                              requested_response="raw") -> tuple[str, Any, JobStatus]:
        failure: dict[str, ProcessorExecuteError] = {}
        execute = p.execute

        def remembering_execute(*args, **kwargs):
            try:
                return execute(*args, **kwargs)
            except ProcessorExecuteError as exc:
                failure["error"] = exc
                raise

        p.execute = remembering_execute  # p is built for this request only
        result = super()._execute_handler_sync(p, job_id, data_dict, requested_outputs, subscriber,
                                               requested_response)
        if result[2] == JobStatus.failed and "error" in failure and not in_async_job():
            raise failure["error"]
        return result
