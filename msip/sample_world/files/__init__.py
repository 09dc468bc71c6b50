"""Writers of the sample world's files: GeoPackages, CSV inventories and rules YAML, the APP GML
plan, GeoTIFF tiles and truth rasters, and the ground-truth tables."""
