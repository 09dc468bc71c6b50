"""The `heat-island` OGC API process: execute() directly, then through the HTTP API (sync and async)."""

from __future__ import annotations

import os
import time

import pytest

from msip.api.processes.base import ProcessInputError, validate_inputs
from msip.api.processes.heat_island import PROCESS_METADATA, HeatIslandProcessor
from processing.heat.params import MODEL_NAMES, HeatParams
from tests.support.api_keys import keyed
from tests.support.paths import ROOT
from tests.support.toys.heat_toy import bbox, fresh_toy_db

pytestmark = pytest.mark.db
SMALL_AREA = list(bbox(0, 0, 200, 150))


@pytest.fixture(scope="module")
def toy(db_url, settings):
    fresh_toy_db(db_url, settings.data_dir / "heat-toy-ogc")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MSIP_DATABASE_URL", db_url)
        yield db_url


def test_every_parameter_is_an_input_documented_with_its_default():
    inputs = validate_inputs({}, PROCESS_METADATA)
    defaults = HeatParams()
    text = PROCESS_METADATA["description"]["en"]
    for name in MODEL_NAMES:
        assert inputs[name] == getattr(defaults, name)
        assert name in text, f"{name} is not explained in the process description"
    assert inputs["mode"] == "day" and inputs["stats_cell_m"] == 100 and "t_ref_c" in text


@pytest.mark.parametrize("data, match", [
    ({"cell_size_m": 50}, "'cell_size_m'=50 is above the maximum 30"),
    ({"mode": "evening"}, r"'mode'='evening' is not one of \['day', 'night'\]"),
    ({"bbox": [600000, 320000, 610000, 330000]}, "covers 100.00 km², more than 25 km²"),
    ({"epoch": "15.06.2025"}, "is not a date; use YYYY-MM-DD"),
    ({"epoch": "2020-06-15"}, "epoch 2020-06-15 has no complete set of chm, brightness, ndvi mosaics"),
    ({"albedo_dark": 0.7}, "albedo_dark=0.7 must be below albedo_bright=0.65"),
    ({"stats_cell_m": 300}, r"is not one of \[100, 250, 500, 1000\]"),
    ({"wind": 3}, r"unknown input\(s\) \['wind'\]"),
])
def test_bad_inputs_are_400s_with_the_reason(toy, data, match):
    with pytest.raises(ProcessInputError, match=match):
        HeatIslandProcessor({"name": "heat-island"}).execute(data)


def test_execute_directly(toy):
    mime, out = HeatIslandProcessor({"name": "heat-island"}).execute(
        {"bbox": SMALL_AREA, "cell_size_m": 10, "mode": "night"})
    assert mime == "application/json" and out["status"] == "succeeded" and out["mode"] == "night"
    assert set(out["rasters"]) == {"heat_hm", "heat_tair"}
    assert out["zones"][0]["symbol"] in ("ZP", "MW") and out["hotspots"]["count"] >= 1
    assert "postgresql" not in str(out)


@pytest.fixture(scope="module")
def client(toy, tmp_path_factory):
    """An in-process API app publishing only this process, as registered in pygeoapi-config.yml."""
    from msip.api.app import create_app
    from msip.api.config import prepare, read_yaml

    jobs = tmp_path_factory.mktemp("heat-jobs")
    saved = {k: os.environ.get(k) for k in ("MSIP_API_JOBS_DB", "MSIP_API_JOBS_DIR")}
    os.environ.update(MSIP_API_JOBS_DB=str(jobs / "jobs.db"), MSIP_API_JOBS_DIR=f"{jobs}/")
    cfg = read_yaml(ROOT / "pygeoapi-config.yml")
    cfg["resources"] = {"heat-island": cfg["resources"]["heat-island"]}
    yield keyed(create_app(prepare(cfg, check=False), openapi={}).test_client())
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def test_http_describes_and_executes_the_process_synchronously(client):
    r = client.get("/processes/heat-island", query_string={"f": "json"})
    assert r.status_code == 200
    described = r.get_json()
    assert described["jobControlOptions"] == ["sync-execute", "async-execute"]
    assert "green_area_cooling_distance_m" in described["inputs"]
    r = client.post("/processes/heat-island/execution", json={"inputs": {"bbox": SMALL_AREA, "cell_size_m": 10}})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["status"] in ("succeeded", "unchanged") and r.get_json()["mode"] == "day"
    r = client.post("/processes/heat-island/execution", json={"inputs": {"uhi_max_c": -1}})
    assert r.status_code == 400 and "below the minimum 0" in r.get_data(as_text=True)


def test_http_runs_the_process_as_an_async_job(client):
    r = client.post("/processes/heat-island/execution", headers={"Prefer": "respond-async"},
                    json={"inputs": {"cell_size_m": 10, "hotspot_percentile": 95}})
    assert r.status_code == 201, r.get_data(as_text=True)
    job = r.headers["Location"].rsplit("/jobs/", 1)[1]
    for _ in range(240):
        status = client.get(f"/jobs/{job}", query_string={"f": "json"}).get_json()["status"]
        if status not in ("accepted", "running"):
            break
        time.sleep(0.25)
    assert status == "successful"
    result = client.get(f"/jobs/{job}/results", query_string={"f": "json"}).get_json()
    assert result["status"] == "succeeded" and result["buildings"]["count"] == 4


@pytest.mark.parametrize("table", ["msip.heat_hotspot", "msip.heat_building_stats", "msip.heat_zone_stats",
                                   "msip.heat_cell_stats", "msip.heat_zone_stats_latest"])
def test_result_tables_are_publishable_as_feature_collections(reader_url, table):
    from msip.api.providers.db import table_info

    info = table_info(reader_url, table)
    assert info.id_field in ("hotspot_id", "stat_id")
