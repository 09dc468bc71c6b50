"""A raster read that never returns must not hold a request thread or take the worker down (issue 15, finding 1).

The orthophoto's file is replaced by a FIFO nobody writes to, so GDAL's open really blocks (as on a
hung network share); the request answers the documented 503 naming the deadline, items keep being
served, and once the file is back a fresh reader serves coverages again. No product code is patched
except the deadline's length.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from msip.api.providers import raster_io
from msip.api.providers.db import conninfo_from_def
from msip.api.providers.rasters import latest_raster
from tests.support.api_fixtures import app, prepared_config

SUBSET = "/collections/orthophoto/coverage?f=GTiff&subset=x(614000:614010),y(334990:335000)"


@pytest.fixture()
def client():
    return app().test_client()


def _orthophoto_path() -> Path:
    res = prepared_config().config["resources"]["orthophoto"]
    provider = next(p for p in res["providers"] if p["type"] == "coverage")
    return Path(latest_raster(conninfo_from_def(provider["data"]), "orthophoto").path)


def _unblock(fifo: Path) -> None:
    """Let every reader blocked on `fifo` go: a writer opens and closes it (readers see end-of-file)."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # no reader waiting
        return
    os.close(fd)


def test_a_blocked_raster_read_answers_503_within_the_deadline_and_the_worker_keeps_serving(client, monkeypatch):
    monkeypatch.setattr(raster_io, "DEADLINE_S", 1.0)
    path = _orthophoto_path()
    aside = path.with_name(path.name + ".aside")
    answers: list = []

    def ask() -> None:
        r = client.get(SUBSET)
        answers.append((r.status_code, r.get_json()))

    path.rename(aside)
    try:
        os.mkfifo(path)
        threads = [threading.Thread(target=ask, daemon=True) for _ in range(raster_io.READERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)  # the client's bound: a request held by the stuck read fails here
        assert not any(t.is_alive() for t in threads), "a request thread is still held by the stuck read"
        assert [a[0] for a in answers] == [503] * raster_io.READERS
        assert "MSIP_API_RASTER_DEADLINE_S" in answers[0][1]["description"]
        assert client.get("/collections/trees/items?limit=2").status_code == 200
    finally:
        if path.is_fifo():
            _unblock(path)
            path.unlink()
        aside.rename(path)
    r = client.get(SUBSET)  # the file is fine again: a fresh reader serves it
    assert r.status_code == 200 and r.data[:2] in (b"II", b"MM")
