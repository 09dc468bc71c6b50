"""`load_lidar(copc=True)`: the COPC is written from the points the load has just stored, read back only
for runs it did not store, and holds exactly the epoch's stored points however it was loaded."""

from __future__ import annotations

from datetime import date

import laspy
import numpy as np
import psycopg
import pytest

from pipelines.lidar import load_lidar
from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.publish import copc_path, gather_points, publish_epoch_copc, source_runs
from tests.pipelines.pointcloud.test_copc import copc_xyz, one, stored_xyz
from tests.support.paths import TEST_DATA

EPOCH = date(2024, 6, 15)
TINY = TEST_DATA / "lidar" / "tiny_2180.laz"
pytestmark = pytest.mark.db


def _copc_equals_the_store(url: str) -> int:
    total = one(url, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch WHERE epoch = %s", (EPOCH,))[0]
    assert one(url, "SELECT point_count FROM msip.pointcloud_asset WHERE epoch = %s", (EPOCH,))[0] == total
    with laspy.CopcReader.open(copc_path(EPOCH)) as reader:
        np.testing.assert_array_equal(copc_xyz(reader.query()), stored_xyz(url))
    return int(total)


def test_the_load_writes_the_copc_from_its_own_points_without_reading_them_back(store, empty_db):
    result = load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1, copc=True)
    assert result.ok and result.copc is not None and result.copc.status == "succeeded"
    assert _copc_equals_the_store(empty_db) == 2835 == result.copc.rows_loaded
    assert not any("read back" in note for note in result.copc.notes)
    assert "lidar_2024-06-15.copc.laz: succeeded" in result.summary()
    # Inside each node (one LAZ chunk, in file order) the points are in GPS time (acquisition) order:
    # the time goes back only where a node ends.
    gps = np.asarray(laspy.read(copc_path(EPOCH)).gps_time)
    nodes = one(empty_db, "SELECT node_count FROM msip.pointcloud_asset WHERE epoch = %s", (EPOCH,))[0]
    assert int((np.diff(gps) < 0).sum()) < nodes < 2835 // 100
    # Keeping the points is only for the COPC: the load's work folder is gone afterwards.
    assert not list((store / "work" / "lidar").glob("2024-06-15_*"))


def test_the_copc_file_is_the_same_whether_the_points_were_kept_or_read_back(store, empty_db):
    """The same bytes either way (a rerun after an interrupted load reads back what the first run stored)."""
    two = [TINY, TEST_DATA / "lidar" / "tiny_2178.laz"]
    first = load_lidar(two[:1], epoch=EPOCH, url=empty_db, workers=1, copc=True)
    load_lidar(two[1:], epoch=EPOCH, url=empty_db, workers=1, copc=True)  # run 1 read back, run 2 kept
    mixed = copc_path(EPOCH).read_bytes()
    assert first.copc is not None and not any("read back" in note for note in first.copc.notes)
    everything = publish_epoch_copc(EPOCH, url=empty_db, force=True)  # both runs read back
    assert any(f"{2 * 2835} of them read back" in note for note in everything.notes)
    assert copc_path(EPOCH).read_bytes() == mixed


def test_an_epoch_loaded_in_two_runs_holds_both_and_a_forced_reload_does_not_double_it(store, empty_db):
    load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1, copc=True)
    second = load_lidar([TEST_DATA / "lidar" / "tiny_2178.laz"], epoch=EPOCH, url=empty_db, workers=1, copc=True)
    assert second.copc is not None
    assert _copc_equals_the_store(empty_db) == 2 * 2835 == second.copc.rows_loaded
    # The first run's points were not this load's: they came from msip.lidar_patch.
    assert any("2835 of them read back from msip.lidar_patch" in note for note in second.copc.notes)
    again = load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1, force=True, copc=True)
    assert again.copc is not None and again.copc.status == "succeeded"
    assert _copc_equals_the_store(empty_db) == 2 * 2835


def test_kept_points_that_do_not_match_the_run_are_read_back_instead(store, empty_db, tmp_path):
    load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1)
    (run,) = source_runs(empty_db, EPOCH)
    short = tmp_path / "short.bin"
    np.zeros(2834, dtype=POINT_DTYPE).tofile(short)  # one point too few: not this run's points
    odd = tmp_path / "odd.bin"
    odd.write_bytes(b"\0" * (2835 * POINT_DTYPE.itemsize + 1))  # not whole records
    with psycopg.connect(empty_db) as conn:
        for files in ([short], [odd], []):
            source, read_back = gather_points(conn, EPOCH, [run], {run: files}, tmp_path / "spool")
            points = np.concatenate(list(source.chunks()))
            assert (len(source), len(points), read_back) == (2835, 2835, 2835)
            assert points["X"].min() > 614_000_000  # the stored points, not the zeros
        good = tmp_path / "good.bin"
        points.tofile(good)
        source, read_back = gather_points(conn, EPOCH, [run], {run: [good]}, tmp_path / "unused")
        assert read_back == 0 and source.parts == [good] and not (tmp_path / "unused").exists()
        assert np.array_equal(np.concatenate(list(source.chunks())), points)


def test_a_failed_copc_rolls_back_its_run_only_and_leaves_no_work_files(store, empty_db, monkeypatch):
    import pipelines.pointcloud.publish as publish

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "write_copc", disk_full)
    with pytest.raises(OSError, match="No space left"):
        load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1, copc=True)
    kinds = one(empty_db, "SELECT string_agg(source_kind || ':' || status, ',' ORDER BY run_id) FROM msip.load_run")[0]
    assert kinds == "lidar:succeeded,lidar_derived:succeeded,lidar_copc:failed"
    assert one(empty_db, "SELECT count(*) FROM msip.pointcloud_asset")[0] == 0
    assert not copc_path(EPOCH).exists()
    assert not list((store / "work" / "lidar").glob("2024-06-15_*"))
    assert not list((store / "work" / "copc").glob("*"))  # nor the COPC's own work files
    monkeypatch.undo()
    again = load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1, copc=True)  # from the store this time
    assert again.copc is not None and again.copc.status == "succeeded"
    assert any("2835 of them read back" in note for note in again.copc.notes)
    assert _copc_equals_the_store(empty_db) == 2835


def test_work_files_a_killed_copc_run_left_go_with_the_next_run(store, empty_db):
    """A killed process cannot clean up: the epoch's work folder is emptied by the next COPC run of it."""
    load_lidar([TINY], epoch=EPOCH, url=empty_db, workers=1)
    stale = store / "work" / "copc" / EPOCH.isoformat() / "copc-killed" / "bucket00000.pts"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"\0" * 33)
    assert publish_epoch_copc(EPOCH, url=empty_db, force=True, memory_mb=0.05).status == "succeeded"
    assert not list((store / "work").rglob("*.*"))
