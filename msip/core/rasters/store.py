"""The shared raster store: write COGs under $MSIP_DATA_DIR/rasters, validate, mosaic and catalogue them.

Layout: `$MSIP_DATA_DIR/rasters/<kind>/<YYYY-MM-DD>/<name>.tif`, every file a Cloud-Optimised
GeoTIFF in EPSG:2180, catalogued in `msip.raster_asset` and registered there as an out-db
PostGIS raster so SQL can sample it (`ST_Value(rast, band, point)`).

Folders are created 0755 and files written 0644: the PostgreSQL server (OS user `postgres`
when the loaders run as root) opens the COGs itself for out-db rasters, so it must be able
to read them.

Analysis COGs are written with PHOTOMETRIC=MINISBLACK: GDAL's default for 3–4 band uint8
GeoTIFFs is RGB(A), under which a NIR band can turn into an alpha mask. Display copies may ask
for JPEG (YCbCr) or WEBP explicitly.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from msip.core.errors import ValidationError
from msip.core.rasters.catalogue import catalogue, catalogued_source_sha256, epoch_text
from msip.core.rasters.journal import note_write
from msip.core.rasters.mosaic import build_mosaic
from msip.core.rasters.tile_loop import map_tiles
from msip.core.rasters.write_errors import write_error
from msip.core.settings import get_settings

__all__ = [
    "build_mosaic",
    "catalogue",
    "catalogued_source_sha256",
    "cog_profile",
    "epoch_text",
    "is_valid_cog",
    "map_tiles",
    "raster_dir",
    "write_cog",
]

DIR_MODE = 0o755
FILE_MODE = 0o644
#: Compressions whose quality/level option GDAL names differently.
_QUALITY_OPTION = {
    "JPEG": "jpeg_quality",
    "WEBP": "webp_level",
    "DEFLATE": "zlevel",
    "ZSTD": "zstd_level",
}


def raster_dir(kind: str, epoch: date | str) -> Path:
    """`$MSIP_DATA_DIR/rasters/<kind>/<YYYY-MM-DD>/`, created (mode 0755 on every new level)."""
    if not kind or "/" in kind or kind.startswith("."):
        raise ValidationError(
            f"raster kind {kind!r} is not a plain name such as 'orthophoto' or 'ndvi'"
        )
    root = get_settings().data_dir
    target = root / "rasters" / kind / epoch_text(epoch)
    _make_dirs(target)
    return target


def _make_dirs(target: Path) -> None:
    missing = [p for p in (target, *target.parents) if not p.exists()]
    try:
        target.mkdir(parents=True, exist_ok=True)
        for p in missing:
            os.chmod(p, DIR_MODE)
    except OSError as exc:
        raise write_error(target, exc) from None


def cog_profile(
    *,
    compress: str = "DEFLATE",
    predictor: int | None = None,
    blocksize: int = 512,
    photometric: str = "MINISBLACK",
    quality: int | None = None,
) -> dict[str, Any]:
    """GTiff creation options for a COG written with COPY_SRC_OVERVIEWS (the layout rio-cogeo uses)."""
    if blocksize % 16:
        raise ValidationError(f"blocksize={blocksize} is not a multiple of 16 (use 256 or 512)")
    compress = compress.upper()
    profile = {
        "driver": "GTiff",
        "tiled": True,
        "blockxsize": blocksize,
        "blockysize": blocksize,
        "compress": compress,
        "interleave": "pixel",
        "photometric": photometric,
        "copy_src_overviews": True,
        "bigtiff": "IF_SAFER",
    }
    if predictor:
        profile["predictor"] = predictor
    if quality is not None and compress in _QUALITY_OPTION:
        profile[_QUALITY_OPTION[compress]] = quality
    return profile


def overview_factors(width: int, height: int, blocksize: int) -> list[int]:
    """Decimation factors 2, 4, … until the smallest overview fits in one block."""
    factors, f = [], 2
    while max(width, height) / (f // 2) > blocksize:
        factors.append(f)
        f *= 2
    return factors


def write_cog(
    path: Path,
    data: np.ndarray,
    *,
    transform: Affine,
    epsg: int = 2180,
    nodata: float | None,
    band_descriptions: list[str],
    compress: str = "DEFLATE",
    predictor: int | None = None,
    colorinterp: list[str] | None = None,
    overview_resampling: str = "average",
    blocksize: int = 512,
    quality: int | None = None,
) -> Path:
    """Write `data` (bands, rows, cols) or (rows, cols) as a Cloud-Optimised GeoTIFF at `path`.

    Tiled (`blocksize` px), internal overviews (`overview_resampling`), PHOTOMETRIC=MINISBLACK
    unless `compress` is lossy (a display copy of 3–4 uint8 bands: JPEG with 3 bands → YCbCr,
    WEBP → RGB / RGBA with a real alpha). `colorinterp` names per band ('red', 'green', 'blue',
    'nir', 'gray', 'alpha', 'undefined'); default gray then undefined (display: red, green,
    blue, alpha). Written to a hidden temporary name in the same folder, made 0644 and renamed
    with `os.replace`, so a crash never leaves a half-written file under the final name; inside
    a load run the write is journalled (msip.core.rasters.journal) and undone if the run fails.
    `predictor` 2 suits integer bands, 3 float bands. `quality` is the JPEG/WEBP quality or
    the DEFLATE/ZSTD level. Raises StoreWriteError naming the path and the fix when the disk
    is full or the folder is not writable.
    """
    from rasterio._err import CPLE_BaseError
    from rasterio.enums import ColorInterp, Resampling
    from rasterio.errors import RasterioError
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy

    path = Path(path)
    arr = data[np.newaxis] if data.ndim == 2 else data
    if arr.ndim != 3:
        raise ValidationError(
            f"{path.name}: data has shape {data.shape}; expected (bands, rows, cols) or (rows, cols)"
        )
    bands, rows, cols = arr.shape
    if len(band_descriptions) != bands:
        raise ValidationError(
            f"{path.name}: {len(band_descriptions)} band descriptions for {bands} bands"
        )
    if colorinterp is not None and len(colorinterp) != bands:
        raise ValidationError(
            f"{path.name}: {len(colorinterp)} colour interpretations for {bands} bands"
        )
    photometric, default_interp = _photometric(compress.upper(), bands, arr.dtype)
    names = colorinterp or default_interp
    try:
        interp = [ColorInterp[n.lower()] for n in names]
    except KeyError as exc:
        raise ValidationError(
            f"{path.name}: unknown colour interpretation {exc.args[0]!r}; use red, green, "
            "blue, nir, gray, alpha or undefined"
        ) from None
    try:
        resampling = Resampling[overview_resampling]
    except KeyError:
        raise ValidationError(
            f"overview_resampling={overview_resampling!r} is not a GDAL resampling "
            "method (use average, nearest, mode, bilinear …)"
        ) from None
    profile = cog_profile(
        compress=compress,
        predictor=predictor,
        blocksize=blocksize,
        photometric=photometric,
        quality=quality,
    )
    mem_profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": bands,
        "dtype": arr.dtype.name,
        "crs": f"EPSG:{epsg}",
        "transform": transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": blocksize,
        "blockysize": blocksize,
        "photometric": "MINISBLACK",
        "interleave": "pixel",
    }
    _make_dirs(path.parent)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.tif")
    try:
        note_write(path, tmp)
        with MemoryFile() as mem, mem.open(**mem_profile) as staged:
            staged.write(arr)
            staged.colorinterp = interp
            staged.descriptions = tuple(band_descriptions)
            factors = overview_factors(cols, rows, blocksize)
            if factors:
                staged.build_overviews(factors, resampling)
            rio_copy(staged, tmp, **profile)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except (OSError, RasterioError, CPLE_BaseError) as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc, needed_bytes=arr.nbytes) from None
    return path


def _photometric(compress: str, bands: int, dtype: np.dtype) -> tuple[str, list[str]]:
    """(PHOTOMETRIC, default colour interpretation): MINISBLACK for everything but display copies."""
    if compress not in ("JPEG", "WEBP"):
        return "MINISBLACK", ["gray"] + ["undefined"] * (bands - 1)
    if dtype != np.uint8 or bands not in (3, 4) or (compress == "JPEG" and bands == 4):
        raise ValidationError(
            f"{compress} display copies take 3 uint8 bands (WEBP also 4, RGBA), not {bands} "
            f"{dtype} bands; use DEFLATE or ZSTD for analysis rasters"
        )
    rgb = ["red", "green", "blue", "alpha"][:bands]
    return ("YCBCR" if compress == "JPEG" else "RGB"), rgb


def is_valid_cog(path: Path) -> tuple[bool, list[str]]:
    """(valid, problems) from rio-cogeo's validator; warnings are listed with a 'warning: ' prefix."""
    from rio_cogeo.cogeo import cog_validate

    valid, errors, warnings = cog_validate(str(path), quiet=True)
    return valid, list(errors) + [f"warning: {w}" for w in warnings]
