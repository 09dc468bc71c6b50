"""Shared set-up of the API tests: a database of their own, known features, an orthophoto COG, the app.

The API tests use a database of their own (`msip_test_api`) so that other suites recreating
`msip_test` do not pull it away mid-run. It gets the real migrations, a handful of hand-placed
features whose coordinates the tests check in every CRS, a small orthophoto COG with a known
pixel pattern and, when the loaders exist, the sample world loaded through the pipelines.
Everything heavy runs once per process (module-level caches), whichever test module asks first.
"""

from __future__ import annotations

import os
from datetime import date
from functools import cache

import numpy as np
import psycopg

API_TEST_DB = "msip_test_api"
EPOCH = date(2025, 6, 15)
#: Hand-placed trees: source_id → (easting, northing, species, species_latin, height_m).
KNOWN_TREES = {
    "API-1": (614050.0, 334650.0, "lipa drobnolistna", "Tilia cordata", 14.5),
    "API-2": (614120.5, 334710.25, "klon zwyczajny", "Acer platanoides", 9.0),
    "API-3": (614300.0, 334950.0, "dąb szypułkowy", "Quercus robur", 21.0),
    "API-4": (614390.0, 334990.0, "brzoza brodawkowata", "Betula pendula", 12.0),
    "API-5": (620000.0, 340000.0, "lipa drobnolistna", "Tilia cordata", 8.0),
}
#: The fixture orthophoto: 400 × 400 px of 0.25 m from (ORTHO_X0, ORTHO_Y0) downwards.
ORTHO_X0, ORTHO_Y0, ORTHO_RES = 614000.0, 335000.0, 0.25


def ortho_pixels() -> np.ndarray:
    """The fixture orthophoto's values (4, 400, 400) uint8: each band a known function of row/col."""
    rows, cols = np.mgrid[0:400, 0:400]
    return np.stack(
        [(rows % 256), (cols % 256), ((rows + cols) % 256), ((rows * 7 + cols * 3) % 256)]
    ).astype("uint8")


@cache
def database() -> tuple[str, str]:
    """(owner URL, reader URL) of a fresh msip_test_api with every migration and the fixtures."""
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import READER_ROLE, Settings, local_url

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, API_TEST_DB, fresh=True)
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        run_id = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, status, rows_in, rows_loaded, "
            "finished_at) VALUES ('trees', '/fixtures/api_trees.csv', repeat('a', 64), %s, 'succeeded', %s, %s, now()) "
            "RETURNING run_id",
            (EPOCH, len(KNOWN_TREES), len(KNOWN_TREES)),
        ).fetchone()[0]
        for sid, (e, n, sp, lat, h) in KNOWN_TREES.items():
            conn.execute(
                "INSERT INTO msip.tree (dataset, source_id, valid_from, species, species_latin, height_m, "
                "load_run_id, geom) VALUES ('api-fixture', %s, %s, %s, %s, %s, %s, "
                "ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
                (sid, EPOCH, sp, lat, h, run_id, e, n),
            )
        _fixture_orthophoto(conn, settings, run_id)
        _fixture_point_cloud(conn, settings)
    _load_sample_world(url, settings)
    _load_geosites(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return url, local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, API_TEST_DB)


