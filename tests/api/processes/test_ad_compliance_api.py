"""The `ad-compliance` OGC API process: execute() directly, then through the HTTP API (sync and async)."""

from __future__ import annotations

import time

import pytest

from msip.api.processes.ad_compliance import AdComplianceProcessor
from msip.api.processes.base import ProcessInputError
from tests.support.api_keys import keyed
from tests.support.paths import ROOT
from tests.support.toys.ad_world import EPOCH1, world_db

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(sample_dir, tmp_path_factory) -> str:
    return world_db(sample_dir, tmp_path_factory.mktemp("ad-api-fees"))


@pytest.fixture
def owner_env(url, monkeypatch):
    """The process writes through MSIP_DATABASE_URL (msip_owner), as on the server."""
    monkeypatch.setenv("MSIP_DATABASE_URL", url)
    return url


def test_execute_returns_the_summary(owner_env):
    mimetype, out = AdComplianceProcessor({"name": "ad-compliance"}).execute(
        {"epoch": "2024-06-15", "period_start": "2024-01-01", "period_end": "2024-06-30"})
    assert mimetype == "application/json"
    assert out["status"] in ("succeeded", "unchanged")
    assert (out["assessed_epoch"], out["period"], out["carriers"]) == ("2024-06-15", ["2024-01-01", "2024-06-30"], 36)
    assert out["verdicts"] == {"compliant": 25, "non_compliant": 11}
    assert out["violations_by_rule"]["LED_IN_ZONE_A"] == 3
    assert out["fee_total_pln"] > 0 and out["penalty_estimate_total_pln"] > out["fee_total_pln"]


@pytest.mark.parametrize(("data", "match"), [
    ({"epoch": "2024-13-01"}, r"input 'epoch'='2024-13-01' is not a date; use YYYY-MM-DD"),
    ({"epoch": "2019-01-01"}, r"no advertising carriers were recorded by 2019-01-01"),
    ({"period_start": "2024-01-01", "period_end": "2030-12-31"}, r"no advertising fee rate for 2026"),
    ({"colour": "red"}, r"unknown input\(s\) \['colour'\]"),
    ({"bbox": [614000, 334600, 614100]}, r"input 'bbox' needs at least 4 items"),
    ({"bbox": [590000, 320000, 640000, 350000]}, r"covers 1500.00 km², more than 600 km²"),
])
def test_bad_inputs_are_400_with_the_reason(owner_env, data, match):
    with pytest.raises(ProcessInputError, match=match):
        AdComplianceProcessor({"name": "ad-compliance"}).execute(data)


@pytest.fixture(scope="module")
def client(url, tmp_path_factory):
    """An in-process API app publishing only this process, as registered in pygeoapi-config.yml."""
    import os

    from msip.api.app import create_app
    from msip.api.config import prepare, read_yaml

    jobs = tmp_path_factory.mktemp("ad-jobs")
    saved = {k: os.environ.get(k) for k in ("MSIP_API_JOBS_DB", "MSIP_API_JOBS_DIR", "MSIP_DATABASE_URL")}
    os.environ.update(MSIP_API_JOBS_DB=str(jobs / "jobs.db"), MSIP_API_JOBS_DIR=f"{jobs}/", MSIP_DATABASE_URL=url)
    cfg = read_yaml(ROOT / "pygeoapi-config.yml")
    cfg["resources"] = {"ad-compliance": cfg["resources"]["ad-compliance"]}
    yield keyed(create_app(prepare(cfg, check=False), openapi={}).test_client())
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_http_describes_and_executes_the_process_synchronously(client):
    r = client.get("/processes/ad-compliance", query_string={"f": "json"})
    assert r.status_code == 200
    assert r.get_json()["jobControlOptions"] == ["sync-execute", "async-execute"]
    r = client.post("/processes/ad-compliance/execution", json={"inputs": {"epoch": EPOCH1.isoformat()}})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["verdicts"] == {"compliant": 25, "non_compliant": 11}
    r = client.post("/processes/ad-compliance/execution", json={"inputs": {"epoch": "yesterday"}})
    assert r.status_code == 400 and "is not a date" in r.get_data(as_text=True)


def test_http_runs_the_process_as_an_async_job(client):
    r = client.post("/processes/ad-compliance/execution", headers={"Prefer": "respond-async"},
                    json={"inputs": {"epoch": EPOCH1.isoformat(), "period_end": "2024-09-30"}})
    assert r.status_code == 201, r.get_data(as_text=True)
    job = r.headers["Location"].rsplit("/jobs/", 1)[1]
    for _ in range(240):
        status = client.get(f"/jobs/{job}", query_string={"f": "json"}).get_json()["status"]
        if status not in ("accepted", "running"):
            break
        time.sleep(0.25)
    assert status == "successful"
    result = client.get(f"/jobs/{job}/results", query_string={"f": "json"}).get_json()
    assert result["period"] == ["2024-01-01", "2024-09-30"] and result["carriers"] == 36
