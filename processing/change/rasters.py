"""Change detection on one tile: read both epochs' rasters with overlap, find changed regions, sample trees.

The tile worker of `processing.change.detect`, run through `msip.core.rasters.store.map_tiles`. A tile
reads its core plus `overlap_m` on every side (the morphological filters and the tree crowns
need the context), finds the changed regions inside the core and returns them as polygons with
additive statistics, so regions cut by tile edges are merged exactly afterwards
(`processing.change.events.merge_regions`). Rasters are the per-epoch mosaics of the raster
store: nDSM, CHM, DTM (m, float32) and NDVI (int16 × 10000).
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from affine import Affine

from processing.change.events import Region
from processing.change.params import ChangeParams
from processing.change.trees import TreeProbe, TreeSample, sample_trees

if TYPE_CHECKING:
    from rasterio.io import DatasetReader

Bounds = tuple[float, float, float, float]


@dataclass(frozen=True)
class ChangeTileTask:
    """One tile: its core (EPSG:2180 m), grid, the mosaics per kind of both epochs and its trees."""

    name: str
    core: Bounds
    res_m: float
    overlap_m: float
    paths_from: dict[str, str]
    paths_to: dict[str, str]
    params: ChangeParams
    trees: tuple[TreeProbe, ...] = ()


@dataclass
class ChangeTileResult:
    """What a tile returns: its regions and tree samples (small; no arrays)."""

    name: str
    regions: list[Region] = field(default_factory=list)
    trees: list[TreeSample] = field(default_factory=list)


def snap_bounds(bounds: Bounds, res: float, anchor: tuple[float, float] = (0.0, 0.0)) -> Bounds:
    """`bounds` grown outwards to the grid of pixel size `res` (m) through `anchor`."""
    ax, ay = anchor
    x0 = ax + math.floor((bounds[0] - ax) / res + 1e-6) * res
    y0 = ay + math.floor((bounds[1] - ay) / res + 1e-6) * res
    x1 = ax + math.ceil((bounds[2] - ax) / res - 1e-6) * res
    y1 = ay + math.ceil((bounds[3] - ay) / res - 1e-6) * res
    return (x0, y0, x1, y1)


def read_on_grid(path: str, bounds: Bounds, res: float, *, scale: float = 1.0) -> np.ndarray:
    """Band 1 of `path` on the grid (`bounds`, pixel `res` m) as float32, NaN where no data.

    Outside the raster stays NaN. Same pixel size: nearest neighbour (exact on aligned grids);
    coarser output: the average of the source pixels. Values are multiplied by `scale`.
    """
    from rasterio.enums import Resampling
    from rasterio.windows import from_bounds

    x0, y0, x1, y1 = bounds
    w, h = round((x1 - x0) / res), round((y1 - y0) / res)
    out = np.full((h, w), np.nan, dtype=np.float32)
    src = opened(path)
    sb = src.bounds
    c0 = max(0, math.ceil((sb.left - x0) / res - 1e-6))
    c1 = min(w, math.floor((sb.right - x0) / res + 1e-6))
    r0 = max(0, math.ceil((y1 - sb.top) / res - 1e-6))
    r1 = min(h, math.floor((y1 - sb.bottom) / res + 1e-6))
    if c1 <= c0 or r1 <= r0:
        return out
    window = from_bounds(
        x0 + c0 * res, y1 - r1 * res, x0 + c1 * res, y1 - r0 * res, src.transform
    )
    same = math.isclose(src.res[0], res, rel_tol=1e-6)
    data = src.read(
        1,
        window=window,
        out_shape=(r1 - r0, c1 - c0),
        masked=True,
        resampling=Resampling.nearest if same else Resampling.average,
    )
    out[r0:r1, c0:c1] = np.ma.filled(data.astype(np.float32), np.nan) * np.float32(scale)
    return out


_OPEN = threading.local()
#: Datasets a thread keeps open (the mosaics of two epochs, a few kinds each).
_KEEP_OPEN = 12


def opened(path: str) -> DatasetReader:
    """`path` opened for reading, kept open in this thread while the file is unchanged (same size and
    modification time). Every tile reads the same few mosaics: a mosaic (VRT) opened once keeps its
    tiles' files open between tiles instead of parsing the VRT and opening its tiles again per read."""
    import rasterio

    st = os.stat(path)
    key = (st.st_mtime_ns, st.st_size)
    cache: dict[str, tuple[tuple[int, int], DatasetReader]] = _OPEN.__dict__.setdefault("datasets", {})
    held = cache.get(path)
    if held is not None and held[0] == key:
        return held[1]
    if held is not None:
        cache.pop(path)[1].close()
    elif len(cache) >= _KEEP_OPEN:
        cache.popitem()[1][1].close()
    cache[path] = (key, rasterio.open(path))
    return cache[path][1]


