"""The heat-island analysis on the sample world, scored against its ground truth (truth/landcover_*.tif)."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest
import rasterio

from processing.heat.analysis import compute_layers, run_heat_island
from processing.heat.inputs import find_sources, grid_for, read_buildings, read_green_areas
from processing.heat.params import HeatParams
from tests.support.db import count

pytestmark = [pytest.mark.db, pytest.mark.slow]
EPOCH = "2025-06-15"
#: Truth land-cover classes (truth/README.md).
ROAD, BUILDING, GRASS, CROWN = 1, 2, 3, 4


@pytest.fixture(scope="module")
def truth_shares(sample_dir) -> dict[int, np.ndarray]:
    """Share of each truth class per 5 m cell (the world is 400 m × 400 m, truth pixels 0.25 m)."""
    with rasterio.open(sample_dir / "truth" / f"landcover_{EPOCH}.tif") as src:
        lc = src.read(1)
    blocks = lc.reshape(80, 20, 80, 20)
    return {c: (blocks == c).mean(axis=(1, 3)) for c in (ROAD, BUILDING, GRASS, CROWN)}


@pytest.fixture(scope="module")
def layers(sample_db_url, tmp_path_factory):
    with psycopg.connect(sample_db_url) as c:
        sources = find_sources(c, mode="day", epoch=None, bbox=None)
        grid = grid_for(sources.extent, 5.0)
        buildings = read_buildings(c, sources, grid, 3.0)
        greens = read_green_areas(c, sources, grid, 20000)
    assert (grid.rows, grid.cols) == (80, 80) and str(sources.epoch) == EPOCH
    return compute_layers(sources, grid, HeatParams(), buildings, greens, tmp_path_factory.mktemp("heat"),
                          workers=1)


def test_shade_matches_the_true_crown_cover(layers, truth_shares):
    shade = layers[0]
    assert np.abs(shade - truth_shares[CROWN]).mean() < 0.03
    assert np.corrcoef(shade.ravel(), truth_shares[CROWN].ravel())[0, 1] > 0.95


def test_kc_follows_the_true_vegetation_cover(layers, truth_shares):
    vegetation = truth_shares[GRASS] + truth_shares[CROWN]
    assert np.corrcoef(layers[2].ravel(), vegetation.ravel())[0, 1] > 0.9


def test_only_the_park_of_at_least_2_ha_is_a_cooling_green_area(layers, sample_db_url):
    green_cells = layers[4].sum()
    with psycopg.connect(sample_db_url) as c:
        big = c.execute("SELECT sum(area_m2) FROM msip.green_space_current WHERE area_m2 >= 20000").fetchone()[0]
    assert big == pytest.approx(26301, abs=1)  # park P001
    assert abs(green_cells * 25 - big) / big < 0.05


@pytest.fixture(scope="module")
def day_run(sample_db_url):
    return run_heat_island(url=sample_db_url, params=HeatParams(t_air_average_radius_m=20), workers=1)


def _grid_values(url: str, run_id: int, kind: str) -> np.ndarray:
    with psycopg.connect(url) as c:
        path = c.execute("SELECT path FROM msip.raster_asset WHERE load_run_id = %s AND kind = %s",
                         (run_id, kind)).fetchone()[0]
    with rasterio.open(path) as src:
        return src.read(1, masked=True).filled(np.nan)


def test_canopy_cells_have_a_higher_heat_mitigation_than_roofs(day_run, sample_db_url, truth_shares):
    hm = _grid_values(sample_db_url, day_run.run_id, "heat_hm")
    crown, roof, road = (hm[truth_shares[k] >= 0.9] for k in (CROWN, BUILDING, ROAD))
    assert crown.size > 20 and roof.size > 100 and road.size > 100
    assert np.median(crown) > 0.6 and max(np.median(roof), np.median(road)) < 0.2


def test_the_park_cools_cells_near_it(day_run, sample_db_url):
    tair = _grid_values(sample_db_url, day_run.run_id, "heat_tair")
    with psycopg.connect(sample_db_url) as c:
        rows = c.execute(
            "WITH park AS (SELECT geom FROM msip.green_space_current WHERE area_m2 >= 20000), "
            "cells AS (SELECT r, k, ST_SetSRID(ST_MakePoint(614000 + 5 * k + 2.5, 335000 - 5 * r - 2.5), 2180) AS p "
            "FROM generate_series(0, 79) r, generate_series(0, 79) k) "
            "SELECT r, k, ST_Distance(p, park.geom) FROM cells, park").fetchall()
    dist = np.full(tair.shape, np.nan)
    for r, k, d in rows:
        dist[r, k] = d
    near = tair[(dist > 0) & (dist <= 30)]
    far = tair[dist >= 120]
    assert near.size > 50 and far.size > 50
    assert np.mean(near) < np.mean(far)


def test_every_current_building_gets_a_temperature(day_run, sample_db_url):
    assert day_run.status == "succeeded" and day_run.rows_rejected == 0
    n = count(sample_db_url, "SELECT count(*) FROM msip.building WHERE epoch = %s", (EPOCH,))
    assert count(sample_db_url, "SELECT count(*) FROM msip.heat_building_stats WHERE load_run_id = %s",
                 (day_run.run_id,)) == n
    zones = count(sample_db_url, "SELECT count(*) FROM msip.zoning_zone_current")
    assert count(sample_db_url, "SELECT count(*) FROM msip.heat_zone_stats WHERE load_run_id = %s",
                 (day_run.run_id,)) == zones
