"""The COPC writer in bounded memory: a cloud split into many buckets gives the same file, byte for byte,
as one bucket (today's in-memory octree), each bucket within the budget, and no work file stays behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import laspy
import numpy as np
import pytest

import pipelines.pointcloud.copc as copc
from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.buckets import BYTES_PER_POINT, PointSource, plan, scan
from pipelines.pointcloud.copc import write_copc
from pipelines.pointcloud.octree import Cube

LEAF = 500


def _cloud(n: int = 60_000, seed: int = 11) -> np.ndarray:
    """Stored points with a dense corner, whole copies of points (equal Morton codes), equal GPS times
    and a few far points (a sparse corner: leaves above the bucket level)."""
    rng = np.random.default_rng(seed)
    xyz = np.column_stack([rng.integers(0, 400_000, n), rng.integers(0, 400_000, n), rng.integers(0, 20_000, n)])
    xyz[: n // 3] //= 30
    xyz[n // 2 : n // 2 + 3000] = xyz[n // 2 + 3000 : n // 2 + 6000]
    xyz[:5] = [[900_000, 30_000, 10], [880_000, 40_000, 0], [890_000, 700_000, 5], [20_000, 850_000, 7],
               [870_000, 860_000, 3]]
    pts = np.zeros(n, dtype=POINT_DTYPE)
    pts["X"], pts["Y"], pts["Z"] = (xyz + np.array([614_000_000, 334_000_000, 250_000])).T
    pts["GpsTime"] = rng.integers(0, 5_000, n) / 10
    pts["Intensity"] = rng.integers(0, 4000, n)
    pts["ReturnNumber"], pts["NumberOfReturns"] = rng.integers(1, 4, n), 3
    pts["Classification"] = rng.integers(1, 7, n)
    return pts


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def one_bucket(tmp_path_factory) -> tuple[np.ndarray, Path]:
    pts = _cloud()
    path = tmp_path_factory.mktemp("one") / "one.copc.laz"
    write_copc(pts, path, leaf_points=LEAF, workers=1)
    return pts, path


@pytest.mark.parametrize(("budget_points", "top", "rebuilt"), [(40_000, 2, False), (25_000, 3, False),
                                                                 (12_000, 7, True), (2_500, 7, True)])
def test_many_buckets_write_the_same_bytes_as_one(one_bucket, tmp_path, monkeypatch, budget_points, top, rebuilt):
    """Nodes above the bucket level hold points of several buckets (the root: all); with the dense corner
    down to level 7, some nodes above it are leaves, known after every bucket: their buckets are built again."""
    pts, expected = one_bucket
    stats = scan(PointSource([pts]))
    the_plan = plan(PointSource([pts]), Cube.spanning(stats.lo, stats.hi), len(pts), budget_points)
    assert the_plan.top == top and len(the_plan.starts) >= 2
    seen: list[int] = []
    leaves: list[dict] = []
    real_read, real_leaves = copc.read_bucket, copc.top_leaves
    monkeypatch.setattr(copc, "read_bucket", lambda *a: seen.append(len(b := real_read(*a))) or b)
    monkeypatch.setattr(copc, "top_leaves", lambda *a: leaves.append(found := real_leaves(*a)) or found)
    path = tmp_path / "many.copc.laz"
    summary = write_copc(pts, path, leaf_points=LEAF, workers=1, memory_mb=budget_points * BYTES_PER_POINT / 1e6,
                         work_dir=tmp_path / "work")
    assert _sha(path) == _sha(expected)
    assert summary.points == len(pts) and summary.levels >= 4
    assert (len(seen) > len(the_plan.starts)) == rebuilt == any(len(codes) for codes in leaves[0].values())
    if the_plan.top < 7:  # else a level-7 node (the dense corner) may exceed the budget by itself
        assert max(seen) <= budget_points
    assert not list((tmp_path / "work").iterdir())  # the bucket and chunk files are gone


def test_the_file_reads_back_with_every_point_and_its_hierarchy(one_bucket, tmp_path):
    pts, _ = one_bucket
    path = tmp_path / "many.copc.laz"
    write_copc(pts, path, leaf_points=LEAF, workers=2, memory_mb=2_500 * BYTES_PER_POINT / 1e6, work_dir=tmp_path)
    with laspy.CopcReader.open(path) as reader:
        back = reader.query()
        nodes = list(reader.root_page.entries.values())
        offsets_mm = np.round(np.asarray(reader.header.offsets) * 1000).astype(np.int64)
    got = np.column_stack([back.X, back.Y, back.Z]).astype(np.int64) + offsets_mm
    want = np.column_stack([pts["X"], pts["Y"], pts["Z"]]).astype(np.int64)
    assert np.array_equal(got[np.lexsort(got.T)], want[np.lexsort(want.T)])
    assert sum(e.point_count for e in nodes) == len(pts) and max(e.key.level for e in nodes) >= 4


def test_points_streamed_from_files_write_the_same_bytes(one_bucket, tmp_path):
    pts, expected = one_bucket
    files = [tmp_path / "a.pts", tmp_path / "b.pts"]
    pts[:25_000].tofile(files[0])
    pts[25_000:].tofile(files[1])
    source = PointSource(files)
    assert len(source) == len(pts)
    write_copc(source, tmp_path / "files.copc.laz", leaf_points=LEAF, workers=1,
               memory_mb=9_000 * BYTES_PER_POINT / 1e6, work_dir=tmp_path / "work")
    assert _sha(tmp_path / "files.copc.laz") == _sha(expected)


def test_a_failure_in_a_later_bucket_leaves_no_work_files(one_bucket, tmp_path, monkeypatch):
    pts, _ = one_bucket
    real_read = copc.read_bucket

    def fail_on_third(the_plan, source, paths, i):
        if i == 2:
            raise OSError(28, "No space left on device")
        return real_read(the_plan, source, paths, i)

    monkeypatch.setattr(copc, "read_bucket", fail_on_third)
    with pytest.raises(OSError, match="No space left"):
        write_copc(pts, tmp_path / "x.copc.laz", leaf_points=LEAF, memory_mb=2_500 * BYTES_PER_POINT / 1e6,
                   work_dir=tmp_path / "work")
    assert not list((tmp_path / "work").iterdir())


def test_a_file_of_partial_records_is_refused(tmp_path):
    bad = tmp_path / "bad.pts"
    bad.write_bytes(b"\0" * (POINT_DTYPE.itemsize + 3))
    with pytest.raises(ValueError, match=r"bad\.pts is not a file of whole stored points"):
        PointSource([bad])
