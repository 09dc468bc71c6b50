"""Prometheus metrics: requests, latency per route, database pool use; served at /metrics.

Under gunicorn every worker writes to $PROMETHEUS_MULTIPROC_DIR (set by `msip serve`) and
/metrics aggregates them; in a single process the default registry is used.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from flask import Flask, Response, g, request

try:
    import prometheus_client as prom
except ImportError:  # metrics are optional; /metrics then says how to enable them
    prom = None  # type: ignore[assignment]

_metrics: dict = {}
_last_pool_update = [0.0]
#: A worker's first requests arrive together (a web map asks for many tiles at once): one
#: thread registers the metrics while the others wait, instead of reading a half-filled dict.
_setup_lock = threading.Lock()


def _setup() -> dict:
    if _metrics or prom is None:
        return _metrics
    with _setup_lock:
        if not _metrics:
            _metrics.update(_create())
    return _metrics


def _create() -> dict:
    """The metric objects, registered once per process."""
    m: dict = {}
    m["requests"] = prom.Counter(
        "msip_api_requests_total", "HTTP requests answered", ["route", "method", "status"]
    )
    m["latency"] = prom.Histogram(
        "msip_api_request_duration_seconds",
        "Time to answer a request (s)",
        ["route"],
        buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )
    mode: dict[str, Any] = {"multiprocess_mode": "livesum"} if os.environ.get("PROMETHEUS_MULTIPROC_DIR") else {}
    m["pool_size"] = prom.Gauge("msip_api_db_pool_connections", "Open database connections", **mode)
    m["pool_available"] = prom.Gauge(
        "msip_api_db_pool_available", "Idle database connections", **mode
    )
    m["pool_waiting"] = prom.Gauge(
        "msip_api_db_pool_waiting", "Requests waiting for a connection", **mode
    )
    m["pool_errors"] = prom.Gauge(
        "msip_api_db_pool_errors", "Failed connection attempts (cumulative)", **mode
    )
    return m


def _update_pool_gauges(m: dict) -> None:
    from msip.api.providers.db import pool_stats

    totals = {"pool_size": 0, "pool_available": 0, "pool_waiting": 0, "pool_errors": 0}
    for stats in pool_stats().values():
        totals["pool_size"] += stats.get("pool_size", 0)
        totals["pool_available"] += stats.get("pool_available", 0)
        totals["pool_waiting"] += stats.get("requests_waiting", 0)
        totals["pool_errors"] += stats.get("connections_errors", 0)
    for name, value in totals.items():
        m[name].set(value)


def install(app: Flask) -> None:
    """Count and time every request; add GET /metrics (Prometheus text format)."""

    @app.before_request
    def _start() -> None:
        g.msip_t0 = time.perf_counter()

    @app.after_request
    def _record(resp):
        m = _setup()
        if m and getattr(g, "msip_t0", None) is not None:
            route = request.url_rule.rule if request.url_rule else "unmatched"
            m["requests"].labels(route, request.method, str(resp.status_code)).inc()
            m["latency"].labels(route).observe(time.perf_counter() - g.msip_t0)
            if time.monotonic() - _last_pool_update[0] > 1.0:  # cheap, but not on every request
                _last_pool_update[0] = time.monotonic()
                _update_pool_gauges(m)
        return resp

    @app.route("/metrics")
    def metrics() -> Response:
        m = _setup()
        if not m:
            return Response(
                "metrics need the prometheus_client package: pip install prometheus_client\n",
                status=501,
                mimetype="text/plain",
            )
        _update_pool_gauges(m)
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = prom.CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = prom.REGISTRY
        return Response(prom.generate_latest(registry), mimetype=prom.CONTENT_TYPE_LATEST)
