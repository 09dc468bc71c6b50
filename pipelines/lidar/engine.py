"""The engine seam: the point-cloud stages (decode, outliers, ground) behind one interface.

`LaspyEngine` (laspy + lazrs + numpy/scipy) is the tested engine. `PdalEngine` shows where
PDAL would plug in (readers.las, filters.outlier, filters.smrf); PDAL cannot be installed in
this environment, so it is UNTESTED and refuses to start unless `import pdal` works.
Rasterising, tree detection and database writing are engine-independent numpy code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from msip.core.errors import ConfigError
from pipelines.lidar.las.reader import LasInfo, PointChunk
from pipelines.lidar.params import SmrfParams


class LidarEngine(Protocol):
    """What the pipeline asks of a point-cloud engine (metres; EPSG:2180 after cleaning)."""

    name: str

    def inspect(self, path: Path) -> tuple[LasInfo, object]:
        """Header facts and the raw header (for CRS records) of a LAS/LAZ file."""

    def read_range(self, path: Path, start: int, count: int, *, threads: bool) -> PointChunk:
        """Points `start` … `start + count - 1` of a file, in file units (for parallel reading)."""

    def outliers(
        self,
        x: np.ndarray,
        y: np.ndarray,
        z: np.ndarray,
        *,
        cell_m: float,
        high_gap_m: float,
        low_gap_m: float,
        min_support: int,
    ) -> np.ndarray:
        """True for statistical outliers (see algorithms.outliers.isolated)."""

    def ground(
        self,
        x: np.ndarray,
        y: np.ndarray,
        z: np.ndarray,
        bounds: tuple[float, float, float, float],
        params: SmrfParams,
    ) -> np.ndarray:
        """True for ground points (SMRF)."""


class LaspyEngine:
    """laspy/lazrs decoding, voxel outlier filter and numpy SMRF (the tested engine)."""

    name = "laspy"

    def inspect(self, path: Path) -> tuple[LasInfo, object]:
        from pipelines.lidar.las.reader import inspect

        return inspect(path)

    def read_range(self, path: Path, start: int, count: int, *, threads: bool = True) -> PointChunk:
        from pipelines.lidar.las.reader import read_range

        return read_range(path, start, count, threads=threads)

    def outliers(self, x, y, z, *, cell_m, high_gap_m, low_gap_m, min_support):
        from pipelines.lidar.algorithms.outliers import isolated

        return isolated(
            x,
            y,
            z,
            cell_m=cell_m,
            high_gap_m=high_gap_m,
            low_gap_m=low_gap_m,
            min_support=min_support,
        )

    def ground(self, x, y, z, bounds, params):
        from pipelines.lidar.algorithms.ground import smrf_ground

        return smrf_ground(x, y, z, bounds, params)


class PdalEngine(LaspyEngine):
    """UNTESTED sketch: PDAL's filters.outlier and filters.smrf on numpy arrays (python-pdal).

    Decoding stays with laspy (PDAL's readers.las would need whole-file pipelines or its
    streaming mode). Refuses to start when PDAL is not importable, as here.
    """

    name = "pdal"

    def __init__(self) -> None:
        try:
            import pdal  # noqa: F401
        except ImportError:
            raise ConfigError(
                "the PDAL engine is unavailable: python-pdal is not installed here "
                "(and is untested); use the default engine 'laspy'"
            ) from None

    @staticmethod
    def _run(stage: dict, x, y, z) -> np.ndarray:  # pragma: no cover - needs PDAL
        import json

        import pdal

        arr = np.zeros(
            len(x), dtype=[("X", "f8"), ("Y", "f8"), ("Z", "f8"), ("Classification", "u1")]
        )
        arr["X"], arr["Y"], arr["Z"] = x, y, z
        pipe = pdal.Pipeline(json.dumps([stage]), arrays=[arr])
        pipe.execute()
        return pipe.arrays[0]["Classification"]

    def outliers(
        self, x, y, z, *, cell_m, high_gap_m, low_gap_m, min_support
    ):  # pragma: no cover - needs PDAL
        # PDAL's statistical filter is not MSIP's column test; a radius as wide as the gap
        # keeps it conservative.
        stage = {
            "type": "filters.outlier",
            "method": "radius",
            "radius": min(high_gap_m, low_gap_m),
            "min_k": 2,
        }
        return self._run(stage, x, y, z) == 7

    def ground(self, x, y, z, bounds, params):  # pragma: no cover - needs PDAL
        stage = {
            "type": "filters.smrf",
            "cell": params.cell_m,
            "slope": params.slope,
            "window": params.window_m,
            "threshold": params.threshold_m,
            "scalar": params.scalar,
        }
        return self._run(stage, x, y, z) == 2


ENGINES = {"laspy": LaspyEngine, "pdal": PdalEngine}


def get_engine(name: str = "laspy") -> LidarEngine:
    """The engine called `name` ('laspy', or the untested 'pdal'); ConfigError for others."""
    try:
        cls = ENGINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown LiDAR engine {name!r}; use one of {', '.join(ENGINES)}"
        ) from None
    return cls()
