"""Items as CSV (`f=csv`) for analysts: an `id` column, every property, and the geometry as WKT.

Replaces pygeoapi's CSV formatter, which has no id column, drops every geometry but points
and names the first coordinate `x` even when it is the northing (crs=EPSG:2180 is N,E). Here
the geometry is the `wkt` column, easting/longitude first as GIS software reads WKT, in the
CRS of the request (Content-Crs names it); points also get `easting`/`northing` (or
`longitude`/`latitude`) columns named by what they hold. Registered by `msip.api.pygeoapi_fixes`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import shapely
from pygeoapi.formatter.base import BaseFormatter

from msip.api.crs import RequestCrs
from msip.api.providers.feature_types import RawFeatures

MIMETYPE = "text/csv; charset=utf-8"


def _flip(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[1], coords[0], *coords[2:]]
    return [_flip(c) for c in coords]


def wkt(geometry: dict | None, crs: RequestCrs | None) -> str:
    """WKT of a GeoJSON geometry written in `crs`'s axis order, easting/longitude first."""
    if not geometry:
        return ""
    if crs is not None and crs.northing_first:
        geometry = {**geometry, "coordinates": _flip(geometry["coordinates"])}
    return str(shapely.to_wkt(shapely.geometry.shape(geometry), rounding_precision=-1, trim=True))


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class CsvFormatter(BaseFormatter):
    """pygeoapi formatter plugin `CSV` (see the module docstring)."""

    def __init__(self, formatter_def: dict):
        super().__init__({"name": "csv", "geom": True})
        self.mimetype = MIMETYPE

    def write(self, options: dict | None = None, data: dict | None = None) -> bytes:
        features = (data or {}).get("features") or []
        crs = features.crs if isinstance(features, RawFeatures) else None
        names = list(features.columns[1:]) if isinstance(features, RawFeatures) else []
        for f in features:
            names.extend(k for k in f.get("properties", {}) if k not in names)
        geom_types = {(f.get("geometry") or {}).get("type") for f in features} - {None}
        point_axes: list[str] = []
        if geom_types == {"Point"}:
            point_axes = ["longitude", "latitude"] if crs is None or crs.geographic else ["easting", "northing"]
        header = ["id", *names, *point_axes, "wkt"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for f in features:
            props = f.get("properties") or {}
            row = [f.get("id"), *(_cell(props.get(n)) for n in names)]
            geometry = f.get("geometry")
            if point_axes:
                xy = geometry["coordinates"][:2] if geometry else ["", ""]
                row.extend(reversed(xy) if crs is not None and crs.northing_first else xy)
            row.append(wkt(geometry, crs))
            writer.writerow(row)
        return out.getvalue().encode("utf-8")

    def __repr__(self) -> str:
        return "<CsvFormatter>"
