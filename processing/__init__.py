"""Spatial analyses, one subpackage each (heat, green_access, living, change, advertising); they
read what the loaders stored and write result tables and rasters. The OGC API process wrappers live
with the API in `msip.api.processes`. Processing never parses source files."""
