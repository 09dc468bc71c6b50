"""Inputs of the heat-island analysis from MSIP's layers: which rasters and vectors, and the model grid.

Day (InVEST 'factors'): CHM, orthophoto brightness and NDVI mosaics of one epoch. Night
('intensity'): the nDSM mosaic (building heights where the register has none). Buildings are
the register snapshot of the latest epoch not after the analysis epoch; green areas the same
for green spaces; zoning zones the current ones. The grid is north-up EPSG:2180 with its
corners on multiples of the cell size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import psycopg
from affine import Affine

from msip.core.db import one_row
from msip.core.errors import ValidationError

#: Raster kinds each mode reads.
KINDS = {"day": ("chm", "brightness", "ndvi"), "night": ("ndsm",)}


@dataclass(frozen=True)
class HeatGrid:
    """A north-up grid: top-left corner (minx, maxy), cell size (m) and size in cells."""

    minx: float
    maxy: float
    cell: float
    rows: int
    cols: int

    @property
    def transform(self) -> Affine:
        return Affine(self.cell, 0.0, self.minx, 0.0, -self.cell, self.maxy)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.minx, self.maxy - self.rows * self.cell, self.minx + self.cols * self.cell, self.maxy)

    def window_bounds(self, r0: int, c0: int, rows: int, cols: int) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of a block of cells."""
        x0, y1 = self.minx + c0 * self.cell, self.maxy - r0 * self.cell
        return (x0, y1 - rows * self.cell, x0 + cols * self.cell, y1)

    def blocks(self, size: int) -> list[tuple[int, int, int, int]]:
        """(row0, col0, rows, cols) of `size`-cell blocks covering the grid, row by row."""
        return [(r, c, min(size, self.rows - r), min(size, self.cols - c))
                for r in range(0, self.rows, size) for c in range(0, self.cols, size)]


def grid_for(extent: tuple[float, float, float, float], cell: float) -> HeatGrid:
    """The grid covering `extent` with corners snapped outward to multiples of `cell` (m)."""
    minx, miny, maxx, maxy = extent
    x0, y0 = math.floor(minx / cell + 1e-9) * cell, math.floor(miny / cell + 1e-9) * cell
    x1, y1 = math.ceil(maxx / cell - 1e-9) * cell, math.ceil(maxy / cell - 1e-9) * cell
    return HeatGrid(minx=x0, maxy=y1, cell=cell, rows=round((y1 - y0) / cell), cols=round((x1 - x0) / cell))


@dataclass
class HeatSources:
    """What one run reads: epoch, mosaic paths per kind, snapshots, extent and the load runs behind them."""

    epoch: date
    rasters: dict[str, str]
    extent: tuple[float, float, float, float]
    building_epoch: date | None
    green_epoch: date | None
    input_run_ids: list[int] = field(default_factory=list)


def _epochs_with(conn: psycopg.Connection, kinds: tuple[str, ...]) -> list[date]:
    rows = conn.execute(
        "SELECT epoch FROM msip.raster_asset WHERE kind = ANY(%s) AND is_mosaic AND epoch IS NOT NULL "
        "GROUP BY epoch HAVING count(DISTINCT kind) = %s ORDER BY epoch",
        (list(kinds), len(kinds)),
    ).fetchall()
    return [r[0] for r in rows]


def _snapshot_epoch(conn: psycopg.Connection, table: str, epoch: date) -> tuple[date | None, bool]:
    """(epoch of the latest snapshot of `table` not after `epoch`, whether any row exists)."""
    from psycopg import sql

    q = sql.SQL("SELECT max(epoch) FILTER (WHERE epoch <= %s), count(*) > 0, "
                "bool_or(epoch IS NULL) FROM {}").format(sql.Identifier("msip", table))
    best, any_rows, has_null = one_row(conn.execute(q, (epoch,)))
    return best, bool(any_rows) and (best is not None or bool(has_null))


