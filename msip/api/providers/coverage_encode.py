"""Encoding a read window: a tiled GeoTIFF with the right band colour interpretation, or CoverageJSON.

An orthophoto's bands are red, green, blue and near infrared: the GeoTIFF says RGB with an
*unspecified* extra sample, so GDAL/QGIS report band 4 as Undefined (NIR), never as Alpha.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rasterio.enums import ColorInterp

COLOUR_BY_NAME = {"red": ColorInterp.red, "green": ColorInterp.green, "blue": ColorInterp.blue}


def colour_interpretation(names: list[str]) -> list[ColorInterp]:
    """Red/green/blue for bands so named, gray for a lone band, undefined for the rest (e.g. NIR)."""
    if len(names) == 1 and names[0].lower() not in COLOUR_BY_NAME:
        return [ColorInterp.gray]
    return [COLOUR_BY_NAME.get(n.lower(), ColorInterp.undefined) for n in names]


def to_geotiff(
    data: np.ndarray, transform, epsg: int | None, nodata: float | None, names: list[str]
) -> bytes:
    """A tiled, deflate-compressed GeoTIFF of `data` (bands, rows, cols) with band names and colours."""
    from rasterio.io import MemoryFile

    count, height, width = data.shape
    colours = colour_interpretation(names)
    rgb = colours[:3] == [ColorInterp.red, ColorInterp.green, ColorInterp.blue] and data.dtype == np.uint8
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": count,
        "dtype": data.dtype.name,
        "crs": f"EPSG:{epsg}" if epsg else None,
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "interleave": "pixel" if rgb else "band",
        "photometric": "RGB" if rgb else "MINISBLACK",
        "alpha": "UNSPECIFIED",
    }
    if width >= 256 and height >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(data)
            dst.colorinterp = colours
            for j, name in enumerate(names, start=1):
                dst.set_band_description(j, name)
        return bytes(mem.read())


def to_covjson(
    data: np.ndarray, transform, crs_type: str, crs_uri: str, nodata: float | None, names: list[str]
) -> dict:
    """A CoverageJSON grid: one parameter per band, axes x (easting) and y (northing) at pixel centres."""
    h, w = data.shape[1], data.shape[2]
    x0, y0 = transform @ (0.5, 0.5)
    x1, y1 = transform @ (w - 0.5, h - 0.5)
    cj: dict[str, Any] = {
        "type": "Coverage",
        "domain": {
            "type": "Domain",
            "domainType": "Grid",
            "axes": {"x": {"start": x0, "stop": x1, "num": w}, "y": {"start": y0, "stop": y1, "num": h}},
            "referencing": [
                {"coordinates": ["x", "y"], "system": {"type": crs_type, "id": crs_uri}}
            ],
        },
        "parameters": {},
        "ranges": {},
    }
    is_float = data.dtype.kind == "f"
    for j, name in enumerate(names):
        cj["parameters"][name] = {
            "type": "Parameter",
            "description": {"en": name},
            "observedProperty": {"id": name, "label": {"en": name}},
        }
        flat = data[j].astype(float if is_float else int).ravel().tolist()
        if nodata is not None:
            flat = [
                None if v == nodata or (isinstance(v, float) and math.isnan(v)) else v for v in flat
            ]
        cj["ranges"][name] = {
            "type": "NdArray",
            "dataType": "float" if is_float else "integer",
            "axisNames": ["y", "x"],
            "shape": [h, w],
            "values": flat,
        }
    return cj
