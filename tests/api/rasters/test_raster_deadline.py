"""A raster read that never returns must not hold a request thread or take the worker down (issue 15, finding 1).

The served app's coverage encoder is made to block; the request answers the documented 503
naming the deadline, items keep being served, and once every reader is stuck the pool is
replaced so coverages are served again.
"""

from __future__ import annotations

import threading
import time

import pytest

from msip.api.providers import coverage, raster_io
from tests.support.api_fixtures import app


@pytest.fixture()
def client():
    return app().test_client()


def test_a_blocked_raster_read_answers_503_within_the_deadline_and_the_worker_keeps_serving(client, monkeypatch):
    monkeypatch.setattr(raster_io, "DEADLINE_S", 1.0)
    release = threading.Event()
    real = coverage.to_geotiff

    def stuck(*args, **kwargs):
        release.wait(120)  # a read that does not come back (an NFS hang, a FIFO, a GDAL deadlock)
        return real(*args, **kwargs)

    monkeypatch.setattr(coverage, "to_geotiff", stuck)
    answers: list = []

    def ask() -> None:
        r = client.get("/collections/orthophoto/coverage?f=GTiff&subset=x(614000:614010),y(334990:335000)")
        answers.append((r.status_code, r.get_json()))

    try:
        threads = [threading.Thread(target=ask, daemon=True) for _ in range(raster_io.READERS)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        assert not any(t.is_alive() for t in threads), "a request thread is still held by the stuck read"
        assert time.monotonic() - t0 < 15
        assert [a[0] for a in answers] == [503] * raster_io.READERS
        assert "MSIP_API_RASTER_DEADLINE_S" in answers[0][1]["description"]
        assert client.get("/collections/trees/items?limit=2").status_code == 200
        monkeypatch.setattr(coverage, "to_geotiff", real)  # the file is fine again: a fresh reader serves it
        r = client.get("/collections/orthophoto/coverage?f=GTiff&subset=x(614000:614010),y(334990:335000)")
        assert r.status_code == 200 and r.data[:2] in (b"II", b"MM")
    finally:
        release.set()
