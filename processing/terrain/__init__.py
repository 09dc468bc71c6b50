"""Terrain change with uncertainty: DEM of difference, level of detection, cut/fill volumes, time series."""
