"""The green-access OGC API process: execute() directly and through the HTTP API (sync and async)."""

from __future__ import annotations

import time

import psycopg
import pytest

from msip.api.processes.base import ProcessInputError, validate_inputs
from msip.api.processes.green_access import PROCESS_METADATA, GreenAccessProcessor
from tests.support.api_keys import keyed
from tests.support.green_toy import PARK_M, raster_folder, world

pytestmark = pytest.mark.db
EXACT = {"entrance_tolerance_m": 0, "canopy_radius_m": 40}


@pytest.fixture
def toy(empty_db, tmp_path, settings, monkeypatch):
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    with (
        raster_folder(settings, tmp_path.name) as folder,
        psycopg.connect(empty_db, autocommit=True) as c,
    ):
        world(c, folder)
        yield empty_db


def test_every_parameter_is_documented_with_its_default():
    inputs = validate_inputs({}, PROCESS_METADATA)
    from processing.green_access.params import defaults

    assert {k: v for k, v in inputs.items() if k in defaults()} == {
        k: v for k, v in defaults().items() if k not in ("epoch", "bbox")
    }
    text = PROCESS_METADATA["description"]["en"]
    for name in defaults():
        if name not in ("epoch", "bbox"):
            assert name in text, f"{name} is not explained in the process description"


@pytest.mark.parametrize(
    "data, match",
    [
        ({"walk_speed_kmh": 20}, "'walk_speed_kmh'=20 is above the maximum 10"),
        ({"district": "gmina"}, "is not one of \\['grid', 'zone'\\]"),
        ({"bbox": [600000, 300000, 610000, 310000]}, "covers 100.00 km²"),
        ({"epoch": "15.06.2025"}, "is not a date; use YYYY-MM-DD"),
        ({"epoch": "2020-01-01"}, "no buildings of epoch 2020-01-01"),
        ({"min_trees": 2.5}, "'min_trees' must be of type integer"),
    ],
)
def test_bad_inputs_are_400s_with_the_reason(toy, data, match):
    with pytest.raises(ProcessInputError, match=match):
        GreenAccessProcessor({"name": "green-access"}).execute(data)


def test_execute_directly(toy):
    mime, out = GreenAccessProcessor({"name": "green-access"}).execute(
        {**EXACT, "return_buildings": True}
    )
    assert mime == "application/json" and out["status"] == "succeeded"
    # H4 (40 of 100 residents) has no walking distance: 300 is unknown for it, not "not met"
    assert out["totals"]["pct_300"] == 100 and out["totals"]["population_known"]["pct_300"] == 60
    assert out["districts"][0]["district_kind"] == "all"
    features = {f["id"]: f for f in out["buildings"]["features"]}
    assert features["H4"]["properties"]["meets_300"] is None and features["H4"]["properties"]["meets_3"] is None
    assert features["H2"]["properties"]["park_distance_m"] == pytest.approx(PARK_M["H2"])
    assert features["H2"]["geometry"]["type"] == "MultiPolygon"


@pytest.fixture
def api_client(toy, reader_url, tmp_path):
    from msip.api import create_app
    from msip.api.config import load_config

    prepared = load_config(reader_url=reader_url, check=False)
    cfg = prepared.config
    cfg["server"]["manager"] = {
        "name": "msip.api.jobs.MsipJobManager",
        "connection": str(tmp_path / "jobs.db"),
        "output_dir": str(tmp_path),
    }
    cfg["resources"] = {
        "green-access": {
            "type": "process",
            "processor": {"name": "msip.api.processes.green_access.GreenAccessProcessor"},
        }
    }
    return keyed(create_app(prepared, openapi={}).test_client())


def test_process_over_http_sync_and_async(api_client):
    described = api_client.get("/processes/green-access?f=json").get_json()
    assert described["id"] == "green-access" and "park_max_distance_m" in described["inputs"]
    sync = api_client.post("/processes/green-access/execution", json={"inputs": EXACT})
    assert sync.status_code == 200, sync.get_data(as_text=True)
    assert sync.get_json()["totals"]["pct_300"] == 100
    bad = api_client.post(
        "/processes/green-access/execution", json={"inputs": {"tree_radius_m": -1}}
    )
    assert bad.status_code == 400 and "below the minimum 1" in bad.get_data(as_text=True)
    started = api_client.post(
        "/processes/green-access/execution",
        json={"inputs": {**EXACT, "force": True}},
        headers={"Prefer": "respond-async"},
    )
    assert started.status_code == 201, started.get_data(as_text=True)
    job = started.headers["Location"].rstrip("/").split("/")[-1]
    for _ in range(240):
        status = api_client.get(f"/jobs/{job}?f=json").get_json()["status"]
        if status in ("successful", "failed"):
            break
        time.sleep(0.25)
    assert status == "successful"
    result = api_client.get(f"/jobs/{job}/results?f=json").get_json()
    assert result["status"] == "succeeded" and result["checksum"] == sync.get_json()["checksum"]
