"""Reading one LiDAR file with several worker processes: the same result as one, bounded work.

A file is cut into chunks decoded by worker processes (pipelines.lidar.ingest); the loader
merges their results in file order. These tests load the same file once with one worker and
once with two (as two epochs of one database) and compare everything that was stored.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import psycopg
import pytest
import rasterio

from pipelines.lidar import LidarParams, load_lidar

EPOCH_ONE = date(2024, 6, 15)
EPOCH_TWO = date(2024, 6, 16)
pytestmark = pytest.mark.db


def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    """~200 000 points over four 200 m tiles, in random order, with absurd heights sprinkled."""
    from tests.support.lidar_scene import make_scene, write_las

    scene = make_scene(size_m=250, density=3, seed=11)
    bad = {int(i): 9999.0 for i in np.linspace(5, len(scene.x) - 5, 9)}
    return write_las(tmp_path_factory.mktemp("par") / "survey.laz", scene, z_override=bad)


PARAMS = LidarParams(chunk_points=20_000)


def test_two_workers_store_and_derive_exactly_what_one_does(store, empty_db, survey):
    one = load_lidar(
        [survey], epoch=EPOCH_ONE, url=empty_db, workers=1, read_workers=1, params=PARAMS
    )
    two = load_lidar(
        [survey], epoch=EPOCH_TWO, url=empty_db, workers=2, read_workers=2, params=PARAMS
    )
    assert one.ok and two.ok
    [r1], [r2] = one.reports, two.reports
    assert r1.rows_in == r2.rows_in == r1.rows_loaded + r1.rows_rejected
    assert (r1.rows_loaded, r1.rows_rejected) == (r2.rows_loaded, r2.rows_rejected)
    assert r1.rows_rejected == 9 and r1.rows_in > 9 * PARAMS.chunk_points
    # the same patches (byte for byte) in the same order, and the same quarantine records
    patches = "SELECT pa::text FROM msip.lidar_patch WHERE epoch = %s ORDER BY patch_id"
    p1, p2 = rows(empty_db, patches, (EPOCH_ONE,)), rows(empty_db, patches, (EPOCH_TWO,))
    assert len(p1) > 10 and p1 == p2
    rejected = (
        "SELECT row_number, reason, raw FROM msip.rejected_record r "
        "JOIN msip.load_run l ON l.run_id = r.run_id "
        "WHERE l.epoch = %s AND l.source_kind = 'lidar' ORDER BY 1"
    )
    q1, q2 = rows(empty_db, rejected, (EPOCH_ONE,)), rows(empty_db, rejected, (EPOCH_TWO,))
    assert len(q1) == 1 and q1 == q2
    assert len(q1[0][2]["examples"]) == 5
    # the same rasters, pixel for pixel, and the same trees
    rasters = (
        "SELECT kind, path FROM msip.raster_asset WHERE epoch = %s AND NOT is_mosaic "
        "ORDER BY kind, path"
    )
    a1, a2 = rows(empty_db, rasters, (EPOCH_ONE,)), rows(empty_db, rasters, (EPOCH_TWO,))
    assert len(a1) == 16 and [Path(p).name for _, p in a1] == [Path(p).name for _, p in a2]
    for (_, f1), (_, f2) in zip(a1, a2, strict=False):
        with rasterio.open(f1) as d1, rasterio.open(f2) as d2:
            assert d1.transform == d2.transform
            np.testing.assert_array_equal(d1.read(1), d2.read(1))
    trees = (
        "SELECT tile, height_m, ST_AsText(geom) FROM msip.tree_detected WHERE epoch = %s "
        "ORDER BY 1, 3"
    )
    t1, t2 = rows(empty_db, trees, (EPOCH_ONE,)), rows(empty_db, trees, (EPOCH_TWO,))
    assert len(t1) > 5 and t1 == t2


def test_a_truncated_file_read_by_two_workers_stores_nothing(store, empty_db, survey, tmp_path):
    cut = tmp_path / "cut.laz"
    data = survey.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = load_lidar(
        [cut], epoch=EPOCH_ONE, url=empty_db, workers=2, read_workers=2, params=PARAMS
    )
    [(name, why)] = result.refused
    assert name == "cut.laz"
    assert "truncated or damaged" in why and "nothing of it was loaded" in why
    assert rows(empty_db, "SELECT count(*) FROM msip.lidar_patch") == [(0,)]
    assert rows(empty_db, "SELECT status FROM msip.load_run WHERE source_kind = 'lidar'") == [
        ("failed",)
    ]


def test_the_pool_keeps_only_a_few_chunks_in_flight(survey, tmp_path):
    """Memory is bounded: jobs are taken from the list only as results are handed back."""
    from pipelines.lidar.engine import get_engine
    from pipelines.lidar.ingest import ChunkPool, chunk_jobs
    from pipelines.lidar.las.clean import Cleaner
    from pipelines.lidar.las.lascrs import place
    from pipelines.lidar.spill import FileSpill, TileGrid

    info, header = get_engine().inspect(survey)
    spill = FileSpill(tmp_path / "spill", 0, TileGrid(200.0, 20.0)).start()
    jobs = chunk_jobs(
        survey,
        info.point_count,
        10_000,
        engine="laspy",
        cleaner=Cleaner(place(info, header, None), None, -50.0, 2700.0),
        spill_folder=spill.folder,
        file_index=0,
        grid=spill.grid,
        patches=None,
        threads=False,
    )
    taken: list[int] = []

    def lazily():
        for job in jobs:
            taken.append(job.part)
            yield job

    with ChunkPool(2) as pool:
        seen = []
        for done in pool.run(lazily()):
            seen.append(done.part)
            assert len(taken) - len(seen) <= pool.workers + 1
    assert seen == list(range(len(jobs))) and len(jobs) > 10
    assert sum(len(spill.tile_paths(k)) for k in [(3070, 1673), (3071, 1673)]) > 0


def test_reused_workers_journal_their_rasters_in_the_derived_run(store, empty_db, survey):
    """Tiles run on the reading workers, started during the file's run: their raster writes
    must go to the derived run's journal (msip.core.rasters.journal), which is settled at commit."""
    result = load_lidar([survey], epoch=EPOCH_ONE, url=empty_db, workers=2, params=PARAMS)
    assert result.ok and result.derived.status == "succeeded"
    pending = store / "rasters" / ".pending"
    assert not (pending.is_dir() and any(pending.iterdir()))
    assert not list((store / "rasters").rglob("*.bak"))
    assert len(list((store / "rasters").rglob("dtm_*.tif"))) == 4
