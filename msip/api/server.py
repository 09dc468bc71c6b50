"""`msip serve`: the OGC API under gunicorn worker processes, connected as the read-only reader role.

The app (config, OpenAPI document, table metadata) is built once in the master process and
forked into the workers; database pools are closed before the fork so every worker opens its
own. Prometheus metrics of all workers are gathered through a shared folder.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

from msip.core.errors import ConfigError, DatabaseError

LOGGER = logging.getLogger(__name__)


def build_app(config_path: str | None = None, reader_url: str | None = None):
    """The WSGI app for `msip serve`; MsipError (one line, the fix) when it cannot be built."""
    from msip.api import create_app, load_config
    from msip.api.providers.db import DatabaseUnavailable
    from msip.core.settings import get_settings

    reader_url = reader_url or get_settings().reader_url
    _check_database(reader_url)
    try:
        prepared = load_config(config_path, reader_url=reader_url)
    except DatabaseUnavailable as exc:
        raise DatabaseError(f"the API cannot reach the database: {exc.message}") from None
    published = [
        k for k, v in prepared.config["resources"].items() if v.get("type") == "collection"
    ]
    if not published:
        raise ConfigError(
            "no collection can be published (no tables or rasters found); load data first, "
            "e.g. `msip demo --no-serve`"
        )
    for name, reason in prepared.skipped.items():
        print(f"  not published: {name} — {reason}")
    return create_app(prepared)


def _check_database(reader_url: str) -> None:
    from msip.core.db import connect

    with connect(reader_url) as conn:
        conn.execute("SELECT 1")


def serve(
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int = 2,
    *,
    threads: int = 4,
    config_path: str | None = None,
) -> None:
    """Run the API with gunicorn on host:port with `workers` processes (blocks until stopped)."""
    # Before anything imports prometheus_client: it picks its multi-process mode at import.
    metrics_dir = tempfile.mkdtemp(prefix="msip-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir

    from gunicorn.app.base import BaseApplication

    from msip.api.providers.db import close_pools

    os.environ.setdefault("MSIP_API_URL", f"http://{host}:{port}")
    # a worker whose raster readers are all stuck past their deadline asks to be replaced
    os.environ.setdefault("MSIP_API_RECYCLE_ON_STUCK", "1")
    try:
        app = build_app(config_path)
        close_pools()

        def child_exit(server, worker) -> None:
            try:
                from prometheus_client import multiprocess

                multiprocess.mark_process_dead(worker.pid)
            except ImportError:
                pass

        class Server(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("threads", threads)
                self.cfg.set("keepalive", 5)
                self.cfg.set("timeout", int(os.environ.get("MSIP_API_WORKER_TIMEOUT_S", 60)))
                self.cfg.set("graceful_timeout", 10)
                self.cfg.set("accesslog", os.environ.get("MSIP_API_ACCESS_LOG") or None)
                self.cfg.set("child_exit", child_exit)
                # gunicorn's control socket is one path per user ($HOME/.gunicorn): every server on the
                # machine (the demo's, a test run's) would share it; MSIP does not use it
                self.cfg.set("control_socket_disable", True)

            def load(self):
                return app

        Server().run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
