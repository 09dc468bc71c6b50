"""Downloads are built in the background: a request never waits long for one. While a build runs
(in this or another server worker: the lock file is held) the answer is 202 with Retry-After and
the same URL gives the file afterwards, with the database's count; a request that starts a build
and may not wait gets 202 with the job's id, recorded by the API's job manager; a failed build
is the documented 503 with Retry-After, no traceback; the database away is a 503 with Retry-After."""

from __future__ import annotations

import copy
import fcntl
import time

import pytest

from msip.api.downloads import background
from msip.api.downloads.build import current_file, failure_file, lock_file
from msip.api.downloads.routes import provider_for
from tests.support.api_fixtures import prepared_config

#: Rounds of polling a download until it is built (a bound so a broken build fails the test, not hangs it).
POLLS = 3000


def _fresh(cid: str, ext: str):
    """The current file of `cid` in `ext`, removed so the next request has to build it."""
    res = prepared_config().config["resources"][cid]
    path = current_file(cid, ext, provider_for(res, ext))
    path.unlink(missing_ok=True)
    failure_file(path).unlink(missing_ok=True)
    return path


def _until_built(client, url: str):
    for _ in range(POLLS):
        resp = client.get(url)
        if resp.status_code != 202:
            return resp
        assert int(resp.headers["Retry-After"]) > 0
        time.sleep(0.2)
    raise AssertionError(f"{url} was still being built after {POLLS} polls")


def test_a_request_during_a_build_gets_202_with_retry_after_then_the_file(client, monkeypatch):
    monkeypatch.setenv(background.WAIT_ENV, "0.5")  # it waits that long for the build, then answers
    path = _fresh("trees", "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock_file(path).open("a") as held:  # another worker building it
        fcntl.flock(held, fcntl.LOCK_EX)
        resp = client.get("/downloads/trees.csv")
        assert resp.status_code == 202, resp.get_data(as_text=True)[:300]
        assert resp.headers["Retry-After"] == str(background.RETRY_AFTER_S)
        assert resp.headers["Cache-Control"] == "no-store"
        body = resp.get_json()
        assert body["code"] == "Accepted" and "Retry-After" in body["description"]
        assert not path.exists()
        fcntl.flock(held, fcntl.LOCK_UN)
    monkeypatch.setenv(background.WAIT_ENV, "600")
    resp = client.get("/downloads/trees.csv")  # the build is no longer running: this request builds it
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = resp.get_data(as_text=True).strip().splitlines()
    matched = client.get("/collections/trees/items", query_string={"limit": 1}).get_json()["numberMatched"]
    assert len(rows) - 1 == matched


def test_a_request_that_may_not_wait_gets_the_job_and_later_the_file(client, monkeypatch):
    monkeypatch.setenv(background.WAIT_ENV, "0")
    path = _fresh("advertisements", "gpkg")
    others = [_fresh("advertisements", ext) for ext in ("parquet", "csv")]
    resp = client.get("/downloads/advertisements.gpkg")
    if resp.status_code == 202:  # (a very fast build may finish before the answer)
        job_id = resp.get_json()["jobID"]
        assert job_id.startswith("download-advertisements-")
        assert resp.headers["Retry-After"] == str(background.RETRY_AFTER_S)
        resp = _until_built(client, "/downloads/advertisements.gpkg")
    assert resp.status_code == 200 and resp.get_data()[:16] == b"SQLite format 3\x00"
    assert path.is_file()
    import pyogrio

    tmp = path.with_name("check-advertisements.gpkg")
    tmp.write_bytes(resp.get_data())
    try:
        count = pyogrio.read_info(tmp, layer="advertisements")["features"]
    finally:
        tmp.unlink()
    items = client.get("/collections/advertisements/items", query_string={"limit": 1}).get_json()
    assert count == items["numberMatched"]
    # the same job went on to the collection's other formats
    for other in others:
        _until_built(client, f"/downloads/advertisements.{other.suffix.lstrip('.')}")
        assert other.is_file()


def test_the_job_manager_records_the_build(client, monkeypatch):
    from pygeoapi.process.manager.base import get_manager

    monkeypatch.setenv(background.WAIT_ENV, "600")
    _fresh("landscape_zones", "csv")
    assert client.get("/downloads/landscape_zones.csv").status_code == 200
    manager = get_manager(copy.deepcopy(prepared_config().config))
    jobs = manager.get_jobs()["jobs"]
    mine = [j for j in jobs if j["process_id"] == background.PROCESS_ID and "landscape_zones" in j["identifier"]]
    assert mine, "no build job recorded"
    for _ in range(POLLS):  # it goes on to the collection's other formats
        job = manager.get_job(mine[-1]["identifier"])
        if job["status"] not in ("accepted", "running"):
            break
        time.sleep(0.2)
    assert job["status"] == "successful", job


def test_a_failed_build_is_a_503_with_retry_after_not_a_traceback(client):
    path = _fresh("trees", "parquet")
    failure_file(path).parent.mkdir(parents=True, exist_ok=True)
    failure_file(path).write_text("OSError: disk full")
    try:
        resp = client.get("/downloads/trees.parquet")
        assert resp.status_code == 503 and resp.headers["Retry-After"] == str(background.RETRY_FAILED_S)
        assert "failed" in resp.get_json()["description"] and "disk full" not in resp.get_data(as_text=True)
    finally:
        failure_file(path).unlink(missing_ok=True)
    assert client.get("/downloads/trees.parquet").status_code == 200


def test_the_database_away_is_a_503_with_retry_after():
    from msip.api import create_app
    from msip.api.config import PreparedConfig

    other = copy.deepcopy(prepared_config().config)
    for res in other["resources"].values():
        for p in res.get("providers", []):
            if isinstance(p.get("data"), dict):
                p["data"] = {**p["data"], "port": 1}
    resp = create_app(PreparedConfig(other), openapi={}).test_client().get("/downloads/trees.gpkg")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == str(background.RETRY_AFTER_S)
    assert "database" in resp.get_json()["description"]


@pytest.mark.parametrize("kind", ["features", "coverage"])
def test_the_index_lists_every_download_with_its_size_once_built(client, kind):
    from msip.api.downloads.routes import kind_of

    published = {cid for cid, res in prepared_config().config["resources"].items()
                 if res.get("type") == "collection" and kind_of(res) == kind}
    ext = "gpkg" if kind == "features" else "tif"
    cid = "trees" if kind == "features" else "orthophoto"
    built = client.get(f"/downloads/{cid}.{ext}")
    assert built.status_code == 200
    index = client.get("/downloads").get_json()
    listed = {d["collection"]: d for d in index["downloads"] if d["kind"] == kind}
    assert set(listed) == published
    entry = next(f for f in listed[cid]["files"] if f["format"] == ext)
    assert entry["ready"] and entry["length"] == len(built.get_data())
    assert entry["href"] == f"http://127.0.0.1:5000/downloads/{cid}.{ext}"