def find_sources(conn: psycopg.Connection, *, mode: str, epoch: date | None,
                 bbox: tuple[float, float, float, float] | None) -> HeatSources:
    """The mosaics, snapshots and extent of a run; ValidationError naming what is missing and the fix."""
    kinds = KINDS[mode]
    epochs = _epochs_with(conn, kinds)
    if not epochs:
        raise ValidationError(
            f"no epoch has all the rasters the {mode}-time model needs ({', '.join(kinds)}); load an "
            "orthophoto and a LiDAR survey of the same date (`msip load orthophoto`, `msip load lidar`)")
    if epoch is None:
        epoch = epochs[-1]
    elif epoch not in epochs:
        raise ValidationError(
            f"epoch {epoch} has no complete set of {', '.join(kinds)} mosaics; epochs that have one: "
            f"{', '.join(str(e) for e in epochs)}")
    rows = conn.execute(
        "SELECT DISTINCT ON (kind) kind, path, load_run_id, ST_XMin(footprint), ST_YMin(footprint), "
        "ST_XMax(footprint), ST_YMax(footprint) FROM msip.raster_asset "
        "WHERE kind = ANY(%s) AND is_mosaic AND epoch = %s ORDER BY kind, asset_id DESC",
        (list(kinds), epoch),
    ).fetchall()
    extent = (max(r[3] for r in rows), max(r[4] for r in rows), min(r[5] for r in rows), min(r[6] for r in rows))
    if bbox is not None:
        extent = (max(extent[0], bbox[0]), max(extent[1], bbox[1]), min(extent[2], bbox[2]), min(extent[3], bbox[3]))
        if extent[0] >= extent[2] or extent[1] >= extent[3]:
            raise ValidationError(
                f"bbox {list(bbox)} does not overlap the rasters of {epoch} "
                f"(they cover {[round(v) for v in (rows[0][3], rows[0][4], rows[0][5], rows[0][6])]}); "
                "give a bbox inside the surveyed area, EPSG:2180 metres [minx, miny, maxx, maxy]")
    building_epoch, has_buildings = _snapshot_epoch(conn, "building", epoch)
    if mode == "night" and not has_buildings:
        raise ValidationError(
            f"the night-time model needs buildings of {epoch} or earlier; load them with `msip load base`")
    green_epoch, _ = _snapshot_epoch(conn, "green_space", epoch)
    runs = {r[2] for r in rows if r[2] is not None}
    runs |= _run_ids(conn, "building", building_epoch) | _run_ids(conn, "green_space", green_epoch)
    runs |= {r[0] for r in conn.execute("SELECT DISTINCT load_run_id FROM msip.zoning_zone_current")}
    return HeatSources(epoch=epoch, rasters={r[0]: r[1] for r in rows}, extent=extent,
                       building_epoch=building_epoch, green_epoch=green_epoch, input_run_ids=sorted(runs))


def _run_ids(conn: psycopg.Connection, table: str, epoch: date | None) -> set[int]:
    from psycopg import sql

    q = sql.SQL("SELECT DISTINCT load_run_id FROM {} WHERE epoch IS NOT DISTINCT FROM %s").format(
        sql.Identifier("msip", table))
    return {r[0] for r in conn.execute(q, (epoch,))}


@dataclass(frozen=True)
class Building:
    """A building as the model sees it: key, source id, storeys (NaN = unknown) and footprint WKB."""

    pk: int
    source_id: str
    storeys: float
    wkb: bytes


def read_buildings(conn: psycopg.Connection, sources: HeatSources, grid: HeatGrid,
                   storey_height_m: float) -> list[Building]:
    """Buildings of the snapshot intersecting the grid; storeys = storeys, else height / storey height."""
    rows = conn.execute(
        "SELECT building_pk, source_id, coalesce(storeys::float8, height_m / %s), ST_AsBinary(geom) "
        "FROM msip.building WHERE epoch IS NOT DISTINCT FROM %s "
        "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180) ORDER BY building_pk",
        (storey_height_m, sources.building_epoch, *grid.bounds),
    ).fetchall()
    return [Building(pk, sid, float("nan") if s is None else max(1.0, float(s)), bytes(g))
            for pk, sid, s, g in rows]


def read_green_areas(conn: psycopg.Connection, sources: HeatSources, grid: HeatGrid,
                     min_area_m2: float) -> list[bytes]:
    """WKB of the green spaces of at least `min_area_m2` intersecting the grid (the cooling green areas)."""
    rows = conn.execute(
        "SELECT ST_AsBinary(geom) FROM msip.green_space WHERE epoch IS NOT DISTINCT FROM %s "
        "AND area_m2 >= %s AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180) ORDER BY green_space_pk",
        (sources.green_epoch, min_area_m2, *grid.bounds),
    ).fetchall()
    return [bytes(r[0]) for r in rows]


@dataclass(frozen=True)
class Zone:
    """A zoning zone for the statistics: key, symbol, designation and geometry WKB."""

    pk: int
    symbol: str
    designation: str | None
    wkb: bytes


def read_zones(conn: psycopg.Connection, grid: HeatGrid) -> list[Zone]:
    """Current zoning zones intersecting the grid."""
    rows = conn.execute(
        "SELECT zone_pk, symbol, designation, ST_AsBinary(geom) FROM msip.zoning_zone_current "
        "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180) ORDER BY zone_pk", grid.bounds,
    ).fetchall()
    return [Zone(pk, sym, des, bytes(g)) for pk, sym, des, g in rows]
