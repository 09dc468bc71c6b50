"""Tests of msip.api: configuration, CRS, CQL, features, rasters, errors, hardening, the server."""
