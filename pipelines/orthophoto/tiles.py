"""Per-tile orthophoto work (runs in worker processes): read by band role, warp to EPSG:2180, derive, write COGs.

Outputs per tile (or per chunk of at most `CHUNK_PX`² pixels, which bounds a worker's memory):

- `orthophoto`: the analysis copy, uint8/uint16 bands in the order red, green, blue, nir (those
  delivered; alpha dropped), PHOTOMETRIC=MINISBLACK, lossless (DEFLATE or ZSTD, predictor 2);
- `ndvi`: int16, NDVI × 10000 (so -10000…10000 = -1…1), nodata -32768, when NIR and red exist;
- `brightness`: uint8 albedo proxy for the heat analysis, Rec.709 luminance
  0.2126 R + 0.7152 G + 0.0722 B scaled to 1…255 (255 = white), nodata 0, when R, G, B exist;
- `orthophoto_rgb`: a lossy JPEG (YCbCr) display copy of R, G, B, when R, G, B exist and asked for.

Where the delivery marks pixels as empty (nodata in every band, alpha 0 or outside the warped
footprint) the outputs hold nodata 0; a valid pixel whose value equals 0 is raised to 1 in the
analysis copy, so that nodata always means "no image" rather than "NIR happened to be 0".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from affine import Affine

from msip.core.checksums import file_sha256
from msip.core.rasters.store import write_cog

CHUNK_PX = 4096
NDVI_SCALE = 10_000
NDVI_NODATA = -32768
OUTPUT_ORDER = ("R", "G", "B", "NIR")
_DESCRIPTION = {"R": "red", "G": "green", "B": "blue", "NIR": "nir"}
_LUMA = (0.2126, 0.7152, 0.0722)


@dataclass(frozen=True)
class TileJob:
    """One chunk of one tile: where to read, the target grid in EPSG:2180, where to write.

    `outputs` maps kind (orthophoto, ndvi, brightness, orthophoto_rgb) to the COG path;
    `masked` says the delivery marks empty pixels (nodata, alpha or warping), so outputs get nodata 0.
    """

    index: int
    path: Path
    roles: tuple[str, ...]
    src_epsg: int
    transform: Affine
    width: int
    height: int
    warp: bool
    outputs: dict[str, Path]
    masked: bool = False
    compress: str = "DEFLATE"


@dataclass
class TileResult:
    """What a worker did with a job: the outputs it wrote, or why it could not."""

    index: int
    outputs: dict[str, Path] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    reason: str | None = None


def read_bands(
    src, roles: tuple[str, ...], *, window=None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """({role: band array}, valid mask) of an open dataset, bands chosen by role, never by position.

    A pixel is invalid when every data band is at its nodata / GDAL mask, or when an alpha band
    (role A) is 0. Bands with role X are ignored.
    """
    from rasterio.enums import MaskFlags

    wanted = [i for i, role in enumerate(roles, start=1) if role != "X"]
    stack = src.read(wanted, window=window)
    data = {roles[i - 1]: band for i, band in zip(wanted, stack, strict=False) if roles[i - 1] != "A"}
    data_bands = [i for i in wanted if roles[i - 1] != "A"]
    if all(src.mask_flag_enums[i - 1] == [MaskFlags.all_valid] for i in data_bands):
        valid = np.ones(stack.shape[1:], bool)  # no nodata, no mask: skip reading masks
    else:
        valid = np.logical_or.reduce([src.read_masks(i, window=window) > 0 for i in data_bands])
    if "A" in roles:
        valid &= stack[wanted.index(roles.index("A") + 1)] > 0
    return data, valid


def ndvi_int16(red: np.ndarray, nir: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """NDVI = (NIR − red) / (NIR + red), scaled by 10000 to int16; -32768 where invalid or both 0."""
    r = red.astype(np.float32)
    n = nir.astype(np.float32)
    total = n + r
    ok = valid & (total > 0)
    out = np.full(red.shape, NDVI_NODATA, dtype=np.int16)
    out[ok] = np.rint((n[ok] - r[ok]) / total[ok] * NDVI_SCALE).astype(np.int16)
    return out


def brightness_uint8(
    red: np.ndarray,
    green: np.ndarray,
    blue: np.ndarray,
    valid: np.ndarray,
    max_value: float = 255.0,
) -> np.ndarray:
    """Albedo proxy: Rec.709 luminance scaled to 1…255 (0 = nodata) from bands whose full scale is `max_value`."""
    luma = (
        _LUMA[0] * red.astype(np.float32)
        + _LUMA[1] * green.astype(np.float32)
        + _LUMA[2] * blue.astype(np.float32)
    ) * (255.0 / max_value)
    out = np.clip(np.rint(luma), 1, 255).astype(np.uint8)
    out[~valid] = 0
    return out


def process_tile(job: TileJob) -> TileResult:
    """Read one chunk, warp it if needed, write the COGs named in `job.outputs` (worker entry point).

    A tile whose pixels cannot be read (truncated, damaged) comes back with a reason; errors
    writing the store (disk full) are raised, since no other tile would fare better.
    """
    import rasterio
    from rasterio._err import CPLE_BaseError

    try:
        with rasterio.open(job.path) as src:
            data, valid = _read_chunk(src, job)
    except (rasterio.errors.RasterioError, CPLE_BaseError, OSError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return TileResult(
            job.index,
            reason=(
                f"{job.path.name}: pixel data cannot be read ({text}); the file is "
                "probably truncated or damaged — re-copy the tile"
            ),
        )
    outputs = _write_outputs(job, data, valid)
    # checksums here, in parallel, while the files are still in the page cache
    return TileResult(
        job.index, outputs=outputs, sha256={k: file_sha256(p) for k, p in outputs.items()}
    )


def _read_chunk(src, job: TileJob) -> tuple[dict[str, np.ndarray], np.ndarray]:
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT
    from rasterio.windows import Window

    if not job.warp:
        t = src.transform
        window = Window(
            round((job.transform.c - t.c) / t.a),
            round((job.transform.f - t.f) / t.e),
            job.width,
            job.height,
        )
        return read_bands(src, job.roles, window=window)
    options = {
        "crs": "EPSG:2180",
        "transform": job.transform,
        "width": job.width,
        "height": job.height,
        "resampling": Resampling.bilinear,
    }
    if src.crs is None:
        options["src_crs"] = f"EPSG:{job.src_epsg}"
    roles = job.roles
    if src.nodata is None and "A" not in roles:
        # an alpha band (appended last) marks pixels outside the warped footprint; its mask
        # flags say all_valid, so it is read as a band with role A rather than via read_masks
        options["add_alpha"] = True
        roles = (*roles, "A")
    with WarpedVRT(src, **options) as vrt:
        return read_bands(vrt, roles)


def _write_outputs(job: TileJob, data: dict[str, np.ndarray], valid: np.ndarray) -> dict[str, Path]:
    full_scale = 255.0 if next(iter(data.values())).dtype == np.uint8 else 65535.0
    written: dict[str, Path] = {}
    present = [r for r in OUTPUT_ORDER if r in data]
    image = np.stack([data[r] for r in present])
    nodata = 0 if job.masked else None
    if job.masked:
        image[(image == 0) & valid] = 1
        image[:, ~valid] = 0
    written["orthophoto"] = write_cog(
        job.outputs["orthophoto"],
        image,
        transform=job.transform,
        nodata=nodata,
        band_descriptions=[_DESCRIPTION[r] for r in present],
        colorinterp=[_DESCRIPTION[r] for r in present],
        compress=job.compress,
        predictor=2,
    )
    if "ndvi" in job.outputs:
        written["ndvi"] = write_cog(
            job.outputs["ndvi"],
            ndvi_int16(data["R"], data["NIR"], valid),
            transform=job.transform,
            nodata=NDVI_NODATA,
            band_descriptions=[f"ndvi x{NDVI_SCALE}"],
            compress=job.compress,
            predictor=2,
        )
    if "brightness" in job.outputs:
        written["brightness"] = write_cog(
            job.outputs["brightness"],
            brightness_uint8(data["R"], data["G"], data["B"], valid, full_scale),
            transform=job.transform,
            nodata=0,
            band_descriptions=["brightness (luminance 1-255)"],
            compress=job.compress,
            predictor=2,
        )
    if "orthophoto_rgb" in job.outputs:
        rgb = image[:3] if full_scale == 255.0 else (image[:3] // 257).astype(np.uint8)
        written["orthophoto_rgb"] = write_cog(
            job.outputs["orthophoto_rgb"],
            rgb,
            transform=job.transform,
            nodata=None,
            band_descriptions=["red", "green", "blue"],
            compress="JPEG",
            quality=85,
        )
    return written
