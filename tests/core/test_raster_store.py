"""Tests of the shared raster store: COG writing, validation, mosaics, catalogue, tile loop.

Longer than ~300 lines: writing, mosaics, catalogue and tile loop are checked through the same
store fixtures.
"""

from __future__ import annotations

import stat
import struct
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from msip.core.errors import CrsError, StoreWriteError, ValidationError
from msip.core.rasters import store as raster_store
from msip.core.rasters.store import (
    build_mosaic,
    catalogue,
    is_valid_cog,
    map_tiles,
    raster_dir,
    write_cog,
)

ORIGIN = (614_000.0, 335_000.0)


def tiff_photometric(path: Path) -> int:
    """TIFF tag 262 (1 MINISBLACK, 2 RGB, 6 YCbCr) of the first IFD, read with struct."""
    with open(path, "rb") as fh:
        head = fh.read(16)
        bo = "<" if head[:2] == b"II" else ">"
        big = struct.unpack(bo + "H", head[2:4])[0] == 43
        fh.seek(struct.unpack(bo + ("Q" if big else "I"), head[8:16] if big else head[4:8])[0])
        n = struct.unpack(bo + ("Q" if big else "H"), fh.read(8 if big else 2))[0]
        for _ in range(n):
            entry = fh.read(20 if big else 12)
            tag, _type = struct.unpack(bo + "HH", entry[:4])
            if tag == 262:
                return struct.unpack(bo + "H", entry[12:14] if big else entry[8:10])[0]
    raise AssertionError(f"{path} has no PhotometricInterpretation tag")


def rgbn(rows: int = 1200, cols: int = 1200) -> np.ndarray:
    rng = np.random.default_rng(7)
    data = rng.integers(1, 255, size=(4, rows, cols), dtype=np.uint8)
    data[3, :50, :50] = 0  # NIR = 0 must stay a value, not become transparent
    return data




def test_raster_dir_is_created_world_readable(store):
    d = raster_dir("orthophoto", "2024-06-15")
    assert d == store / "rasters" / "orthophoto" / "2024-06-15"
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o755 for p in (d, d.parent, store / "rasters"))


@pytest.mark.parametrize(
    "kind, epoch, match",
    [("../x", "2024-06-15", "not a plain name"), ("ndvi", "15.06.2024", "not a date")],
)
def test_raster_dir_refuses_bad_names(store, kind, epoch, match):
    with pytest.raises(ValidationError, match=match):
        raster_dir(kind, epoch)


def test_four_band_cog_is_minisblack_with_nir_kept(tmp_path):
    path = write_cog(
        tmp_path / "t.tif",
        rgbn(),
        transform=from_origin(*ORIGIN, 0.25, 0.25),
        nodata=None,
        band_descriptions=["red", "green", "blue", "nir"],
        colorinterp=["red", "green", "blue", "nir"],
        predictor=2,
    )
    assert is_valid_cog(path) == (True, [])
    assert tiff_photometric(path) == 1
    with rasterio.open(path) as src:
        assert src.descriptions == ("red", "green", "blue", "nir")
        assert [c.name for c in src.colorinterp] == ["red", "green", "blue", "nir"]
        assert src.overviews(1) == [2, 4]
        assert src.read(4, window=((0, 10), (0, 10))).max() == 0
        assert src.read_masks(4, window=((0, 10), (0, 10))).min() == 255
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["t.tif"]


@pytest.mark.parametrize(
    "compress, bands, photometric, interp",
    [("JPEG", 3, 6, ["red", "green", "blue"]), ("WEBP", 4, 2, ["red", "green", "blue", "alpha"])],
)
def test_lossy_display_copies_are_rgb(tmp_path, compress, bands, photometric, interp):
    path = write_cog(
        tmp_path / "rgb.tif",
        rgbn()[:bands],
        transform=from_origin(*ORIGIN, 0.25, 0.25),
        nodata=None,
        band_descriptions=interp,
        compress=compress,
        quality=85,
    )
    assert is_valid_cog(path)[0]
    assert tiff_photometric(path) == photometric
    with rasterio.open(path) as src:
        assert src.compression.name == compress.lower()
        assert [c.name for c in src.colorinterp] == interp


