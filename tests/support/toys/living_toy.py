"""Extras for the living-conditions tests on the green-access toy world (tests/support/green_toy.py).

An NDVI mosaic (0.6 west of x = 100, 0.1 east of it), a day T_air raster of 5 m cells with
T = 20 °C + 0.01 °C/m × x, two zoning zones (x 0–100 and 100–200, y 0–100; both require 50 %
biologically active and at most 10 % coverage) and two advertising carriers in the west cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
from shapely.geometry import box

from tests.support.toys.green_toy import LIDAR, X0, Y0, shift, world

#: The toy bbox of the tests: six 100 m cells, x 0–300, y 0–200 (local metres).
BBOX = (X0, Y0, X0 + 300, Y0 + 200)


def _raster(
    path: Path, data: np.ndarray, res: float, dtype: str, nodata: float, description: str
) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=dtype,
        nodata=nodata,
        crs="EPSG:2180",
        transform=from_origin(X0 - 50, Y0 + 250, res, res),
    ) as dst:
        dst.write(data.astype(dtype), 1)
        dst.set_band_description(1, description)
    return path


def living_world(conn: psycopg.Connection, folder: Path, *, heat: bool = True) -> None:
    """The toy world plus NDVI, T_air (when `heat`), zones and carriers."""
    from msip.core.rasters.store import catalogue

    world(conn, folder)
    run = conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, finished_at) "
        "VALUES ('extras', 'toy', repeat('0', 64), 'succeeded', now()) RETURNING run_id"
    ).fetchone()[0]
    x = -50 + (np.arange(1600) + 0.5) * 0.25
    ndvi = np.where(x < 100, 6000, 1000)[None, :].repeat(1200, axis=0)
    catalogue(
        conn,
        kind="ndvi",
        epoch=LIDAR,
        is_mosaic=True,
        load_run_id=run,
        path=_raster(folder / "ndvi_toy.tif", ndvi, 0.25, "int16", -32768, "ndvi x10000"),
    )
    if heat:
        xc = -50 + (np.arange(80) + 0.5) * 5
        tair = (20 + 0.01 * xc)[None, :].repeat(60, axis=0)
        catalogue(
            conn,
            kind="heat_tair",
            epoch=LIDAR,
            load_run_id=run,
            path=_raster(
                folder / "heat_tair_day.tif",
                tair,
                5,
                "float32",
                -9999,
                "T_air: air temperature, degC (day)",
            ),
        )
    for local_id, x0 in (("Z-WEST", 0), ("Z-EAST", 100)):
        conn.execute(
            "INSERT INTO msip.zoning_zone (iip_namespace, local_id, zone_kind, symbol, min_biologically_active_pct, "
            "max_building_coverage_pct, row_hash, geom, load_run_id) VALUES ('toy', %s, 'strefa', 'SW', 50, 10, 'x', "
            "ST_Multi(ST_GeomFromText(%s, 2180)), %s)",
            (local_id, shift(box(x0, 0, x0 + 100, 100)).wkt, run),
        )
    for i, (x, y) in enumerate([(20, 40), (80, 60)]):
        conn.execute(
            "INSERT INTO msip.advertisement (dataset, source_id, valid_from, load_run_id, geom) VALUES "
            "('toy', %s, '2025-01-01', %s, ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
            (f"A{i}", run, X0 + x, Y0 + y),
        )
