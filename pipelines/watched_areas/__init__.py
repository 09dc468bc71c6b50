"""Watched areas of terrain monitoring (GeoJSON/GPKG/SHP → msip.terrain_watched_area)."""