def test_lossy_compression_refuses_analysis_bands(tmp_path):
    with pytest.raises(ValidationError, match="JPEG display copies take 3 uint8 bands"):
        write_cog(
            tmp_path / "x.tif",
            rgbn(64, 64),
            transform=from_origin(*ORIGIN, 1, 1),
            nodata=None,
            band_descriptions=["r", "g", "b", "n"],
            compress="JPEG",
        )


def test_float_cog_keeps_nodata_and_2d_input(tmp_path):
    data = np.linspace(-1, 1, 300 * 200, dtype=np.float32).reshape(300, 200)
    data[0, 0] = -9999
    path = write_cog(
        tmp_path / "ndvi.tif",
        data,
        transform=from_origin(*ORIGIN, 0.25, 0.25),
        nodata=-9999,
        band_descriptions=["ndvi"],
        predictor=3,
        compress="ZSTD",
    )
    assert is_valid_cog(path)[0]
    with rasterio.open(path) as src:
        assert (src.count, src.dtypes[0], src.nodata) == (1, "float32", -9999)
        np.testing.assert_array_equal(src.read(1), data)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"band_descriptions": ["a"]}, "1 band descriptions for 4 bands"),
        (
            {"colorinterp": ["red", "green", "blue", "infrared"]},
            "unknown colour interpretation 'infrared'",
        ),
        ({"blocksize": 500}, "not a multiple of 16"),
    ],
)
def test_write_cog_refuses_inconsistent_arguments(tmp_path, kwargs, match):
    args = {
        "transform": from_origin(*ORIGIN, 1, 1),
        "nodata": None,
        "band_descriptions": ["r", "g", "b", "n"],
    }
    with pytest.raises(ValidationError, match=match):
        write_cog(tmp_path / "x.tif", rgbn(64, 64), **(args | kwargs))


def test_failed_write_keeps_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    args = {
        "transform": from_origin(*ORIGIN, 1, 1),
        "nodata": None,
        "band_descriptions": ["r", "g", "b", "n"],
    }
    path = write_cog(tmp_path / "x.tif", rgbn(64, 64), **args)
    before = path.read_bytes()

    def full_disk(src, dst, **kw):
        Path(dst).write_bytes(b"II*\0partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rasterio.shutil.copy", full_disk)
    with pytest.raises(StoreWriteError, match=r"x\.tif: the disk is full; fix: free space"):
        write_cog(path, rgbn(64, 64), **args)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.tif"]


def test_unwritable_folder_is_reported(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StoreWriteError, match=r"cannot write raster .*file"):
        write_cog(
            tmp_path / "file" / "x.tif",
            rgbn(32, 32),
            transform=from_origin(*ORIGIN, 1, 1),
            nodata=None,
            band_descriptions=["r", "g", "b", "n"],
        )


def test_plain_striped_tiff_is_not_a_cog(tmp_path):
    path = tmp_path / "striped.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=1200,
        height=1200,
        count=1,
        dtype="uint8",
        crs="EPSG:2180",
        transform=from_origin(*ORIGIN, 1, 1),
    ) as dst:
        dst.write(np.ones((1, 1200, 1200), np.uint8))
    valid, problems = is_valid_cog(path)
    assert not valid and problems


def _tiles(folder: Path, dtype: str = "uint8") -> list[Path]:
    paths = []
    for r in range(2):
        for c in range(2):
            data = np.full((2, 100, 100), 10 * (2 * r + c + 1), dtype=dtype)
            paths.append(
                write_cog(
                    folder / f"t_{r}_{c}.tif",
                    data,
                    nodata=0,
                    band_descriptions=["a", "b"],
                    transform=from_origin(ORIGIN[0] + 25 * c, ORIGIN[1] - 25 * r, 0.25, 0.25),
                )
            )
    return paths


def test_mosaic_reads_as_one_raster(tmp_path):
    vrt = build_mosaic(_tiles(tmp_path), tmp_path / "mosaic.vrt")
    with rasterio.open(vrt) as src:
        assert (src.width, src.height, src.count, src.res) == (200, 200, 2, (0.25, 0.25))
        assert src.bounds == (ORIGIN[0], ORIGIN[1] - 50, ORIGIN[0] + 50, ORIGIN[1])
        assert src.descriptions == ("a", "b")
        assert src.nodata == 0
        a = src.read(2)
    assert (a[:100, :100].min(), a[:100, 100:].min(), a[100:, :100].min(), a[100:, 100:].max()) == (
        10,
        20,
        30,
        40,
    )


