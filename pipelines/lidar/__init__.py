"""LiDAR pipeline: LAS/LAZ → pgpointcloud patches, DTM/DSM/nDSM/CHM COGs and detected trees.

Entry point: `load_lidar(paths, epoch=…)`; parameters in `LidarParams` / `SmrfParams`.
The names are imported on first use, so a worker process that only decodes chunks
(`pipelines.lidar.ingest`) does not pay for the raster and tree modules (scipy, rasterio).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipelines.lidar.load import LidarLoad, load_lidar
    from pipelines.lidar.params import LidarParams, SmrfParams

__all__ = ["LidarLoad", "LidarParams", "SmrfParams", "load_lidar"]
_WHERE = {
    "LidarLoad": "load",
    "load_lidar": "load",
    "LidarParams": "params",
    "SmrfParams": "params",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'pipelines.lidar' has no attribute {name!r}")
    return getattr(import_module(f"pipelines.lidar.{_WHERE[name]}"), name)
