"""LiDAR stages on a synthetic scene: outliers, SMRF, gap filling, rasters, trees, patches."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from scipy.spatial import cKDTree

from msip.core.errors import ConfigError
from pipelines.lidar.algorithms.grids import Grid, cells, coverage, surfaces
from pipelines.lidar.algorithms.ground import smrf_ground
from pipelines.lidar.algorithms.inpaint import fill_laplace
from pipelines.lidar.algorithms.outliers import isolated
from pipelines.lidar.algorithms.trees import detect
from pipelines.lidar.las.reader import PointChunk
from pipelines.lidar.params import LidarParams, SmrfParams
from pipelines.lidar.patches import POINT_DTYPE, PatchSpec, copy_text, patch_cell_m
from pipelines.lidar.spill import TileGrid
from tests.support.lidar_scene import make_scene

BOUNDS = (613980.0, 334580.0, 614140.0, 334740.0)  # the 120 m scene with a 20 m margin


@pytest.fixture(scope="module")
def scene():
    return make_scene(size_m=120.0, density=10.0, seed=1)


@pytest.fixture(scope="module")
def clean(scene):
    keep = ~isolated(scene.x, scene.y, scene.z)
    return keep


def test_isolated_points_are_the_noise(scene, clean):
    noise = scene.cls == 7  # 40–80 m above and 3–15 m below the terrain
    assert (~clean[noise]).all()
    assert (~clean).sum() == noise.sum()  # no crown, roof or ground point is taken for noise


def test_outlier_columns_dense_and_sorted_agree(scene, monkeypatch):
    from pipelines.lidar.algorithms import outliers

    dense = isolated(scene.x, scene.y, scene.z)
    monkeypatch.setattr(outliers, "DENSE_MAX_CELLS", 0)
    assert np.array_equal(isolated(scene.x, scene.y, scene.z), dense) and dense.sum() == 6


def test_a_lone_point_of_a_sparse_survey_is_not_judged():
    """1 point per 25 m² (the COPC sample): the old voxel filter removed 99 % of such points."""
    from pipelines.lidar.algorithms.outliers import cell_for_density, point_spacing_m

    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 1000, 40_000), rng.uniform(0, 1000, 40_000)
    forest = np.sin(x / 50) > 0.3
    crown = forest & (rng.random(40_000) < 0.7)  # the rest reach the forest floor
    z = 200 + 0.05 * x + np.where(crown, 20 + 8 * np.sin(x / 23) * np.cos(y / 31), 0.0)
    cell = cell_for_density(point_spacing_m(x, y), 1.0)
    assert cell > 6  # two spacings (the occupied-area estimate is a little low when so sparse)
    assert not isolated(x, y, z, cell_m=cell).any()


def test_smrf_finds_the_ground(scene, clean):
    g = smrf_ground(scene.x[clean], scene.y[clean], scene.z[clean], BOUNDS, SmrfParams())
    truth = scene.cls[clean] == 2
    assert (g == truth).mean() >= 0.99


def test_smrf_window_is_overridable(scene, clean):
    # A 3 m window cannot remove 20–30 m wide roofs: they turn into "ground".
    small = smrf_ground(
        scene.x[clean], scene.y[clean], scene.z[clean], BOUNDS, SmrfParams(window_m=3.0)
    )
    roofs = scene.cls[clean] == 6
    assert small[roofs].mean() > 0.3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"cell_m": 0}, "cell_m=0 must be > 0"),
        ({"slope": -1}, "must be ≥ 0"),
    ],
)
def test_smrf_parameters_are_checked(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SmrfParams(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"resolution_m": 0.3, "tile_m": 200.0}, "not a multiple of the resolution"),
        ({"z_min_m": 10, "z_max_m": 5}, "is empty"),
    ],
)
def test_lidar_parameters_are_checked(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        LidarParams(**kwargs)


@pytest.mark.parametrize(
    "resolution, cell, tile", [(0.5, 1.0, 200.0), (0.3, 1.0, 201.0), (2.0, 1.0, 200.0)]
)
def test_default_tile_fits_resolution_and_cell(resolution, cell, tile):
    p = LidarParams(resolution_m=resolution, smrf=SmrfParams(cell_m=cell))
    assert p.tile_m == pytest.approx(tile)
    assert p.buffer_m >= 20.0


def test_laplace_fill_is_exact_for_a_plane():
    r, c = np.mgrid[0:60, 0:80]
    plane = 260 + 0.02 * r - 0.01 * c
    known = np.ones(plane.shape, bool)
    known[10:40, 20:60] = False
    known[::7, ::5] = False
    filled = fill_laplace(np.where(known, plane, 0.0), known)
    assert np.abs(filled - plane)[10:40, 20:60].max() < 1e-9


def _surfaces(scene, clean, classified: bool):
    grid = Grid.over(BOUNDS, 0.5)
    x, y, z, c = scene.x[clean], scene.y[clean], scene.z[clean], scene.cls[clean]
    ground = c == 2 if classified else smrf_ground(x, y, z, BOUNDS, SmrfParams())
    flat = cells(grid, x, y)
    s = surfaces(
        grid,
        flat,
        z,
        ground=ground,
        first=scene.ret[clean] == 1,
        vegetation=np.isin(c, (3, 4, 5)) if classified else None,
        multi_return=scene.nret[clean] > 1,
        covered=coverage(grid, flat, 2.0),
    )
    return grid, s


@pytest.mark.parametrize("classified", [True, False])
def test_rasters_match_the_scene(scene, clean, classified):
    grid, s = _surfaces(scene, clean, classified)
    rows, cols = np.mgrid[0 : grid.rows, 0 : grid.cols]
    x = grid.minx + (cols + 0.5) * grid.res
    y = grid.maxy - (rows + 0.5) * grid.res
    inside = (x > 614002) & (x < 614118) & (y > 334602) & (y < 334718)
    err = (s.dtm - scene.terrain(x, y))[inside]
    assert np.sqrt(np.nanmean(err**2)) < 0.05
    for bx0, by0, bx1, by1, h in scene.buildings:
        roof = (x > bx0 + 1) & (x < bx1 - 1) & (y > by0 + 1) & (y < by1 - 1) & inside
        assert np.nanmedian(s.ndsm[roof]) == pytest.approx(h, abs=0.3)
        assert np.nanmax(s.chm[roof]) == 0.0  # buildings are not canopy
    assert np.isnan(s.dtm[0, 0])  # 20 m outside the data: no value


@pytest.mark.parametrize("classified", [True, False])
def test_every_tree_is_found_with_its_height(scene, clean, classified):
    grid, s = _surfaces(scene, clean, classified)
    trees = detect(s.chm, grid, core=(614000, 334600, 614120, 334720), min_height_m=2.0, dtm=s.dtm)
    truth = np.array([(tx, ty) for tx, ty, _, _ in scene.trees])
    det = np.array([(t.x, t.y) for t in trees])
    dist, idx = cKDTree(det).query(truth)
    assert len(trees) == len(scene.trees)
    assert dist.max() < 1.0
    heights = np.array([trees[i].height_m for i in idx])
    assert np.abs(heights - [h for _, _, h, _ in scene.trees]).max() < 0.4
    for t, (_, _, _, r) in zip((trees[i] for i in idx), scene.trees, strict=False):
        assert t.crown_area_m2 == pytest.approx(np.pi * r * r, rel=0.4)
        assert t.crown_wkb is not None


def _decode(hexline: str) -> np.ndarray:
    """A pure-Python reader of the dimensional patch WKB (hex) that copy_text writes."""
    raw = bytes.fromhex(hexline)
    endian, _pcid, compression, n = struct.unpack_from("<BIII", raw)
    assert (endian, compression) == (1, 1)
    out = np.zeros(n, POINT_DTYPE)
    pos = 13
    for name in POINT_DTYPE.names:
        code, size = struct.unpack_from("<BI", raw, pos)
        data = raw[pos + 5 : pos + 5 + size]
        pos += 5 + size
        dt = POINT_DTYPE[name]
        if code == 0:
            out[name] = np.frombuffer(data, dtype=dt)
        else:
            assert code == 1 and dt.itemsize == 1
            pairs = np.frombuffer(data, np.uint8).reshape(-1, 2)
            out[name] = np.repeat(pairs[:, 1], pairs[:, 0])
    assert pos == len(raw)
    return out


def test_patches_hold_every_point_once_run_length_encoded():
    rng = np.random.default_rng(3)
    n = 5000
    x = 614000 + rng.uniform(0, 40, n)
    y = 334600 + rng.uniform(0, 40, n)
    cls = np.where(rng.random(n) < 0.9, 2, 5).astype(np.uint8)
    cls[:600] = 6  # a run longer than 255 (RLE counts are one byte)
    chunk = PointChunk(
        x,
        y,
        260 + rng.random(n),
        rng.integers(0, 900, n).astype(np.uint16),
        np.ones(n, np.uint8),
        np.ones(n, np.uint8),
        cls,
        rng.random(n),
        np.zeros(n, bool),
    )
    data, count, patches = copy_text(chunk, PatchSpec(7, 8.0, b"2024-06-15\tf.laz\t1\t"))
    rows = [row.split(b"\t") for row in data.splitlines()]
    assert all(r[:3] == [b"2024-06-15", b"f.laz", b"1"] for r in rows)
    lines = [r[3].decode("ascii") for r in rows]
    assert count == n and len(lines) == patches == 25
    pts = np.concatenate([_decode(line) for line in lines])
    assert len(pts) == n
    order = np.lexsort((pts["Y"], pts["X"]))
    ref = np.lexsort((np.rint(y * 1000), np.rint(x * 1000)))
    assert np.array_equal(pts["X"][order], np.rint(x * 1000)[ref].astype(int))
    assert np.array_equal(pts["Classification"][order], cls[ref])
    assert np.allclose(pts["GpsTime"][order], chunk.gps_time[ref])


@pytest.mark.parametrize(
    "points, area, cell", [(480_000, 40_000, 8.0), (3000, 1100, 17.0), (10, 0, 1.0)]
)
def test_patch_cell_targets_about_800_points(points, area, cell):
    assert patch_cell_m(points, area, 800) == cell


def test_tile_buffers_give_each_tile_its_surroundings():
    grid = TileGrid(200.0, 20.0)
    rng = np.random.default_rng(0)
    x = 614000 + rng.random(200_000) * 600
    y = 334600 + rng.random(200_000) * 400
    parts = grid.assign(x, y)
    core = np.zeros(len(x), int)
    for key, idx, is_core in parts:
        minx, miny, maxx, maxy = grid.bounds(key)
        assert (
            (x[idx] >= minx - 20)
            & (x[idx] < maxx + 20)
            & (y[idx] >= miny - 20)
            & (y[idx] < maxy + 20)
        ).all()
        if is_core:
            core[idx] += 1
    assert (core == 1).all()
    for key in {k for k, _, _ in parts}:
        minx, miny, maxx, maxy = grid.bounds(key)
        want = ((x >= minx - 20) & (x < maxx + 20) & (y >= miny - 20) & (y < maxy + 20)).sum()
        assert sum(len(i) for k, i, _ in parts if k == key) == want