def _fixture_orthophoto(conn: psycopg.Connection, settings, run_id: int) -> None:
    import rasterio
    from rasterio.transform import from_origin

    folder = settings.home / "api-test-rasters"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ortho_fixture.tif"
    profile = {
        "driver": "GTiff",
        "width": 400,
        "height": 400,
        "count": 4,
        "dtype": "uint8",
        "crs": "EPSG:2180",
        "transform": from_origin(ORTHO_X0, ORTHO_Y0, ORTHO_RES, ORTHO_RES),
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "photometric": "MINISBLACK",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(ortho_pixels())
        for i, name in enumerate(("red", "green", "blue", "nir"), start=1):
            dst.set_band_description(i, name)
    conn.execute(
        """
        INSERT INTO msip.raster_asset (kind, epoch, path, is_mosaic, resolution_m, width_px, height_px, band_count,
            band_descriptions, dtype, nodata, load_run_id, footprint)
        VALUES ('orthophoto', %s, %s, true, 0.25, 400, 400, 4, ARRAY['red','green','blue','nir'], 'uint8', NULL, %s,
                ST_MakeEnvelope(614000, 334900, 614100, 335000, 2180))""",
        (date(2030, 1, 1), str(path), run_id),
    )


#: The fixture point cloud (COPC): a 100 × 100 m grid of points every metre at this epoch.
POINT_CLOUD_EPOCH = date(2024, 6, 15)


def _fixture_point_cloud(conn: psycopg.Connection, settings) -> None:
    """A COPC file of known points and its catalogue row (the API test database loads no LiDAR)."""
    from pipelines.lidar.patches import POINT_DTYPE
    from pipelines.pointcloud.copc import write_copc

    xs, ys = np.meshgrid(np.arange(100), np.arange(100))
    pts = np.zeros(xs.size, dtype=POINT_DTYPE)
    pts["X"] = (614_100 + xs.ravel()) * 1000
    pts["Y"] = (334_700 + ys.ravel()) * 1000
    pts["Z"] = 260_000 + (xs.ravel() * 37 + ys.ravel() * 11) % 2000
    pts["ReturnNumber"] = pts["NumberOfReturns"] = 1
    pts["Classification"] = np.where(xs.ravel() < 50, 2, 5)
    pts["GpsTime"] = np.arange(xs.size, dtype=float)
    path = settings.home / "api-test-rasters" / "pointcloud_fixture.copc.laz"
    path.parent.mkdir(parents=True, exist_ok=True)
    summary = write_copc(pts, path, leaf_points=2_000, workers=1)
    run_id = conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, status, rows_in, rows_loaded, "
        "finished_at) VALUES ('lidar_copc', %s, repeat('c', 64), %s, 'succeeded', %s, %s, now()) RETURNING run_id",
        (str(path), POINT_CLOUD_EPOCH, summary.points, summary.points),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO msip.pointcloud_asset (epoch, path, point_count, node_count, levels, bytes, z_min_m, z_max_m, "
        "source_runs, footprint, load_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
        "ST_MakeEnvelope(%s, %s, %s, %s, 2180), %s)",
        (POINT_CLOUD_EPOCH, str(path), summary.points, summary.nodes, summary.levels, summary.bytes,
         summary.mins_m[2], summary.maxs_m[2], [run_id], *summary.mins_m[:2], *summary.maxs_m[:2], run_id),
    )


def _load_geosites(url: str) -> None:
    """The geosites test file (one good site, two quarantined) through its loader."""
    from pipelines.geosites.load import load_geosites
    from tests.support.paths import TEST_DATA

    load_geosites(TEST_DATA / "geosites" / "geostanowiska.geojson", url=url)


#: Sample-world loaders the API tests use when they exist: (module, function, file, keyword arguments).
SAMPLE_LOADS = [
    (
        "pipelines.inventory.trees",
        "load_trees",
        "trees/inwentaryzacja_drzew_2024-06-15.csv",
        {"epoch": date(2024, 6, 15)},
    ),
    ("pipelines.inventory.ads", "load_ads", "ads/nosniki_reklamowe.csv", {"epoch": date(2024, 6, 15)}),
    ("pipelines.inventory.ads", "load_landscape_zones", "ads/strefy_krajobrazowe.gpkg", {}),
    ("pipelines.zoning.load", "load_zoning", "zoning/plan_miejscowy.gml", {}),
]


def _load_sample_world(url: str, settings) -> None:
    """Load what the pipelines can load of the sample world into the API test database.

    A loader that is not written yet is skipped; one that cannot be pointed at this database
    (no `url` parameter) is skipped too rather than loading into the demo database.
    """
    import importlib
    import inspect
    import warnings

    from msip.sample_world import generate, load_manifest

    sample = settings.data_dir / "sample" / "small-42"
    try:
        load_manifest(sample)
    except OSError:  # SourceReadError (an OSError) when the manifest is missing
        generate(sample, size="small", seed=42)
    for module, name, rel, kwargs in SAMPLE_LOADS:
        try:
            load = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        params = inspect.signature(load).parameters
        if "url" not in params:
            warnings.warn(f"{module}.{name} takes no url; the API tests do not load {rel}", stacklevel=1)
            continue
        load(sample / rel, url=url, **{k: v for k, v in kwargs.items() if k in params})


@cache
def prepared_config():
    """The repository's pygeoapi-config.yml prepared against the test database (as msip_reader)."""
    from msip.api.config import load_config

    _, reader = database()
    os.environ["MSIP_API_URL"] = "http://127.0.0.1:5000"
    return load_config(reader_url=reader)


@cache
def app():
    """The Flask app over the test database (one per test process)."""
    from msip.api import create_app

    return create_app(prepared_config())