def _open(mask: np.ndarray, px: int) -> np.ndarray:
    """Morphological opening with a (2·px+1)² square: drops slivers narrower than that."""
    if px <= 0:
        return mask
    from scipy import ndimage

    return ndimage.binary_opening(mask, structure=np.ones((2 * px + 1, 2 * px + 1), bool))


def _smooth(values: np.ndarray, px: int) -> np.ndarray:
    """(2·px+1)² median of `values`; NaN cells stay NaN (they are filled with 0 for the filter)."""
    if px <= 0:
        return values
    from scipy import ndimage

    nan = np.isnan(values)
    out = ndimage.median_filter(np.where(nan, 0.0, values), size=2 * px + 1, mode="nearest")
    out[nan] = np.nan
    return out


def tile_masks(grids: dict[str, np.ndarray], p: ChangeParams) -> dict[str, tuple[np.ndarray, ...]]:
    """Per region class: (mask, dz, surface_from, surface_to) on the buffered tile grid.

    `grids` holds `<kind>_from` / `<kind>_to` arrays for the kinds present (ndsm, chm, dtm).
    Built surface = nDSM where the CHM is below `canopy_min_height_m` (0 under canopy), so
    trees never count as buildings. Terrain changes are looked for only where no structure
    stands in either epoch (the DTM is interpolated under buildings).
    """
    out: dict[str, tuple[np.ndarray, ...]] = {}
    canopy = {
        e: np.nan_to_num(grids[f"chm_{e}"], nan=0.0) >= p.canopy_min_height_m
        for e in ("from", "to")
        if "chm_from" in grids
    }
    built = {}
    if "ndsm_from" in grids:
        for e in ("from", "to"):
            ndsm = grids[f"ndsm_{e}"]
            built[e] = np.where(canopy[e], 0.0, ndsm) if canopy else ndsm
        dz = built["to"] - built["from"]
        up, down = dz >= p.building_min_dz_m, dz <= -p.building_min_dz_m
        out["built_up"] = (_open(up, p.opening_px), dz, built["from"], built["to"])
        out["built_down"] = (_open(down, p.opening_px), dz, built["from"], built["to"])
    if canopy:
        chm_f, chm_t = grids["chm_from"], grids["chm_to"]
        valid = ~(np.isnan(chm_f) | np.isnan(chm_t))
        lost, gained = (
            canopy["from"] & ~canopy["to"] & valid,
            ~canopy["from"] & canopy["to"] & valid,
        )
        out["canopy_lost"] = (_open(lost, p.opening_px), chm_t - chm_f, chm_f, chm_t)
        out["canopy_gained"] = (_open(gained, p.opening_px), chm_t - chm_f, chm_f, chm_t)
    if "dtm_from" in grids:
        dtm_f, dtm_t = grids["dtm_from"], grids["dtm_to"]
        dz = _smooth(dtm_t - dtm_f, p.terrain_smooth_px)
        ok = ~np.isnan(dz)
        for surface in built.values():
            ok &= ~(np.nan_to_num(surface) >= p.building_min_dz_m)
        rise, fall = ok & (dz >= p.terrain_min_dz_m), ok & (dz <= -p.terrain_min_dz_m)
        out["terrain_up"] = (_open(rise, p.opening_px), dz, dtm_f, dtm_t)
        out["terrain_down"] = (_open(fall, p.opening_px), dz, dtm_f, dtm_t)
    return out


