"""Whole-dataset downloads: GeoPackage, GeoParquet and CSV per feature collection, COG per coverage."""
