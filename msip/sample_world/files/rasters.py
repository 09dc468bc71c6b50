"""GeoTIFF writers: orthophoto tiles and the district-wide truth rasters written tile by tile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from numpy.typing import NDArray
from rasterio.enums import ColorInterp
from rasterio.transform import Affine
from rasterio.windows import Window

from msip.sample_world.constants import EPSG, TILE_SIZE_M, SizeSpec
from msip.sample_world.survey.scene import TileScene

ORTHO_BANDS = ("red", "green", "blue", "nir")
_GTIFF = {
    "driver": "GTiff",
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
    "compress": "deflate",
}


def write_ortho_tile(path: Path, scene: TileScene, data: NDArray[np.uint8]) -> None:
    """4-band uint8 GeoTIFF; NIR is marked 'undefined', never alpha, and there is no nodata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        **_GTIFF,
        "dtype": "uint8",
        "count": 4,
        "width": data.shape[2],
        "height": data.shape[1],
        "crs": rasterio.CRS.from_epsg(EPSG),
        "transform": scene.transform,
        "photometric": "MINISBLACK",
        "interleave": "pixel",
        "predictor": 2,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
        for i, name in enumerate(ORTHO_BANDS, start=1):
            dst.set_band_description(i, name)
        dst.colorinterp = [
            ColorInterp.red,
            ColorInterp.green,
            ColorInterp.blue,
            ColorInterp.undefined,
        ]
        dst.update_tags(EPOCH=scene.epoch)


class DistrictRaster:
    """A single-band raster covering the whole district, filled one tile window at a time."""

    def __init__(
        self,
        path: Path,
        spec: SizeSpec,
        pixel_m: float,
        dtype: str,
        description: str,
        nodata: float | None = None,
        **tags: str,
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.pixel_m = pixel_m
        self.tile_px = round(TILE_SIZE_M / pixel_m)
        width, height = round(spec.extent_m / pixel_m), round(spec.height_m / pixel_m)
        self.rows = height
        x0, y0 = spec.origin
        transform = Affine(pixel_m, 0.0, x0, 0.0, -pixel_m, y0 + spec.height_m)
        predictor = 3 if dtype.startswith("float") else 2
        self.dst = rasterio.open(
            path,
            "w",
            **_GTIFF,
            dtype=dtype,
            count=1,
            width=width,
            height=height,
            predictor=predictor,
            crs=rasterio.CRS.from_epsg(EPSG),
            transform=transform,
            nodata=nodata,
        )
        self.dst.set_band_description(1, description)
        if tags:
            self.dst.update_tags(**tags)

    def write_tile(self, row: int, col: int, data: NDArray) -> None:
        """Write tile (row, col) (row 0 = southern tile row) into its window."""
        top = self.rows - (row + 1) * self.tile_px
        self.dst.write(data, 1, window=Window(col * self.tile_px, top, self.tile_px, self.tile_px))

    def close(self) -> None:
        """Flush and close the file."""
        self.dst.close()
