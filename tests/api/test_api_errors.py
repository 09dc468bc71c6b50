"""Bad requests answer 4xx with a message, never 5xx; the database role cannot write; DB down is 503."""

from __future__ import annotations

import copy

import psycopg
import pytest

from tests.support.api_fixtures import database

pytestmark = pytest.mark.db

BAD = [
    ("/collections/nosuch/items", 404),
    ("/collections/nosuch", 404),
    ("/nosuch", 404),
    ("/collections/trees/items?bbox=1,2,3", 400),
    ("/collections/trees/items?bbox=a,b,c,d", 400),
    ("/collections/trees/items?bbox=nan,50,21,51", 400),
    ("/collections/trees/items?bbox=21,50,20,51", 400),
    ("/collections/trees/items?bbox=20,50,21,51&bbox-crs=EPSG:9999", 400),
    (
        "/collections/trees/items?bbox=20,50,21,51&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857",
        400,
    ),
    ("/collections/trees/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857", 400),
    ("/collections/trees/items?limit=1000000000", 400),
    ("/collections/trees/items?limit=0", 400),
    ("/collections/trees/items?limit=-5", 400),
    ("/collections/trees/items?limit=abc", 400),
    ("/collections/trees/items?offset=-1", 400),
    ("/collections/trees/items?filter=%27;%20DROP%20TABLE%20msip.tree;%20--", 400),
    (
        "/collections/trees/items?filter=species%20=%20%27x%27%20OR%201=1;%20DELETE%20FROM%20msip.tree",
        400,
    ),
    ("/collections/trees/items?filter=nosuch%20=%201", 400),
    ("/collections/trees/items?filter=species%20%3E%205", 400),
    ("/collections/trees/items?filter=height_m%20/%200%20%3E%201", 400),
    ("/collections/trees/items?filter=species=%27a%27&filter-lang=sql", 400),
    ("/collections/trees/items?sortby=nosuch", 400),
    ("/collections/trees/items?properties=nosuch", 400),
    ("/collections/trees/items?datetime=yesterday", 400),
    ("/collections/trees/items?f=exe", 400),
    ("/collections/trees/items/999999999", 404),
    ("/collections/trees/items/not-a-number", 404),
    ("/collections/trees/items/99999999999999999999999", 404),
    ("/collections/trees/tiles/WebMercatorQuad/3/0/0", 404),
    ("/collections/trees/tiles/WebMercatorQuad/15/99999/99999", 404),
    ("/collections/trees/tiles/NoSuchTMS/15/0/0", 404),
    ("/collections/trees/tiles/WebMercatorQuad/15/10989/18260?f=png", 400),
    ("/collections/orthophoto/coverage?bbox=1,2,3", 400),
    ("/collections/orthophoto/coverage?subset=x(a:b)", 400),
    ("/collections/orthophoto/coverage?subset=nonsense", 400),
    ("/collections/orthophoto/coverage?subset=z(1:2)", 400),
    (
        "/collections/orthophoto/coverage?bbox=0,0,10,10&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2180",
        400,
    ),
    ("/collections/orthophoto/coverage?properties=9", 400),
]


@pytest.mark.parametrize(("path", "status"), BAD)
def test_bad_requests_answer_4xx_with_a_message(client, path, status):
    r = client.get(path)
    assert r.status_code == status, r.get_data(as_text=True)
    body = r.get_json()
    assert body["description"] and len(body["description"]) > 10
    assert r.headers["Cache-Control"] == "no-store"


def test_huge_coverage_subset_is_refused_with_413(client, monkeypatch):
    from msip.api.providers import coverage

    monkeypatch.setattr(coverage, "MAX_CELLS", 10_000)
    r = client.get("/collections/orthophoto/coverage?f=GTiff")
    assert r.status_code == 413
    assert "request a smaller bbox" in r.get_json()["description"]


def test_writes_are_not_offered(client):
    assert client.post("/collections/trees/items", json={"type": "Feature"}).status_code == 405
    assert client.delete("/collections/trees/items/1").status_code == 405


def test_the_api_role_cannot_write():
    _, reader = database()
    with (
        psycopg.connect(reader) as conn,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction, match="read-only"),
    ):
        conn.execute("DELETE FROM msip.tree")


def test_database_down_answers_503_with_a_message(monkeypatch):
    from msip.api import create_app
    from msip.api.config import prepare
    from msip.api.providers import db
    from tests.support.api_fixtures import prepared_config

    cfg = copy.deepcopy(prepared_config().config)
    broken = {**cfg, "resources": {"trees": cfg["resources"]["trees"]}}
    for p in broken["resources"]["trees"]["providers"]:
        p["data"] = {**p["data"], "port": 1}  # nothing listens there
    db.table_info.cache_clear()
    monkeypatch.setattr(db, "POOL_TIMEOUT_S", 0.5)
    client = create_app(prepare(broken, check=False), openapi={}).test_client()
    try:
        r = client.get("/collections/trees/items")
        assert r.status_code == 503
        assert "database is unavailable" in r.get_json()["description"]
        assert client.get("/health").status_code == 503
    finally:
        db.close_pools()  # stop the pool retrying the dead port in the background
