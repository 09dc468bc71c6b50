"""A running demo: the small sample world loaded and analysed in a database of its own, served by
`msip serve` on a free loopback port — what the web map and notebook tests use, like a user would.

The database is `msip_test_demo` (override with MSIP_TEST_DEMO_DB) so that suites recreating
other test databases never pull it away. The server runs as the read-only reader role for the
OGC API and the owner role for processes, exactly as `make demo` does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from msip.core.settings import READER_ROLE, Settings, local_url
from tests.support.paths import ROOT

DEMO_DB = os.environ.get("MSIP_TEST_DEMO_DB", "msip_test_demo")


@dataclass(frozen=True)
class DemoServer:
    """A served demo: `url` is the API root (no trailing slash); the map is at `url + '/map'`."""

    url: str
    owner_url: str
    reader_url: str
    sample_dir: Path
    log: Path
    #: An API key (scopes execute and jobs, no practical rate limit) for processes and jobs.
    api_key: str = ""

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header sending `api_key`."""
        return {"Authorization": f"Bearer {self.api_key}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_demo_database(settings: Settings, sample_dir: Path) -> tuple[str, str]:
    """(owner URL, reader URL) of a fresh demo database with the sample world loaded and analysed."""
    from msip.cli.commands.load_sample import load_sample_world, run_sample_analyses
    from msip.core import cluster
    from msip.core.migrate import migrate

    cluster.start(settings)
    url = cluster.bootstrap(settings, DEMO_DB, fresh=True)
    migrate(url)
    for _ in load_sample_world(sample_dir, url=url):
        pass
    for _ in run_sample_analyses(sample_dir, url=url):
        pass
    if not (sample_dir / "geosites").is_dir():  # the small world has no geosite file: the test one
        from pipelines.geosites.load import load_geosites
        from tests.support.paths import TEST_DATA

        load_geosites(TEST_DATA / "geosites" / "geostanowiska.geojson", url=url)
    return url, local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DEMO_DB)


def start_server(owner_url: str, reader_url: str, log: Path, *, workers: int = 2):
    """Start `msip serve` on a free port; (process, base URL) once /health answers 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MSIP_DATABASE_URL": owner_url,
        "MSIP_READER_URL": reader_url,
        "MSIP_API_URL": base,
    }
    out = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "msip", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"msip serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    stop_server(proc)
    raise RuntimeError(f"msip serve did not answer within 60 s: {log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
