"""Canopy cover around points: the share of CHM cells ≥ a height inside a circle, tile by tile.

For a centre (x, y) and radius R the circle holds the raster cells whose *centres* lie within
R of the point (no resampling: the CHM is read at its own resolution). The canopy share is
``canopy cells / cells with data`` × 100 (cells outside the survey or nodata are left out of
both counts) and the data share is ``cells with data / cells in the circle`` × 100.

Per tile, each raster row's running sums (prefix sums) give the count of a row's run of cells
in O(1), so a circle costs one lookup per raster row it spans: about 2R / resolution
lookups per point, vectorised over all points of a tile. Tiles are `tile_m` squares of the
points' positions; each reads its window plus R on every side (the overlap the kernel needs)
and runs through `map_tiles` (Dask processes, or the cluster named by MSIP_DASK_SCHEDULER).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from msip.core.errors import SourceReadError, ValidationError

#: Below this many points the tiles run in this process: starting worker processes (seconds)
#: costs more than the work (about 0.3 ms per point at 0.5 m and R = 250 m).
PARALLEL_MIN_POINTS = 50_000
#: Points per vectorised batch inside a tile (bounds memory to ~batch × rows × 8 bytes × 8).
BATCH = 256


@dataclass(frozen=True)
class CanopyTile:
    """One unit of work: the raster, the points (index into the caller's arrays, x, y) and the kernel."""

    path: str
    index: np.ndarray
    xy: np.ndarray
    radius_m: float
    min_height_m: float


def disc_counts(
    canopy: np.ndarray,
    valid: np.ndarray,
    left: float,
    top: float,
    res: float,
    xy: np.ndarray,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(canopy cells, data cells, all cells) inside the circle around each point of `xy` (n × 2).

    `canopy` and `valid` are boolean grids whose upper-left corner is (`left`, `top`) with
    square cells of `res` metres; rows and columns outside the grid count as no data.
    """
    rows, cols = canopy.shape
    # one running sum per row carries both counts: canopy cells in the low bits, data cells in
    # the high ones (16 bits each while a row is shorter than 32 768 cells, else 32 in int64)
    shift, kind = (16, np.int32) if cols < 1 << 15 else (32, np.int64)
    both = np.zeros((rows, cols + 1), dtype=kind)
    # (np.left_shift is `<<`; numpy's stubs reject `<<` on an array of a dtype chosen at run time)
    np.cumsum(canopy.astype(kind) + np.left_shift(valid.astype(kind), shift), axis=1, out=both[:, 1:])
    flat = both.ravel()
    low = (1 << shift) - 1
    n_out = np.zeros(len(xy), dtype=np.int64)
    v_out = np.zeros(len(xy), dtype=np.int64)
    a_out = np.zeros(len(xy), dtype=np.int64)
    span = math.ceil(radius_m / res) + 1
    offsets = np.arange(-span, span + 1)[None, :]
    for start in range(0, len(xy), BATCH):
        x = xy[start : start + BATCH, 0][:, None]
        y = xy[start : start + BATCH, 1][:, None]
        r = np.floor((top - y) / res).astype(np.int64) + offsets
        dy = (top - (r + 0.5) * res) - y
        half = np.sqrt(np.clip(radius_m * radius_m - dy * dy, 0, None))
        c_lo = np.ceil((x - half - left) / res - 0.5).astype(np.int64)
        c_hi1 = np.floor((x + half - left) / res - 0.5).astype(np.int64) + 1
        inside = (np.abs(dy) <= radius_m) & (c_hi1 > c_lo)
        a_out[start : start + BATCH] = np.where(inside, c_hi1 - c_lo, 0).sum(axis=1)
        inside &= (r >= 0) & (r < rows)
        base = np.where(inside, r, 0) * (cols + 1)
        hi = np.where(inside, np.clip(c_hi1, 0, cols), 0)
        lo = np.where(inside, np.clip(c_lo, 0, cols), 0)
        run = (
            flat[base + hi] - flat[base + lo]
        )  # per row: canopy + (data << shift), no carry between fields
        n_out[start : start + BATCH] = (run & low).sum(axis=1, dtype=np.int64)
        v_out[start : start + BATCH] = (run >> shift).sum(axis=1, dtype=np.int64)
    return n_out, v_out, a_out


def _read_window(src, col0: int, row0: int, width: int, height: int) -> np.ndarray:
    """Band 1 over a pixel window that may reach past the raster; outside = NaN (float32)."""
    from rasterio.windows import Window

    out = np.full((height, width), np.nan, dtype="float32")
    c0, r0 = max(col0, 0), max(row0, 0)
    c1, r1 = min(col0 + width, src.width), min(row0 + height, src.height)
    if c1 > c0 and r1 > r0:
        data = src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), out_dtype="float32")
        if src.nodata is not None:
            data[data == np.float32(src.nodata)] = np.nan
        out[r0 - row0 : r1 - row0, c0 - col0 : c1 - col0] = data
    return out


def _tile_shares(tile: CanopyTile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(index, canopy %, data %) for one tile's points, read from the raster window they need."""
    import rasterio

    with rasterio.open(tile.path) as src:
        t = src.transform
        res = t.a
        pad = tile.radius_m + 2 * res
        x0, y1 = tile.xy[:, 0].min() - pad, tile.xy[:, 1].max() + pad
        x1, y0 = tile.xy[:, 0].max() + pad, tile.xy[:, 1].min() - pad
        col0 = math.floor((x0 - t.c) / res)
        row0 = math.floor((t.f - y1) / res)
        data = _read_window(
            src, col0, row0, math.ceil((x1 - t.c) / res) - col0, math.ceil((t.f - y0) / res) - row0
        )
        left, top = t.c + col0 * res, t.f - row0 * res
    valid = ~np.isnan(data)
    with np.errstate(invalid="ignore"):
        canopy = data >= tile.min_height_m
    del data
    n, v, a = disc_counts(canopy, valid, left, top, res, tile.xy, tile.radius_m)
    canopy_pct = np.where(v > 0, 100.0 * n / np.maximum(v, 1), np.nan)
    data_pct = np.where(a > 0, 100.0 * v / np.maximum(a, 1), 0.0)
    return tile.index, canopy_pct, data_pct


def canopy_shares(
    path: Path | str,
    xy: np.ndarray,
    *,
    radius_m: float,
    min_height_m: float,
    tile_m: float = 1000.0,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Canopy % (NaN where the circle has no data) and data % in the circle around each point.

    Parameters
    ----------
    path
        A single-band canopy height raster (m above terrain), north-up, square cells, EPSG:2180.
    xy
        Points (n × 2), EPSG:2180 metres.
    radius_m
        Circle radius, m.
    min_height_m
        Cells at least this high are canopy, m.
    tile_m
        Side of the square tiles the points are grouped in, m.
    workers
        Worker processes for the tile loop (1 runs in this process); default: 1 below
        `PARALLEL_MIN_POINTS` points, else one per CPU. MSIP_DASK_SCHEDULER always wins.
    """
    import rasterio

    from msip.core.rasters.store import map_tiles

    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    try:
        with rasterio.open(path) as src:
            t = src.transform
            if src.count < 1 or t.b != 0 or t.d != 0 or not math.isclose(t.a, -t.e):
                raise ValidationError(
                    f"canopy raster {path} must be north-up with square cells (transform {tuple(t)[:6]}); "
                    "rebuild the CHM with `msip load lidar`"
                )
    except rasterio.RasterioIOError as exc:
        raise SourceReadError(
            f"cannot open the canopy height raster {path}: {exc}; reload the LiDAR epoch"
        ) from None
    canopy = np.full(len(xy), np.nan)
    data = np.zeros(len(xy))
    if not len(xy):
        return canopy, data
    key = np.floor(xy / tile_m).astype(np.int64)
    order = np.lexsort((key[:, 0], key[:, 1]))
    _, starts = np.unique(key[order], axis=0, return_index=True)
    groups = np.split(order, np.sort(starts)[1:])
    tiles = [CanopyTile(str(path), g, xy[g], radius_m, min_height_m) for g in groups]
    if workers is None and len(xy) < PARALLEL_MIN_POINTS:
        workers = 1
    for index, c, d in map_tiles(
        _tile_shares, tiles, workers=workers, progress_desc="canopy cover"
    ):
        canopy[index] = c
        data[index] = d
    return canopy, data


def tree_data_covers(
    inventory_hull_wkb: bytes | None,
    chm_path: Path | str | None,
    xy: np.ndarray,
    *,
    radius_m: float,
    workers: int | None = None,
) -> np.ndarray:
    """Per point (building centroids, n × 2): does tree data cover it? True inside the inventory's convex
    hull (WKB; None = no inventory), or where the CHM (the LiDAR survey the detected trees come from) has
    data in at least half of the `radius_m` circle. Where neither holds, a low tree count is unknown."""
    import shapely

    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    known = np.zeros(len(xy), dtype=bool)
    if inventory_hull_wkb is not None and len(xy):
        known |= shapely.covers(shapely.from_wkb(inventory_hull_wkb), shapely.points(xy))
    if chm_path and len(xy):
        _, data_pct = canopy_shares(chm_path, xy, radius_m=radius_m, min_height_m=0.0, workers=workers)
        known |= data_pct >= 50
    return known
