"""LiDAR pipeline: LAS/LAZ → pgpointcloud patches, DTM/DSM/nDSM/CHM COGs and detected trees.

Entry point: `load_lidar(paths, epoch=…)`; parameters in `LidarParams` / `SmrfParams`.
"""

from pipelines.lidar.load import LidarLoad, load_lidar
from pipelines.lidar.params import LidarParams, SmrfParams

__all__ = ["LidarLoad", "LidarParams", "SmrfParams", "load_lidar"]
