"""The DEM of difference of one tile: both DTMs on the DoD grid, σ of each from its ground points, LoD, significance.

Run per tile through `msip.core.rasters.tile_loop.map_tiles`. A tile reads its core plus a
margin (`MARGIN_CELLS` cells, the roughness window and the coherence filter need neighbours),
computes everything on the buffered grid and returns the core. Cells where either DTM has no
value are NaN in every band: unknown, never 0 change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from processing.terrain.params import TerrainParams

Bounds = tuple[float, float, float, float]
#: Margin (cells) read around a tile's core.
MARGIN_CELLS = 24
#: ASPRS classes that are terrain (ground, water), as the LiDAR loader's DTM uses them.
GROUND_CLASSES = (2, 9)
#: The dimensions of a stored point the σ model reads.
TERRAIN_NAMES = ("X", "Y", "Z", "ReturnNumber", "NumberOfReturns", "Classification")
TERRAIN_DTYPE = np.dtype([("X", "<i4"), ("Y", "<i4"), ("Z", "<i4"), ("ReturnNumber", "u1"), ("NumberOfReturns", "u1"),
                          ("Classification", "u1")])


@dataclass(frozen=True)
class EpochSource:
    """One epoch: its DTM mosaic and the database holding its ground points (None: the default)."""

    epoch: str
    dtm_path: str
    url: str | None = None


@dataclass(frozen=True)
class DodTask:
    """One tile of the DoD grid (core bounds, EPSG:2180 m) over epochs in order (consecutive ones are paired)."""

    name: str
    core: Bounds
    epochs: tuple[EpochSource, ...]
    params: TerrainParams


@dataclass
class DodTile:
    """Core arrays of one tile and pair: dz, LoD, significant dz (0 below LoD, NaN unknown), σ of the difference."""

    name: str
    core: Bounds
    dz: np.ndarray
    lod: np.ndarray
    significant: np.ndarray
    sigma: np.ndarray


@dataclass
class DodTileSet:
    """What one tile returns: one `DodTile` per consecutive pair, and the terrain points read per epoch."""

    pairs: list[DodTile]
    points: dict[str, int] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)


def ground_points(url: str | None, epoch: str, bounds: Bounds) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """(x, y, z, rule) of the epoch's terrain points in `bounds` read from msip.lidar_patch.

    Whole patches touching `bounds` are read and cut here: pgpointcloud's PC_Intersection costs
    about 15 times the reading itself (16 s against 1 s for a 500 m tile of the district), and
    the patches are read as stored and decoded by `_decode_patches` (PC_Uncompress only for a
    compression it does not read).
    Terrain = ASPRS classes 2 and 9 when the tile has any; otherwise (unclassified surveys, whose
    ground the loader found with SMRF and did not store) the last return of every pulse.
    """
    from msip.core.db import connect

    query = ("SELECT {}::text FROM msip.lidar_patch, ST_MakeEnvelope(%s, %s, %s, %s, 2180) AS env "
             "WHERE epoch = %s AND PC_Intersects(pa, env)")
    with connect(url) as conn:
        rows = conn.execute(query.format("pa"), (*bounds, epoch)).fetchall()
        try:
            pts = _decode_patches(text for (text,) in rows)
        except _NotDecoded:  # e.g. patches compressed by the server (zlib, LAZ): it uncompresses them
            rows = conn.execute(query.format("PC_Uncompress(pa)"), (*bounds, epoch)).fetchall()
            pts = _decode_patches(text for (text,) in rows)
    x, y = pts["X"] * 0.001, pts["Y"] * 0.001
    inside = (x >= bounds[0]) & (x < bounds[2]) & (y >= bounds[1]) & (y < bounds[3])
    ground = inside & np.isin(pts["Classification"], GROUND_CLASSES)
    rule = "classes 2, 9"
    if not ground.any():
        ground = inside & (pts["ReturnNumber"] == pts["NumberOfReturns"])
        rule = "last returns (no ground class)"
    return x[ground], y[ground], pts["Z"][ground] * 0.001, rule


class _NotDecoded(Exception):
    """A patch in a compression `_decode_patches` does not read (the server uncompresses it instead)."""


def _decode_patches(texts: Iterable[str]) -> np.ndarray:
    """The points (`TERRAIN_DTYPE`) of pgpointcloud patches in hex WKB, decoded here by the point-cloud
    reader (`pipelines.pointcloud.stored.decode_patch`): uncompressed, or dimensional as the LiDAR loader
    writes them. Decoding the stored patches here spares the server PC_Uncompress, two thirds of its time
    for this query (EXPLAIN ANALYZE: 187 against 60 ms for a 548 m tile). Other compressions raise
    `_NotDecoded`."""
    from pipelines.pointcloud.stored import decode_patch

    parts = []
    for text in texts:
        points = decode_patch(bytes.fromhex(text), TERRAIN_NAMES)
        if points is None:
            raise _NotDecoded
        parts.append(points)
    return np.concatenate(parts) if parts else np.empty(0, dtype=TERRAIN_DTYPE)


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


def epoch_sigma(src: EpochSource, bounds: Bounds, shape: tuple[int, int], p: TerrainParams
                ) -> tuple[np.ndarray, int, str]:
    """(σ (m) of one epoch's DTM on the buffered tile grid, terrain points read, the ground rule used)."""
    from processing.terrain.uncertainty import cell_moments, sigma_grid

    x, y, z, rule = ground_points(src.url, src.epoch, bounds)
    m = cell_moments(x, y, z, left=bounds[0], top=bounds[3], cell_m=p.cell_m, shape=shape)
    sigma, _ = sigma_grid(m, window_px=p.roughness_px, cell_m=p.cell_m, floor_m=p.sigma_floor_m,
                          gap_m_per_m=p.gap_sigma_m_per_m)
    return sigma, len(x), rule


def process_dod_tile(task: DodTask) -> DodTileSet:
    """The DoDs of one tile, every epoch's DTM and σ computed once (module level, so Dask can ship it)."""
    from processing.change.rasters import read_on_grid

    p = task.params
    c = p.cell_m
    x0, y0, x1, y1 = task.core
    o = MARGIN_CELLS * c
    buf = (x0 - o, y0 - o, x1 + o, y1 + o)
    out = DodTileSet([])
    dtms, sigmas = [], []
    for src in task.epochs:
        dtm = read_on_grid(src.dtm_path, buf, c).astype(np.float64)
        sigma, n, rule = epoch_sigma(src, buf, dtm.shape, p)
        dtms.append(dtm)
        sigmas.append(sigma)
        out.points[src.epoch], out.rules[src.epoch] = n, rule
    shape = dtms[0].shape
    crop = (slice(MARGIN_CELLS, shape[0] - MARGIN_CELLS), slice(MARGIN_CELLS, shape[1] - MARGIN_CELLS))
    for i in range(len(task.epochs) - 1):
        arrays = dod_arrays(dtms[i], dtms[i + 1], sigmas[i], sigmas[i + 1], p)
        dz, lod, sig, sigma = (a[crop].astype(np.float32) for a in arrays)
        out.pairs.append(DodTile(task.name, task.core, dz, lod, sig, sigma))
    return out
