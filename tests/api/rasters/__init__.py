"""Tests of the raster endpoints: coverages, map tiles, the reader pool and its deadline."""
