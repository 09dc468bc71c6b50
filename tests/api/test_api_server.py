"""`msip serve` for real: gunicorn workers on loopback as msip_reader, used through OWSLib and requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import psycopg
import pytest
import requests

from tests.support.api_fixtures import KNOWN_TREES, database
from tests.support.paths import ROOT

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_home(tmp_path_factory):
    """The HOME the server runs with (where gunicorn would put its per-user control socket)."""
    return tmp_path_factory.mktemp("server-home")


@pytest.fixture(scope="module")
def server(server_home):
    """Base URL of `msip serve --workers 2` over the API test database (stopped after the module)."""
    _, reader = database()
    port = _free_port()
    env = {**os.environ, "MSIP_READER_URL": reader, "MSIP_API_URL": f"http://127.0.0.1:{port}",
           "HOME": str(server_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "msip", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                pytest.fail(f"msip serve exited: {proc.stdout.read()}")
            try:
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.25)
        else:
            pytest.fail("msip serve did not answer within 30 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_owslib_lists_collections_and_pages_through_every_tree(server):
    from owslib.ogcapi.features import Features

    api = Features(server)
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"trees", "orthophoto", "load_runs"} <= ids
    owner, _ = database()
    with psycopg.connect(owner) as conn:
        total = conn.execute("SELECT count(*) FROM msip.tree_current").fetchone()[0]
    seen, offset = [], 0
    while True:
        page = api.collection_items("trees", limit=60, offset=offset)
        seen += [f["id"] for f in page["features"]]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        offset += 60
    assert len(seen) == len(set(seen)) == total


def test_owslib_bbox_with_crs_2180_and_a_cql2_filter(server):
    from owslib.ogcapi.features import Features

    api = Features(server)
    epsg2180 = "http://www.opengis.net/def/crs/EPSG/0/2180"
    page = api.collection_items(
        "trees",
        bbox=[334600, 614000, 334800, 614200],
        **{"bbox-crs": epsg2180, "crs": epsg2180},
        filter="dataset = 'api-fixture'",
    )
    got = {f["properties"]["source_id"]: f["geometry"]["coordinates"] for f in page["features"]}
    assert got == {"API-1": [334650.0, 614050.0], "API-2": [334710.25, 614120.5]}
    tilia = api.collection_items(
        "trees", filter="species_latin = 'Tilia cordata' AND dataset = 'api-fixture'"
    )
    assert {f["properties"]["source_id"] for f in tilia["features"]} == {
        s for s, v in KNOWN_TREES.items() if v[3] == "Tilia cordata"
    }


def test_workers_connect_as_the_read_only_reader(server):
    requests.get(f"{server}/collections/trees/items?limit=1", timeout=10).raise_for_status()
    owner, _ = database()
    with psycopg.connect(owner) as conn:
        users = {
            r[0]
            for r in conn.execute(
                "SELECT usename FROM pg_stat_activity"
                " WHERE application_name = 'msip-api' AND datname = current_database()"
            )
        }
    assert users == {"msip_reader"}


def test_metrics_count_requests_of_all_workers(server):
    for _ in range(6):
        requests.get(f"{server}/collections/trees/items?limit=1", timeout=10)
    text = requests.get(f"{server}/metrics", timeout=10).text
    line = next(
        ln
        for ln in text.splitlines()
        if ln.startswith("msip_api_requests_total")
        and 'route="/collections/<cid>/items"' in ln
        and 'status="200"' in ln
    )
    assert float(line.rsplit(" ", 1)[1]) >= 6
    assert (
        "msip_api_db_pool_connections" in text
        and "msip_api_request_duration_seconds_bucket" in text
    )


def test_map_placeholder_when_the_web_map_is_not_built(tmp_path):
    from flask import Flask

    from msip.api import webmap

    app = Flask(__name__)
    webmap.install(app, tmp_path / "dist", "http://api.example", {"trees": {"title": "Drzewa"}})
    r = app.test_client().get("/map/")
    assert r.status_code == 200 and "make web" in r.text and "http://api.example/" in r.text
    assert app.test_client().get("/map/app.js").status_code == 404


def test_map_and_security_headers(server):
    r = requests.get(f"{server}/map", timeout=10)  # 308 to /map/, where relative API links resolve
    assert r.status_code == 200 and r.url == f"{server}/map/"
    assert '<script src="maplibre-gl-csp.js">' in r.text and "make web" not in r.text
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    item = requests.get(f"{server}/collections/trees/items?limit=1", timeout=10)
    assert item.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        requests.get(
            f"{server}/collections/trees/items?limit=1",
            timeout=10,
            headers={"If-None-Match": item.headers["ETag"]},
        ).status_code
        == 304
    )


def test_the_server_opens_no_shared_control_socket(server, server_home):
    """gunicorn's control socket is one path per user: two servers on one machine would share it."""
    assert requests.get(f"{server}/health", timeout=10).status_code == 200
    assert not (server_home / ".gunicorn").exists()
