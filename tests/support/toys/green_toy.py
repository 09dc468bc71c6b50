"""A hand-built toy world for the green-access tests: five streets, two parks, a school, trees and a CHM.

Coordinates are local metres shifted to E 600 000, N 300 000 (EPSG:2180). The street graph::

    D(100,100) ───── E(200,100)       big park: x 200–260, y 40–140 (0.6 ha, touches C–E)
        │               │             small square: x −30…−10, y −10…10 (400 m², 10 m west of A)
    A ─ B(100,0) ───── C(200,0)       private park: x 120–200, y 105–180 (not public)
                                      school: x 100–110, y 20–30 (touches B–D)

Homes (8 × 8 m squares) at H1 (50, 5), H2 (150, 95), H3 (195, 60), H4 (1000, 1000, off the
network); residents 10, 20, 30, 40. With entrance tolerance 0 the walks are exact by hand.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import psycopg
from shapely import affinity
from shapely.geometry import LineString, Point, box

X0, Y0 = 600_000.0, 300_000.0
EPOCH = date(2025, 6, 15)
LIDAR = date(2025, 6, 1)
VERTICES = {1: (0, 0), 2: (100, 0), 3: (200, 0), 4: (100, 100), 5: (200, 100)}
EDGES = [(1, 2), (2, 3), (2, 4), (3, 5), (4, 5)]
BIG, SMALL, PRIVATE = box(200, 40, 260, 140), box(-30, -10, -10, 10), box(120, 105, 200, 180)
SCHOOL = box(100, 20, 110, 30)
HOMES = {
    "H1": ((50, 5), 10),
    "H2": ((150, 95), 20),
    "H3": ((195, 60), 30),
    "H4": ((1000, 1000), 40),
}
#: Inventory trunks and LiDAR apexes; the apex at (60.5, 5) is the inventory tree at (60, 5).
INVENTORY = [(50, 20), (60, 5), (30, 5)]
DETECTED = [(50, -8), (60.5, 5)]
#: Hand-computed walks with tolerance 0 (snap leg + network), m.
PARK_M = {"H1": 5 + 50 + 100 + 40, "H2": 5 + 50, "H3": 5.0}
SCHOOL_M = {"H1": 5 + 50 + 20, "H2": 5 + 50 + 70, "H3": 5 + 60 + 100 + 20}


@contextmanager
def raster_folder(settings, name: str):
    """A folder for the toy rasters inside the test raster store (the database server registers them as
    out-db rasters, so they must be readable by it, unlike pytest's tmp_path); removed afterwards."""
    folder = settings.data_dir / "green-toy" / name
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def shift(geom):
    return affinity.translate(geom, X0, Y0)


def _run(conn: psycopg.Connection, kind: str) -> int:
    return conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, finished_at) "
        "VALUES (%s, 'toy', repeat('0', 64), 'succeeded', now()) RETURNING run_id",
        (kind,),
    ).fetchone()[0]


def network(conn: psycopg.Connection, epoch: date | None = None) -> None:
    run = _run(conn, "walk_network")
    for vid, (x, y) in VERTICES.items():
        conn.execute(
            "INSERT INTO msip.walk_vertex (id, epoch, geom, load_run_id) "
            "VALUES (%s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 2180), %s)",
            (vid, epoch, X0 + x, Y0 + y, run),
        )
    for i, (s, t) in enumerate(EDGES, 1):
        line = shift(LineString([VERTICES[s], VERTICES[t]]))
        conn.execute(
            "INSERT INTO msip.walk_edge (id, source, target, source_id, epoch, length_m, cost, reverse_cost, "
            "source_format, geom, load_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'toy', "
            "ST_GeomFromText(%s, 2180), %s)",
            (i, s, t, f"E{i}", epoch, line.length, line.length, line.length, line.wkt, run),
        )


def world(conn: psycopg.Connection, chm_dir: Path | None) -> None:
    """Everything: network, buildings, green spaces, trees and (when `chm_dir` is given) a CHM."""
    network(conn, epoch=date(2024, 1, 1))
    run = _run(conn, "buildings")
    rows = [
        (hid, True, "residential", pop, box(x - 4, y - 4, x + 4, y + 4))
        for hid, ((x, y), pop) in HOMES.items()
    ]
    rows.append(("S1", False, "school", 0, SCHOOL))
    for sid, residential, kind, pop, geom in rows:
        conn.execute(
            "INSERT INTO msip.building (source_id, epoch, kind, residential, population, population_estimated, "
            "footprint_m2, source_format, row_hash, geom, load_run_id) VALUES (%s, %s, %s, %s, %s, false, %s, 'toy', "
            "'x', ST_Multi(ST_GeomFromText(%s, 2180)), %s)",
            (sid, EPOCH, kind, residential, pop, geom.area, shift(geom).wkt, run),
        )
    run = _run(conn, "green_spaces")
    for sid, geom, public in (("BIG", BIG, True), ("SMALL", SMALL, True), ("PRIV", PRIVATE, False)):
        conn.execute(
            "INSERT INTO msip.green_space (source_id, epoch, kind, public_access, area_m2, source_format, row_hash, "
            "geom, load_run_id) VALUES (%s, %s, 'park', %s, %s, 'toy', 'x', ST_Multi(ST_GeomFromText(%s, 2180)), %s)",
            (sid, date(2024, 1, 1), public, geom.area, shift(geom).wkt, run),
        )
    run = _run(conn, "trees")
    for i, (x, y) in enumerate(INVENTORY):
        conn.execute(
            "INSERT INTO msip.tree (dataset, source_id, valid_from, height_m, load_run_id, geom) VALUES "
            "('toy', %s, '2025-01-01', 12, %s, ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
            (f"T{i}", run, X0 + x, Y0 + y),
        )
    run = _run(conn, "lidar_derived")
    for x, y in DETECTED:
        conn.execute(
            "INSERT INTO msip.tree_detected (epoch, tile, height_m, crown_area_m2, crown_diameter_m, geom, "
            "load_run_id) VALUES (%s, 'toy', 12, 20, 5, ST_SetSRID(ST_MakePoint(%s, %s), 2180), %s)",
            (LIDAR, X0 + x, Y0 + y, run),
        )
    if chm_dir is not None:
        from msip.core.rasters.store import catalogue

        catalogue(
            conn,
            kind="chm",
            epoch=LIDAR,
            path=write_chm(chm_dir / "chm_toy.tif"),
            load_run_id=run,
            is_mosaic=True,
        )


def write_chm(path: Path) -> Path:
    """A 0.5 m CHM over x −50…350, y −50…250: 10 m canopy east of x = 200, bare ground elsewhere."""
    import rasterio
    from rasterio.transform import from_origin

    res = 0.5
    cols, rows = int(400 / res), int(300 / res)
    x = -50 + (np.arange(cols) + 0.5) * res
    data = np.where(x >= 200, 10.0, 0.0)[None, :].repeat(rows, axis=0).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": 1,
        "dtype": "float32",
        "nodata": -9999.0,
        "crs": "EPSG:2180",
        "transform": from_origin(X0 - 50, Y0 + 250, res, res),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def segment_share(d: float, r: float) -> float:
    """% of a circle of radius r beyond a chord d from its centre."""
    return 100 * (r * r * np.arccos(d / r) - d * np.sqrt(r * r - d * d)) / (np.pi * r * r)


def centroid(hid: str) -> Point:
    return shift(Point(HOMES[hid][0]))
