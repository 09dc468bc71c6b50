"""pipelines/lidar/algorithms."""
