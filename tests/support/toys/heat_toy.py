"""A hand-built toy district for the heat-island tests: rasters, buildings, green spaces, zones.

Local metres shifted to E 610 000, N 330 000 (EPSG:2180); rasters cover x 0–400, y 0–300::

    y 300 ┌──────────────────────────────────────────┐   PARK  x 0–200, y 0–150: grass, 3 ha
          │                    B3▫     SQ□       ·B4 │         (grove x 20–80, y 20–80: 12 m canopy)
          │                                 B2▭    │   SQ    x 300–340, y 200–240: 0.16 ha square
    y 150 ├───────────────┐                          │   B1    x 250–300, y 50–100: 5 storeys, 15 m
          │ PARK   ▒grove │        B1▭          ░B6 │   B2    x 320–380, y 120–170: height 9 m only
          │               │                     ░░░ │   B3    x 220–230, y 250–258: nDSM 6 m only
    y 0   └───────────────┴──────────────────────────┘   B4    1.5 × 1.5 m at x 390.5, y 290.5
          x 0           200                      400   B6    x 385–395, y 10–20 in a raster hole
                                                           (░ x 380–400, y 0–40: no data)
Everything else is sealed (brightness 110, NDVI 0.05). Zones: ZP = the park, MW = the rest.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import psycopg
from affine import Affine
from shapely import affinity
from shapely.geometry import box

X0, Y0 = 610_000.0, 330_000.0
EPOCH = date(2025, 6, 15)
PARK, GROVE, SQUARE = box(0, 0, 200, 150), box(20, 20, 80, 80), box(300, 200, 340, 240)
HOLE = box(380, 0, 400, 40)
#: id → (footprint, storeys, height_m, true height for the nDSM)
BUILDINGS = {
    "B1": (box(250, 50, 300, 100), 5, 15.0, 15.0),
    "B2": (box(320, 120, 380, 170), None, 9.0, 9.0),
    "B3": (box(220, 250, 230, 258), None, None, 6.0),
    "B4": (box(390.5, 290.5, 392.0, 292.0), 1, 3.0, 3.0),
    "B6": (box(385, 10, 395, 20), 2, 6.0, 6.0),
}
ZONES = {"1ZP": ("ZP", PARK), "1MW": ("MW", box(0, 0, 400, 300).difference(PARK))}


def shift(geom):
    return affinity.translate(geom, X0, Y0)


def _run(conn: psycopg.Connection, kind: str) -> int:
    return conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, finished_at) "
        "VALUES (%s, 'toy', repeat('0', 64), 'succeeded', now()) RETURNING run_id", (kind,)).fetchone()[0]


def _grid(res: float) -> tuple[np.ndarray, np.ndarray]:
    cols, rows = int(400 / res), int(300 / res)
    x = (np.arange(cols) + 0.5) * res
    y = 300 - (np.arange(rows) + 0.5) * res
    return np.meshgrid(x, y)


def _inside(geom, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    minx, miny, maxx, maxy = geom.bounds
    return (xx >= minx) & (xx < maxx) & (yy >= miny) & (yy < maxy)


def rasters(res_fine: float = 0.25, res_lidar: float = 0.5) -> dict[str, tuple[np.ndarray, float, float]]:
    """{kind: (array, pixel size m, nodata)} of the toy district."""
    xx, yy = _grid(res_lidar)
    chm = np.where(_inside(GROVE, xx, yy), 12.0, 0.0)
    ndsm = chm.copy()
    for fp, _, _, h in BUILDINGS.values():
        ndsm[_inside(fp, xx, yy)] = h
    hole = _inside(HOLE, xx, yy)
    chm[hole], ndsm[hole] = -9999.0, -9999.0
    xx, yy = _grid(res_fine)
    bright = np.full(xx.shape, 110, dtype=np.uint8)
    ndvi = np.full(xx.shape, 500, dtype=np.int16)
    park, grove = _inside(PARK, xx, yy) | _inside(SQUARE, xx, yy), _inside(GROVE, xx, yy)
    bright[park], ndvi[park] = 90, 7000
    bright[grove], ndvi[grove] = 60, 8500
    for fp, *_ in BUILDINGS.values():
        inside = _inside(fp, xx, yy)
        bright[inside], ndvi[inside] = 200, 0
    hole = _inside(HOLE, xx, yy)
    bright[hole], ndvi[hole] = 0, -32768
    return {"chm": (chm.astype(np.float32), res_lidar, -9999.0), "ndsm": (ndsm.astype(np.float32), res_lidar, -9999.0),
            "brightness": (bright, res_fine, 0), "ndvi": (ndvi, res_fine, -32768)}


def world(conn: psycopg.Connection, raster_root: Path, *, epoch: date = EPOCH) -> None:
    """Load the toy district: rasters of `epoch` (catalogued mosaics), buildings, green spaces, zones."""
    from msip.core.rasters.store import catalogue, write_cog

    run = _run(conn, "toy_rasters")
    for kind, (data, res, nodata) in rasters().items():
        path = write_cog(raster_root / kind / f"{kind}_{epoch}.tif", data,
                         transform=Affine(res, 0, X0, 0, -res, Y0 + 300), nodata=nodata, band_descriptions=[kind])
        catalogue(conn, kind=kind, epoch=epoch, path=path, load_run_id=run, is_mosaic=True)
    run = _run(conn, "buildings")
    for sid, (fp, storeys, height, _) in BUILDINGS.items():
        conn.execute(
            "INSERT INTO msip.building (source_id, epoch, kind, residential, storeys, height_m, population, "
            "population_estimated, footprint_m2, source_format, row_hash, geom, load_run_id) VALUES "
            "(%s, %s, 'residential', true, %s, %s, 10, false, %s, 'toy', 'x', "
            "ST_Multi(ST_GeomFromText(%s, 2180)), %s)",
            (sid, epoch, storeys, height, fp.area, shift(fp).wkt, run))
    run = _run(conn, "green_spaces")
    for sid, geom in (("PARK", PARK), ("SQUARE", SQUARE)):
        conn.execute(
            "INSERT INTO msip.green_space (source_id, epoch, kind, public_access, area_m2, source_format, row_hash, "
            "geom, load_run_id) VALUES (%s, %s, 'park', true, %s, 'toy', 'x', "
            "ST_Multi(ST_GeomFromText(%s, 2180)), %s)", (sid, epoch, geom.area, shift(geom).wkt, run))
    run = _run(conn, "zoning")
    for designation, (symbol, geom) in ZONES.items():
        conn.execute(
            "INSERT INTO msip.zoning_zone (iip_namespace, local_id, zone_kind, designation, symbol, row_hash, geom, "
            "load_run_id) VALUES ('PL.TOY', %s, 'teren', %s, %s, 'x', ST_Multi(ST_GeomFromText(%s, 2180)), %s)",
            (designation, designation, symbol, shift(geom).wkt, run))


def bbox(minx: float = 0, miny: float = 0, maxx: float = 400, maxy: float = 300) -> tuple[float, float, float, float]:
    """A bbox in local metres → EPSG:2180."""
    return (X0 + minx, Y0 + miny, X0 + maxx, Y0 + maxy)


def fresh_toy_db(db_url: str, raster_root: Path) -> str:
    """Empty every msip table of the test database and load the toy district; returns the URL."""
    with psycopg.connect(db_url, autocommit=True) as c:
        tables = [r[0] for r in c.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'msip'")]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        world(c, raster_root)
    return db_url
