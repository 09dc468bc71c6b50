"""Tests of msip.core: settings, the local cluster and migrations, the raster store."""
