"""What every MSIP OGC API process shares: input validation against PROCESS_METADATA and a
thin `execute()` that turns MSIP errors into 4xx answers with a message for an end user.

pygeoapi does not check inputs against the declared JSON schema, so `validate_inputs` does:
required inputs, types, finite numbers, enums, minimum/maximum, and MSIP's own limits declared in
the schema (`x-msip-max-area-km2` for bounding boxes). A synchronous execution may run at most
`sync_timeout_s()` seconds (MSIP_PROCESS_SYNC_TIMEOUT_S, default 60) before the API answers 503
with the advice to run it as an async job; async jobs have no such limit.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
from datetime import date
from http import HTTPStatus
from typing import Any, ClassVar

from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from msip.api.processes.schema import table_values
from msip.core.epochs import parse_epoch
from msip.core.errors import DatabaseError, EpochError, MsipError
from processing.parameters import ParamTable

LOGGER = logging.getLogger(__name__)

#: Default longest synchronous run (s); a gunicorn request thread should not be held longer.
SYNC_TIMEOUT_S = 60.0
SYNC_TIMEOUT_ENV = "MSIP_PROCESS_SYNC_TIMEOUT_S"

_JSON_TYPES = {
    "number": (int, float),
    "integer": (int,),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


class ProcessUnavailableError(ProcessorExecuteError):
    """The database behind a process cannot be reached: 503, try again later."""

    http_status_code = HTTPStatus.SERVICE_UNAVAILABLE
    ogc_exception_code = "ServiceUnavailable"


class ProcessTimeoutError(ProcessorExecuteError):
    """A synchronous run outlasted the limit: 503 advising an async job or a smaller area."""

    http_status_code = HTTPStatus.SERVICE_UNAVAILABLE
    ogc_exception_code = "ServiceUnavailable"


class ProcessInputError(ProcessorExecuteError):
    """Bad process input: answered with 400 InvalidParameterValue and the message."""

    http_status_code = HTTPStatus.BAD_REQUEST
    ogc_exception_code = "InvalidParameterValue"


#: Longest text input (names, dates, rule-set ids) when its schema states no maxLength.
MAX_TEXT_CHARS = 200


def _fail(message: str) -> ProcessInputError:
    return ProcessInputError(user_msg=message)


def _check_value(name: str, value: Any, schema: dict) -> Any:
    kind = schema.get("type")
    if kind:
        types = _JSON_TYPES.get(kind, (object,))
        ok = isinstance(value, types) and not (kind in ("number", "integer") and isinstance(value, bool))
        if kind == "number" and isinstance(value, str):
            try:
                value, ok = float(value), True
            except ValueError:
                ok = False
        if not ok:
            raise _fail(f"input '{name}' must be of type {kind}, got {value!r}")
        # JSON parsers accept NaN and Infinity, and NaN passes every minimum/maximum comparison.
        if kind in ("number", "integer") and not math.isfinite(value):
            raise _fail(f"input '{name}' must be a finite number, got {value!r}")
    if kind == "string" and len(value) > schema.get("maxLength", MAX_TEXT_CHARS):
        raise _fail(
            f"input '{name}' is {len(value)} characters long; at most "
            f"{schema.get('maxLength', MAX_TEXT_CHARS)} are accepted"
        )
    if "enum" in schema and value not in schema["enum"]:
        raise _fail(f"input '{name}'={value!r} is not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        raise _fail(f"input '{name}'={value} is below the minimum {schema['minimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise _fail(f"input '{name}'={value} is above the maximum {schema['maximum']}")
    if kind == "array":
        if "minItems" in schema and len(value) < schema["minItems"]:
            raise _fail(f"input '{name}' needs at least {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise _fail(f"input '{name}' takes at most {schema['maxItems']} items")
        item_schema = schema.get("items", {})
        value = [_check_value(f"{name}[{i}]", v, item_schema) for i, v in enumerate(value)]
    if "x-msip-max-area-km2" in schema:
        _check_bbox(name, value, schema["x-msip-max-area-km2"])
    return value


def _check_bbox(name: str, bbox: list, max_area_km2: float) -> None:
    """A bbox [minx, miny, maxx, maxy] in EPSG:2180 metres, ordered and not larger than allowed."""
    if len(bbox) != 4:
        raise _fail(f"input '{name}' must be [minx, miny, maxx, maxy] in EPSG:2180 metres")
    minx, miny, maxx, maxy = bbox
    if minx >= maxx or miny >= maxy:
        raise _fail(f"input '{name}' {bbox} has min ≥ max; the order is [minx, miny, maxx, maxy]")
    area_km2 = (maxx - minx) * (maxy - miny) / 1e6
    if area_km2 > max_area_km2:
        raise _fail(
            f"input '{name}' covers {area_km2:.2f} km², more than {max_area_km2:g} km² allowed for a "
            "synchronous run; send the request with the header 'Prefer: respond-async' or a smaller bbox"
        )


def input_date(name: str, value: str | None) -> date | None:
    """A YYYY-MM-DD process input as a date (None stays None); ProcessInputError otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(EpochError):
            return parse_epoch(value)
    raise _fail(f"input '{name}'={value!r} is not a date; use YYYY-MM-DD, e.g. 2025-06-15")


