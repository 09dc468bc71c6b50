"""Individual trees from a canopy height model: treetops by local maxima, crowns by watershed.

Treetops are cells of the lightly smoothed CHM that are the highest within a window whose
radius grows with height (`window_radius_m`: lidR's published variable window, scored against
a real forest's stored segmentation in benchmarks/results_accuracy_lidar.md), at least
`min_height_m` tall. Crowns grow from the treetops over the canopy (CHM ≥ max(min height,
40 % of the apex)) by watershed on the inverted CHM (4-connected, so every crown is one polygon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from pipelines.lidar.algorithms.grids import Grid
from pipelines.lidar.params import TREE_PARAMS, TreeParams

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class DetectedTree:
    """One tree: apex (EPSG:2180 m), height (m), crown area (m²) and outline (WKB)."""

    x: float
    y: float
    height_m: float
    crown_area_m2: float
    ground_z_m: float | None
    crown_wkb: bytes | None

    @property
    def crown_diameter_m(self) -> float:
        return 2.0 * math.sqrt(self.crown_area_m2 / math.pi)


def window_radius_m(height_m: np.ndarray | float, params: TreeParams = TREE_PARAMS) -> np.ndarray | float:
    """Local-maximum search radius (m) for a treetop of `height_m`: half of lidR's window diameter.

    lidR's published variable window `lmf(function(x) x * 0.07 + 3)` is a diameter of
    3 m + 0.07 × height; `params` holds both numbers (pipelines/lidar/params.py).
    """
    return (params.window_base_m + params.window_per_m * np.asarray(height_m)) / 2.0


def treetops(
    chm: np.ndarray, res: float, min_height_m: float, params: TreeParams = TREE_PARAMS
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of treetops in a CHM (m, NaN = no data) with `res` m cells.

    Candidates are the 3×3 local maxima of the lightly smoothed CHM at least `min_height_m`
    tall; each is kept when no cell whose centre lies within its height-dependent circle
    (`window_radius_m`) is higher — lidR's lmf on a raster.
    """
    c = np.nan_to_num(chm, nan=0.0)
    sigma = params.smooth_sigma_m / res
    smooth = ndimage.gaussian_filter(c, sigma=sigma) if sigma > 0 else c
    peak = (smooth >= ndimage.maximum_filter(smooth, size=3, mode="nearest")) & (
        smooth >= min_height_m
    )
    rows, cols = np.nonzero(peak)
    if not len(rows):
        return rows, cols
    radius = np.asarray(window_radius_m(smooth[rows, cols], params), dtype=np.float64)
    k_needed = np.ceil(radius / res).astype(int)
    keep = np.zeros(len(rows), dtype=bool)
    for k in np.unique(k_needed):
        sel = np.flatnonzero(k_needed == k)
        dy, dx = np.mgrid[-k : k + 1, -k : k + 1]
        dy, dx = dy.ravel(), dx.ravel()
        d2_m2 = (dx * dx + dy * dy) * res * res
        rr = np.clip(rows[sel, None] + dy, 0, chm.shape[0] - 1)
        cc = np.clip(cols[sel, None] + dx, 0, chm.shape[1] - 1)
        inside = d2_m2[None, :] <= radius[sel, None] ** 2 + 1e-9
        highest = np.where(inside, smooth[rr, cc], -np.inf).max(axis=1)
        keep[sel] = smooth[rows[sel], cols[sel]] >= highest
    rows, cols = rows[keep], cols[keep]
    # Plateaus give several equal maxima: keep one per connected group.
    is_top = np.zeros(chm.shape, dtype=bool)
    is_top[rows, cols] = True
    labels, n = ndimage.label(is_top, structure=np.ones((3, 3), bool))
    if n < len(rows):
        first = np.unique(labels[rows, cols], return_index=True)[1]
        rows, cols = rows[first], cols[first]
    return rows, cols


def crowns(chm: np.ndarray, rows: np.ndarray, cols: np.ndarray, min_height_m: float) -> np.ndarray:
    """Label image: crown k (1-based, in treetop order) by watershed; 0 outside crowns."""
    from skimage.segmentation import watershed

    c = np.nan_to_num(chm, nan=0.0)
    markers = np.zeros(chm.shape, dtype=np.int32)
    markers[rows, cols] = np.arange(1, len(rows) + 1)
    labels = watershed(
        -ndimage.gaussian_filter(c, 0.5), markers=markers, mask=c >= min_height_m, connectivity=1
    )
    apex = c[rows, cols]
    low = c < 0.4 * np.concatenate([[0.0], apex])[labels]  # crown rim: below 40 % of its own apex
    labels[low] = 0
    return labels


def detect(
    chm: np.ndarray,
    grid: Grid,
    *,
    core: tuple[float, float, float, float],
    min_height_m: float,
    dtm: np.ndarray | None = None,
    params: TreeParams = TREE_PARAMS,
) -> list[DetectedTree]:
    """Trees whose apex lies in `core` (minx, miny, maxx, maxy), from a CHM on (buffered) `grid`."""
    import shapely
    from affine import Affine
    from rasterio import features
    from shapely.geometry import shape

    rows, cols = treetops(chm, grid.res, min_height_m, params)
    if not len(rows):
        return []
    labels = crowns(chm, rows, cols, min_height_m)
    x = grid.minx + (cols + 0.5) * grid.res
    y = grid.maxy - (rows + 0.5) * grid.res
    minx, miny, maxx, maxy = core
    keep = np.flatnonzero((x >= minx) & (x < maxx) & (y >= miny) & (y < maxy))
    c = np.nan_to_num(chm, nan=0.0)
    ids = np.arange(1, len(rows) + 1)
    heights = ndimage.maximum(c, labels, ids)
    areas = ndimage.sum(np.ones_like(c), labels, ids) * grid.res**2
    transform = Affine(grid.res, 0.0, grid.minx, 0.0, -grid.res, grid.maxy)
    wanted = np.zeros(len(rows) + 1, dtype=bool)
    wanted[keep + 1] = True
    outline: dict[int, BaseGeometry] = {}
    sel = wanted[labels]
    for geom, value in features.shapes(labels, mask=sel, transform=transform, connectivity=4):
        polygon = shape(geom)
        label = int(value)
        if label not in outline or polygon.area > outline[label].area:
            outline[label] = polygon  # a crown split by the rim rule keeps its largest part
    out: list[DetectedTree] = []
    for k in keep:
        h = float(max(heights[k], c[rows[k], cols[k]]))
        if h < min_height_m:  # a smoothing artefact over a hole in sparse data, not a tree
            continue
        crown = outline.get(int(k) + 1)
        area = float(areas[k]) if areas[k] > 0 else grid.res**2
        gz = (
            float(dtm[rows[k], cols[k]])
            if dtm is not None and np.isfinite(dtm[rows[k], cols[k]])
            else None
        )
        out.append(
            DetectedTree(
                float(x[k]),
                float(y[k]),
                h,
                area,
                gz,
                shapely.to_wkb(crown) if crown is not None else None,
            )
        )
    return out
