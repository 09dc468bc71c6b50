"""Spatial analyses as plain functions over arrays, GeoDataFrames and SQL; `processing.ogc`
wraps them as pygeoapi OGC API processes. Processing never parses source files."""
