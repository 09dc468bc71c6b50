"""The change and terrain tiles read the same mosaics again and again: `read_on_grid` keeps each open
(processing.change.rasters.opened) — the same values as a fresh open, and a file replaced in between
(a reloaded epoch) is opened again, never read stale."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from processing.change.rasters import opened, read_on_grid


def _write(path: Path, value: float) -> None:
    data = np.full((40, 40), value, dtype=np.float32)
    data[0, 0] = np.nan
    tmp = path.with_name(f".{path.name}")
    with rasterio.open(tmp, "w", driver="GTiff", width=40, height=40, count=1, dtype="float32", crs="EPSG:2180",
                       transform=from_origin(614000, 334620, 0.5, 0.5), nodata=np.nan) as dst:
        dst.write(data, 1)
    os.replace(tmp, path)


def test_a_kept_dataset_reads_what_a_fresh_one_reads_until_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "dtm.tif"
    _write(path, 250.0)
    first = read_on_grid(str(path), (614000.0, 334600.0, 614010.0, 334620.0), 0.5)
    assert first.shape == (40, 20) and np.isnan(first[0, 0]) and np.nanmin(first) == np.nanmax(first) == 250.0
    assert opened(str(path)) is opened(str(path))  # kept open between reads
    with rasterio.open(path) as fresh:
        assert np.array_equal(fresh.read(1)[:, :20], first, equal_nan=True)
    _write(path, 251.0)  # replaced, as a reloaded epoch replaces its mosaic
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 1_000_000))
    again = read_on_grid(str(path), (614000.0, 334600.0, 614010.0, 334620.0), 0.5)
    assert np.nanmin(again) == np.nanmax(again) == 251.0
    # outside the raster stays NaN, as with a fresh open
    outside = read_on_grid(str(path), (613990.0, 334600.0, 614000.0, 334620.0), 0.5)
    assert np.isnan(outside).all()
