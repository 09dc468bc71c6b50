"""The raster catalogue: one msip.raster_asset row per COG or mosaic, registered as an out-db PostGIS raster.

Re-exported by `msip.core.rasters.store`; see there for the store's layout and permissions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg

from msip.core.checksums import file_sha256
from msip.core.epochs import parse_epoch
from msip.core.errors import CrsError, DatabaseError, SourceReadError, ValidationError


def epoch_text(epoch: date | str) -> str:
    """'YYYY-MM-DD' from a date or an ISO date string; EpochError (a ValidationError) otherwise."""
    return parse_epoch(epoch).isoformat()


# Upsert by hand: UNIQUE (kind, epoch, path) does not match rows whose epoch is NULL.
_FOOTPRINT = "ST_MakeEnvelope(%(minx)s, %(miny)s, %(maxx)s, %(maxy)s, 2180)"
_OUTDB = (
    "ST_AddBand(ST_MakeEmptyRaster(%(w)s, %(h)s, %(ulx)s, %(uly)s, %(sx)s, %(sy)s, 0, 0, 2180), "
    "%(path)s::text, %(bands)s::int[], 1, %(nodata)s::float8)"
)
_UPDATE_ASSET = (
    "UPDATE msip.raster_asset SET is_mosaic = %(mosaic)s, resolution_m = %(res)s, width_px = %(w)s, "
    "height_px = %(h)s, band_count = %(n)s, band_descriptions = %(desc)s, dtype = %(dtype)s, "
    "nodata = %(nodata)s, sha256 = %(sha)s, source_sha256 = %(src_sha)s, load_run_id = %(run)s, "
    f"created_at = now(), footprint = {_FOOTPRINT}, rast = {_OUTDB} "
    "WHERE kind = %(kind)s AND epoch IS NOT DISTINCT FROM %(epoch)s AND path = %(path)s RETURNING asset_id"
)
_INSERT_ASSET = (
    "INSERT INTO msip.raster_asset (kind, epoch, path, is_mosaic, resolution_m, width_px, height_px, "
    "band_count, band_descriptions, dtype, nodata, sha256, source_sha256, load_run_id, footprint, rast) "
    "VALUES (%(kind)s, %(epoch)s, %(path)s, %(mosaic)s, %(res)s, %(w)s, %(h)s, %(n)s, %(desc)s, %(dtype)s, "
    f"%(nodata)s, %(sha)s, %(src_sha)s, %(run)s, {_FOOTPRINT}, {_OUTDB}) RETURNING asset_id"
)


def catalogued_source_sha256(
    conn: psycopg.Connection, *, kind: str, epoch: date | str | None, path: Path
) -> str | None:
    """The source checksum catalogued for `path`, or None if it is not catalogued (resume checks)."""
    row = conn.execute(
        "SELECT source_sha256 FROM msip.raster_asset WHERE kind = %s AND epoch IS NOT DISTINCT FROM %s "
        "AND path = %s",
        (kind, None if epoch is None else epoch_text(epoch), str(Path(path).resolve())),
    ).fetchone()
    return row[0] if row else None


def catalogue(
    conn: psycopg.Connection,
    *,
    kind: str,
    epoch: date | str | None,
    path: Path,
    load_run_id: int,
    source_sha256: str | None = None,
    is_mosaic: bool = False,
    sha256: str | None = None,
) -> int:
    """Insert or update (on kind, epoch, path) the msip.raster_asset row of a raster; returns asset_id.

    Reads size, resolution (m), bands, dtype and nodata with rasterio, computes the file's
    SHA-256 (or takes `sha256` when the writer already computed it), stores the footprint
    (EPSG:2180 polygon) and an out-db PostGIS raster pointing at the absolute path. The raster must
    be in EPSG:2180, north-up, with square pixels.
    """
    import rasterio

    from msip.core.crs import epsg_of

    path = Path(path).resolve()
    try:
        with rasterio.open(path) as src:
            meta = {
                "w": src.width,
                "h": src.height,
                "n": src.count,
                "t": src.transform,
                "epsg": epsg_of(src.crs),
                "dtype": src.dtypes[0],
                "nodata": src.nodata,
                "bounds": src.bounds,
                "desc": [d or f"band {i}" for i, d in enumerate(src.descriptions, start=1)],
            }
    except rasterio.errors.RasterioIOError as exc:
        raise SourceReadError(
            f"cannot catalogue {path}: {exc}; write it with write_cog first"
        ) from None
    t = meta["t"]
    if meta["epsg"] != 2180:
        raise CrsError(
            f"cannot catalogue {path.name}: CRS is EPSG:{meta['epsg']}, the store holds EPSG:2180 only "
            "(reproject before writing)"
        )
    if t.b or t.d or abs(abs(t.a) - abs(t.e)) > 1e-6 * abs(t.a):
        raise ValidationError(
            f"cannot catalogue {path.name}: pixels are not square and north-up ({t}); "
            "warp it to a square EPSG:2180 grid"
        )
    b = meta["bounds"]
    params = {
        "kind": kind,
        "epoch": None if epoch is None else epoch_text(epoch),
        "path": str(path),
        "mosaic": is_mosaic,
        "res": abs(t.a),
        "w": meta["w"],
        "h": meta["h"],
        "n": meta["n"],
        "desc": meta["desc"],
        "dtype": meta["dtype"],
        "nodata": meta["nodata"],
        "sha": sha256 or file_sha256(path),
        "src_sha": source_sha256,
        "run": load_run_id,
        "minx": b.left,
        "miny": b.bottom,
        "maxx": b.right,
        "maxy": b.top,
        "ulx": t.c,
        "uly": t.f,
        "sx": t.a,
        "sy": t.e,
        "bands": list(range(1, meta["n"] + 1)),
    }
    try:
        with conn.transaction():
            row = (
                conn.execute(_UPDATE_ASSET, params).fetchone()
                or conn.execute(_INSERT_ASSET, params).fetchone()
            )
    except psycopg.errors.InternalError as exc:
        raise DatabaseError(
            f"the database server cannot register {path} as an out-db raster: {str(exc).strip()}; fix: make the "
            "raster store readable by the server's OS user (folders 0755, files 0644 up to MSIP_DATA_DIR) and "
            "check postgis.enable_outdb_rasters / postgis.gdal_enabled_drivers (sql/admin/database.sql)"
        ) from None
    assert row is not None  # INSERT … RETURNING always gives the new row
    return int(row[0])
