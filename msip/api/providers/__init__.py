"""pygeoapi providers for MSIP: PostGIS features and vector tiles, catalogued rasters as coverages and map tiles."""
