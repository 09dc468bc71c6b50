"""Tests of pipelines.lidar: reading, processing stages, parallel reads, loads, sample-world truth."""