def analysis_values(table: ParamTable, inputs: dict) -> dict:
    """The values of an area analysis's run: its parameters from the OGC inputs, plus `epoch` (a date or None:
    the newest) and `bbox` (a tuple or None: everywhere), which every area analysis takes."""
    return {**table_values(table, inputs), "epoch": input_date("epoch", inputs.get("epoch") or None),
            "bbox": tuple(inputs["bbox"]) if inputs.get("bbox") else None}


def validate_inputs(data: dict | None, metadata: dict) -> dict:
    """Inputs checked against `metadata['inputs']` with defaults filled; raises ProcessInputError."""
    data = dict(data or {})
    declared = metadata.get("inputs", {})
    unknown = sorted(set(data) - set(declared))
    if unknown:
        raise _fail(f"unknown input(s) {unknown}; this process takes {sorted(declared)}")
    result = {}
    for name, spec in declared.items():
        schema = spec.get("schema", {})
        if name not in data or data[name] is None:
            if spec.get("minOccurs", 0) >= 1:
                raise _fail(f"input '{name}' is required: {spec.get('description', {}).get('en', '')}".rstrip(": "))
            if "default" in schema:
                result[name] = schema["default"]
            continue
        result[name] = _check_value(name, data[name], schema)
    return result


def sync_timeout_s() -> float:
    """Longest synchronous run in seconds: MSIP_PROCESS_SYNC_TIMEOUT_S, else SYNC_TIMEOUT_S."""
    raw = os.environ.get(SYNC_TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw else SYNC_TIMEOUT_S
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        LOGGER.warning("%s=%r is not a positive number of seconds; using %g", SYNC_TIMEOUT_ENV, raw, SYNC_TIMEOUT_S)
        return SYNC_TIMEOUT_S
    return value


def in_async_job() -> bool:
    """True inside a pygeoapi async job: its manager runs jobs in multiprocessing.dummy threads."""
    from multiprocessing.dummy import DummyProcess

    return isinstance(threading.current_thread(), DummyProcess)


class MsipProcessor(BaseProcessor):
    """Base of MSIP processes: subclasses set METADATA and implement `run(inputs) -> dict`."""

    METADATA: ClassVar[dict[str, Any]] = {}

    def __init__(self, processor_def: dict):
        super().__init__(processor_def, self.METADATA)

    def run(self, inputs: dict) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def execute(self, data: dict, outputs: dict | None = None) -> tuple[str, Any]:
        inputs = validate_inputs(data, self.METADATA)
        if in_async_job():
            return "application/json", self._run(inputs)
        return "application/json", self._run_with_limit(inputs, sync_timeout_s())

    def _run_with_limit(self, inputs: dict, limit_s: float) -> dict:
        """`_run` in a daemon thread, given up on (not killed: runs commit all or nothing) after limit_s."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = self._run(inputs)
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting request thread
                box["error"] = exc

        worker = threading.Thread(target=target, name=f"msip-process-{self.METADATA.get('id')}", daemon=True)
        worker.start()
        worker.join(limit_s)
        if worker.is_alive():
            LOGGER.warning("process %s passed the %g s synchronous limit; it finishes in the background",
                           self.METADATA.get("id"), limit_s)
            raise ProcessTimeoutError(
                user_msg=f"the analysis ran longer than {limit_s:g} s, the limit for a synchronous run; "
                "send it again with the header 'Prefer: respond-async' to get a job to follow at /jobs, "
                "or ask for a smaller bbox (the interrupted run completes on the server and is recorded)"
            )
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _run(self, inputs: dict) -> dict:
        """`run(inputs)` with MSIP errors turned into answers for an end user (400, 503, or a plain 500)."""
        try:
            return self.run(inputs)
        except DatabaseError:
            raise ProcessUnavailableError(
                user_msg="the database is not reachable right now; try again in a minute"
            ) from None
        except MsipError as exc:
            raise _fail(str(exc)) from None
        except ProcessorExecuteError:
            raise
        except Exception:
            LOGGER.exception("process %s failed", self.METADATA.get("id"))
            raise ProcessorExecuteError(
                user_msg="the analysis failed on the server; the administrators were notified in the log"
            ) from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}> {self.name}"
