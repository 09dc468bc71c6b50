"""Clip the stored points of one epoch to a polygon and write them as LAZ (LAS 1.4, point format 6).

The server cuts the patches (`PC_Intersection`, the same test as any SQL count of the polygon:
points inside or on its boundary), so the file holds exactly the points SQL counts. Every
stored attribute is kept: X, Y, Z (mm, scale 0.001), intensity, return number and count,
ASPRS class (noise included, as stored) and GPS time.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import laspy
import numpy as np
import psycopg
import pyproj
import shapely

from msip.core.errors import ValidationError
from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.copc import CRS, SCALE_M, to_format6
from pipelines.pointcloud.stored import decode_patch, epoch_points

#: Default largest polygon (km²) clipped in one request; MSIP_LIDAR_CLIP_MAX_KM2 overrides it.
MAX_AREA_KM2 = 1.0


@dataclass(frozen=True)
class Clip:
    """A clipped point set: LAZ bytes, point count, per-class counts."""

    laz: bytes
    points: int
    classes: dict[int, int]


def polygon_2180(geometry: dict | str) -> shapely.Polygon | shapely.MultiPolygon:
    """A GeoJSON (dict) or WKT polygon in EPSG:2180, checked: valid, polygonal, not empty."""
    try:
        geom = shapely.geometry.shape(geometry) if isinstance(geometry, dict) else shapely.from_wkt(geometry)
    except (shapely.errors.GEOSException, ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ValidationError(f"the polygon cannot be read ({exc}); give GeoJSON in EPSG:2180 metres") from None
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon) or geom.is_empty:
        raise ValidationError(f"the area must be a Polygon or MultiPolygon, got {geom.geom_type}")
    if not geom.is_valid:
        raise ValidationError(f"the polygon is invalid ({shapely.is_valid_reason(geom)}); fix its rings")
    return geom


def stored_points_in(conn: psycopg.Connection, epoch: date, geom: shapely.Polygon | shapely.MultiPolygon) -> np.ndarray:
    """Stored points of `epoch` inside `geom` (EPSG:2180), as POINT_DTYPE."""
    parts = []
    with conn.cursor(binary=True) as cur:
        cur.execute(
            "SELECT decode(PC_Uncompress(PC_Intersection(pa, g))::text, 'hex') FROM msip.lidar_patch, "
            "ST_GeomFromText(%s, 2180) AS g WHERE epoch = %s AND PC_Intersects(pa, g)",
            (geom.wkt, epoch),
        )
        for (wkb,) in cur:
            if wkb is None:
                continue
            pts = decode_patch(bytes(wkb))
            if pts is None:
                raise ValidationError("a stored patch is big-endian; MSIP reads little-endian patches only")
            parts.append(pts)
    return np.concatenate(parts) if parts else np.empty(0, dtype=POINT_DTYPE)


def laz_bytes(points: np.ndarray) -> bytes:
    """`points` (POINT_DTYPE) as a LAZ 1.4 file, point format 6, EPSG:2180 + PL-EVRF2007-NH."""
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.scales = np.array([SCALE_M] * 3)
    offsets_mm = np.zeros(3, dtype=np.int64)
    if len(points):
        offsets_mm = np.array([points[c].min() // 1_000_000 * 1_000_000 for c in "XYZ"], dtype=np.int64)
    header.offsets = offsets_mm * SCALE_M
    header.add_crs(pyproj.CRS(CRS))
    header.generating_software = "MSIP lidar-clip"
    las = laspy.LasData(header)
    las.points = laspy.PackedPointRecord(to_format6(points, offsets_mm).view(np.uint8).reshape(-1, 30)
                                         .view(header.point_format.dtype()).ravel(), header.point_format)
    buf = io.BytesIO()
    las.write(buf, do_compress=True, laz_backend=laspy.LazBackend.Lazrs)
    return buf.getvalue()


def clip_epoch(conn: psycopg.Connection, epoch: date, geom: shapely.Polygon | shapely.MultiPolygon) -> Clip:
    """The points of `epoch` inside `geom` as LAZ; ValidationError when the epoch has no points."""
    has = conn.execute("SELECT EXISTS (SELECT FROM msip.lidar_patch WHERE epoch = %s)", (epoch,)).fetchone()
    if not has or not has[0]:
        known = [r[0].isoformat() for r in conn.execute("SELECT DISTINCT epoch FROM msip.lidar_patch ORDER BY 1")]
        raise ValidationError(f"no LiDAR points are stored for epoch {epoch}; epochs with points: {known or 'none'}")
    return _clip(stored_points_in(conn, epoch, geom))


def clip_source_tile(conn: psycopg.Connection, epoch: date, source_file: str) -> Clip:
    """The points of `epoch` loaded from `source_file` (one source tile) as LAZ, every attribute kept.

    A point belongs to the tile of the file that delivered it, so the tiles of an epoch partition its
    points: none lost or doubled where sheets touch or overlap.
    """
    return _clip(epoch_points(conn, epoch, source_file))


def _clip(pts: np.ndarray) -> Clip:
    classes = np.bincount(pts["Classification"], minlength=256)
    return Clip(laz_bytes(pts), len(pts), {int(c): int(n) for c, n in enumerate(classes) if n})
