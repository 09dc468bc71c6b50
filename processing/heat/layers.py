"""Per-cell model inputs from MSIP rasters and vectors, one block of cells per (Dask) task.

Each task reads its block of the source mosaics at their own resolution (sub-cells), a strip
of cell rows at a time (so a task's memory is bounded by the strip, not the block or the area),
aggregates them to the model grid, then writes the layers into a shared .npy memmap:

- shade (day): share of valid CHM sub-cells with canopy ≥ canopy_min_height_m;
- albedo (day): mean of albedo_dark + (albedo_bright − albedo_dark) · (B − 1) / 254 over the
  orthophoto brightness B (1–255) — a linear proxy of broadband albedo from luminance;
- kc (day): mean of Kc = kc_min + (kc_max − kc_min) · clip((NDVI − ndvi_bare) / (ndvi_full − ndvi_bare), 0, 1);
- intensity (night): the cell's floor-area ratio (Σ footprint share × storeys; storeys from the
  register, else height / storey height, else nDSM / storey height) / far_max, capped at 1;
- green: 1 where the cell centre lies in a cooling green area, else 0;
- valid: 1 where every raster the mode needs has data in the cell.
Layers a mode does not use stay NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LAYERS = ("shade", "albedo", "kc", "intensity", "green", "valid")
#: Sub-cell size (m) at which building footprints are rasterised for the floor-area ratio.
FOOTPRINT_SUBCELL_M = 0.5
#: Source pixels read at once per raster (≈ 16 MB as float64): a strip of cell rows of the
#: block, so a task's memory does not grow with the block (a 256-cell block at 0.25 m is 26 M pixels).
STRIP_SUBCELLS = 2**21
#: Burn value of a footprint whose storeys are unknown (then taken from the nDSM).
_UNKNOWN_STOREYS = -1.0


@dataclass(frozen=True)
class LayerTask:
    """One block of cells: its place in the grid, the sources and where to write."""

    r0: int
    c0: int
    rows: int
    cols: int
    bounds: tuple[float, float, float, float]
    cell: float
    mode: str
    rasters: dict
    buildings: tuple[tuple[bytes, float], ...]
    greens: tuple[bytes, ...]
    params: dict
    out_path: str


def _read_rows(src, bounds: tuple[float, float, float, float], rows: int, cols: int, k: int,
               row0: int, row1: int) -> np.ndarray:
    """Cell rows row0:row1 of the block over `bounds` (rows × cols cells, k sub-cells per side), NaN = nodata.

    The window is that of the whole block, cut to the strip's sub-cell rows, so a block read strip
    by strip gives the same pixels as read at once.
    """
    from rasterio.enums import Resampling
    from rasterio.windows import Window, from_bounds

    out = np.full(((row1 - row0) * k, cols * k), np.nan)
    want = from_bounds(*bounds, transform=src.transform)
    # Read only the part inside the mosaic (boundless reads go through a slow warped VRT).
    scale_r, scale_c = want.height / (rows * k), want.width / (cols * k)
    r_lo = max(row0 * k, int(np.ceil(-want.row_off / scale_r - 1e-9)))
    c_lo = max(0, int(np.ceil(-want.col_off / scale_c - 1e-9)))
    r_hi = min(row1 * k, int(np.floor((src.height - want.row_off) / scale_r + 1e-9)))
    c_hi = min(cols * k, int(np.floor((src.width - want.col_off) / scale_c + 1e-9)))
    if r_hi <= r_lo or c_hi <= c_lo:
        return out
    part = Window(want.col_off + c_lo * scale_c, want.row_off + r_lo * scale_r,
                  (c_hi - c_lo) * scale_c, (r_hi - r_lo) * scale_r)
    if abs(scale_r - 1.0) < 1e-9 and abs(scale_c - 1.0) < 1e-9:
        # Sub-cells are the mosaic's pixels: take the pixels under their centres as an integer window.
        # (GDAL's VRT reads a fractional window inexactly at tile seams, and differently per window.)
        part = Window(math.floor(part.col_off + 0.5 + 1e-9), math.floor(part.row_off + 0.5 + 1e-9),
                      c_hi - c_lo, r_hi - r_lo)
    data = src.read(1, window=part, out_shape=(r_hi - r_lo, c_hi - c_lo), masked=True,
                    resampling=Resampling.nearest)
    out[r_lo - row0 * k:r_hi - row0 * k, c_lo:c_hi] = np.ma.filled(data.astype(np.float64), np.nan)
    return out


def _strip_means(task: LayerTask, kind: str, value: Callable[[np.ndarray], np.ndarray]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(mean of value(sub-cells) per cell, count of finite ones) of mosaic `kind` over the block.

    Read and reduced a strip of cell rows at a time (≤ STRIP_SUBCELLS sub-cells), so a task holds
    one strip at the mosaic's resolution, never the whole block: the per-cell values are the same.
    """
    import rasterio

    mean = np.full((task.rows, task.cols), np.nan)
    count = np.zeros((task.rows, task.cols), dtype=np.int64)
    with rasterio.open(task.rasters[kind]) as src:
        k = max(1, round(task.cell / abs(src.transform.a)))
        step = max(1, STRIP_SUBCELLS // (task.cols * k * k))
        for r0 in range(0, task.rows, step):
            r1 = min(task.rows, r0 + step)
            sub = _read_rows(src, task.bounds, task.rows, task.cols, k, r0, r1)
            mean[r0:r1], count[r0:r1] = _block_mean(value(sub), k)
    return mean, count


def _block_mean(sub: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean of finite sub-cells per cell (NaN if none), count of finite sub-cells)."""
    rows, cols = sub.shape[0] // k, sub.shape[1] // k
    blocks = sub.reshape(rows, k, cols, k)
    ok = np.isfinite(blocks)
    n = ok.sum(axis=(1, 3))
    total = np.where(ok, blocks, 0.0).sum(axis=(1, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan), n


def _transform(task: LayerTask, k: int):
    """Affine of the block's sub-cells (k per cell side)."""
    from affine import Affine

    return Affine(task.cell / k, 0.0, task.bounds[0], 0.0, -task.cell / k, task.bounds[3])


def _floors(task: LayerTask, shapes: list, ndsm: np.ndarray, k: int, row0: int) -> np.ndarray:
    """Storeys per footprint sub-cell (0 outside buildings) of the strip from cell row `row0` (ndsm's rows)."""
    from affine import Affine
    from rasterio.features import rasterize

    shape = ndsm.shape
    if not shapes:
        return np.zeros(shape)
    transform = _transform(task, k) @ Affine.translation(0, row0 * k)
    floors = rasterize(shapes, out_shape=shape, transform=transform, fill=0.0, dtype="float64")
    missing = floors == _UNKNOWN_STOREYS
    if missing.any():
        from_ndsm = np.maximum(np.nan_to_num(ndsm / task.params["storey_height_m"], nan=1.0), 1.0)
        floors[missing] = from_ndsm[missing]
    return floors


def _green(task: LayerTask) -> np.ndarray:
    from rasterio.features import rasterize
    from shapely import wkb

    if not task.greens:
        return np.zeros((task.rows, task.cols))
    transform = _transform(task, 1)
    return rasterize([(wkb.loads(g), 1) for g in task.greens], out_shape=(task.rows, task.cols),
                     transform=transform, fill=0, dtype="uint8").astype(np.float64)


def _day_layers(task: LayerTask, out: np.ndarray) -> np.ndarray:
    """Fill shade, albedo and Kc; returns the cells where all three rasters have data."""
    p = task.params
    out[0], n_chm = _strip_means(task, "chm", lambda chm: np.where(
        np.isfinite(chm), (chm >= p["canopy_min_height_m"]).astype(np.float64), np.nan))
    out[1], n_b = _strip_means(task, "brightness", lambda bright: p["albedo_dark"] + (
        p["albedo_bright"] - p["albedo_dark"]) * (bright - 1.0) / 254.0)

    def kc(ndvi: np.ndarray) -> np.ndarray:
        ramp = np.clip((ndvi / 10000.0 - p["ndvi_bare"]) / (p["ndvi_full"] - p["ndvi_bare"]), 0.0, 1.0)
        return p["kc_min"] + (p["kc_max"] - p["kc_min"]) * ramp

    out[2], n_v = _strip_means(task, "ndvi", kc)
    return (n_chm > 0) & (n_b > 0) & (n_v > 0)


def _night_layers(task: LayerTask, out: np.ndarray) -> np.ndarray:
    """Fill building intensity; returns the cells where the nDSM has data. Strip by strip, like the day."""
    import rasterio
    from shapely import wkb

    k = max(1, round(task.cell / FOOTPRINT_SUBCELL_M))
    shapes = [(wkb.loads(g), _UNKNOWN_STOREYS if np.isnan(s) else s) for g, s in task.buildings]
    valid = np.zeros((task.rows, task.cols), dtype=bool)
    step = max(1, STRIP_SUBCELLS // (task.cols * k * k))
    with rasterio.open(task.rasters["ndsm"]) as src:
        for r0 in range(0, task.rows, step):
            r1 = min(task.rows, r0 + step)
            ndsm = _read_rows(src, task.bounds, task.rows, task.cols, k, r0, r1)
            far, _ = _block_mean(_floors(task, shapes, ndsm, k, r0), k)
            out[3, r0:r1] = np.minimum(far / task.params["far_max"], 1.0)
            valid[r0:r1] = _block_mean(ndsm, k)[1] > 0
    return valid


def compute_layers(task: LayerTask) -> np.ndarray:
    """The (6, rows, cols) layers of one block in LAYERS order; a layer the mode does not use stays NaN."""
    out = np.full((len(LAYERS), task.rows, task.cols), np.nan)
    valid = _day_layers(task, out) if task.mode == "day" else _night_layers(task, out)
    out[4] = _green(task)
    out[5] = valid.astype(np.float64)
    return out


def run_layer_task(task: LayerTask) -> int:
    """Worker side: compute one block and write it into the shared (6, H, W) float32 memmap."""
    layers = compute_layers(task)
    out = np.load(task.out_path, mmap_mode="r+")
    out[:, task.r0:task.r0 + task.rows, task.c0:task.c0 + task.cols] = layers.astype(np.float32)
    out.flush()
    return task.rows * task.cols