def core_regions(
    cls: str,
    mask: np.ndarray,
    dz: np.ndarray,
    s_from: np.ndarray,
    s_to: np.ndarray,
    *,
    transform: Affine,
    min_area_m2: float,
    res: float,
) -> list[Region]:
    """Connected regions (4-neighbour) of `mask` (already cropped to the core) as polygons + stats.

    Regions away from the core's edge and smaller than `min_area_m2` are dropped here; those on
    the edge are kept whatever their size, since they may continue in the next tile.
    """
    import shapely
    from rasterio.features import shapes
    from scipy import ndimage

    labels, n = ndimage.label(mask)
    if n == 0:
        return []
    idx = labels.ravel()
    on = idx > 0
    lab = idx[on]
    n_px = np.bincount(lab, minlength=n + 1)
    d = np.nan_to_num(dz.ravel()[on].astype(np.float64))
    sums = np.bincount(lab, weights=d, minlength=n + 1)
    sum_f = np.bincount(
        lab, weights=np.nan_to_num(s_from.ravel()[on].astype(np.float64)), minlength=n + 1
    )
    sum_t = np.bincount(
        lab, weights=np.nan_to_num(s_to.ravel()[on].astype(np.float64)), minlength=n + 1
    )
    mins = np.full(n + 1, np.inf)
    maxs = np.full(n + 1, -np.inf)
    np.minimum.at(mins, lab, d)
    np.maximum.at(maxs, lab, d)
    edge = np.zeros(n + 1, bool)
    edge[np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))] = True
    keep = edge | (n_px * res * res >= min_area_m2 - 1e-9)
    keep[0] = False
    if not keep[1:].any():
        return []
    kept = np.where(keep[labels], labels, 0).astype(np.int32)
    regions = []
    for geom, value in shapes(kept, mask=kept > 0, connectivity=4, transform=transform):
        k = int(value)
        regions.append(
            Region(
                cls,
                shapely.to_wkb(shapely.geometry.shape(geom)),
                int(n_px[k]),
                float(sums[k]),
                float(mins[k]),
                float(maxs[k]),
                float(sum_f[k]),
                float(sum_t[k]),
                bool(edge[k]),
            )
        )
    return regions


def process_change_tile(task: ChangeTileTask) -> ChangeTileResult:
    """Regions and tree samples of one tile (module level, so Dask can ship it to workers)."""
    p, res = task.params, task.res_m
    x0, y0, x1, y1 = task.core
    o = task.overlap_m
    buffered = (x0 - o, y0 - o, x1 + o, y1 + o)
    grids = {}
    for kind in ("ndsm", "chm", "dtm"):
        if kind in task.paths_from and kind in task.paths_to:
            grids[f"{kind}_from"] = read_on_grid(task.paths_from[kind], buffered, res)
            grids[f"{kind}_to"] = read_on_grid(task.paths_to[kind], buffered, res)
    result = ChangeTileResult(task.name)
    pad = round(o / res)
    crop = (slice(pad, pad + round((y1 - y0) / res)), slice(pad, pad + round((x1 - x0) / res)))
    transform = Affine(res, 0.0, x0, 0.0, -res, y1)
    for cls, arrays in tile_masks(grids, p).items():
        mask, dz, s_from, s_to = (a[crop] for a in arrays)
        result.regions += core_regions(
            cls,
            mask,
            dz,
            s_from,
            s_to,
            transform=transform,
            min_area_m2=p.min_area_m2(cls),
            res=res,
        )
    if task.trees:
        chm = {e: (grids[f"chm_{e}"], buffered, res) for e in ("from", "to") if "chm_from" in grids}
        result.trees = sample_trees(
            task.trees, p, max_radius_m=o, chm=chm, ndvi=_ndvi_windows(task, buffered)
        )
    return result


def _ndvi_windows(task: ChangeTileTask, buffered: Bounds) -> dict:
    """NDVI of both epochs over the buffered tile at the NDVI's own pixel size ({} without NDVI)."""
    import rasterio

    if "ndvi" not in task.paths_from or "ndvi" not in task.paths_to:
        return {}
    with rasterio.open(task.paths_from["ndvi"]) as src:
        res, anchor = src.res[0], (src.bounds.left, src.bounds.top)
    bounds = snap_bounds(buffered, res, anchor)
    paths = {"from": task.paths_from["ndvi"], "to": task.paths_to["ndvi"]}
    return {
        e: (read_on_grid(path, bounds, res, scale=1e-4), bounds, res) for e, path in paths.items()
    }
