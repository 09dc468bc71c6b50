"""Inputs of the terrain-change analysis: epochs with a DTM mosaic, the common area, the watched areas."""

from __future__ import annotations

import math
from datetime import date

import psycopg
import shapely

from msip.core.errors import ValidationError

Bounds = tuple[float, float, float, float]


def dtm_epochs(conn: psycopg.Connection) -> dict[date, tuple[str, float, Bounds, int]]:
    """Per epoch: (DTM mosaic path, pixel m, footprint bounds, load_run_id), the latest mosaic of each."""
    rows = conn.execute(
        "SELECT DISTINCT ON (epoch) epoch, path, resolution_m, ST_XMin(footprint), ST_YMin(footprint), "
        "ST_XMax(footprint), ST_YMax(footprint), load_run_id FROM msip.raster_asset "
        "WHERE is_mosaic AND kind = 'dtm' AND epoch IS NOT NULL ORDER BY epoch, asset_id DESC"
    ).fetchall()
    return {r[0]: (r[1], r[2], (r[3], r[4], r[5], r[6]), r[7]) for r in rows}


def pick_epochs(available: dict[date, tuple], wanted: list[date] | None) -> list[date]:
    """The epochs to compare, in order (default: every epoch with a DTM); ValidationError naming what exists."""
    listed = ", ".join(e.isoformat() for e in sorted(available)) or "none"
    if wanted:
        missing = [e for e in wanted if e not in available]
        if missing:
            raise ValidationError(
                f"no DTM of epoch {missing[0].isoformat()}; epochs with a DTM: {listed}. Load its LiDAR first"
            )
        epochs = sorted(set(wanted))
    else:
        epochs = sorted(available)
    if len(epochs) < 2:
        raise ValidationError(
            f"terrain change needs the DTMs of at least two LiDAR epochs; epochs with a DTM: {listed}"
        )
    return epochs


def common_area(available: dict[date, tuple], epochs: list[date], bbox: Bounds | None, cell_m: float) -> Bounds:
    """Where every chosen epoch has a DTM (within `bbox`), snapped outwards to the `cell_m` grid."""
    area = shapely.box(*available[epochs[0]][2])
    for e in epochs[1:]:
        area = area.intersection(shapely.box(*available[e][2]))
    if bbox is not None:
        area = area.intersection(shapely.box(*bbox))
    if area.is_empty or area.area == 0:
        raise ValidationError(
            f"the DTMs of {', '.join(str(e) for e in epochs)} do not overlap"
            + (f" within bbox {list(bbox)}" if bbox else "") + "; pick epochs or a bbox they share"
        )
    x0, y0, x1, y1 = area.bounds
    return (math.floor(x0 / cell_m + 1e-6) * cell_m, math.floor(y0 / cell_m + 1e-6) * cell_m,
            math.ceil(x1 / cell_m - 1e-6) * cell_m, math.ceil(y1 / cell_m - 1e-6) * cell_m)


def watched_areas(conn: psycopg.Connection, area: Bounds) -> list[tuple[int, str, bytes]]:
    """(area_id, name, WKB) of the watched areas touching `area`."""
    rows = conn.execute(
        "SELECT area_id, name, ST_AsBinary(geom) FROM msip.terrain_watched_area "
        "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180) ORDER BY area_id",
        area,
    ).fetchall()
    return [(i, n, bytes(g)) for i, n, g in rows]


def watched_runs(conn: psycopg.Connection) -> list[int]:
    """Load runs of the watched areas (they are inputs: a new file makes a new fingerprint)."""
    return [r[0] for r in conn.execute("SELECT DISTINCT load_run_id FROM msip.terrain_watched_area ORDER BY 1")]


def tiles(area: Bounds, tile_m: float) -> list[Bounds]:
    """Tiles of `area` on multiples of `tile_m` (clipped to the area)."""
    x0, y0, x1, y1 = area
    out = []
    ty = math.floor(y0 / tile_m) * tile_m
    while ty < y1:
        tx = math.floor(x0 / tile_m) * tile_m
        while tx < x1:
            b = (max(tx, x0), max(ty, y0), min(tx + tile_m, x1), min(ty + tile_m, y1))
            if b[2] > b[0] and b[3] > b[1]:
                out.append(b)
            tx += tile_m
        ty += tile_m
    return out
