"""Test-only: move a copy of a real foreign lon/lat file (GeoJSON, CSV) into Kielce, values untouched.

The product refuses data outside Poland (EPSG:2180 distorts them); tests that exercise the
loaders on real foreign files (the SC811 billboards) load a copy translated by whole degrees
instead. OpenStreetMap extracts: tests.support.relocate.pbf.relocate_pbf.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any


def offset_to(lon: float, lat: float, *, easting: float = 614_500, northing: float = 335_000) -> tuple[float, float]:
    """(dlon, dlat) that moves (lon, lat) onto (easting, northing) in EPSG:2180 (default: Kielce's centre)."""
    from pyproj import Transformer

    to_lon, to_lat = Transformer.from_crs(2180, 4326, always_xy=True).transform(easting, northing)
    return to_lon - lon, to_lat - lat


def shift_geojson(src: Path, dst: Path, *, dlon: float, dlat: float) -> Path:
    """A copy of a lon/lat GeoJSON with every geometry coordinate moved by (dlon, dlat) degrees."""
    data = json.loads(Path(src).read_text(encoding="utf-8"))

    def move(coords: Any) -> Any:
        if coords and isinstance(coords[0], (int, float)):
            return [coords[0] + dlon, coords[1] + dlat, *coords[2:]]
        return [move(c) for c in coords]

    for feature in data["features"]:
        if feature.get("geometry"):
            feature["geometry"]["coordinates"] = move(feature["geometry"]["coordinates"])
    Path(dst).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return Path(dst)


def shift_csv(src: Path, dst: Path, *, lon: str, lat: str, dlon: float, dlat: float) -> Path:
    """A copy of a CSV with its `lon`/`lat` columns moved by (dlon, dlat) degrees (other bytes as they were)."""
    text = Path(src).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n" if "\r\n" in text else "\n")
    writer.writeheader()
    for row in rows:
        row[lon] = repr(float(row[lon]) + dlon)
        row[lat] = repr(float(row[lat]) + dlat)
        writer.writerow(row)
    Path(dst).write_text(out.getvalue(), encoding="utf-8", newline="")
    return Path(dst)
