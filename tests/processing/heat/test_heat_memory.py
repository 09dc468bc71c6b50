"""Heat-island inputs are read a strip at a time: a task's memory is bounded by the strip, not the block or area.

Issue #17 finding: each input block (256 × 256 cells of 5 m = 1.28 km) was read whole at the
mosaics' 0.25 m as float64 with its temporaries (≈ 0.8 GB per Dask worker). No database needed.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from processing.heat import layers as heat_layers
from processing.heat.layers import LayerTask
from processing.heat.params import HeatParams

X0, Y1 = 500_000.0, 300_000.0
CELL = 5.0


def _write(path: Path, data: np.ndarray, pixel_m: float, nodata: float) -> str:
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
               "dtype": data.dtype.name, "crs": "EPSG:2180", "nodata": nodata, "tiled": True,
               "blockxsize": 256, "blockysize": 256, "compress": "deflate",
               "transform": Affine(pixel_m, 0.0, X0, 0.0, -pixel_m, Y1)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return str(path)


def _rasters(folder: Path, rows: int, cols: int, seed: int = 0) -> dict[str, str]:
    """Brightness and NDVI at 0.25 m, CHM at 0.5 m over rows × cols cells, with some nodata."""
    rng = np.random.default_rng(seed)
    fine = (rows * 20, cols * 20)
    bright = rng.integers(1, 256, fine, dtype=np.uint8)
    bright[:7, :] = 0  # nodata strip along the top
    ndvi = rng.integers(-10000, 10001, fine, dtype=np.int16)
    ndvi[:, -13:] = -32768
    chm = (rng.random((rows * 10, cols * 10)) * 12).astype(np.float32)
    chm[chm > 11.5] = -9999.0
    return {"brightness": _write(folder / "b.tif", bright, 0.25, 0),
            "ndvi": _write(folder / "n.tif", ndvi, 0.25, -32768),
            "chm": _write(folder / "c.tif", chm, 0.5, -9999.0)}


def _task(rasters: dict[str, str], rows: int, cols: int, tmp_path: Path) -> LayerTask:
    bounds = (X0, Y1 - rows * CELL, X0 + cols * CELL, Y1)
    return LayerTask(r0=0, c0=0, rows=rows, cols=cols, bounds=bounds, cell=CELL, mode="day", rasters=rasters,
                     buildings=(), greens=(), params=HeatParams().as_dict(), out_path=str(tmp_path / "x.npy"))


def test_a_block_read_in_strips_gives_the_same_layers_as_read_whole(tmp_path, monkeypatch):
    rows, cols = 23, 17
    task = _task(_rasters(tmp_path, rows, cols), rows, cols, tmp_path)
    monkeypatch.setattr(heat_layers, "STRIP_SUBCELLS", 10**12)
    whole = heat_layers.compute_layers(task)
    # 3 cell rows per strip at 0.25 m (20 × 20 sub-cells per cell): 8 strips, the last one short.
    monkeypatch.setattr(heat_layers, "STRIP_SUBCELLS", 3 * cols * 400)
    strips = heat_layers.compute_layers(task)
    assert np.isnan(whole[0, :, :]).sum() == 0 and np.isfinite(whole[1]).all()
    assert whole.tobytes() == strips.tobytes()


def test_night_intensity_read_in_strips_is_the_same_as_read_whole(tmp_path, monkeypatch):
    """Footprints are rasterised per strip at 0.5 m: edges on sub-cell centres and unknown storeys included."""
    from dataclasses import replace

    from shapely import Polygon, box

    rows, cols = 21, 19
    rng = np.random.default_rng(5)
    ndsm = (rng.random((rows * 10, cols * 10)) * 20).astype(np.float32)
    ndsm[:10] = -9999.0  # the first cell row
    buildings = []
    for i in range(6):
        for j in range(6):
            x, y = X0 + 3 + i * 15.3, Y1 - 100 + j * 15.7
            g = box(x + 0.25, y + 0.75, x + 9.25, y + 6.25) if (i + j) % 2 else Polygon(
                [(x, y), (x + 7.31, y + 1.13), (x + 6.2, y + 8.97), (x - 0.71, y + 7.7)])
            buildings.append((g.wkb, float("nan") if (i * j) % 4 == 0 else 1.0 + i / 3))
    task = replace(_task({"ndsm": _write(tmp_path / "nd.tif", ndsm, 0.5, -9999.0)}, rows, cols, tmp_path),
                   mode="night", buildings=tuple(buildings))
    monkeypatch.setattr(heat_layers, "STRIP_SUBCELLS", 10**12)
    whole = heat_layers.compute_layers(task)
    monkeypatch.setattr(heat_layers, "STRIP_SUBCELLS", 1)  # one cell row per strip
    strips = heat_layers.compute_layers(task)
    assert np.nanmax(whole[3]) > 0.1 and not whole[5][0].any() and whole[5][-1].all()
    assert whole.tobytes() == strips.tobytes()


def _peak_bytes(task: LayerTask) -> tuple[np.ndarray, int]:
    tracemalloc.start()
    try:
        out = heat_layers.compute_layers(task)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_one_block_of_1_28_km_at_0_25_m_is_never_held_whole(tmp_path):
    """A 256 × 256-cell block is 26 M source pixels (210 MB as float64); a task holds a strip of them."""
    rows = cols = 256
    out, peak_bytes = _peak_bytes(_task(_rasters(tmp_path, rows, cols), rows, cols, tmp_path))
    assert np.isfinite(out[1]).sum() > 0.9 * rows * cols
    # Reading the whole block (the old way) peaked at 870 MB; strips of STRIP_SUBCELLS pixels at ≈ 83 MB.
    assert peak_bytes < 6 * heat_layers.STRIP_SUBCELLS * 8 < rows * cols * 20 * 20 * 8 / 2


@pytest.mark.slow
def test_a_night_block_is_never_held_whole_at_0_5_m(tmp_path):
    """The night-time nDSM and footprints at 0.5 m: 6.6 M sub-cells per block, held a strip at a time."""
    from dataclasses import replace

    from shapely import box

    rows = cols = 256
    ndsm = (np.random.default_rng(1).random((rows * 10, cols * 10)) * 20).astype(np.float32)
    buildings = tuple((box(X0 + i * 20, Y1 - 1200 + j * 20, X0 + i * 20 + 12, Y1 - 1188 + j * 20).wkb,
                       float("nan") if (i + j) % 3 == 0 else 2.0) for i in range(60) for j in range(60))
    task = replace(_task({"ndsm": _write(tmp_path / "nd.tif", ndsm, 0.5, -9999.0)}, rows, cols, tmp_path),
                   mode="night", buildings=buildings)
    out, peak_bytes = _peak_bytes(task)
    assert np.nanmax(out[3]) > 0.2
    # Whole-block rasterisation and reads (the old way) peaked at 253 MB; now ≈ 83 MB.
    assert peak_bytes < 6 * heat_layers.STRIP_SUBCELLS * 8


def test_a_mosaic_off_the_grid_is_read_at_the_pixels_under_the_sub_cell_centres(tmp_path, monkeypatch):
    """Tiles 0.13 m (about half a pixel) off the 5 m grid, mosaicked: every sub-cell takes the pixel under its
    centre, also at the tile seams (GDAL's fractional VRT windows took a neighbour there, differently per read)."""
    from msip.core.rasters.mosaic import build_mosaic

    px, n_tile, off = 0.25, 400, 0.13
    rng = np.random.default_rng(3)
    whole = rng.integers(1, 256, (n_tile, 2 * n_tile), dtype=np.uint8)
    paths = []
    for j in range(2):
        t = Affine(px, 0.0, X0 + off + j * n_tile * px, 0.0, -px, Y1 + off)
        profile = {"driver": "GTiff", "width": n_tile, "height": n_tile, "count": 1, "dtype": "uint8",
                   "crs": "EPSG:2180", "nodata": 0, "transform": t}
        with rasterio.open(tmp_path / f"t{j}.tif", "w", **profile) as dst:
            dst.write(whole[:, j * n_tile:(j + 1) * n_tile], 1)
        paths.append(tmp_path / f"t{j}.tif")
    mosaic = str(build_mosaic(paths, tmp_path / "b.vrt"))
    rows, cols = 18, 38  # inside the mosaic: (X0, Y1 - 90) … (X0 + 190, Y1)
    task = _task({"brightness": mosaic}, rows, cols, tmp_path)
    # Reference: sub-cell centres → pixel indices; sub-cells whose centre is off the mosaic are nodata.
    k = 20
    centres = (np.arange(rows * k) + 0.5) * px
    ri = np.floor((off + centres) / px).astype(int)
    ci = np.floor(np.arange(cols * k) + 0.5 - off / px).astype(int)
    sub = np.full((rows * k, cols * k), np.nan)
    ok_c = ci >= 0
    sub[:, ok_c] = whole[np.ix_(ri, ci[ok_c])]
    p = HeatParams()
    albedo = p.albedo_dark + (p.albedo_bright - p.albedo_dark) * (sub - 1.0) / 254.0
    expected, _ = heat_layers._block_mean(albedo, k)
    got, _ = heat_layers._strip_means(task, "brightness", lambda b: p.albedo_dark + (
        p.albedo_bright - p.albedo_dark) * (b - 1.0) / 254.0)
    assert np.array_equal(got, expected)
    monkeypatch.setattr(heat_layers, "STRIP_SUBCELLS", 1)  # one cell row per strip
    again, _ = heat_layers._strip_means(task, "brightness", lambda b: p.albedo_dark + (
        p.albedo_bright - p.albedo_dark) * (b - 1.0) / 254.0)
    assert again.tobytes() == got.tobytes()
