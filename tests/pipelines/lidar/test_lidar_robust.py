"""LiDAR on awkward real-like input: sparse, tiny, single-class, empty-after-filtering tiles,
class-1 canopy, nodata agreement between DTM/DSM/nDSM/CHM, overlap and withheld points."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import psycopg
import pytest
import rasterio

from pipelines.lidar import load_lidar
from pipelines.lidar.tiles import KINDS
from tests.support.lidar_scene import Scene, make_scene, write_las

EPOCH = date(2024, 6, 15)
pytestmark = pytest.mark.db


def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def _with_points(scene: Scene, x, y, z, cls) -> Scene:
    """The scene with extra single-return points appended."""
    n = len(x)
    return replace(
        scene,
        x=np.concatenate([scene.x, x]),
        y=np.concatenate([scene.y, y]),
        z=np.concatenate([scene.z, z]),
        cls=np.concatenate([scene.cls, np.full(n, cls, np.uint8)]),
        ret=np.concatenate([scene.ret, np.ones(n, np.uint8)]),
        nret=np.concatenate([scene.nret, np.ones(n, np.uint8)]),
    )


def _raster(url: str, kind: str, tile: str) -> np.ma.MaskedArray:
    [(path,)] = rows(
        url,
        "SELECT path FROM msip.raster_asset WHERE kind = %s AND NOT is_mosaic AND path LIKE %s",
        (kind, f"%{tile}%"),
    )
    with rasterio.open(path) as src:
        return src.read(1, masked=True)


def test_a_tile_whose_core_points_are_all_filtered_out_does_not_crash(store, empty_db, tmp_path):
    """Noise beyond a tile edge made the raster window (from all points) larger than the grid
    (from the points left after filtering): 'Attempt to create 8x0 dataset is illegal'."""
    scene = make_scene(size_m=48, density=3, seed=4, origin=(614150.0, 334650.0), noise=0)
    rng = np.random.default_rng(0)
    nx = 614203.0 + rng.uniform(0, 1, 3)
    ny = 334660.0 + rng.uniform(0, 4, 3)
    scene = _with_points(scene, nx, ny, np.full(3, 300.0), 7)
    path = write_las(tmp_path / "edge.laz", scene)
    result = load_lidar([path], epoch=EPOCH, url=empty_db, workers=1)
    assert result.ok and result.derived is not None
    assert result.derived.status == "succeeded", result.derived.message
    tiles = {t for (t,) in rows(empty_db, "SELECT DISTINCT path FROM msip.raster_asset")}
    assert any("E614000_N334600" in t for t in tiles)
    assert not any("E614200_N334600" in t for t in tiles)  # nothing but noise there: no raster
    assert any("E614200_N334600: no usable points" in n for n in result.derived.notes)


def _relabel(path: Path, **changes) -> Path:
    """Rewrite a LAS/LAZ in place with some point fields replaced (e.g. classification=…)."""
    import laspy

    las = laspy.read(path)
    for name, value in changes.items():
        setattr(las, name, value)
    las.write(path)
    return path


def test_class_1_canopy_gives_a_chm_and_trees_and_says_which_rule(store, empty_db, tmp_path):
    """Vegetation left in class 1 (lidR's, PDAL's samples): the CHM was 0 everywhere."""
    scene = make_scene(size_m=60, density=8, seed=5, origin=(614100.0, 334700.0))
    cls = np.where(scene.cls == 5, 1, scene.cls).astype(np.uint8)
    path = _relabel(write_las(tmp_path / "class1.laz", scene), classification=cls)
    result = load_lidar([path], epoch=EPOCH, url=empty_db, workers=1)
    assert result.ok and result.derived.status == "succeeded"
    rule = "no vegetation classes (3–5): height above ground of every return that is not ground"
    assert any(rule in n and "class1.laz" in n for n in result.derived.notes)
    assert any(rule in n for n in result.reports[0].notes)
    chm = _raster(empty_db, "chm", "E614000_N334600")
    tallest = max(h for _, _, h, _ in scene.trees)
    assert float(chm.max()) == pytest.approx(tallest, abs=0.5)
    [(found,)] = rows(empty_db, "SELECT count(*) FROM msip.tree_detected")
    assert found >= 0.8 * len(scene.trees)
    with rasterio.open(
        rows(empty_db, "SELECT path FROM msip.raster_asset WHERE kind = 'chm' AND NOT is_mosaic")[0][0]
    ) as src:
        for bx0, by0, bx1, by1, _ in scene.buildings:  # class 6 roofs are not canopy
            window = src.window(bx0 + 1, by0 + 1, bx1 - 1, by1 - 1)
            assert float(src.read(1, window=window, masked=True).max()) == 0.0


def test_surfaces_agree_on_nodata_where_the_terrain_is_unknown():
    """Cells without ground: the CHM held 0.0 (valid) where the DTM was nodata."""
    from pipelines.lidar.algorithms.grids import Grid, cells, coverage, surfaces

    rng = np.random.default_rng(1)
    x = 614000 + rng.uniform(0, 20, 4000)
    y = 334600 + rng.uniform(0, 20, 4000)
    z = 260 + np.where(x < 614010, 15.0, 8.0)  # crowns and a roof, no ground return at all
    veg = x < 614010
    grid = Grid.over((614000.0, 334600.0, 614020.0, 334620.0), 0.5)
    flat = cells(grid, x, y)
    s = surfaces(
        grid,
        flat,
        z,
        ground=np.zeros(len(x), bool),
        first=np.ones(len(x), bool),
        vegetation=veg,
        multi_return=np.zeros(len(x), bool),
        covered=coverage(grid, flat, 2.0),
    )
    masks = [np.isnan(a) for a in (s.dtm, s.dsm, s.ndsm, s.chm)]
    assert masks[0].all() and all(np.array_equal(masks[0], m) for m in masks[1:])


def test_a_tile_without_terrain_gets_no_rasters_and_a_note(store, empty_db, tmp_path):
    scene = make_scene(size_m=40, density=4, seed=6, origin=(614100.0, 334700.0), noise=0)
    rng = np.random.default_rng(2)
    n = 3000
    bx = 614300.0 + rng.uniform(0, 30, n)  # another tile, > 20 m from any ground point
    by = 334700.0 + rng.uniform(0, 30, n)
    roof = bx < 614315
    scene = _with_points(scene, bx[roof], by[roof], np.full(roof.sum(), 275.0), 6)
    scene = _with_points(scene, bx[~roof], by[~roof], 262 + rng.uniform(5, 15, (~roof).sum()), 5)
    result = load_lidar([write_las(tmp_path / "no_ground.laz", scene)], epoch=EPOCH, url=empty_db,
                        workers=1)  # fmt: skip
    assert result.derived.status == "succeeded"
    assert any("E614200_N334600: no ground points within the tile" in n for n in result.derived.notes)
    paths = [p for (p,) in rows(empty_db, "SELECT path FROM msip.raster_asset WHERE NOT is_mosaic")]
    assert paths and not any("E614200" in p for p in paths)
    masks = {k: np.ma.getmaskarray(_raster(empty_db, k, "E614000_N334600")) for k in KINDS}
    assert all(np.array_equal(masks["dtm"], m) for m in masks.values())


def test_overlap_points_are_stored_but_left_out_of_the_rasters(store, empty_db, tmp_path):
    """An overlapping strip 4 m too high (overlap flag, LAS 1.4): it raised the DSM."""
    import laspy

    scene = make_scene(size_m=40, density=6, seed=7, origin=(614100.0, 334700.0), noise=0)
    ground = scene.cls == 2
    strip = ground & (scene.x < 614115)
    ghost = _with_points(scene, scene.x[strip], scene.y[strip], scene.z[strip] + 4.0, 2)
    path = write_las(tmp_path / "overlap.laz", ghost)
    las = laspy.read(path)
    flags = np.zeros(len(las.x), bool)
    flags[len(scene.x):] = True
    las.overlap = flags
    las.write(path)
    result = load_lidar([path], epoch=EPOCH, url=empty_db, workers=1)
    [rep] = result.reports
    assert rep.rows_loaded == len(ghost.x)  # kept in the store
    assert any(f"{strip.sum()} points flagged 'overlap' stored but left out" in n for n in rep.notes)
    assert any(f"{strip.sum()} overlap" in n for n in result.derived.notes)
    dsm, dtm = _raster(empty_db, "dsm", "E614000"), _raster(empty_db, "dtm", "E614000")
    with rasterio.open(rows(empty_db, "SELECT path FROM msip.raster_asset WHERE kind = 'dsm' "
                            "AND NOT is_mosaic")[0][0]) as src:  # fmt: skip
        w = src.window(614101, 334701, 614114, 334739)
        r0, c0 = int(w.row_off), int(w.col_off)
        rr, cc = int(w.height), int(w.width)
    bare = (dsm - dtm)[r0 : r0 + rr, c0 : c0 + cc]
    assert float(np.ma.median(bare)) < 0.5  # the ghost strip would stand 4 m above the terrain


@pytest.mark.parametrize(
    "case, n, cls",
    [("tiny", 5, 2), ("single_ground", 400, 2), ("single_class_1", 400, 1), ("all_noise", 50, 7)],
)
def test_tiny_and_single_class_files_load_all_or_nothing(store, empty_db, tmp_path, case, n, cls):
    """No crash on tiny or single-class tiles; the run says what it made of them."""
    rng = np.random.default_rng(3)
    scene = make_scene(size_m=20, density=1, seed=8, origin=(614100.0, 334700.0), noise=0)
    x = 614100 + rng.uniform(0, 20, n)
    y = 334700 + rng.uniform(0, 20, n)
    only = Scene(x, y, np.round(262 + rng.uniform(0, 0.3, n), 2), np.full(n, cls, np.uint8),
                 np.ones(n, np.uint8), np.ones(n, np.uint8), [], [], scene.origin)  # fmt: skip
    result = load_lidar([write_las(tmp_path / f"{case}.laz", only)], epoch=EPOCH, url=empty_db,
                        workers=1)  # fmt: skip
    assert result.ok and result.reports[0].rows_loaded == n
    assert result.derived.status == "succeeded", result.derived.message
    rasters = rows(empty_db, "SELECT kind FROM msip.raster_asset WHERE NOT is_mosaic")
    if cls == 7:
        assert not rasters and any("no usable points (50 noise)" in t for t in result.derived.notes)
    else:
        assert len(rasters) == 4
        dtm = _raster(empty_db, "dtm", "E614000_N334600")
        assert dtm.count() > 0 and float(dtm.min()) > 261.9 and float(dtm.max()) < 262.4


def test_a_mast_left_in_class_1_is_not_a_tree(store, empty_db, tmp_path):
    """With class 1 as canopy a 160 m mast became a 'tree' that broke msip.tree_detected's check
    (height < 150 m) and failed the derived run."""
    scene = make_scene(size_m=40, density=6, seed=9, origin=(614100.0, 334700.0), noise=0)
    cls = np.where(scene.cls == 5, 1, scene.cls).astype(np.uint8)
    scene = replace(scene, cls=cls)
    rng = np.random.default_rng(5)
    k = 400
    angle, r = rng.uniform(0, 2 * np.pi, k), rng.uniform(0, 1.5, k)
    mx, my = 614120 + r * np.cos(angle), 334720 + r * np.sin(angle)
    mz = 262 + np.sort(rng.uniform(5, 160, k))
    scene = _with_points(scene, mx, my, mz, 1)
    result = load_lidar([write_las(tmp_path / "mast.laz", scene)], epoch=EPOCH, url=empty_db,
                        workers=1)  # fmt: skip
    assert result.derived.status == "succeeded", result.derived.message
    [(tallest,)] = rows(empty_db, "SELECT max(height_m) FROM msip.tree_detected")
    assert tallest < 80
    assert any("canopy maxima taller than any tree" in n for n in result.derived.notes)
