"""pipelines/lidar/las."""
