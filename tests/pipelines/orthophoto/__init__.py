"""Tests of pipelines.orthophoto: tile checks, band roles, NDVI, loads."""
