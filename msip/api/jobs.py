"""The process job manager: pygeoapi's TinyDB manager, answering a failed synchronous run with its own status.

pygeoapi 0.21 records every exception of a synchronous execution as a failed job and answers
400 whatever happened. MSIP's processes raise errors that carry their status (400 bad input,
503 database down or the synchronous time limit passed, 500 a fault), so for synchronous runs
this manager re-raises that error after the failed job is recorded; pygeoapi then answers with
the error's status and message. Async jobs are unchanged (their failure is in /jobs/{id}).
"""

from __future__ import annotations

from typing import Any

from pygeoapi.process.base import ProcessorExecuteError
from pygeoapi.process.manager.tinydb_ import TinyDBManager
from pygeoapi.util import JobStatus

from msip.api.processes.base import in_async_job


class MsipJobManager(TinyDBManager):
    """TinyDB job manager whose synchronous failures keep the process error's HTTP status."""

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
