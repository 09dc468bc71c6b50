"""Tests of the orthophoto pipeline: tile checks, band roles, NDVI, bad deliveries, resume, real files, CLI.

Longer than ~300 lines: one loader from tile checks to database loads and the sample world, in
sections that share the tile builders at the top.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import psycopg
import pytest
import rasterio
from rasterio.enums import ColorInterp
from rasterio.transform import from_origin

from msip.core.errors import ConfigError, SourceReadError
from msip.core.rasters.store import is_valid_cog, write_cog
from msip.core.runs import NothingLoaded
from pipelines.orthophoto.checks import inspect_tile, parse_bands
from pipelines.orthophoto.delivery import find_tiles
from pipelines.orthophoto.load import load_orthophoto
from pipelines.orthophoto.tiles import NDVI_NODATA, brightness_uint8, ndvi_int16, read_bands
from pipelines.readers.validate import EXTENTS
from tests.support.db import count

EPOCH = "2024-06-15"
E0, N0 = 614_000.0, 335_000.0
PX = 0.25
SIZE = 160  # px: 40 m tiles
# (R, G, B, NIR) of the three vertical stripes of every fixture tile
VEG, ROOF, ROAD = (40, 85, 35, 190), (150, 80, 66, 92), (88, 88, 92, 80)


def tile_data(bands: int = 4, size: int = SIZE) -> np.ndarray:
    data = np.empty((4, size, size), np.uint8)
    third = size // 3
    for (lo, hi), rgbn in zip(
        [(0, third), (third, 2 * third), (2 * third, size)], [VEG, ROOF, ROAD], strict=False
    ):
        data[:, :, lo:hi] = np.asarray(rgbn, np.uint8)[:, None, None]
    data[3, :4, -4:] = 0  # a few NIR = 0 pixels that must not become transparent
    return data[:bands]


def make_tile(
    path: Path,
    *,
    row: int = 0,
    col: int = 0,
    bands: int = 4,
    crs: str | None = "EPSG:2180",
    origin: tuple[float, float] = (E0, N0),
    colorinterp: list[str] | None = None,
    descriptions: tuple[str, ...] | None = ("red", "green", "blue", "nir"),
    nodata=None,
) -> Path:
    transform = from_origin(origin[0] + col * SIZE * PX, origin[1] - row * SIZE * PX, PX, PX)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=SIZE,
        height=SIZE,
        count=bands,
        dtype="uint8",
        crs=crs,
        transform=transform,
        photometric="MINISBLACK",
        tiled=True,
        compress="DEFLATE",
        nodata=nodata,
    ) as dst:
        dst.write(tile_data(bands))
        if descriptions:
            dst.descriptions = descriptions[:bands]
        dst.colorinterp = [
            ColorInterp[c] for c in (colorinterp or ["red", "green", "blue", "undefined"][:bands])
        ]
    return path




@pytest.fixture
def delivery(tmp_path) -> Path:
    """A 2×2 delivery plus the classic bad tiles (two kinds of truncation)."""
    folder = tmp_path / "delivery"
    folder.mkdir()
    for r in range(2):
        for c in range(2):
            make_tile(folder / f"ortho_{r}_{c}.tif", row=r, col=c)
    good = (folder / "ortho_0_0.tif").read_bytes()
    (folder / "truncated.tif").write_bytes(good[: len(good) // 2])
    cog = write_cog(
        tmp_path / "cog.tif",
        tile_data(),
        transform=from_origin(E0, N0 - 80, PX, PX),
        nodata=None,
        band_descriptions=["red", "green", "blue", "nir"],
    )
    (folder / "cut.tif").write_bytes(
        cog.read_bytes()[: cog.stat().st_size * 2 // 3]
    )  # header intact, pixels cut
    make_tile(folder / "nocrs.tif", row=2, crs=None)
    make_tile(folder / "rgb3.tif", row=2, col=1, bands=3)
    make_tile(folder / "far.tif", origin=(250_000.0, 600_000.0))
    return folder


# --- band roles and the reader -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, roles",
    [
        ("R,G,B,NIR", ("R", "G", "B", "NIR")),
        ("nir, red, green", ("NIR", "R", "G")),
        ("r,g,b,alpha", ("R", "G", "B", "A")),
        (None, None),
    ],
)
def test_parse_bands(text, roles):
    assert parse_bands(text) == roles


@pytest.mark.parametrize(
    "text, match", [("R,G,B,IRR", "'IRR' is not a band role"), ("R,R,G", "names R more than once")]
)
def test_parse_bands_refuses(text, match):
    with pytest.raises(ConfigError, match=match):
        parse_bands(text)


@pytest.mark.parametrize(
    "kwargs, bands, roles, reason",
    [
        (
            {"descriptions": None},
            None,
            None,
            "band 4 has colour interpretation 'undefined'.*--bands R,G,B,NIR",
        ),
        ({}, None, ("R", "G", "B", "NIR"), None),  # 'nir' band description
        (
            {"descriptions": None, "colorinterp": ["red", "green", "blue", "alpha"]},
            None,
            ("R", "G", "B", "A"),
            None,
        ),
        ({"descriptions": None}, ("R", "G", "B", "NIR"), ("R", "G", "B", "NIR"), None),
        ({}, ("R", "G", "B"), None, "has 4 bands but --bands names 3"),
        ({}, ("X", "X", "B", "NIR"), None, "needs red, green and blue"),
    ],
)
def test_band_roles_never_assume_band_4_is_nir(tmp_path, kwargs, bands, roles, reason):
    info = inspect_tile(
        1,
        make_tile(tmp_path / "t.tif", **kwargs),
        bands=bands,
        fallback_epsg=None,
        extent=EXTENTS["kielce"],
    )
    assert info.roles == (roles or ())
    if reason:
        assert info.reason.startswith("t.tif: ")
        assert re.search(reason, info.reason)
    else:
        assert info.reason is None


def test_ndvi_and_brightness_scaling():
    red, nir = np.array([[40, 150, 0]], np.uint8), np.array([[190, 92, 0]], np.uint8)
    valid = np.array([[True, True, True]])
    assert ndvi_int16(red, nir, valid).tolist() == [[6522, -2397, NDVI_NODATA]]
    assert ndvi_int16(red, nir, ~valid).tolist() == [[NDVI_NODATA] * 3]
    grey = np.array([[0, 128, 255]], np.uint8)
    assert brightness_uint8(grey, grey, grey, valid).tolist() == [[1, 128, 255]]


def test_naip_reads_nir_by_configured_band_order(shared_data):
    naip = shared_data / "orthophoto" / "m_4709963_se_14_1_20180716.tif"
    refused = inspect_tile(
        1, naip, bands=("R", "G", "B", "NIR"), fallback_epsg=None, extent=EXTENTS["kielce"]
    )
    assert refused.reason.startswith(
        "m_4709963_se_14_1_20180716.tif: CRS EPSG:26914 is not accepted"
    )
    unlabelled = inspect_tile(
        1, naip, bands=None, fallback_epsg=None, extent=None, accepted_epsg=None
    )
    assert "band 1 has colour interpretation 'gray'" in unlabelled.reason
    info = inspect_tile(
        1, naip, bands=parse_bands("R,G,B,NIR"), fallback_epsg=None, extent=None, accepted_epsg=None
    )
    assert info.reason is None and info.roles == ("R", "G", "B", "NIR")
    with rasterio.open(naip) as src:
        bands, valid = read_bands(src, info.roles)
    means = {k: round(float(v.mean()), 1) for k, v in bands.items()}
    assert means == {"R": 88.5, "G": 101.9, "B": 76.3, "NIR": 136.5}
    ndvi = ndvi_int16(bands["R"], bands["NIR"], valid)
    assert np.percentile(ndvi[ndvi != NDVI_NODATA], 90) / 10_000 == pytest.approx(0.49, abs=0.01)


def test_find_tiles_refuses_empty_folder(tmp_path):
    with pytest.raises(SourceReadError, match="no GeoTIFF tiles"):
        find_tiles([tmp_path])


# --- loads (database) ----------------------------------------------------------------------


def _rejections(url: str, run_id: int) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url) as c:
        return dict(
            c.execute(
                "SELECT source_id, reason FROM msip.rejected_record WHERE run_id = %s", (run_id,)
            )
        )


@pytest.mark.db
def test_bad_tiles_are_reported_and_the_rest_loads(store, empty_db, delivery):
    report = load_orthophoto([delivery], epoch=EPOCH, url=empty_db, workers=1)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == (
        "succeeded",
        9,
        4,
        5,
    )
    reasons = _rejections(empty_db, report.run_id)
    assert set(reasons) == {"truncated.tif", "cut.tif", "nocrs.tif", "rgb3.tif", "far.tif"}
    assert reasons["cut.tif"].startswith("cut.tif: pixel data cannot be read (")
    assert reasons["nocrs.tif"].startswith(
        "nocrs.tif: has no CRS; give the delivery's CRS with --crs"
    )
    assert reasons["rgb3.tif"].startswith(
        "rgb3.tif: has 3 bands (uint8) but the delivery has 4 bands"
    )
    assert reasons["far.tif"].startswith("far.tif: outside the city")
    assert (
        reasons["truncated.tif"].startswith("truncated.tif: ")
        and "re-copy the tile" in reasons["truncated.tif"]
    )
    assert (
        count(
            empty_db,
            "SELECT rows_in - rows_loaded - rows_rejected FROM msip.load_run WHERE run_id = %s",
            (report.run_id,),
        )
        == 0
    )
    kinds = dict(
        count_rows(
            empty_db, "SELECT kind || ':' || is_mosaic, count(*) FROM msip.raster_asset GROUP BY 1"
        )
    )
    assert kinds == {
        f"{k}:{m}": 4 if m == "false" else 1
        for k in ("orthophoto", "ndvi", "brightness", "orthophoto_rgb")
        for m in ("false", "true")
    }
    ortho = store / "rasters" / "orthophoto" / EPOCH / "ortho_1_1.tif"
    assert (
        is_valid_cog(ortho)[0]
        and is_valid_cog(store / "rasters" / "ndvi" / EPOCH / "ortho_1_1.tif")[0]
    )
    with rasterio.open(ortho) as src:
        assert src.descriptions == ("red", "green", "blue", "nir") and src.nodata is None
        assert src.read(4, window=((0, 4), (SIZE - 4, SIZE))).max() == 0
        assert src.read_masks(4, window=((0, 4), (SIZE - 4, SIZE))).min() == 255
    row = count_rows(
        empty_db,
        "SELECT resolution_m, ST_AsText(footprint) FROM msip.raster_asset WHERE path = %s",
        (str(ortho),),
    )[0]
    assert row == (
        0.25,
        "POLYGON((614040 334920,614040 334960,614080 334960,614080 334920,614040 334920))",
    )


def count_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


@pytest.mark.db
def test_ndvi_and_st_value_at_known_points(store, empty_db, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    make_tile(folder / "a.tif")
    load_orthophoto([folder], epoch=EPOCH, url=empty_db, workers=1)
    third = SIZE * PX / 3
    points = {
        "vegetation": (E0 + third / 2, N0 - 20),
        "roof": (E0 + 1.5 * third, N0 - 20),
        "road": (E0 + 2.5 * third, N0 - 20),
    }
    expected = {"vegetation": (0.6, 0.7), "roof": (-0.3, -0.2), "road": (-0.1, 0.0)}
    ndvi_tif = store / "rasters" / "ndvi" / EPOCH / "a.tif"
    with rasterio.open(ndvi_tif) as src:
        for name, (x, y) in points.items():
            value = next(src.sample([(x, y)]))[0]
            lo, hi = expected[name]
            assert lo <= value / 10_000 <= hi, name
            sql = (
                "SELECT ST_Value(rast, 1, ST_SetSRID(ST_Point(%s, %s), 2180)) FROM msip.raster_asset "
                "WHERE kind = 'ndvi' AND is_mosaic = %s"
            )
            assert count_rows(empty_db, sql, (x, y, False))[0][0] == value
            assert count_rows(empty_db, sql, (x, y, True))[0][0] == value


@pytest.mark.db
def test_rerun_is_unchanged_and_new_tiles_resume(store, empty_db, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    for c in range(2):
        make_tile(folder / f"t_{c}.tif", col=c)
    first = load_orthophoto([folder], epoch=EPOCH, url=empty_db, workers=1)
    assert first.rows_inserted == 2
    assert load_orthophoto([folder], epoch=EPOCH, url=empty_db).status == "unchanged"
    cog = store / "rasters" / "orthophoto" / EPOCH / "t_0.tif"
    mtime = cog.stat().st_mtime_ns
    make_tile(folder / "t_2.tif", col=2)
    again = load_orthophoto([folder], epoch=EPOCH, url=empty_db, workers=2)
    assert (again.status, again.rows_in, again.rows_unchanged, again.rows_inserted) == (
        "succeeded",
        3,
        2,
        1,
    )
    assert cog.stat().st_mtime_ns == mtime
    with rasterio.open(
        store / "rasters" / "orthophoto" / EPOCH / f"orthophoto_{EPOCH}.vrt"
    ) as mosaic:
        assert mosaic.width == 3 * SIZE
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.raster_asset WHERE kind = 'orthophoto' AND NOT is_mosaic",
        )
        == 3
    )
    make_tile(folder / "t_2.tif", col=2)
    later = load_orthophoto([folder], epoch="2025-06-15", url=empty_db, workers=1, display=False)
    assert later.rows_inserted == 3
    assert count_rows(
        empty_db, "SELECT DISTINCT kind, epoch::text FROM msip.orthophoto_latest ORDER BY 1"
    ) == [
        ("brightness", "2025-06-15"),
        ("ndvi", "2025-06-15"),
        ("orthophoto", "2025-06-15"),
        ("orthophoto_rgb", EPOCH),
    ]


@pytest.mark.db
def test_alpha_band_is_a_mask_and_pl2000_tiles_are_warped(store, empty_db, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    alpha = make_tile(
        folder / "rgba.tif", descriptions=None, colorinterp=["red", "green", "blue", "alpha"]
    )
    with rasterio.open(alpha, "r+") as dst:
        a = np.full((SIZE, SIZE), 255, np.uint8)
        a[:, :10] = 0
        dst.write(a, 4)
    # R, G, B, NIR at the same place in PL-2000 zone 7 (EPSG:2178): E 7 473 300, N 5 637 330
    make_tile(folder / "zone7.tif", crs="EPSG:2178", origin=(7_473_300.0, 5_637_330.0))
    report = load_orthophoto([folder], epoch=EPOCH, url=empty_db, workers=1, display=False)
    assert (report.rows_loaded, report.rows_rejected) == (2, 0), report.summary()
    with rasterio.open(store / "rasters" / "orthophoto" / EPOCH / "rgba.tif") as src:
        assert (src.count, src.nodata, src.descriptions) == (3, 0, ("red", "green", "blue"))
        assert src.read(1)[:, :10].max() == 0 and src.read(1)[:, 10:].min() > 0
    with rasterio.open(store / "rasters" / "orthophoto" / EPOCH / "zone7.tif") as src:
        assert src.crs.to_epsg() == 2180 and src.res == (PX, PX)
        assert src.bounds.left % PX == 0 and src.bounds.top % PX == 0
        # grids differ by ~1.6° of meridian convergence: corners lie outside the warped tile
        nir = src.read(4)
        assert (src.count, src.nodata, nir[0, 0], nir[-1, -1]) == (4, 0, 0, 0)
        assert nir[20:-20, 20:-20].min() > 0 and src.read_masks(4)[0, 0] == 0
        assert EXTENTS["kielce"].contains(
            (src.bounds.left + src.bounds.right) / 2, (src.bounds.bottom + src.bounds.top) / 2
        )


@pytest.mark.db
@pytest.mark.parametrize(
    "name, crs, extent",
    [
        ("m_4709963_se_14_1_20180716.tif", 26914, "kielce"),
        ("m_4709963_se_14_1_20180716.tif", 26914, "none"),
        ("RGB.byte.tif", 32618, "kielce"),
    ],
)
def test_real_foreign_files_are_refused_with_reason(
    store, empty_db, shared_data, name, crs, extent
):
    """Documented outcome: tiles outside PL CRSs are refused for their CRS, whatever the extent; a
    delivery of which no tile can be used is a failed run that keeps its rejected tiles."""
    with pytest.raises(NothingLoaded, match=rf"{re.escape(name)}: none of its 1 tiles could be loaded — "
                                            rf"{re.escape(name)}: CRS EPSG:{crs} is not accepted") as refused:
        load_orthophoto(
            [shared_data / "orthophoto" / name],
            epoch=EPOCH,
            bands="R,G,B,NIR" if "m_" in name else None,
            extent=extent,
            url=empty_db,
        )
    assert "2176–2179); reproject the tile first" in str(refused.value)  # whole, not cut mid-word
    (run_id, status, counts), = count_rows(
        empty_db, "SELECT run_id, status, ARRAY[rows_in, rows_loaded, rows_rejected] FROM msip.load_run")
    assert (status, counts) == ("failed", [1, 0, 1])
    assert _rejections(empty_db, run_id)[name].startswith(f"{name}: CRS EPSG:{crs} is not accepted")
    assert count(empty_db, "SELECT count(*) FROM msip.raster_asset") == 0


@pytest.mark.db
def test_failed_delivery_is_tried_again_not_unchanged(store, empty_db, tmp_path):
    """An older run recorded `succeeded` with every tile rejected must not make the next load a no-op."""
    tile = make_tile(tmp_path / "far.tif", origin=(E0 + 50_000, N0))
    with pytest.raises(NothingLoaded, match=r"far\.tif: outside the city"):
        load_orthophoto([tile], epoch=EPOCH, url=empty_db, workers=1)
    with psycopg.connect(empty_db, autocommit=True) as c:  # what versions before this fix recorded
        c.execute("UPDATE msip.load_run SET status = 'succeeded'")
    with pytest.raises(NothingLoaded):
        load_orthophoto([tile], epoch=EPOCH, url=empty_db, workers=1)
    assert count(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'failed'") == 1


@pytest.mark.db
def test_tile_outside_poland_is_refused_even_with_extent_none(store, empty_db, tmp_path):
    """`--extent none` is no city limit, never anywhere: EPSG:2180 metres west of Poland (Monaco's) are refused."""
    far = make_tile(tmp_path / "monaco.tif", origin=(-432_100.0, -393_000.0))
    good = make_tile(tmp_path / "kielce.tif")
    report = load_orthophoto([tmp_path], epoch=EPOCH, extent="none", url=empty_db, workers=1, display=False)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == ("succeeded", 2, 1, 1)
    reason = _rejections(empty_db, report.run_id)[far.name]
    assert reason.startswith("monaco.tif: outside Poland — tile centre point (E -432080.0, N -393020.0) is outside "
                             "Poland (EPSG:2180's area of use, 14.14–24.15°E, 49.00–55.93°N): it lies at 7.4")
    assert "distorts lengths by +1 % and areas by +2 %" in reason
    assert good.name not in _rejections(empty_db, report.run_id)


@pytest.mark.db
def test_cli_loads_and_refuses_in_one_line(store, empty_db, tmp_path, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    make_tile(tmp_path / "a.tif")
    main(
        [
            "load",
            "orthophoto",
            str(tmp_path / "a.tif"),
            "--epoch",
            EPOCH,
            "--no-display",
            "--workers",
            "1",
        ]
    )
    assert "a.tif: succeeded" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "load",
                "orthophoto",
                str(tmp_path / "a.tif"),
                "--epoch",
                EPOCH,
                "--bands",
                "R,G,B,IRR",
            ]
        )
    assert exit_.value.code == 1
    assert "'IRR' is not a band role" in capsys.readouterr().err