def test_mosaic_refuses_mixed_tiles(tmp_path):
    paths = _tiles(tmp_path)
    odd = write_cog(
        tmp_path / "odd.tif",
        np.zeros((2, 10, 10), np.float32),
        nodata=None,
        band_descriptions=["a", "b"],
        transform=from_origin(*ORIGIN, 0.25, 0.25),
    )
    with pytest.raises(ValidationError, match=r"t_0_0.tif with odd.tif: dtype uint8 ≠ float32"):
        build_mosaic([*paths, odd], tmp_path / "m.vrt")


@pytest.mark.db
def test_catalogue_registers_out_db_raster_sampled_by_sql(store, empty_db, conn):
    run_id = conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256) "
        "VALUES ('test', 'x', repeat('0', 64)) RETURNING run_id"
    ).fetchone()[0]
    folder = raster_dir("testkind", "2024-06-15")
    tiles = _tiles(folder)
    path = write_cog(
        folder / "rgbn.tif",
        rgbn(),
        transform=from_origin(*ORIGIN, 0.25, 0.25),
        nodata=None,
        band_descriptions=["red", "green", "blue", "nir"],
    )
    asset = catalogue(
        conn, kind="testkind", epoch="2024-06-15", path=path, load_run_id=run_id, source_sha256="ab"
    )
    assert (
        catalogue(conn, kind="testkind", epoch="2024-06-15", path=path, load_run_id=run_id) == asset
    )
    row = conn.execute(
        "SELECT resolution_m, width_px, band_count, band_descriptions, dtype, ST_Area(footprint), "
        "source_sha256, length(sha256) FROM msip.raster_asset WHERE asset_id = %s",
        (asset,),
    ).fetchone()
    assert row == (0.25, 1200, 4, ["red", "green", "blue", "nir"], "uint8", 300.0 * 300.0, None, 64)
    x, y = ORIGIN[0] + 123.3, ORIGIN[1] - 77.9
    with rasterio.open(path) as src:
        expected = [int(v) for v in next(src.sample([(x, y)]))]
    got = [
        conn.execute(
            "SELECT ST_Value(rast, %s, ST_SetSRID(ST_Point(%s, %s), 2180)) FROM msip.raster_asset "
            "WHERE asset_id = %s",
            (b, x, y, asset),
        ).fetchone()[0]
        for b in range(1, 5)
    ]
    assert got == expected
    vrt = build_mosaic(tiles, folder / "mosaic.vrt")
    mosaic = catalogue(
        conn, kind="testkind", epoch="2024-06-15", path=vrt, load_run_id=run_id, is_mosaic=True
    )
    value = conn.execute(
        "SELECT ST_Value(rast, 1, ST_SetSRID(ST_Point(%s, %s), 2180)) FROM msip.raster_asset "
        "WHERE asset_id = %s",
        (ORIGIN[0] + 40, ORIGIN[1] - 40, mosaic),
    ).fetchone()[0]
    assert value == 40


@pytest.mark.db
def test_catalogue_refuses_rasters_outside_storage_crs(tmp_path, conn):
    path = tmp_path / "utm.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="uint8",
        crs="EPSG:32634",
        transform=from_origin(500000, 5600000, 1, 1),
    ) as dst:
        dst.write(np.ones((1, 4, 4), np.uint8))
    with pytest.raises(CrsError, match="EPSG:32634, the store holds EPSG:2180 only"):
        catalogue(conn, kind="x", epoch="2024-06-15", path=path, load_run_id=1)


def _square(x: int) -> int:
    if x < 0:
        raise ValueError(f"negative tile {x}")
    return x * x


@pytest.mark.parametrize("workers", [1, 2])
def test_map_tiles_keeps_order(workers):
    assert map_tiles(_square, [3, 1, 2], workers=workers, progress_desc="squares") == [9, 1, 4]


def test_map_tiles_reraises_task_errors():
    with pytest.raises(ValueError, match="negative tile -1"):
        map_tiles(_square, [1, -1], workers=1, progress_desc="squares")


def test_module_exports_the_shared_api():
    assert set(raster_store.__all__) >= {
        "raster_dir",
        "write_cog",
        "is_valid_cog",
        "catalogue",
        "build_mosaic",
        "map_tiles",
    }
