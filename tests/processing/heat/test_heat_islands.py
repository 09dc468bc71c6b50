"""The heat-island analysis on a hand-built toy district: outputs, ground truth, idempotency, Dask cluster."""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
import pytest
import rasterio

from msip.core.errors import ValidationError
from msip.core.rasters.store import is_valid_cog
from processing.heat.analysis import run_heat_island
from processing.heat.params import HeatParams
from tests.support.db import count
from tests.support.toys.heat_toy import X0, Y0, bbox, fresh_toy_db

pytestmark = pytest.mark.db
#: Small blocks and FFT tiles so that the toy district is cut into several tasks.
SMALL = {"block_cells": 32, "tile_px": 16}


@pytest.fixture(scope="module")
def toy_db(db_url: str, settings):
    """The test database holding only the toy district; MSIP_DATABASE_URL points at it."""
    fresh_toy_db(db_url, settings.data_dir / "heat-toy")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MSIP_DATABASE_URL", db_url)
        yield db_url


@pytest.fixture(scope="module")
def day(toy_db):
    return run_heat_island(url=toy_db, params=HeatParams(), workers=1, **SMALL)


def _raster(url: str, run_id: int, kind: str) -> tuple[np.ndarray, rasterio.Affine, str]:
    with psycopg.connect(url) as c:
        path, sha = c.execute("SELECT path, sha256 FROM msip.raster_asset WHERE load_run_id = %s AND kind = %s",
                              (run_id, kind)).fetchone()
    with rasterio.open(path) as src:
        data = src.read(1, masked=True).filled(np.nan)
        return data, src.transform, sha


