"""msip/core/rasters."""
