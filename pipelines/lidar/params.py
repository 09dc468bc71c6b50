"""Parameters of the LiDAR pipeline (SMRF, grids, tiles, cleaning, trees) with units, defaults."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from msip.core.errors import ConfigError

#: ASPRS classes never used for derivatives (7 low noise, 18 high noise).
NOISE_CLASSES = (7, 18)
#: ASPRS vegetation classes (low, medium, high) used for the canopy height model.
VEGETATION_CLASSES = (3, 4, 5)
GROUND_CLASS = 2
#: ASPRS standard classes of LAS 1.4 (0–18); others are reserved or user-defined.
STANDARD_CLASSES = frozenset(range(19))
#: Classes LAS 1.2/1.3 (point formats 0–5) define; 13–31 were reserved there.
LEGACY_STANDARD_CLASSES = frozenset(range(13))


@dataclass(frozen=True)
class SmrfParams:
    """Simple Morphological Filter (Pingel, Clarke & McBride 2013) ground classification.

    cell_m: minimum-surface cell size (m); slope: terrain slope threshold (rise/run);
    window_m: largest opening radius (m) — objects up to about twice this wide are removed;
    threshold_m: elevation threshold (m); scalar: slope scaling factor added to the threshold;
    low_outlier_m: cells of the minimum surface lower than their 3×3 median by more than
    this (m) are treated as low outliers before filtering (an addition to Pingel's method);
    min_points_per_cell: on sparse surveys the cell grows to the multiple of cell_m holding about
    this many points (an addition: 1 m cells at 0.9 pt/m² keep tree crowns as terrain).
    """

    cell_m: float = 1.0
    slope: float = 0.15
    window_m: float = 18.0
    threshold_m: float = 0.5
    scalar: float = 1.25
    low_outlier_m: float = 1.0
    min_points_per_cell: float = 4.0

    def __post_init__(self) -> None:
        for name in ("cell_m", "window_m", "threshold_m", "min_points_per_cell"):
            if getattr(self, name) <= 0:
                raise ConfigError(
                    f"SMRF {name}={getattr(self, name)} must be > 0 (defaults: cell 1 m, "
                    "slope 0.15, window 18 m, threshold 0.5 m, scalar 1.25)"
                )
        if self.slope < 0 or self.scalar < 0:
            raise ConfigError(f"SMRF slope={self.slope} and scalar={self.scalar} must be ≥ 0")


@dataclass(frozen=True)
class TreeParams:
    """Treetop detection on the CHM (`algorithms/trees.py`): lidR's variable-window local maximum.

    window_base_m + window_per_m × height is the window diameter (m), lidR's published
    `lmf(function(x) x * 0.07 + 3)`; smooth_sigma_m: Gaussian smoothing of the CHM (m) before
    the search — light (under a third of a 0.5 m cell): it steadies the apex position, which a
    single off-centre highest return would otherwise set, while the window keeps one crown's
    branch tips from counting as several trees (sensitivity in benchmarks/results_accuracy_lidar.md).
    """

    window_base_m: float = 3.0
    window_per_m: float = 0.07
    smooth_sigma_m: float = 0.15

    def __post_init__(self) -> None:
        if self.window_base_m <= 0 or self.window_per_m < 0 or self.smooth_sigma_m < 0:
            raise ConfigError(
                f"tree window {self.window_base_m} m + {self.window_per_m} × height and smoothing "
                f"{self.smooth_sigma_m} m must be > 0, ≥ 0 and ≥ 0 (defaults 3 m, 0.07, 0.15 m)"
            )


#: The defaults, used by `algorithms.trees.detect` unless a caller passes others.
TREE_PARAMS = TreeParams()


@dataclass(frozen=True)
class LidarParams:
    """What a LiDAR load can be tuned by; `file_params`/`derived_params` go to load_run.params.

    resolution_m: pixel size of DTM/DSM/nDSM/CHM (m); tile_m: side of a processing tile (m,
    a multiple of resolution_m and of the SMRF cell); chunk_points: points decoded at a time
    (bounds memory); patch_points: target points per pgpointcloud patch; z_min_m/z_max_m:
    plausible heights — points outside are rejected (counted, never stored); outlier_cell_m:
    narrowest column of the outlier test (m; grows to two point spacings in sparse surveys);
    outlier_high_gap_m / outlier_low_gap_m: a point more than this above / below every other
    point in its 5 × 5 columns is an outlier (kept in patches, left out of derivatives);
    outlier_min_support: fewer other points than this in those columns and it is not judged;
    tree_min_height_m: lowest canopy taken for a tree; tree_max_height_m: taller canopy maxima are
    not trees (masts, chimneys left in class 1; Poland's tallest trees are ~50 m); match_tolerance_m: inventory matching
    radius; tall_tree_m: detected trees this tall and missing from the inventory are flagged.
    """

    resolution_m: float = 0.5
    tile_m: float | None = None
    """None: the multiple of resolution and SMRF cell nearest to 200 m."""
    chunk_points: int = 1_000_000
    patch_points: int = 800
    z_min_m: float = -50.0
    z_max_m: float = 2700.0
    outlier_cell_m: float = 1.0
    outlier_high_gap_m: float = 10.0
    outlier_low_gap_m: float = 3.0
    outlier_min_support: int = 8
    tree_min_height_m: float = 2.0
    tree_max_height_m: float = 80.0
    match_tolerance_m: float = 3.0
    tall_tree_m: float = 5.0
    engine: str = "laspy"
    smrf: SmrfParams = field(default_factory=SmrfParams)
    trees: TreeParams = field(default_factory=TreeParams)

    def __post_init__(self) -> None:
        if not 0.05 <= self.resolution_m <= 10:
            raise ConfigError(
                f"resolution {self.resolution_m} m is outside 0.05–10 m; use e.g. --resolution 0.5"
            )
        tile_m = self.tile_m
        if tile_m is None:
            tile_m = self.align_m * max(1, round(200.0 / self.align_m))
            object.__setattr__(self, "tile_m", tile_m)
        for step, what in ((self.resolution_m, "resolution"), (self.smrf.cell_m, "SMRF cell")):
            ratio = tile_m / step
            if abs(ratio - round(ratio)) > 1e-9:
                raise ConfigError(
                    f"tile size {tile_m} m is not a multiple of the {what} {step} m; "
                    "pick sizes that divide (e.g. tile 200 m, resolution 0.5 m, cell 1 m)"
                )
        if self.chunk_points < 10_000:
            raise ConfigError(
                f"chunk_points={self.chunk_points} is too small (use ≥ 10000, default 1000000)"
            )
        if not self.z_min_m < self.z_max_m:
            raise ConfigError(f"z range {self.z_min_m}–{self.z_max_m} m is empty; give min < max")
        if min(self.outlier_cell_m, self.outlier_high_gap_m, self.outlier_low_gap_m) <= 0:
            raise ConfigError(
                f"outlier cell {self.outlier_cell_m} m and gaps {self.outlier_high_gap_m} / "
                f"{self.outlier_low_gap_m} m must be > 0 (defaults 1, 10 and 3 m)"
            )
        if self.patch_points < 10:
            raise ConfigError(f"patch_points={self.patch_points} is too small (default 800)")

    @property
    def align_m(self) -> float:
        """Smallest multiple of the SMRF cell that is also a multiple of the pixel size (m)."""
        k = 1
        while k < 1000:
            ratio = k * self.smrf.cell_m / self.resolution_m
            if abs(ratio - round(ratio)) < 1e-9:
                break
            k += 1
        return k * self.smrf.cell_m

    @property
    def buffer_m(self) -> float:
        """Overlap read around each tile (m): SMRF window plus margin, ≥ 20 m for large crowns."""
        wanted = max(20.0, self.smrf.window_m + 2 * self.smrf.cell_m)
        return math.ceil(wanted / self.align_m - 1e-9) * self.align_m

    def file_params(self) -> dict:
        """What decides the stored points of a file (recorded with each file's load_run)."""
        return {"z_min_m": self.z_min_m, "z_max_m": self.z_max_m, "patch_points": self.patch_points}

    def derived_params(self) -> dict:
        """What decides the rasters and trees of an epoch (recorded with the derived run)."""
        d = asdict(self)
        for k in ("chunk_points", "patch_points", "engine"):
            d.pop(k)
        return d
