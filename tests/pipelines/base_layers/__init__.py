"""Tests of pipelines.base_layers: buildings, green spaces, OSM and the walk network."""
