"""Loaders, one subpackage per source: readers (the shared vector reader, columns, validation),
inventory (trees, ads), zoning, base_layers, ad_rules, orthophoto and lidar. They build on
`msip.core` (run recorder, CRS, COPY writer, raster store) and nothing above it."""
