"""Summaries of the modelled T_air: hot spots, and means per building, zoning zone and grid cell.

Pure functions over the model grid (numpy arrays, NaN = no data) returning plain rows; the
analysis run writes them to msip.heat_* (sql/070_heat.sql). A polygon takes the cells whose
centres it contains; a building too small to contain one takes the cell under its
representative point. Hot cells have T_air ≥ the chosen percentile of all cells with data;
edge-connected hot cells form one hot spot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from processing.heat.inputs import HeatGrid


@dataclass
class HeatRasters:
    """The model's outputs on the grid (NaN = no data), with the inputs that explain them."""

    grid: HeatGrid
    layers: np.ndarray
    cc: np.ndarray
    hm: np.ndarray
    t_air: np.ndarray


@dataclass(frozen=True)
class ZoneStats:
    """Statistics of one polygon (building, zone) or statistics cell; None when it has no data."""

    cells: int
    t_air_mean_c: float
    t_air_max_c: float
    hm_mean: float
    hot_share_pct: float
    sampled_at_point: bool = False


def hot_threshold(t_air: np.ndarray, percentile: float) -> float:
    """T_air (°C) at `percentile` (%) of the cells with data (numpy's linear interpolation)."""
    return float(np.nanpercentile(t_air, percentile))


def hot_spots(t_air: np.ndarray, hm: np.ndarray, grid: HeatGrid, threshold: float) -> list[dict]:
    """Edge-connected cells with T_air ≥ threshold, dissolved: geometry (shapely), cells, area, T_air, HM."""
    from rasterio.features import shapes
    from scipy import ndimage
    from shapely.geometry import MultiPolygon, shape

    hot = np.isfinite(t_air) & (t_air >= threshold)
    labels, n = ndimage.label(hot)  # default structure: edge (4-) connectivity
    if n == 0:
        return []
    idx = np.arange(1, n + 1)
    cells = ndimage.sum_labels(hot, labels, idx)
    mean_t = ndimage.mean(t_air, labels, idx)
    max_t = ndimage.maximum(t_air, labels, idx)
    mean_hm = ndimage.mean(hm, labels, idx)
    geoms: dict[int, list] = {}
    for geom, value in shapes(labels.astype(np.int32), mask=hot, transform=grid.transform, connectivity=4):
        geoms.setdefault(int(value), []).append(shape(geom))
    out = []
    for i in range(n):
        polys = geoms[i + 1]
        out.append({
            "geom": MultiPolygon(polys), "cells": int(cells[i]), "area_m2": float(cells[i]) * grid.cell ** 2,
            "t_air_mean_c": float(mean_t[i]), "t_air_max_c": float(max_t[i]), "hm_mean": float(mean_hm[i]),
        })
    return out


def polygon_labels(wkbs: list[bytes], grid: HeatGrid) -> np.ndarray:
    """int32 grid: k+1 where the cell centre lies in polygon k (later polygons win overlaps), else 0."""
    from rasterio.features import rasterize
    from shapely import wkb

    if not wkbs:
        return np.zeros((grid.rows, grid.cols), dtype=np.int32)
    return rasterize([(wkb.loads(g), i + 1) for i, g in enumerate(wkbs)], out_shape=(grid.rows, grid.cols),
                     transform=grid.transform, fill=0, dtype="int32")


def _grouped(labels: np.ndarray, n: int, t_air: np.ndarray, hm: np.ndarray, hot: np.ndarray):
    """(cells, mean T_air, max T_air, mean HM, hot share %) per label 1..n over cells with data."""
    ok = (labels > 0) & np.isfinite(t_air)
    lab = labels[ok]
    cells = np.bincount(lab, minlength=n + 1)[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_t = np.bincount(lab, weights=t_air[ok], minlength=n + 1)[1:] / cells
        mean_hm = np.bincount(lab, weights=hm[ok], minlength=n + 1)[1:] / cells
        hot_pct = 100.0 * np.bincount(lab, weights=hot[ok], minlength=n + 1)[1:] / cells
    max_t = np.full(n + 1, -np.inf)
    np.maximum.at(max_t, lab, t_air[ok])
    return cells, mean_t, max_t[1:], mean_hm, hot_pct


def polygon_stats(wkbs: list[bytes], grid: HeatGrid, t_air: np.ndarray, hm: np.ndarray, hot: np.ndarray,
                  *, point_fallback: bool) -> list[ZoneStats | None]:
    """Per polygon: stats of its cells with data; with `point_fallback`, polygons holding no cell
    centre use the cell under their representative point. None = no data for that polygon."""
    from shapely import wkb

    labels = polygon_labels(wkbs, grid)
    cells, mean_t, max_t, mean_hm, hot_pct = _grouped(labels, len(wkbs), t_air, hm, hot)
    present = np.bincount(labels.ravel(), minlength=len(wkbs) + 1)[1:] > 0
    out: list[ZoneStats | None] = []
    for i, g in enumerate(wkbs):
        if cells[i] > 0:
            out.append(ZoneStats(int(cells[i]), float(mean_t[i]), float(max_t[i]), float(mean_hm[i]),
                                 float(hot_pct[i])))
            continue
        if point_fallback and not present[i]:
            p = wkb.loads(g).representative_point()
            col, row = ~grid.transform @ (p.x, p.y)
            r, c = int(np.floor(row)), int(np.floor(col))
            if 0 <= r < grid.rows and 0 <= c < grid.cols and np.isfinite(t_air[r, c]):
                out.append(ZoneStats(1, float(t_air[r, c]), float(t_air[r, c]), float(hm[r, c]),
                                     100.0 * float(hot[r, c]), sampled_at_point=True))
                continue
        out.append(None)
    return out


def cell_stats(grid: HeatGrid, size_m: int, t_air: np.ndarray, hm: np.ndarray,
               hot: np.ndarray) -> list[tuple[str, tuple[float, float, float, float], float, ZoneStats]]:
    """Per EPSG:2180-aligned statistics cell of `size_m` holding model cells with data:
    (cell_id, bounds, valid share %, stats); a model cell belongs to the cell holding its centre."""
    xs = grid.minx + (np.arange(grid.cols) + 0.5) * grid.cell
    ys = grid.maxy - (np.arange(grid.rows) + 0.5) * grid.cell
    ix = np.floor(xs / size_m).astype(np.int64)
    iy = np.floor(ys / size_m).astype(np.int64)
    ix0, iy0 = ix.min(), iy.min()
    ncols = int(ix.max() - ix0 + 1)
    key = (iy[:, None] - iy0) * ncols + (ix[None, :] - ix0)
    labels = (key + 1).astype(np.int64)
    n = int(labels.max())
    cells, mean_t, max_t, mean_hm, hot_pct = _grouped(labels, n, t_air, hm, hot)
    per_stat_cell = (size_m / grid.cell) ** 2
    out: list[tuple[str, tuple[float, float, float, float], float, ZoneStats]] = []
    for k in np.flatnonzero(cells > 0):
        gx, gy = int(k % ncols + ix0) * size_m, int(k // ncols + iy0) * size_m
        stats = ZoneStats(int(cells[k]), float(mean_t[k]), float(max_t[k]), float(mean_hm[k]), float(hot_pct[k]))
        valid_pct = min(100.0, 100.0 * cells[k] / per_stat_cell)
        out.append((f"{size_m}mE{gx}N{gy}", (gx, gy, gx + size_m, gy + size_m), float(valid_pct), stats))
    return out
