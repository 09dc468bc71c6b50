"""Real clients against a served MSIP: QGIS (python3-qgis), GDAL's tools and OWSLib (see conftest.py)."""
