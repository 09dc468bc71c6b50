"""Test-only helpers that move copies of real foreign files (OSM extracts, GeoJSON, CSV) into Kielce."""
