"""LiDAR reading: discovery, chunked decoding, CRS from VLRs / --crs, refusals (no database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from msip.core.errors import CrsError, SourceReadError
from pipelines.lidar.las.lascrs import place
from pipelines.lidar.las.reader import discover, inspect, read_chunks
from tests.support.paths import TEST_DATA

DATA = TEST_DATA / "lidar"


def test_discover_finds_las_and_laz_in_folders_sorted_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t1.LAZ").write_bytes(b"x")
    (tmp_path / "t0.las").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    found = discover([tmp_path, tmp_path / "t0.las"])
    assert [p.name for p in found] == ["t1.LAZ", "t0.las"]


@pytest.mark.parametrize(
    "name, match",
    [
        ("missing.laz", "does not exist"),
        ("notes.txt", "not a LAS/LAZ file"),
        ("emptydir", "holds no .las or .laz files"),
    ],
)
def test_discover_refuses_unusable_paths(tmp_path, name, match):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(SourceReadError, match=match):
        discover([tmp_path / name])


@pytest.mark.parametrize("chunk", [10_000, 400])
def test_chunks_cover_every_point_once(shared_data, chunk):
    path = shared_data / "lidar" / "warsaw_small.las"
    chunks = list(read_chunks(path, chunk))
    assert sum(len(c) for c in chunks) == 3000
    z = np.concatenate([c.z for c in chunks])
    assert 84.6 < z.min() < z.max() < 104.6
    classes = np.bincount(np.concatenate([c.classification for c in chunks]))
    assert classes[2] == 1381 and classes[5] == 902


def test_laz_decodes_with_lazrs(shared_data):
    n = sum(len(c) for c in read_chunks(shared_data / "lidar" / "autzen_trim.laz", 50_000))
    assert n == 110_000


@pytest.mark.parametrize(
    "name, match",
    [
        ("truncated.laz", "truncated or damaged: decoded 0 of the 2835 points"),
        ("empty.laz", "is empty"),
    ],
)
def test_broken_files_name_the_problem(name, match):
    with pytest.raises(SourceReadError, match=match):
        for _ in read_chunks(DATA / name, 1000):
            pass


def test_truncated_uncompressed_las_is_detected(shared_data, tmp_path):
    data = (shared_data / "lidar" / "warsaw_small.las").read_bytes()
    cut = tmp_path / "cut.las"
    cut.write_bytes(data[: len(data) - 34 * 1000])  # whole records missing: laspy alone reads fewer
    with pytest.raises(SourceReadError, match="truncated or damaged"):
        for _ in read_chunks(cut, 500):
            pass


def _place(path: Path, crs: int | None):
    info, header = inspect(path)
    return place(info, header, crs)


@pytest.mark.parametrize(
    "name, crs, match",
    [
        (
            "warsaw_small.las",
            None,
            "WKT VLR .GUGIK.* is empty; .* look like EPSG:2180 — if so, load it with --crs 2180",
        ),
        ("sample_c_thin.las", None, "no CRS records"),
        ("autzen_trim.laz", None, "places the points at 123.07.°W 44.05.°N, outside Poland"),
        (
            "test1_4.las",
            2180,
            "EPSG:2903 .US survey foot., from its WKT VLR, places the points at 106.06.°W 35.99.°N",
        ),
    ],
)
def test_real_files_crs_refusals(shared_data, name, crs, match):
    with pytest.raises(CrsError, match=match):
        _place(shared_data / "lidar" / name, crs)


def test_crs_fallback_is_used_only_without_a_stated_crs(shared_data):
    p = _place(shared_data / "lidar" / "warsaw_small.las", 2180)
    assert (p.crs_label, p.source, p.transformer) == ("EPSG:2180", "--crs", None)
    stated = _place(DATA / "tiny_2178.laz", 2180)
    assert stated.crs_label == "EPSG:2178" and stated.source == "WKT VLR"
    assert any("--crs EPSG:2180 ignored" in n for n in stated.notes)


def test_polish_crs_is_transformed_to_2180(shared_data):
    p = _place(DATA / "tiny_2178.laz", None)
    chunk = next(read_chunks(DATA / "tiny_2178.laz", 10_000))
    x, y, z = p.to_storage(chunk.x, chunk.y, chunk.z)
    ref = next(read_chunks(DATA / "tiny_2180.laz", 10_000))
    assert np.abs(x - ref.x).max() < 0.02 and np.abs(y - ref.y).max() < 0.02
    assert np.array_equal(z, chunk.z)


def test_wkt_bit_zero_is_noted_for_format_6(tmp_path):
    # test1_4.las (SOURCES.md) has global encoding 17: its WKT bit (4) *is* set; clear it here.
    import laspy

    path = tmp_path / "nobit.las"
    laspy.read(DATA / "tiny_2180.laz").write(path)
    raw = bytearray(path.read_bytes())
    raw[6] &= ~0x10
    path.write_bytes(bytes(raw))
    p = _place(path, None)
    assert p.crs_label == "EPSG:2180"
    assert any("WKT bit is 0" in n for n in p.notes)


def test_foot_units_convert_heights(shared_data, monkeypatch):
    from pipelines.lidar.las import lascrs

    monkeypatch.setattr(lascrs, "_check_in_poland", lambda *a: None)  # the file is in New Mexico
    p = _place(shared_data / "lidar" / "test1_4.las", None)
    assert p.z_factor == pytest.approx(0.3048006, rel=1e-6)  # US survey feet to metres


def test_copc_is_read_in_ranges_like_any_laz(shared_data):
    """COPC (1.2-with-color.copc.laz): entered through its chunk table like LAZ, in file order."""
    import laspy

    from pipelines.lidar.las.reader import read_range

    path = shared_data / "lidar" / "1.2-with-color.copc.laz"
    info, _ = inspect(path)
    assert info.copc and info.point_count == 1065 and info.colours == ("RGB",)
    whole = laspy.read(path)
    part = read_range(path, 700, 300)
    assert np.array_equal(part.x, np.asarray(whole.x)[700:1000])
    assert np.array_equal(part.classification, np.asarray(whole.classification)[700:1000])
    assert sum(len(c) for c in read_chunks(path, 10_000)) == 1065
