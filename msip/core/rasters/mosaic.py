"""Per-epoch mosaics: a GDAL VRT that makes many COG tiles of one grid read as one raster.

Written directly as VRT XML (what `gdalbuildvrt` produces for tiles on one grid), so it needs
neither the GDAL command-line tools nor GDAL's Python bindings. Tiles are referenced by paths
relative to the VRT, so a copied store stays readable.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from msip.core.errors import ValidationError
from msip.core.rasters.journal import note_write
from msip.core.rasters.write_errors import write_error

_GDAL_TYPES = {
    "uint8": "Byte",
    "int8": "Int8",
    "uint16": "UInt16",
    "int16": "Int16",
    "uint32": "UInt32",
    "int32": "Int32",
    "float32": "Float32",
    "float64": "Float64",
}


def build_mosaic(paths: list[Path], out_path: Path) -> Path:
    """Write a VRT at `out_path` mosaicking `paths` (same CRS, pixel size, bands and dtype).

    Tiles off the first tile's pixel grid are placed at fractional offsets (GDAL resamples
    them on read); later tiles win where tiles overlap. Written to a temporary name and renamed
    (0644), like the COGs. Returns out_path.
    """
    import rasterio

    if not paths:
        raise ValidationError(f"cannot build mosaic {Path(out_path).name}: no tiles given")
    out_path = Path(out_path)
    tiles = []
    for p in sorted(Path(p).resolve() for p in paths):
        with rasterio.open(p) as src:
            tiles.append(
                {
                    "path": p,
                    "crs": src.crs,
                    "res": src.res,
                    "count": src.count,
                    "dtype": src.dtypes[0],
                    "nodata": src.nodata,
                    "bounds": src.bounds,
                    "w": src.width,
                    "h": src.height,
                    "desc": src.descriptions,
                    "interp": src.colorinterp,
                    "block": src.block_shapes[0],
                }
            )
    first = tiles[0]
    for t in tiles[1:]:
        for key in ("crs", "count", "dtype"):
            if t[key] != first[key]:
                raise ValidationError(
                    f"cannot mosaic {t['path'].name} with {first['path'].name}: {key} "
                    f"{t[key]} ≠ {first[key]}; mosaic only tiles of one delivery"
                )
        if not all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(t["res"], first["res"], strict=True)):
            raise ValidationError(
                f"cannot mosaic {t['path'].name}: pixel size {t['res']} ≠ {first['res']}"
            )
    rx, ry = first["res"]
    minx = min(t["bounds"].left for t in tiles)
    maxy = max(t["bounds"].top for t in tiles)
    width = round((max(t["bounds"].right for t in tiles) - minx) / rx)
    height = round((maxy - min(t["bounds"].bottom for t in tiles)) / ry)

    root = ET.Element("VRTDataset", rasterXSize=str(width), rasterYSize=str(height))
    ET.SubElement(root, "SRS").text = first["crs"].to_wkt()
    ET.SubElement(root, "GeoTransform").text = f"{minx!r}, {rx!r}, 0.0, {maxy!r}, 0.0, {-ry!r}"
    for b in range(1, first["count"] + 1):
        band = ET.SubElement(
            root, "VRTRasterBand", dataType=_GDAL_TYPES.get(first["dtype"], "Float64"), band=str(b)
        )
        if first["nodata"] is not None:
            ET.SubElement(band, "NoDataValue").text = repr(float(first["nodata"]))
        ET.SubElement(band, "ColorInterp").text = first["interp"][b - 1].name.capitalize()
        if first["desc"][b - 1]:
            ET.SubElement(band, "Description").text = first["desc"][b - 1]
        for t in tiles:
            xoff = (t["bounds"].left - minx) / rx
            yoff = (maxy - t["bounds"].top) / ry
            src = ET.SubElement(
                band, "ComplexSource" if t["nodata"] is not None else "SimpleSource"
            )
            rel = os.path.relpath(t["path"], out_path.resolve().parent)
            ET.SubElement(src, "SourceFilename", relativeToVRT="1").text = rel
            ET.SubElement(src, "SourceBand").text = str(b)
            ET.SubElement(
                src,
                "SourceProperties",
                RasterXSize=str(t["w"]),
                RasterYSize=str(t["h"]),
                DataType=_GDAL_TYPES.get(t["dtype"], "Float64"),
                BlockXSize=str(t["block"][1]),
                BlockYSize=str(t["block"][0]),
            )
            ET.SubElement(src, "SrcRect", xOff="0", yOff="0", xSize=str(t["w"]), ySize=str(t["h"]))
            ET.SubElement(
                src,
                "DstRect",
                xOff=_offset(xoff),
                yOff=_offset(yoff),
                xSize=str(t["w"]),
                ySize=str(t["h"]),
            )
            if t["nodata"] is not None:
                ET.SubElement(src, "NODATA").text = repr(float(t["nodata"]))
    ET.indent(root)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.stem}.{os.getpid()}.tmp.vrt")
    try:
        note_write(out_path, tmp)
        tmp.write_text(ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(out_path, exc) from None
    return out_path


def _offset(value: float) -> str:
    """A DstRect offset: whole pixels when within 1/1000 pixel of the grid, else fractional."""
    return str(round(value)) if abs(value - round(value)) < 1e-3 else f"{value:.6f}"
