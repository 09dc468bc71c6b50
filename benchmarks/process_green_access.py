"""Benchmark: green access (3-30-300, art. 13f) for ≥ 20 000 buildings on a matching synthetic city.

Generates, straight into a scratch database (default msip_bench_green, recreated), a city of
N × N blocks of 100 m: a street grid (pgRouting graph), 8 residential buildings per block,
public parks of one block (every 13th block), one 5 × 5-block park of ~25 ha, a school every
97th block, ~20 inventory trees and ~8 LiDAR-detected trees per block (a third of them
duplicates of inventory trees) and a 0.5 m CHM with a crown disc per tree. Then times
`run_green_access` (force, so it computes) and prints wall time, buildings/s and peak RSS of
this process and its canopy workers (the database server's memory is not included).

    python benchmarks/process_green_access.py            # 50 × 50 blocks = 20 000 buildings
    python benchmarks/process_green_access.py --blocks 20 --reuse

Longer than ~300 lines on purpose: a benchmark is one runnable file: city generator, MSIP run and
report together.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np

EPOCH = date(2025, 6, 15)
BLOCK_M, X0, Y0 = 100.0, 610_000.0, 330_000.0
RES = 0.5
TARGET = 1000.0


def _run(conn, kind: str) -> int:
    return conn.execute(
        "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, status, finished_at) "
        "VALUES (%s, 'benchmark', repeat('b', 64), %s, 'succeeded', now()) RETURNING run_id",
        (kind, EPOCH),
    ).fetchone()[0]


def _box(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"SRID=2180;MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"


def generate(conn, n: int, chm_path: Path, rng: np.random.Generator) -> dict:
    """Write the synthetic city (n × n blocks) into an empty database; returns counts."""
    from msip.core.copy import copy_rows
    from msip.core.rasters.store import catalogue

    run = _run(conn, "walk_network")
    vid = {(i, j): 1 + i * (n + 1) + j for i in range(n + 1) for j in range(n + 1)}
    copy_rows(
        conn,
        "msip.walk_vertex",
        ["id", "epoch", "geom", "load_run_id"],
        (
            (v, EPOCH, f"SRID=2180;POINT({X0 + i * BLOCK_M} {Y0 + j * BLOCK_M})", run)
            for (i, j), v in vid.items()
        ),
    )
    edges = []
    for i in range(n + 1):
        for j in range(n + 1):
            for di, dj in ((1, 0), (0, 1)):
                if i + di <= n and j + dj <= n:
                    a, b = (
                        (X0 + i * BLOCK_M, Y0 + j * BLOCK_M),
                        (X0 + (i + di) * BLOCK_M, Y0 + (j + dj) * BLOCK_M),
                    )
                    edges.append(
                        (
                            vid[i, j],
                            vid[i + di, j + dj],
                            f"S{len(edges)}",
                            EPOCH,
                            BLOCK_M,
                            BLOCK_M,
                            BLOCK_M,
                            "benchmark",
                            f"SRID=2180;LINESTRING({a[0]} {a[1]},{b[0]} {b[1]})",
                            run,
                        )
                    )
    copy_rows(
        conn,
        "msip.walk_edge",
        [
            "source",
            "target",
            "source_id",
            "epoch",
            "length_m",
            "cost",
            "reverse_cost",
            "source_format",
            "geom",
            "load_run_id",
        ],
        edges,
    )
    big = {(i, j) for i in range(n // 3, n // 3 + 5) for j in range(n // 3, n // 3 + 5)}
    parks = {(i, j) for i in range(n) for j in range(n) if (i * 7 + j * 3) % 13 == 0} - big
    schools = (
        {(i, j) for i in range(n) for j in range(n) if (i * 31 + j * 17) % 97 == 0} - parks - big
    )
    green = [
        (
            f"P{i}_{j}",
            EPOCH,
            "park",
            True,
            90 * 90.0,
            "benchmark",
            "x",
            _box(
                X0 + i * BLOCK_M + 5,
                Y0 + j * BLOCK_M + 5,
                X0 + i * BLOCK_M + 95,
                Y0 + j * BLOCK_M + 95,
            ),
            0,
        )
        for i, j in sorted(parks)
    ]
    i0, j0 = n // 3, n // 3
    green.append(
        (
            "BIG",
            EPOCH,
            "park",
            True,
            490 * 490.0,
            "benchmark",
            "x",
            _box(
                X0 + i0 * BLOCK_M + 5,
                Y0 + j0 * BLOCK_M + 5,
                X0 + i0 * BLOCK_M + 495,
                Y0 + j0 * BLOCK_M + 495,
            ),
            0,
        )
    )
    run = _run(conn, "green_spaces")
    copy_rows(
        conn,
        "msip.green_space",
        [
            "source_id",
            "epoch",
            "kind",
            "public_access",
            "area_m2",
            "source_format",
            "row_hash",
            "geom",
            "load_run_id",
        ],
        [(*g[:-1], run) for g in green],
    )
    run = _run(conn, "buildings")
    rows = []
    for i in range(n):
        for j in range(n):
            if (i, j) in parks or (i, j) in big:
                continue
            bx, by = X0 + i * BLOCK_M, Y0 + j * BLOCK_M
            if (i, j) in schools:
                rows.append(
                    (
                        f"SCH{i}_{j}",
                        EPOCH,
                        "school",
                        False,
                        0,
                        False,
                        40 * 30.0,
                        "benchmark",
                        "x",
                        _box(bx + 30, by + 35, bx + 70, by + 65),
                        run,
                    )
                )
            for k in range(8):
                x = bx + 8 + (k % 4) * 22
                y = by + (10 if k < 4 else 75)
                rows.append(
                    (
                        f"B{i}_{j}_{k}",
                        EPOCH,
                        "residential",
                        True,
                        int(rng.integers(2, 60)),
                        False,
                        15 * 12.0,
                        "benchmark",
                        "x",
                        _box(x, y, x + 15, y + 12),
                        run,
                    )
                )
    copy_rows(
        conn,
        "msip.building",
        [
            "source_id",
            "epoch",
            "kind",
            "residential",
            "population",
            "population_estimated",
            "footprint_m2",
            "source_format",
            "row_hash",
            "geom",
            "load_run_id",
        ],
        rows,
    )
    trees = np.column_stack(
        [
            rng.uniform(X0, X0 + n * BLOCK_M, 40 * n * n),
            rng.uniform(Y0, Y0 + n * BLOCK_M, 40 * n * n),
        ]
    )
    run = _run(conn, "trees")
    copy_rows(
        conn,
        "msip.tree",
        ["dataset", "source_id", "valid_from", "height_m", "load_run_id", "geom"],
        (
            ("bench", f"T{k}", EPOCH, 12.0, run, f"SRID=2180;POINT({x:.2f} {y:.2f})")
            for k, (x, y) in enumerate(trees)
        ),
    )
    dup = trees[rng.choice(len(trees), 3 * n * n, replace=False)] + rng.normal(
        0, 0.7, (3 * n * n, 2)
    )
    extra = np.column_stack(
        [rng.uniform(X0, X0 + n * BLOCK_M, 5 * n * n), rng.uniform(Y0, Y0 + n * BLOCK_M, 5 * n * n)]
    )
    detected = np.vstack([dup, extra])
    run = _run(conn, "lidar_derived")
    copy_rows(
        conn,
        "msip.tree_detected",
        ["epoch", "tile", "height_m", "crown_area_m2", "crown_diameter_m", "geom", "load_run_id"],
        (
            (EPOCH, "bench", 12.0, 28.3, 6.0, f"SRID=2180;POINT({x:.2f} {y:.2f})", run)
            for x, y in detected
        ),
    )
    write_chm(chm_path, n, np.vstack([trees, extra]))
    catalogue(conn, kind="chm", epoch=EPOCH, path=chm_path, load_run_id=run, is_mosaic=True)
    conn.execute("ANALYZE")
    return {
        "buildings": sum(1 for r in rows if r[3]),
        "edges": len(edges),
        "parks": len(green),
        "schools": len(schools),
        "trees": len(trees),
        "detected": len(detected),
    }


def write_chm(path: Path, n: int, crowns: np.ndarray, radius_m: float = 4.0) -> None:
    """A 0.5 m float32 CHM (tiled, DEFLATE) with a 10 m crown disc of `radius_m` around each tree."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    size = int(n * BLOCK_M / RES)
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 1,
        "dtype": "float32",
        "nodata": -9999.0,
        "crs": "EPSG:2180",
        "transform": from_origin(X0, Y0 + n * BLOCK_M, RES, RES),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
    }
    cols = ((crowns[:, 0] - X0) / RES).astype(int)
    rows = ((Y0 + n * BLOCK_M - crowns[:, 1]) / RES).astype(int)
    r = int(radius_m / RES)
    offsets = [
        (dr, dc) for dr in range(-r, r + 1) for dc in range(-r, r + 1) if dr * dr + dc * dc <= r * r
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    band = 1024
    with rasterio.open(path, "w", **profile) as dst:
        for top in range(0, size, band):
            h = min(band, size - top)
            block = np.zeros((h, size), dtype="float32")
            near = (rows >= top - r) & (rows < top + h + r)
            for dr, dc in offsets:
                rr, cc = rows[near] + dr - top, cols[near] + dc
                ok = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < size)
                block[rr[ok], cc[ok]] = 10.0
            dst.write(block, 1, window=Window(0, top, size, h))


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children, MB (Linux: ru_maxrss in kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--blocks",
        type=int,
        default=53,
        help="blocks per side (8 homes each but parks; 53 → 20 000 homes)",
    )
    ap.add_argument(
        "--db", default="msip_bench_green", help="scratch database (recreated unless --reuse)"
    )
    ap.add_argument(
        "--reuse", action="store_true", help="keep the database generated by an earlier run"
    )
    ap.add_argument(
        "--workers", type=int, default=None, help="canopy worker processes [default: CPU count]"
    )
    args = ap.parse_args()

    from msip.core import cluster
    from msip.core.db import connect
    from msip.core.migrate import migrate
    from msip.core.settings import Settings
    from processing.green_access.analysis import GreenAccessParams, run_green_access

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, args.db, fresh=not args.reuse)
    migrate(url)
    chm = settings.home / "benchmark-rasters" / f"green_access_chm_{args.blocks}.tif"
    with connect(url) as conn:
        empty = not conn.execute("SELECT EXISTS (SELECT 1 FROM msip.building)").fetchone()[0]
    if empty:
        t = time.perf_counter()
        with connect(url) as conn:
            counts = generate(conn, args.blocks, chm, np.random.default_rng(7))
            conn.commit()
        print(f"generated {counts} in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    result = run_green_access(GreenAccessParams(), url=url, force=True, workers=args.workers)
    wall = time.perf_counter() - t
    n = result.report.rows_loaded
    print(result.summary())
    print(
        f"green-access: {n} buildings in {wall:.1f} s = {n / wall:.0f} buildings/s "
        f"(target ≥ {TARGET:.0f}); peak RSS {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
