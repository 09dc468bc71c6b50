"""Scoring MSIP's LiDAR algorithms on real files against published results (issue #16).

Used by tests/pipelines/lidar/test_accuracy_real.py and benchmarks/accuracy_lidar.py, so the
test asserts exactly what the benchmark table reports. The files are foreign (UTM, MTM): they
are scored in their own coordinates by calling the product's reader, cleaning rules, ground
filter, grid and tree functions directly — no database, no relocation.

MixedConifer.laz: tree tops from `algorithms.trees.detect` against the stored segmentation
(extra bytes `treeID`; the highest point of each tree is its top), one-to-one within 2 m.
Topography.laz: the DTM of `algorithms.grids.surfaces` against the file's class-2 points,
sampled bilinearly; as a fit (all class-2 points build the DTM) and by k-fold leave-out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.lidar.algorithms.grids import Grid, cells, coverage, surfaces
from pipelines.lidar.algorithms.trees import detect
from pipelines.lidar.engine import get_engine
from pipelines.lidar.las.reader import read_chunks
from pipelines.lidar.params import GROUND_CLASS, NOISE_CLASSES, LidarParams, TreeParams
from pipelines.lidar.tiles import max_gap_m

#: A detected top matches a reference top within this distance (m), one to one.
MATCH_M = 2.0
#: Classes that are never canopy when the file has no vegetation classes 3–5: ground, building,
#: water, and noise — the issue's rule ("every non-ground, non-noise, non-building return").
NOT_CANOPY = (GROUND_CLASS, 6, 9, *NOISE_CLASSES)
#: lidR's published results for MixedConifer.laz (tests at lidR d185a7eb, see SOURCES.md).
LIDR_LMF5_TREES = 177
LIDR_VARIABLE_TREES = 205
LIDR_CHM_MEAN_M = 12.455
LIDR_CHM_NA_CELLS = 25


@dataclass
class Cloud:
    """The points of one file as MSIP's reader returns them, after MSIP's cleaning rules."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    cls: np.ndarray
    ret: np.ndarray
    nret: np.ndarray
    read: int
    left_out: dict[str, int] = field(default_factory=dict)
    classes_read: dict[int, int] = field(default_factory=dict)
    """Points per class as read (before cleaning): what the store keeps."""


def read_clean(path: Path, params: LidarParams) -> Cloud:
    """All points of `path` (file units) minus noise classes, withheld points and the
    product's statistical outliers — what a tile hands to the ground filter and the grids."""
    chunks = list(read_chunks(path, 10_000_000))
    cat = {
        k: np.concatenate([getattr(c, k) for c in chunks])
        for k in ("x", "y", "z", "classification", "return_number", "number_of_returns", "withheld")
    }
    noise = np.isin(cat["classification"], NOISE_CLASSES)
    withheld = cat["withheld"] & ~noise
    use = ~(noise | withheld)
    out = np.zeros(len(use), dtype=bool)
    out[use] = get_engine(params.engine).outliers(
        cat["x"][use],
        cat["y"][use],
        cat["z"][use],
        voxel_m=params.outlier_voxel_m,
        max_neighbours=params.outlier_max_neighbours,
    )
    use &= ~out
    values, counts = np.unique(cat["classification"], return_counts=True)
    return Cloud(
        cat["x"][use],
        cat["y"][use],
        cat["z"][use],
        cat["classification"][use],
        cat["return_number"][use],
        cat["number_of_returns"][use],
        read=len(use),
        left_out={"noise": int(noise.sum()), "withheld": int(withheld.sum()), "outliers": int(out.sum())},
        classes_read={int(v): int(n) for v, n in zip(values, counts, strict=True)},
    )


def grid_over(c: Cloud, res_m: float) -> Grid:
    """The grid of `res_m` cells covering the points, its edges on multiples of res_m (as lidR)."""
    return Grid.over(
        (
            np.floor(c.x.min() / res_m) * res_m,
            np.floor(c.y.min() / res_m) * res_m,
            np.ceil(c.x.max() / res_m) * res_m,
            np.ceil(c.y.max() / res_m) * res_m,
        ),
        res_m,
    )


