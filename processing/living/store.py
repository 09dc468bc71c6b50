"""Storing a living-conditions run: zones with their indicator check, and one row per grid cell."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
import psycopg

from msip.core.copy import copy_rows, ewkb_hex
from processing.living.rasters import CELL_SUMS, ZONE_SUMS


@dataclass(frozen=True)
class Zone:
    """A current zoning zone (number ≥ 1 in this run) and its indicators (None = not set)."""

    number: int
    zone_pk: int
    local_id: str
    symbol: str
    min_bio_pct: float | None
    max_coverage_pct: float | None
    wkb: bytes


def load_zones(conn: psycopg.Connection, area_wkb: bytes) -> list[Zone]:
    """Current zoning zones touching the area, numbered 1… in zone_pk order."""
    rows = conn.execute(
        "SELECT zone_pk, local_id, symbol, min_biologically_active_pct, max_building_coverage_pct, ST_AsBinary(geom) "
        "FROM msip.zoning_zone_current WHERE geom && ST_GeomFromWKB(%s, 2180) ORDER BY zone_pk",
        (area_wkb,),
    )
    return [
        Zone(
            i,
            r[0],
            r[1],
            r[2],
            None if r[3] is None else float(r[3]),
            None if r[4] is None else float(r[4]),
            bytes(r[5]),
        )
        for i, r in enumerate(rows, 1)
    ]


def zone_coverage(
    conn: psycopg.Connection, zones: list[Zone], zone_sums: np.ndarray, epoch
) -> list[dict | None]:
    """Per zone number: measured shares and the check against its indicators (index 0 unused).

    compliant is None when the zone sets no indicator or a needed measurement is missing. The footprint
    areas are summed in building order: in the order of whichever plan the server picks (it changes
    with the tables' statistics) the last bits, and so the run's checksum, differed between builds.
    """
    cover: dict[int, float] = dict(
        conn.execute(
            "SELECT z.zone_pk, coalesce(sum(ST_Area(ST_Intersection(b.geom, z.geom)) ORDER BY b.building_pk), 0) "
            "/ ST_Area(z.geom) * 100 "
            "FROM msip.zoning_zone_current z LEFT JOIN msip.building b ON b.epoch IS NOT DISTINCT FROM %s "
            "AND ST_Intersects(b.geom, z.geom) WHERE z.zone_pk = ANY(%s) GROUP BY z.zone_pk, z.geom",
            (epoch, [z.zone_pk for z in zones]),
        ).fetchall()
    )
    valid, bio = ZONE_SUMS.index("bio_valid"), ZONE_SUMS.index("bio")
    out: list[dict | None] = [None]
    for z in zones:
        bio_pct = (
            100 * zone_sums[z.number, bio] / zone_sums[z.number, valid]
            if zone_sums[z.number, valid]
            else None
        )
        coverage = cover.get(z.zone_pk)
        checks = []
        if z.min_bio_pct is not None:
            checks.append(None if bio_pct is None else bio_pct >= z.min_bio_pct)
        if z.max_coverage_pct is not None:
            checks.append(None if coverage is None else coverage <= z.max_coverage_pct)
        ok = None if not checks or None in checks else all(checks)
        out.append({"bio_pct": bio_pct, "coverage_pct": coverage, "compliant": ok})
    return out


def store_zones(
    conn: psycopg.Connection,
    run_id: int,
    zones: list[Zone],
    zone_sums: np.ndarray,
    checked: list[dict | None],
) -> int:
    def rows() -> Iterator[tuple]:
        for z in zones:
            check = checked[z.number]
            assert check is not None  # zones are numbered from 1 (index 0 is unused)
            yield (
                run_id,
                z.zone_pk,
                z.local_id,
                z.symbol,
                z.min_bio_pct,
                _num(check["bio_pct"]),
                z.max_coverage_pct,
                _num(check["coverage_pct"]),
                check["compliant"],
                "SRID=2180;" + _multi_wkt(z.wkb),
            )

    return copy_rows(
        conn,
        "msip.living_conditions_zone",
        [
            "load_run_id",
            "zone_pk",
            "local_id",
            "symbol",
            "min_bio_pct",
            "bio_active_pct",
            "max_coverage_pct",
            "coverage_pct",
            "compliant",
            "geom",
        ],
        rows(),
    )


def _multi_wkt(wkb: bytes) -> str:
    import shapely

    g = shapely.from_wkb(wkb)
    # zone outlines are polygons or multipolygons
    return (g if g.geom_type == "MultiPolygon" else shapely.multipolygons([cast(shapely.Polygon, g)])).wkt


def _num(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _pct(num: np.ndarray, den: np.ndarray) -> list[float | None]:
    return [None if d <= 0 else float(100.0 * n / d) for n, d in zip(num, den, strict=True)]


def store_cells(
    conn: psycopg.Connection,
    run_id: int,
    params,
    grid,
    sums: np.ndarray,
    points,
    zoned: np.ndarray,
    ok: np.ndarray,
    epoch,
) -> int:
    """One row per grid cell; earlier results of the same cells stop being current."""
    col = {name: sums[:, i] for i, name in enumerate(CELL_SUMS)}
    codes, polys = grid.codes(), grid.polygons()
    area = np.array([p.area for p in polys])
    pop = points.population
    conn.execute(
        "UPDATE msip.living_conditions_result SET is_current = false WHERE is_current AND grid_epsg = %s "
        "AND cell_size_m = %s AND cell_code = ANY(%s)",
        (params.grid_epsg, params.cell_m, codes),
    )
    meets = [_pct(points.pop_meets[:, k], points.pop_known[:, k]) for k in range(4)]
    columns = {
        "load_run_id": [run_id] * len(codes),
        "epoch": [epoch] * len(codes),
        "grid_epsg": [params.grid_epsg] * len(codes),
        "cell_size_m": [params.cell_m] * len(codes),
        "cell_code": codes,
        "area_m2": area.tolist(),
        "data_pct": _pct(col["bio_valid"], col["pixels"]),
        "population": points.population.astype(int).tolist(),
        "buildings": points.buildings.astype(int).tolist(),
        "canopy_pct": _pct(col["canopy"], col["chm_valid"]),
        "bio_active_pct": _pct(col["bio"], col["bio_valid"]),
        "built_pct": _pct(col["built"], col["pixels"]),
        # 1e-4 °C: far below the model's accuracy, and sums of float32 pixels in another tile order agree
        "t_air_mean_c": [
            None if n <= 0 else round(float(s / n), 4)
            for s, n in zip(col["tair_sum"], col["tair_n"], strict=True)
        ],
        "t_air_data_pct": _pct(col["tair_n"], col["pixels"]),
        "pct_3": meets[0],
        "pct_30": meets[1],
        "pct_300": meets[2],
        "pct_3_30_300": meets[3],
        "trees": points.trees.astype(int).tolist(),
        "trees_per_100_residents": _pct(points.trees, pop),
        "ads": points.ads.astype(int).tolist(),
        "ads_per_km2": (points.ads / area * 1e6).tolist(),
        "zoned_pct": _pct(zoned, col["pixels"]),
        "zoning_compliant_pct": _pct(ok, zoned),
        "geom": ewkb_hex(polys).tolist(),
    }
    return copy_rows(
        conn, "msip.living_conditions_result", list(columns), zip(*columns.values(), strict=True)
    )