@pytest.mark.db
def test_cli_delivery_without_a_usable_tile_fails_in_one_line(store, empty_db, tmp_path, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    make_tile(tmp_path / "far.tif", origin=(E0 + 50_000, N0))
    with pytest.raises(SystemExit) as exit_:
        main(["load", "orthophoto", str(tmp_path / "far.tif"), "--epoch", EPOCH, "--workers", "1"])
    err = capsys.readouterr().err.strip()
    assert exit_.value.code == 1 and len(err.splitlines()) == 1
    assert err.startswith("error: far.tif: none of its 1 tiles could be loaded — far.tif: outside the city")
    assert count(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'failed' AND rows_rejected = 1") == 1


# --- the sample world ----------------------------------------------------------------------


@pytest.mark.db
@pytest.mark.slow
def test_sample_world_orthophoto_loads_with_ndvi_by_land_cover(store, empty_db, sample_dir):
    report = load_orthophoto([sample_dir / "orthophoto" / EPOCH], epoch=EPOCH, url=empty_db)
    assert (report.status, report.rows_in, report.rows_loaded, report.rows_rejected) == (
        "succeeded",
        4,
        4,
        0,
    )
    assets = count_rows(
        empty_db,
        "SELECT kind, path, resolution_m, ST_Area(footprint) FROM msip.raster_asset "
        "WHERE NOT is_mosaic",
    )
    assert len(assets) == 16
    for _kind, path, res, area in assets:
        assert is_valid_cog(Path(path)) == (True, []), path
        assert (res, area) == (0.25, 200.0 * 200.0), path
    assert count_rows(
        empty_db,
        "SELECT ST_AsText(ST_Envelope(ST_Union(footprint))) FROM msip.raster_asset "
        "WHERE kind = 'ndvi' AND NOT is_mosaic",
    )[0][0] == ("POLYGON((614000 334600,614000 335000,614400 335000,614400 334600,614000 334600))")
    mosaic = store / "rasters" / "ndvi" / EPOCH / f"ndvi_{EPOCH}.vrt"
    with (
        rasterio.open(sample_dir / "truth" / f"landcover_{EPOCH}.tif") as lc_src,
        rasterio.open(mosaic) as src,
    ):
        assert src.transform == lc_src.transform
        landcover, ndvi = lc_src.read(1), src.read(1) / 10_000
        # class → (lowest, highest) median NDVI: 1 road, 2 building, 3 grass, 4 tree crown
        for cls, (lo, hi) in {
            1: (-0.2, 0.1),
            2: (-0.4, 0.15),
            3: (0.4, 0.6),
            4: (0.55, 0.8),
        }.items():
            assert lo < np.median(ndvi[landcover == cls]) < hi, cls
            row, col = np.argwhere(landcover == cls)[len(np.argwhere(landcover == cls)) // 2]
            x, y = src.xy(row, col)
            sql = (
                "SELECT ST_Value(rast, 1, ST_SetSRID(ST_Point(%s, %s), 2180)) FROM msip.raster_asset "
                "WHERE kind = 'ndvi' AND is_mosaic"
            )
            assert count_rows(empty_db, sql, (x, y))[0][0] == int(ndvi[row, col] * 10_000), cls


@pytest.mark.db
def test_big_tiles_are_cut_into_chunks_that_mosaic_back(store, empty_db, tmp_path, monkeypatch):
    monkeypatch.setattr("pipelines.orthophoto.write.CHUNK_PX", 64)  # 160 px tile → 3 × 3 chunks
    folder = tmp_path / "d"
    folder.mkdir()
    make_tile(folder / "big.tif")
    report = load_orthophoto([folder], epoch=EPOCH, url=empty_db, workers=1, display=False)
    assert (report.rows_in, report.rows_inserted) == (1, 1)
    chunks = sorted(p.name for p in (store / "rasters" / "orthophoto" / EPOCH).glob("big_*.tif"))
    assert chunks == [f"big_{r}_{c}.tif" for r in range(3) for c in range(3)]
    with rasterio.open(store / "rasters" / "orthophoto" / EPOCH / f"orthophoto_{EPOCH}.vrt") as src:
        assert (src.width, src.height, src.bounds.left, src.bounds.top) == (SIZE, SIZE, E0, N0)
        np.testing.assert_array_equal(src.read(), tile_data())
