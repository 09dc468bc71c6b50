"""`change` on the sample world loaded through every pipeline: scored against truth/changes.geojson.

Precision and recall must reach 0.9 for every change type the truth holds. Also: provenance
(rerun → unchanged, forced rerun → same checksum), refusals, the CLI, the OGC process called
directly and over HTTP (sync and async), and a run on a 2-worker distributed.LocalCluster.
"""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
import shapely
from click.testing import CliRunner

from msip.core.errors import ValidationError
from processing.change.analysis import run_change
from processing.change.detect import detect_changes
from processing.change.params import ChangeParams
from processing.change.store import run_outputs
from tests.support.api_keys import keyed
from tests.support.db import count

pytestmark = pytest.mark.db
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)
#: A detected point event matches a true one within this distance (m).
POINT_TOLERANCE_M = 1.5


@pytest.fixture(scope="module")
def change_run(sample_db_url):
    """The change run over the whole sample world (recomputed once per module)."""
    return run_change(E1, E2, url=sample_db_url, force=True, workers=1)


@pytest.fixture(scope="module")
def truth(sample_dir) -> list[dict]:
    return json.loads((sample_dir / "truth" / "changes.geojson").read_text())["features"]


def _matches(det: shapely.Geometry, true: shapely.Geometry) -> bool:
    """Same object: points within POINT_TOLERANCE_M; areas overlapping by half the smaller one."""
    if true.geom_type == "Point" or det.geom_type == "Point":
        return det.distance(true) <= POINT_TOLERANCE_M
    return det.intersection(true).area >= 0.5 * min(det.area, true.area)


def _score(detected: list[shapely.Geometry], true: list[shapely.Geometry]) -> tuple[float, float]:
    """(precision, recall) of detections against truth of one type."""
    hit_det = sum(any(_matches(d, t) for t in true) for d in detected)
    hit_true = sum(any(_matches(d, t) for d in detected) for t in true)
    return hit_det / max(len(detected), 1), hit_true / len(true)


TRUE_TYPES = [
    "new_building",
    "demolished_building",
    "raised_building",
    "felled_tree",
    "health_decline",
    "terrain_change",
    "new_ad",
]


@pytest.mark.parametrize("kind", TRUE_TYPES)
def test_precision_and_recall_per_type(change_run, truth, sample_db_url, kind):
    true = [shapely.geometry.shape(f["geometry"]) for f in truth if f["properties"]["type"] == kind]
    assert true, f"the sample world has no {kind}; TRUE_TYPES is out of date"
    with __import__("psycopg").connect(sample_db_url) as conn:
        detected = [
            shapely.from_wkb(bytes(g))
            for (g,) in conn.execute(
                "SELECT ST_AsBinary(geom) FROM msip.change_event WHERE load_run_id = %s AND type = %s",
                (change_run.run_id, kind),
            )
        ]
    precision, recall = _score(detected, true)
    assert precision >= 0.9 and recall >= 0.9, (kind, precision, recall, len(detected), len(true))


def test_building_events_name_the_register_building(change_run, truth, sample_db_url):
    outputs = run_outputs(change_run.run_id, url=sample_db_url)
    found = {
        (f["properties"]["type"], f["properties"]["object_id"])
        for f in outputs["events"]["features"]
        if f["properties"]["type"].endswith("_building")
    }
    expected = {
        (f["properties"]["type"], f["properties"]["object_id"])
        for f in truth
        if f["properties"]["type"].endswith("_building")
    }
    assert found == expected
    raised = next(f for f in truth if f["properties"]["type"] == "raised_building")
    event = next(
        f for f in outputs["events"]["features"] if f["properties"]["type"] == "raised_building"
    )
    assert event["properties"]["height_change_m"] == pytest.approx(
        raised["properties"]["height_change_m"], abs=0.3
    )
    assert outputs["epoch_from"] == "2024-06-15" and outputs["epoch_to"] == "2025-06-15"


