"""Access control for the API's writes and work: bearer API keys, scopes and a per-key rate limit.

Reading stays public. Starting a process needs a key with scope `execute`; listing jobs,
reading a job's status or results and deleting a job need scope `jobs`, and a caller only ever
sees its own jobs (the job manager records the key as the owner, see `msip.api.jobs`). A
missing or unknown key is answered 401 with `WWW-Authenticate: Bearer`, a key without the
scope 403, too many executions in a minute 429 with `Retry-After`. Keys are checked through
`msip.api_key_lookup` as the read-only reader role (`msip.core.access.api_keys`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Request, Response, request

from msip.api.http import error_response
from msip.api.providers.db import conninfo_from_def, pool
from msip.core.access.api_keys import ApiKey, lookup
from msip.core.settings import get_settings

REALM = "msip"
#: Executions per minute of a key whose rate_per_min is NULL (env MSIP_API_RATE_PER_MIN).
DEFAULT_RATE_PER_MIN = 30

_caller: ContextVar[ApiKey | None] = ContextVar("msip_api_caller", default=None)


def current_caller() -> ApiKey | None:
    """The key of the request being served (None outside a protected request)."""
    return _caller.get()


@contextmanager
def acting_as(key: ApiKey) -> Iterator[None]:
    """Serve the enclosed code as `key` (reset afterwards: server threads serve many requests)."""
    token = _caller.set(key)
    try:
        yield
    finally:
        _caller.reset(token)


def default_rate_per_min() -> int:
    """MSIP_API_RATE_PER_MIN (a positive integer), else DEFAULT_RATE_PER_MIN."""
    raw = os.environ.get("MSIP_API_RATE_PER_MIN", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_RATE_PER_MIN


def _challenge(status: int, code: str, message: str, params: str = "") -> Response:
    resp = error_response(status, code, message)
    resp.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"' + (f", {params}" if params else "")
    return resp


def authenticate(req: Request, conninfo: str, scope: str) -> ApiKey | Response:
    """The request's key when it is active and has `scope`; else the 401/403 response to send."""
    header = req.headers.get("Authorization", "").strip()
    what = f"{req.method} {req.path}"
    if not header:
        return _challenge(
            401, "Unauthorized",
            f"{what} needs an API key with scope '{scope}': send 'Authorization: Bearer <key>' "
            f"(an operator creates one with `msip api-key create NAME --scope {scope}`); reading needs no key",
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _challenge(
            401, "Unauthorized",
            f"the Authorization header must be 'Bearer <key>', not a {scheme!r} credential",
            'error="invalid_request"',
        )
    with pool(conninfo).connection() as conn:
        key = lookup(conn, token.strip())
    if key is None:
        return _challenge(
            401, "Unauthorized",
            "the API key is unknown or revoked; ask the operator for a valid one (`msip api-key list`)",
            'error="invalid_token"',
        )
    if scope not in key.scopes:
        return _challenge(
            403, "Forbidden",
            f"key {key.name!r} has scope(s) {', '.join(key.scopes)} but {what} needs '{scope}'; "
            f"use a key created with --scope {scope}",
            f'error="insufficient_scope", scope="{scope}"',
        )
    return key


def too_many(key: ApiKey, limit: int, retry_after_s: float) -> Response:
    """429 with Retry-After (whole seconds) for a key past its executions per minute."""
    wait = max(1, math.ceil(retry_after_s))
    resp = error_response(
        429, "TooManyRequests",
        f"key {key.name!r} started {limit} executions in the last minute (its limit); "
        f"retry in {wait} s or ask the operator for a higher --rate-per-min",
    )
    resp.headers["Retry-After"] = str(wait)
    return resp


#: admit(key, limit) -> None when an execution may start, else seconds until one may.
Admit = Callable[[ApiKey, int], "float | None"]


def protect(scope: str, conninfo: str, view: Callable[..., Response],
            admit: Admit | None = None) -> Callable[..., Response]:
    """`view` behind a key with `scope` (and, given `admit`, the key's rate limit), run as that key."""

    def guarded(**kwargs: str) -> Response:
        found = authenticate(request, conninfo, scope)
        if isinstance(found, Response):
            return found
        if admit is not None:
            limit = found.rate_per_min or default_rate_per_min()
            wait = admit(found, limit)
            if wait is not None:
                return too_many(found, limit, wait)
        with acting_as(found):
            return view(**kwargs)

    return guarded


def key_conninfo(cfg: dict) -> str:
    """Where keys are checked: the published collections' database, else the env's reader URL
    (the database the processes write to; a config may publish processes only)."""
    for res in cfg.get("resources", {}).values():
        for p in res.get("providers", []):
            if isinstance(p.get("data"), dict) and "dbname" in p["data"]:
                return conninfo_from_def(p["data"])
    return get_settings().reader_url


def describe_security(oas: dict) -> dict:
    """Declare the bearer key in an OpenAPI document: on executions (scope execute) and /jobs (scope
    jobs), with their 401/403 (and 429) answers, so OpenAPI-driven clients know to send it."""
    oas.setdefault("components", {}).setdefault("securitySchemes", {})["msipApiKey"] = {
        "type": "http", "scheme": "bearer",
        "description": "An MSIP API key (`msip api-key create NAME --scope execute --scope jobs`)",
    }
    refused = {
        "401": {"description": "no key, or an unknown or revoked one (WWW-Authenticate: Bearer)"},
        "403": {"description": "the key lacks the scope this operation needs"},
    }
    for path, ops in oas.get("paths", {}).items():
        execution = path.startswith("/processes/") and path.endswith("/execution")
        if not (execution or path == "/jobs" or path.startswith("/jobs/")):
            continue
        for method, op in ops.items():
            if method not in ("get", "post", "delete") or (execution and method != "post"):
                continue
            scope = "execute" if execution else "jobs"
            op["security"] = [{"msipApiKey": []}]
            own = "" if execution else "; a key sees only its own jobs"
            before = op.get("description") or op.get("summary") or ""
            op["description"] = f"{before} Needs an API key with scope '{scope}'{own}.".strip()
            op.setdefault("responses", {}).update(refused)
            if execution:
                op["responses"]["429"] = {"description": "the key's executions per minute are used up (Retry-After)"}
    return oas