def height_models(c: Cloud, grid: Grid, ground: np.ndarray, canopy: np.ndarray | None):
    """The product's DTM/DSM/nDSM/CHM (`grids.surfaces`) of the cloud on `grid`."""
    flat = cells(grid, c.x, c.y)
    bounds = (grid.minx, grid.maxy - grid.rows * grid.res, grid.minx + grid.cols * grid.res, grid.maxy)
    return surfaces(
        grid,
        flat,
        c.z,
        ground=ground,
        first=c.ret <= 1,
        vegetation=canopy,
        multi_return=c.nret > 1,
        covered=coverage(grid, flat, max_gap_m(len(c.x), bounds)),
    )


def reference_tops(path: Path) -> np.ndarray:
    """(x, y, z) of the highest point of each tree of the stored segmentation (`treeID`)."""
    import laspy

    las = laspy.read(path)
    tid = np.asarray(las["treeID"], dtype=np.float64)
    ok = tid < 1e300  # the extra bytes' no-data value is 1.797e308
    x, y, z, ids = (np.asarray(a, dtype=np.float64)[ok] for a in (las.x, las.y, las.z, tid))
    order = np.lexsort((-z, ids))
    first = np.r_[True, ids[order][1:] != ids[order][:-1]]
    top = order[first]
    return np.c_[x[top], y[top], z[top]]


def matched_pairs(det_xy: np.ndarray, ref_xy: np.ndarray, tolerance_m: float = MATCH_M) -> int:
    """Pairs of a one-to-one assignment (Hungarian, least total distance) within tolerance_m."""
    from scipy.optimize import linear_sum_assignment

    if not len(det_xy) or not len(ref_xy):
        return 0
    d = np.hypot(det_xy[:, None, 0] - ref_xy[None, :, 0], det_xy[:, None, 1] - ref_xy[None, :, 1])
    cost = np.where(d <= tolerance_m, d, 1e6)
    rows, cols = linear_sum_assignment(cost)
    return int((cost[rows, cols] <= tolerance_m).sum())


@dataclass
class TreeScore:
    """MixedConifer.laz: detection against the stored segmentation, CHM against lidR."""

    detected: int
    reference: int
    matched: int
    detected_lmf5: int
    chm_mean_m: float
    chm_na_cells: int
    chm_shape: tuple[int, int]
    left_out: dict[str, int]

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.reference if self.reference else 0.0


def score_trees(path: Path, params: LidarParams | None = None) -> TreeScore:
    """Detect trees on MixedConifer.laz's 0.5 m CHM and score them (see the module docstring).

    The file is height-normalised with non-ground returns in class 1 (no classes 3–5): the CHM
    takes every return not in NOT_CANOPY, selected here explicitly.
    """
    p = params or LidarParams()
    c = read_clean(path, p)
    grid = grid_over(c, p.resolution_m)
    s = height_models(c, grid, c.cls == GROUND_CLASS, ~np.isin(c.cls, NOT_CANOPY))
    core = (grid.minx, grid.maxy - grid.rows * grid.res, grid.minx + grid.cols * grid.res, grid.maxy)
    trees = detect(s.chm, grid, core=core, min_height_m=p.tree_min_height_m, dtm=s.dtm)
    lmf5 = detect(
        s.chm,
        grid,
        core=core,
        min_height_m=p.tree_min_height_m,
        params=TreeParams(window_base_m=5.0, window_per_m=0.0),
    )
    ref = reference_tops(path)
    det = np.array([(t.x, t.y) for t in trees]).reshape(-1, 2)
    return TreeScore(
        detected=len(trees),
        reference=len(ref),
        matched=matched_pairs(det, ref[:, :2]),
        detected_lmf5=len(lmf5),
        chm_mean_m=float(np.nanmean(s.chm)),
        chm_na_cells=int(np.isnan(s.chm).sum()),
        chm_shape=s.chm.shape,
        left_out=c.left_out,
    )