def _cells(data: np.ndarray, transform, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Values of the cells whose centres lie in the local-metre box."""
    rows, cols = np.indices(data.shape)
    xs, ys = transform @ (cols + 0.5, rows + 0.5)
    inside = (xs >= X0 + x0) & (xs < X0 + x1) & (ys >= Y0 + y0) & (ys < Y0 + y1)
    return data[inside]


def test_day_run_counts_every_building_zone_cell_and_hot_spot(day, toy_db):
    assert day.status == "succeeded"
    assert day.rows_in == day.rows_loaded + day.rows_rejected and day.rows_rejected == 1
    assert "B6" in day.rejections[0].reason and "no model cell with data" in day.rejections[0].reason
    run = day.run_id
    assert count(toy_db, "SELECT count(*) FROM msip.heat_building_stats WHERE load_run_id = %s", (run,)) == 4
    assert count(toy_db, "SELECT count(*) FROM msip.heat_zone_stats WHERE load_run_id = %s", (run,)) == 2
    # 400 m × 300 m in 100 m statistics cells.
    assert count(toy_db, "SELECT count(*) FROM msip.heat_cell_stats WHERE load_run_id = %s", (run,)) == 12
    assert count(toy_db, "SELECT count(*) FROM msip.heat_hotspot WHERE load_run_id = %s", (run,)) >= 1
    assert count(toy_db, "SELECT count(*) FROM msip.heat_building_stats WHERE source_id = 'B4' "
                         "AND sampled_at_point AND cells = 1") == 1


def test_cogs_are_catalogued_valid_and_cover_the_grid(day, toy_db):
    for kind in ("heat_hm", "heat_tair"):
        data, transform, _ = _raster(toy_db, day.run_id, kind)
        assert data.shape == (60, 80) and transform.a == 5.0
        assert np.isnan(_cells(data, transform, 380, 0, 400, 40)).all()  # the raster hole
        assert np.isfinite(data).sum() == 60 * 80 - 4 * 8
    with psycopg.connect(toy_db) as c:
        paths = [r[0] for r in c.execute("SELECT path FROM msip.raster_asset WHERE load_run_id = %s", (day.run_id,))]
    assert all(is_valid_cog(p)[0] for p in paths)


def test_canopy_cools_more_than_roofs_and_the_park_more_than_buildings(day, toy_db):
    hm, t, _ = _raster(toy_db, day.run_id, "heat_hm")
    grove, roof = _cells(hm, t, 20, 20, 80, 80), _cells(hm, t, 250, 50, 300, 100)
    assert grove.min() > 0.7 and roof.max() < 0.3
    with psycopg.connect(toy_db) as c:
        zp, mw = (c.execute("SELECT t_air_mean_c FROM msip.heat_zone_stats WHERE load_run_id = %s AND symbol = %s",
                            (day.run_id, s)).fetchone()[0] for s in ("ZP", "MW"))
    assert zp < mw


def test_temperatures_follow_t_ref_and_uhi_max(day, toy_db):
    tair, _, _ = _raster(toy_db, day.run_id, "heat_tair")
    assert np.nanmin(tair) >= 24.0 and np.nanmax(tair) <= 27.0
    with psycopg.connect(toy_db) as c:
        thr = c.execute("SELECT min(threshold_c) FROM msip.heat_hotspot WHERE load_run_id = %s",
                        (day.run_id,)).fetchone()[0]
    assert thr == pytest.approx(np.nanpercentile(tair, 90), abs=1e-5)


def test_a_park_of_3_ha_cools_its_neighbourhood(toy_db):
    report = run_heat_island(url=toy_db, params=HeatParams(t_air_average_radius_m=20), workers=1)
    tair, t, _ = _raster(toy_db, report.run_id, "heat_tair")
    near = _cells(tair, t, 0, 155, 200, 185)  # sealed, 5–35 m north of the park
    far = _cells(tair, t, 340, 240, 390, 290)  # sealed, ≥ 140 m from it
    assert np.nanmean(near) < np.nanmean(far)


def test_rerun_is_unchanged_and_force_gives_identical_rasters(day, toy_db):
    again = run_heat_island(url=toy_db, params=HeatParams(), workers=1, **SMALL)
    assert again.status == "unchanged" and again.run_id == day.run_id
    forced = run_heat_island(url=toy_db, params=HeatParams(), workers=1, force=True, **SMALL)
    assert forced.run_id != day.run_id
    for kind in ("heat_hm", "heat_tair"):
        assert _raster(toy_db, forced.run_id, kind)[2] == _raster(toy_db, day.run_id, kind)[2]
    q = ("SELECT array_agg(round(t_air_mean_c::numeric, 9) ORDER BY source_id) FROM msip.heat_building_stats "
         "WHERE load_run_id = %s")
    with psycopg.connect(toy_db) as c:
        assert c.execute(q, (forced.run_id,)).fetchone() == c.execute(q, (day.run_id,)).fetchone()


def test_night_time_buildings_are_warmer_than_the_park(toy_db):
    # No cooling green areas (none reaches 10 km²): HM is exactly CC = 1 − intensity.
    params = HeatParams(mode="night", t_air_average_radius_m=20, green_area_min_m2=1e7)
    night = run_heat_island(url=toy_db, params=params, workers=1)
    hm, t, _ = _raster(toy_db, night.run_id, "heat_hm")
    # B1: 5 storeys → FAR 5, intensity 5/6; B2: 9 m / 3 m = 3 storeys; the park has no buildings.
    assert _cells(hm, t, 255, 55, 295, 95) == pytest.approx(1 - 5 / 6, abs=1e-6)
    assert _cells(hm, t, 325, 125, 375, 165) == pytest.approx(1 - 3 / 6, abs=1e-6)
    assert _cells(hm, t, 100, 100, 150, 140) == pytest.approx(1.0)
    with psycopg.connect(toy_db) as c:
        row = c.execute("SELECT t_air_mean_c FROM msip.heat_building_stats WHERE load_run_id = %s "
                        "AND source_id = 'B1'", (night.run_id,)).fetchone()
        park = c.execute("SELECT t_air_mean_c FROM msip.heat_zone_stats WHERE load_run_id = %s AND symbol = 'ZP'",
                         (night.run_id,)).fetchone()
    assert 14.0 < park[0] < row[0] < 17.0


def test_bbox_limits_the_grid(toy_db):
    report = run_heat_island(url=toy_db, bbox=bbox(0, 0, 200, 150), params=HeatParams(cell_size_m=10), workers=1)
    hm, t, _ = _raster(toy_db, report.run_id, "heat_hm")
    assert hm.shape == (15, 20) and t.c == X0 and t.f == Y0 + 150
    assert count(toy_db, "SELECT count(*) FROM msip.heat_building_stats WHERE load_run_id = %s",
                 (report.run_id,)) == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"epoch": date(2020, 1, 1)}, "epoch 2020-01-01 has no complete set of chm, brightness, ndvi mosaics"),
    ({"bbox": (600000, 300000, 600100, 300100)}, "does not overlap the rasters of 2025-06-15"),
    ({"params": HeatParams(cell_size_m=40)}, "cell_size_m=40 is outside 1–30 m"),
    ({"params": HeatParams(ndvi_bare=0.9)}, "ndvi_bare=0.9 must be below ndvi_full=0.8"),
])
def test_refusals_name_the_problem(toy_db, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        run_heat_island(url=toy_db, workers=1, **kwargs)


@pytest.mark.slow
def test_local_cluster_gives_the_same_result_as_the_local_run(day, toy_db, monkeypatch):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        monkeypatch.setenv("MSIP_DASK_SCHEDULER", cluster.scheduler_address)
        on_cluster = run_heat_island(url=toy_db, params=HeatParams(), force=True, **SMALL)
        workers_seen = len(cluster.scheduler.workers)
        ran = set(cluster.scheduler.task_prefixes)
    assert on_cluster.status == "succeeded" and workers_seen == 2
    assert {"run_layer_task", "run_conv_task"} <= ran, ran
    for kind in ("heat_hm", "heat_tair"):
        assert _raster(toy_db, on_cluster.run_id, kind)[2] == _raster(toy_db, day.run_id, kind)[2]
