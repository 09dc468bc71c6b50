"""Living-conditions grid on the toy world (tests/support/green_toy.py + tests/support/living_toy.py)
and its pure pieces."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import psycopg
import pytest
from click.testing import CliRunner
from shapely.geometry import Point

from msip.core.errors import ValidationError
from processing.green_access.analysis import GreenAccessParams, run_green_access
from processing.living.analysis import run_living_conditions
from processing.living.grid import Grid
from processing.living.params import LivingParams
from processing.living.rasters import tiles_over
from tests.support.api_keys import keyed
from tests.support.green_toy import raster_folder
from tests.support.living_toy import BBOX, living_world

PARAMS = LivingParams(bbox=BBOX)
WEST, EAST, FAR = "100mE600000N300000", "100mE600100N300000", "100mE600200N300000"


@pytest.fixture
def toy(empty_db, tmp_path, settings):
    with (
        raster_folder(settings, tmp_path.name) as folder,
        psycopg.connect(empty_db, autocommit=True) as c,
    ):
        living_world(c, folder)
        yield empty_db


def _cells(url: str, run_id: int) -> dict[str, dict]:
    with psycopg.connect(url) as c:
        cur = c.execute(
            "SELECT * FROM msip.living_conditions_result WHERE load_run_id = %s", (run_id,)
        )
        names = [d.name for d in cur.description]
        return {r[names.index("cell_code")]: dict(zip(names, r, strict=True)) for r in cur}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell_m": 500}, r"cell_m=500 is not one of \[100, 250, 1000\]"),
        ({"grid_epsg": 4326}, "grid_epsg=4326 is not one of"),
        ({"pixel_m": 0.1}, "pixel_m=0.1 is out of range"),
        (
            {"tile_m": 300, "pixel_m": 0.7},
            "must be at least cell_m=100 and a multiple of pixel_m=0.7",
        ),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        LivingParams(**kwargs)


def test_eu_grid_codes_and_lookup():
    g = Grid.covering((614000, 334600, 614400, 335000), 1000, 3035)
    assert g.codes() == ["CRS3035RES1000mN3138000E5065000", "CRS3035RES1000mN3138000E5066000"]
    xy = np.array([[614100.0, 334700.0], [614390.0, 334610.0]])
    cells = g.index_of(xy[:, 0], xy[:, 1])
    assert cells.tolist() == [0, 1]
    assert all(g.polygons()[c].contains(Point(*p)) for c, p in zip(cells, xy, strict=True))


def test_tiles_cover_the_area_on_the_pixel_grid():
    tiles = tiles_over((100.2, 0.0, 2100.0, 900.0), 1000.0, 0.5)
    assert (
        tiles[0] == (100.0, 0.0, 1000.0, 900.0)
        and tiles[-1] == (2000.0, 0.0, 2100.0, 900.0)
        and len(tiles) == 3
    )


@pytest.mark.db
def test_toy_cells_hold_the_known_values(toy):
    run_green_access(
        GreenAccessParams(entrance_tolerance_m=0.0, canopy_radius_m=40.0), url=toy, workers=1
    )
    result = run_living_conditions(PARAMS, url=toy, workers=1)
    cells = _cells(toy, result.report.run_id)
    assert result.report.status == "succeeded" and len(cells) == 6
    west, east, far = cells[WEST], cells[EAST], cells[FAR]
    assert (west["population"], east["population"], far["population"]) == (10, 50, 0)
    assert (west["t_air_mean_c"], east["t_air_mean_c"]) == (
        pytest.approx(20.5),
        pytest.approx(21.5),
    )
    assert west["bio_active_pct"] == pytest.approx(100 - 0.64)  # NDVI 0.6 but for H1's 64 m² roof
    assert east["bio_active_pct"] == 0 and east["built_pct"] == pytest.approx(
        1.28 + 1.0
    )  # H2, H3 roofs + school
    assert (west["canopy_pct"], far["canopy_pct"]) == (0, 100)
    assert (west["trees"], west["trees_per_100_residents"]) == (3, 30)
    assert (west["ads"], west["ads_per_km2"], east["ads"]) == (2, pytest.approx(200), 0)
    assert (west["zoned_pct"], west["zoning_compliant_pct"], east["zoning_compliant_pct"]) == (
        100,
        100,
        0,
    )
    assert (east["pct_300"], east["pct_3"], far["pct_300"]) == (100, 0, None)
    with psycopg.connect(toy) as c:
        zones = dict(
            c.execute(
                "SELECT local_id, compliant FROM msip.living_conditions_zone WHERE load_run_id = %s",
                (result.report.run_id,),
            ).fetchall()
        )
    assert zones == {"Z-WEST": True, "Z-EAST": False}


@pytest.mark.db
def test_unknown_green_access_is_no_share_not_zero(toy):
    """Residents whose 3/30/300 flag is unknown (NULL) count neither as meeting it nor as failing it."""
    run_green_access(GreenAccessParams(entrance_tolerance_m=0.0, canopy_radius_m=40.0), url=toy, workers=1)
    with psycopg.connect(toy, autocommit=True) as c:
        c.execute("UPDATE msip.greenspace_access SET meets_3 = NULL, meets_3_30_300 = NULL")
    cells = _cells(toy, run_living_conditions(PARAMS, url=toy, workers=1).report.run_id)
    east = cells[EAST]
    assert (east["pct_3"], east["pct_3_30_300"], east["pct_300"]) == (None, None, 100)


@pytest.mark.db
def test_eu_grid_keeps_everyone(toy):
    result = run_living_conditions(replace(PARAMS, grid_epsg=3035, cell_m=250), url=toy, workers=1)
    cells = _cells(toy, result.report.run_id)
    assert all(code.startswith("CRS3035RES250mN") for code in cells)
    assert sum(c["population"] for c in cells.values()) == 60  # H1–H3; H4 is outside the bbox


@pytest.mark.db
def test_without_heat_or_green_access_the_columns_are_null_and_said_so(
    empty_db, tmp_path, settings
):
    with (
        raster_folder(settings, tmp_path.name) as folder,
        psycopg.connect(empty_db, autocommit=True) as c,
    ):
        living_world(c, folder, heat=False)
        result = run_living_conditions(PARAMS, url=empty_db, workers=1)
    cells = _cells(empty_db, result.report.run_id)
    assert all(c["t_air_mean_c"] is None and c["pct_300"] is None for c in cells.values())
    notes = " ".join(result.report.notes)
    assert (
        "run `msip run heat-island` (day) first" in notes
        and "run `msip run green-access` first" in notes
    )


@pytest.mark.db
def test_reruns_are_unchanged_and_reproducible(toy):
    first = run_living_conditions(PARAMS, url=toy, workers=1)
    again = run_living_conditions(PARAMS, url=toy, workers=1)
    forced = run_living_conditions(replace(PARAMS, tile_m=150.0), url=toy, workers=1, force=True)
    assert (again.report.status, again.checksum) == ("unchanged", first.checksum)
    assert forced.checksum == first.checksum  # tiles of 150 m cut the cells: sums must not change
    with psycopg.connect(toy) as c:
        assert c.execute(
            "SELECT count(*), min(load_run_id) FROM msip.living_conditions_cell"
        ).fetchone() == (6, forced.report.run_id)


@pytest.mark.db
def test_cli(toy, monkeypatch):
    from msip.cli.commands.run.living_conditions import command

    monkeypatch.setenv("MSIP_DATABASE_URL", toy)
    result = CliRunner().invoke(
        command, ["--bbox", ",".join(str(v) for v in BBOX), "--cell", "250", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "analysis:living-conditions: succeeded" in result.output and "cells: 2" in result.output


@pytest.mark.db
def test_process_execute_and_http(toy, reader_url, tmp_path, monkeypatch):
    from msip.api import create_app
    from msip.api.config import load_config
    from msip.api.processes.base import ProcessInputError
    from msip.api.processes.living_conditions import LivingConditionsProcessor

    monkeypatch.setenv("MSIP_DATABASE_URL", toy)
    proc = LivingConditionsProcessor({"name": "living-conditions"})
    _, out = proc.execute({"bbox": list(BBOX)})
    assert out["cells"] == 6 and len(out["cells_geojson"]["features"]) == 6
    with pytest.raises(ProcessInputError, match=r"'cell_m'=500 is not one of \[100, 250, 1000\]"):
        proc.execute({"cell_m": 500})
    prepared = load_config(reader_url=reader_url, check=False)
    prepared.config["server"]["manager"] = {
        "name": "msip.api.jobs.MsipJobManager",
        "connection": str(tmp_path / "jobs.db"),
        "output_dir": str(tmp_path),
    }
    prepared.config["resources"] = {
        "living-conditions": {
            "type": "process",
            "processor": {"name": "msip.api.processes.living_conditions.LivingConditionsProcessor"},
        }
    }
    client = keyed(create_app(prepared, openapi={}).test_client())
    body = {"inputs": {"bbox": list(BBOX), "grid_epsg": 3035, "cell_m": 250}}
    sync = client.post("/processes/living-conditions/execution", json=body)
    assert sync.status_code == 200, sync.get_data(as_text=True)
    assert sync.get_json()["cells_geojson"]["features"][0]["id"].startswith("CRS3035RES250m")
    started = client.post(
        "/processes/living-conditions/execution",
        json={"inputs": {**body["inputs"], "force": True}},
        headers={"Prefer": "respond-async"},
    )
    assert started.status_code == 201, started.get_data(as_text=True)
    job = started.headers["Location"].rstrip("/").split("/")[-1]
    for _ in range(240):
        status = client.get(f"/jobs/{job}?f=json").get_json()["status"]
        if status in ("successful", "failed"):
            break
        time.sleep(0.25)
    assert status == "successful"
    assert (
        client.get(f"/jobs/{job}/results?f=json").get_json()["checksum"]
        == sync.get_json()["checksum"]
    )


@pytest.mark.db
@pytest.mark.slow
def test_distributed_cluster_gives_the_local_result(toy, monkeypatch):
    """The tile loop on a two-worker distributed.LocalCluster (MSIP_DASK_SCHEDULER) stores the same rows."""
    from distributed import LocalCluster

    local = run_living_conditions(replace(PARAMS, tile_m=100.0), url=toy, workers=1)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        monkeypatch.setenv("MSIP_DASK_SCHEDULER", cluster.scheduler_address)
        remote = run_living_conditions(replace(PARAMS, tile_m=100.0), url=toy, force=True)
        assert "tile_sums" in cluster.scheduler.task_prefixes  # the tiles really ran on the cluster
    assert remote.report.run_id != local.report.run_id and remote.checksum == local.checksum