def test_rerun_is_unchanged_and_forced_rerun_gives_the_same_checksum(change_run, sample_db_url):
    def checksum(run_id: int) -> str:
        with __import__("psycopg").connect(sample_db_url) as conn:
            message = conn.execute(
                "SELECT message FROM msip.load_run WHERE run_id = %s", (run_id,)
            ).fetchone()[0]
        return message.split("events checksum ")[1][:64]

    rows = count(
        sample_db_url, "SELECT count(*) FROM msip.change_event WHERE epoch_from = %s", (E1,)
    )
    again = run_change(E1, E2, url=sample_db_url, workers=1)
    assert again.status == "unchanged" and again.run_id == change_run.run_id
    forced = run_change(E1, E2, url=sample_db_url, workers=1, force=True)
    assert forced.status == "succeeded" and forced.rows_retired == rows
    assert checksum(forced.run_id) == checksum(change_run.run_id)
    assert (
        count(sample_db_url, "SELECT count(*) FROM msip.change_event WHERE epoch_from = %s", (E1,))
        == rows
    )
    assert (
        count(
            sample_db_url,
            "SELECT count(*) FROM msip.change_event WHERE load_run_id = %s",
            (change_run.run_id,),
        )
        == 0
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"epoch_from": date(2020, 1, 1)},
            "epoch_from 2020-01-01 has no nDSM/CHM/DTM/NDVI mosaics; epochs with rasters: 2024-06-15, 2025-06-15",
        ),
        ({"epoch_from": E2, "epoch_to": E1}, "must be before epoch_to"),
        ({"bbox": (600000, 300000, 600100, 300100)}, "does not overlap the rasters of both epochs"),
    ],
)
def test_refusals_name_the_problem(sample_db_url, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        run_change(url=sample_db_url, **kwargs)


def test_cli_runs_a_bbox_and_prints_the_summary(change_run, sample_db_url, monkeypatch):
    from msip.cli.commands.run_change import command

    monkeypatch.setenv("MSIP_DATABASE_URL", sample_db_url)
    result = CliRunner().invoke(
        command,
        [
            "--from",
            "2024-06-15",
            "--to",
            "2025-06-15",
            "--bbox",
            "614240,334600,614300,334640",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "analysis:change: succeeded" in result.output and "1 new_building" in result.output


def test_process_execute_directly(sample_db_url, monkeypatch, truth):
    from shapely.geometry import box, shape

    from msip.api.processes.base import ProcessInputError
    from msip.api.processes.change import ChangeProcessor

    # A 120 m box around the demolished building the sample world knows about.
    gone = next(shape(f["geometry"]) for f in truth if f["properties"]["type"] == "demolished_building")
    x, y = gone.centroid.x, gone.centroid.y
    bbox = [x - 60, y - 60, x + 60, y + 60]
    expected_new = sum(1 for f in truth if f["properties"]["type"] == "new_building"
                       and box(*bbox).contains(shape(f["geometry"]).centroid))
    monkeypatch.setenv("MSIP_DATABASE_URL", sample_db_url)
    proc = ChangeProcessor({"name": "change"})
    mime, out = proc.execute({"bbox": bbox, "building_min_area_m2": 30})
    assert mime == "application/json"
    assert out["counts"]["demolished_building"] == 1
    assert out["counts"].get("new_building", 0) == expected_new
    assert out["epoch_to"] == "2025-06-15"
    assert {f["geometry"]["type"] for f in out["events"]["features"]} == {"Point", "MultiPolygon"}
    with pytest.raises(ProcessInputError, match="epoch_to 2030-01-01 has no nDSM"):
        proc.execute({"epoch_to": "2030-01-01"})
    with pytest.raises(ProcessInputError, match=r"covers 100.00 km²"):
        proc.execute({"bbox": [610000, 330000, 620000, 340000]})
    with pytest.raises(ProcessInputError, match="'ndvi_decline_min'=2 is above the maximum 1"):
        proc.execute({"ndvi_decline_min": 2})


@pytest.fixture
def api_client(sample_db_url, sample_reader_url, tmp_path, monkeypatch):
    """The Flask app over the sample database with the change process (jobs kept in tmp_path)."""
    from msip.api import create_app
    from msip.api.config import load_config

    monkeypatch.setenv("MSIP_DATABASE_URL", sample_db_url)
    prepared = load_config(reader_url=sample_reader_url, check=False)
    cfg = prepared.config
    cfg["server"]["manager"] = {
        "name": "msip.api.jobs.MsipJobManager",
        "connection": str(tmp_path / "jobs.db"),
        "output_dir": str(tmp_path),
    }
    cfg["resources"] = {
        "change": {
            "type": "process",
            "processor": {"name": "msip.api.processes.change.ChangeProcessor"},
        }
    }
    return keyed(create_app(prepared, openapi={}).test_client())


def test_process_over_http_sync_and_async(api_client):
    assert api_client.get("/processes/change").get_json()["id"] == "change"
    body = {"inputs": {"bbox": [614240, 334600, 614320, 334640], "force": True}}
    sync = api_client.post("/processes/change/execution", json=body)
    assert sync.status_code == 200, sync.get_data(as_text=True)
    assert sync.get_json()["counts"]["new_building"] == 1
    bad = api_client.post(
        "/processes/change/execution", json={"inputs": {"epoch_from": "15.06.2024"}}
    )
    assert bad.status_code == 400 and "use YYYY-MM-DD" in bad.get_data(as_text=True)
    started = api_client.post(
        "/processes/change/execution", json=body, headers={"Prefer": "respond-async"}
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
    assert result["counts"]["terrain_change"] == 1


@pytest.mark.slow
def test_distributed_cluster_gives_the_local_result(sample_db_url, monkeypatch):
    from distributed import LocalCluster

    from msip.core.db import connect
    from processing.change.inputs import load_inputs

    params = ChangeParams(tile_m=200.0)
    with connect(sample_db_url) as conn:
        inputs, _, _ = load_inputs(conn, E1, E2, None, params)
    local = detect_changes(inputs, params, workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv("MSIP_DASK_SCHEDULER", cluster.scheduler_address)
        remote = detect_changes(inputs, params)
    assert remote.checksum == local.checksum and remote.counts() == local.counts()
