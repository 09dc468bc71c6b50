"""The DEM of difference of one tile: both DTMs on the DoD grid, σ of each from its ground points, LoD, significance.

Run per tile through `msip.core.rasters.tile_loop.map_tiles`. A tile reads its core plus a
margin (`MARGIN_CELLS` cells, the roughness window and the coherence filter need neighbours),
computes everything on the buffered grid and returns the core. Cells where either DTM has no
value are NaN in every band: unknown, never 0 change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from processing.terrain.params import TerrainParams

Bounds = tuple[float, float, float, float]
#: Margin (cells) read around a tile's core.
MARGIN_CELLS = 24
#: ASPRS classes that are terrain (ground, water), as the LiDAR loader's DTM uses them.
GROUND_CLASSES = (2, 9)


@dataclass(frozen=True)
class EpochSource:
    """One epoch: its DTM mosaic and the database holding its ground points (None: the default)."""

    epoch: str
    dtm_path: str
    url: str | None = None


@dataclass(frozen=True)
class DodTask:
    """One tile of the DoD grid (core bounds, EPSG:2180 m) between two epochs."""

    name: str
    core: Bounds
    before: EpochSource
    after: EpochSource
    params: TerrainParams


@dataclass
class DodTile:
    """Core arrays of one tile: dz, LoD, significant dz (0 below LoD, NaN unknown), σ of the difference."""

    name: str
    core: Bounds
    dz: np.ndarray
    lod: np.ndarray
    significant: np.ndarray
    sigma: np.ndarray
    notes: list[str] = field(default_factory=list)


def ground_points(url: str | None, epoch: str, bounds: Bounds) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """(x, y, z, rule) of the epoch's terrain points in `bounds` read from msip.lidar_patch.

    Terrain = ASPRS classes 2 and 9 when the tile has any; otherwise (unclassified surveys, whose
    ground the loader found with SMRF and did not store) the last return of every pulse.
    """
    from datetime import date

    from msip.core.db import connect
    from pipelines.lidar.patches import read_points

    with connect(url) as conn:
        pts = read_points(conn, epoch=date.fromisoformat(epoch), bounds=bounds, exclude_files=[])
    ground = np.isin(pts["Classification"], GROUND_CLASSES)
    rule = "classes 2, 9"
    if not ground.any():
        ground = pts["ReturnNumber"] == pts["NumberOfReturns"]
        rule = "last returns (no ground class)"
    p = pts[ground]
    return p["X"] * 0.001, p["Y"] * 0.001, p["Z"] * 0.001, rule


def significance(dz: np.ndarray, lod: np.ndarray, *, min_cells: int) -> np.ndarray:
    """dz where |dz| > LoD in a connected (8-neighbour) rise or fall of ≥ `min_cells`, 0 elsewhere, NaN unknown.

    Regions touching the array's border are kept whatever their size (they may continue).
    """
    from scipy import ndimage

    known = np.isfinite(dz) & np.isfinite(lod)
    out = np.where(known, 0.0, np.nan)
    for sign in (1, -1):
        mask = known & (sign * np.nan_to_num(dz) > np.nan_to_num(lod, nan=np.inf))
        labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
        if n == 0:
            continue
        sizes = np.bincount(labels.ravel(), minlength=n + 1)
        keep = sizes >= min_cells
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        keep[edge] = True
        keep[0] = False
        sel = keep[labels]
        out[sel] = dz[sel]
    return out


def dod_arrays(dtm_before: np.ndarray, dtm_after: np.ndarray, sigma_before: np.ndarray, sigma_after: np.ndarray,
               p: TerrainParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(dz, LoD, significant dz, σ_dz) from two DTMs and their σ on the same grid (NaN = unknown)."""
    dz = dtm_after - dtm_before
    sigma = np.sqrt(sigma_before**2 + sigma_after**2)
    sigma[~np.isfinite(dz)] = np.nan
    lod = p.lod_z * sigma
    min_cells = max(1, int(np.ceil(p.min_region_m2 / (p.cell_m * p.cell_m) - 1e-9)))
    return dz, lod, significance(dz, lod, min_cells=min_cells), sigma


def epoch_sigma(src: EpochSource, bounds: Bounds, shape: tuple[int, int], p: TerrainParams) -> tuple[np.ndarray, str]:
    """σ (m) of one epoch's DTM on the buffered tile grid, and a note on the ground rule used."""
    from processing.terrain.uncertainty import cell_moments, sigma_grid

    x, y, z, rule = ground_points(src.url, src.epoch, bounds)
    m = cell_moments(x, y, z, left=bounds[0], top=bounds[3], cell_m=p.cell_m, shape=shape)
    sigma, _ = sigma_grid(m, window_px=p.roughness_px, cell_m=p.cell_m, floor_m=p.sigma_floor_m,
                          gap_m_per_m=p.gap_sigma_m_per_m)
    return sigma, f"{src.epoch}: {len(x)} terrain points ({rule})"


def process_dod_tile(task: DodTask) -> DodTile:
    """The DoD of one tile (module level, so Dask can ship it to workers)."""
    from processing.change.rasters import read_on_grid

    p = task.params
    c = p.cell_m
    x0, y0, x1, y1 = task.core
    o = MARGIN_CELLS * c
    buf = (x0 - o, y0 - o, x1 + o, y1 + o)
    before = read_on_grid(task.before.dtm_path, buf, c).astype(np.float64)
    after = read_on_grid(task.after.dtm_path, buf, c).astype(np.float64)
    shape = before.shape
    s1, n1 = epoch_sigma(task.before, buf, shape, p)
    s2, n2 = epoch_sigma(task.after, buf, shape, p)
    dz, lod, sig, sigma = dod_arrays(before, after, s1, s2, p)
    crop = (slice(MARGIN_CELLS, shape[0] - MARGIN_CELLS), slice(MARGIN_CELLS, shape[1] - MARGIN_CELLS))
    dz32, lod32, sig32, sigma32 = (a[crop].astype(np.float32) for a in (dz, lod, sig, sigma))
    return DodTile(task.name, task.core, dz32, lod32, sig32, sigma32, notes=[n1, n2])