@dataclass
class DtmScore:
    """Topography.laz: DTM heights at the file's ground points (m) and the water class."""

    ground_points: int
    ground_used: int
    fit_rmse_m: float
    cv_rmse_m: float | None
    cv_folds: int
    smrf_rmse_m: float
    smrf_cell_m: float
    smrf_ground: int
    smrf_water_as_ground: int
    water_read: int
    classes_read: dict[int, int]
    left_out: dict[str, int]


def _sample(grid: Grid, dtm: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear DTM heights at points; nodata cells take their nearest value (sampling only)."""
    from scipy import ndimage

    nan = np.isnan(dtm)
    if nan.any():
        idx = ndimage.distance_transform_edt(nan, return_distances=False, return_indices=True)
        dtm = dtm[idx[0], idx[1]]
    return grid.sample(dtm.astype(np.float64), x, y)


def _rmse(e: np.ndarray) -> float:
    return float(np.sqrt(np.mean(e**2)))


def score_dtm(path: Path, params: LidarParams | None = None, *, folds: int = 10, seed: int = 0) -> DtmScore:
    """Score the DTM of Topography.laz against its class-2 points (see the module docstring).

    The reference is every class-2 point read; the DTM is built from the cleaned points.
    fit: the DTM is built from every (cleaned) class-2 point and sampled at the class-2 points
    (a fit error);
    cv: `folds`-fold leave-out — each fold's class-2 points are left out of the DTM and sampled
    (0 folds: skipped); smrf: the file's ground class reset, ground found by SMRF
    (`algorithms.ground`, the product's path for files without class 2), DTM sampled at the
    class-2 points.
    """
    p = params or LidarParams()
    c = read_clean(path, p)
    grid = grid_over(c, p.resolution_m)
    ground = c.cls == GROUND_CLASS
    # The reference: every class-2 point read, also those the outlier filter left out.
    raw = [(k.x[m], k.y[m], k.z[m]) for k in read_chunks(path, 10_000_000) for m in [k.classification == GROUND_CLASS]]
    gx, gy, gz = (np.concatenate(a) for a in zip(*raw, strict=True))
    fit = _rmse(_sample(grid, height_models(c, grid, ground, None).dtm, gx, gy) - gz)
    cv = None
    if folds:
        gi = np.flatnonzero(ground)
        fold = np.random.default_rng(seed).integers(0, folds, len(gi))
        err = np.empty(len(gi))
        for k in range(folds):
            out = fold == k
            train = ground.copy()
            train[gi[out]] = False
            dtm = height_models(c, grid, train, None).dtm
            err[out] = _sample(grid, dtm, c.x[gi[out]], c.y[gi[out]]) - c.z[gi[out]]
        cv = _rmse(err)
    from pipelines.lidar.algorithms.ground import smrf_cell_m

    b = (grid.minx, grid.maxy - grid.rows * grid.res, grid.minx + grid.cols * grid.res, grid.maxy)
    smrf_b = (np.floor(b[0]), np.floor(b[1]), np.ceil(b[2]), np.ceil(b[3]))  # on the 1 m SMRF cell
    smrf = get_engine(p.engine).ground(c.x, c.y, c.z, smrf_b, p.smrf)
    smrf_dtm = height_models(c, grid, smrf, None).dtm
    return DtmScore(
        ground_points=len(gz),
        ground_used=int(ground.sum()),
        fit_rmse_m=fit,
        cv_rmse_m=cv,
        cv_folds=folds,
        smrf_rmse_m=_rmse(_sample(grid, smrf_dtm, gx, gy) - gz),
        smrf_cell_m=smrf_cell_m(c.x, c.y, p.smrf),
        smrf_ground=int(smrf.sum()),
        smrf_water_as_ground=int((smrf & (c.cls == 9)).sum()),
        water_read=c.classes_read.get(9, 0),
        classes_read=c.classes_read,
        left_out=c.left_out,
    )
