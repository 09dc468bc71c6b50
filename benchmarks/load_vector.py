"""Benchmark: `msip load trees` (validation on) against `ogr2ogr -f PostgreSQL` (COPY) on the same GeoPackage.

Generates N tree points (default 1 000 000) inside Kielce in EPSG:2180 with tree-like
attributes (id, species, height, circumference, crown, health) with numpy + pyogrio into
benchmarks/_work/vector/, then, in one run and one database, times
1. ogr2ogr -f PostgreSQL with PG_USE_COPY=YES and -lco SPATIAL_INDEX=NONE (the issue's reference);
2. the same with ogr2ogr's default GiST index (a usable spatial table, like msip's);
3. `pipelines.inventory.trees.load_trees` — reading, column mapping, CRS/extent/range/duplicate checks,
   history bookkeeping, COPY into msip.tree, then its GiST, unique and foreign-key rebuilds.
Each is run `--repeat` times; the best time counts (the machine is shared). Prints features/s
and the ratios. By default it works in its own database (msip_bench_vector on the local
cluster, recreated, dropped at the end); `--url` points it elsewhere — then it only removes
what it created there (its rows, load runs and ogr2ogr schema). The GeoPackage is deleted
at the end unless --keep-data.

    .venv/bin/python benchmarks/load_vector.py [--points 1000000] [--repeat 2] [--url URL] [--results FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = ROOT / "benchmarks" / "_work" / "vector"
BENCH_DB = "msip_bench_vector"
DATASET = "benchmark_trees"
SPECIES = [("lipa drobnolistna", "Tilia cordata"), ("klon zwyczajny", "Acer platanoides"),
           ("dąb szypułkowy", "Quercus robur"), ("kasztanowiec zwyczajny", "Aesculus hippocastanum"),
           ("brzoza brodawkowata", "Betula pendula"), ("jesion wyniosły", "Fraxinus excelsior")]


def make_gpkg(path: Path, n: int, seed: int = 1) -> Path:
    """N points in Kielce (EPSG:2180) with tree attributes, written through pyogrio's Arrow path."""
    import pyarrow as pa
    import pyogrio

    if path.exists() and pyogrio.read_info(path)["features"] == n:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(606_000, 624_000, n), rng.uniform(326_000, 344_000, n)
    wkb = np.empty((n, 21), np.uint8)
    wkb[:, 0:5] = np.frombuffer(b"\x01\x01\x00\x00\x00", np.uint8)
    wkb[:, 5:13] = x.view(np.uint8).reshape(n, 8)
    wkb[:, 13:21] = y.view(np.uint8).reshape(n, 8)
    offsets = pa.py_buffer((np.arange(n + 1) * 21).astype(np.int32))
    kind = rng.integers(0, len(SPECIES), n)
    height = np.round(rng.uniform(2, 30, n), 1)
    table = pa.table({
        "nr_inwentarzowy": pa.array(np.char.add("KLC-D-", np.arange(1, n + 1).astype(str))),
        "gatunek": pa.array(np.array([s for s, _ in SPECIES])[kind]),
        "gatunek_lacinski": pa.array(np.array([s for _, s in SPECIES])[kind]),
        "wysokosc_m": height,
        "obwod_pnia_cm": np.round(height * rng.uniform(4, 9, n)),
        "srednica_korony_m": np.round(height * rng.uniform(0.3, 0.6, n), 1),
        "stan_zdrowia": pa.array(np.array(["dobry", "średni", "zły"])[rng.integers(0, 3, n)]),
        "geom": pa.Array.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(wkb)]),
    })
    pyogrio.write_arrow(table, path, layer="trees", driver="GPKG", geometry_name="geom",
                        geometry_type="Point", crs="EPSG:2180")
    return path


def bench_database(url: str | None) -> tuple[str, bool]:
    """(URL, whether this script created the database and should drop it)."""
    if url:
        return url, False
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import get_settings

    settings = get_settings()
    cluster.start(settings)
    url = cluster.bootstrap(settings, BENCH_DB, fresh=True)
    migrate(url)
    return url, True


def ogr_pg(url: str) -> str:
    from msip.core.db import conninfo_params

    p = conninfo_params(url)
    return "PG:" + " ".join(f"{k}={p[k]}" for k in ("dbname", "host", "port", "user", "password") if k in p)


def time_ogr2ogr(gpkg: Path, url: str, schema: str, index: bool) -> float:
    env = {**os.environ, "PG_USE_COPY": "YES"}
    cmd = ["ogr2ogr", "-f", "PostgreSQL", ogr_pg(url), str(gpkg), "trees", "-nln", f"{schema}.trees",
           "-overwrite", "-lco", f"SPATIAL_INDEX={'GIST' if index else 'NONE'}"]
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def time_msip(gpkg: Path, url: str) -> tuple[float, dict[str, float]]:
    """Wall time of load_trees and its phases: COPY, index/key rebuild, the rest (read, checks, commit)."""
    import contextlib

    import psycopg

    from msip.core import versions
    from pipelines.inventory.trees import load_trees

    phases = {"COPY": 0.0, "index + key rebuild": 0.0}
    copy, rebuild = versions.copy_rows, versions.rebuilt_indexes

    def timed_copy(*args, **kwargs):
        start = time.perf_counter()
        try:
            return copy(*args, **kwargs)
        finally:
            phases["COPY"] += time.perf_counter() - start

    @contextlib.contextmanager
    def timed_rebuild(*args, **kwargs):
        with rebuild(*args, **kwargs):
            yield
            start = time.perf_counter()
        phases["index + key rebuild"] += time.perf_counter() - start

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM msip.tree WHERE dataset = %s", (DATASET,))
        conn.execute("VACUUM msip.tree")
    versions.copy_rows, versions.rebuilt_indexes = timed_copy, timed_rebuild
    try:
        start = time.perf_counter()
        report = load_trees(gpkg, epoch=date(2024, 6, 15), dataset=DATASET, url=url, force=True)
        elapsed = time.perf_counter() - start
    finally:
        versions.copy_rows, versions.rebuilt_indexes = copy, rebuild
    assert report.status == "succeeded" and report.rows_inserted == report.rows_in, report.summary()
    phases["read, checks, bookkeeping"] = elapsed - sum(phases.values())
    return elapsed, phases


def clean_up(url: str, created: bool, schema: str) -> None:
    import psycopg

    if created:
        from msip.core import cluster
        from msip.core.settings import get_settings

        with psycopg.connect(cluster.superuser_url(get_settings()), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(psycopg.sql.Identifier(schema)))
        conn.execute("DELETE FROM msip.tree WHERE dataset = %s", (DATASET,))
        conn.execute("DELETE FROM msip.load_run WHERE source_kind = 'trees' AND params->>'dataset' = %s", (DATASET,))
        conn.execute("VACUUM ANALYZE msip.tree")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="Number of tree points (default 1 000 000).")
    parser.add_argument("--repeat", type=int, default=2, help="Runs per tool; the best counts (default 2).")
    parser.add_argument("--url", default=os.environ.get("MSIP_BENCH_DATABASE_URL"),
                        help="Database to use instead of a fresh msip_bench_vector on the local cluster.")
    parser.add_argument("--keep-data", action="store_true", help="Keep the generated GeoPackage for the next run.")
    parser.add_argument("--results", type=Path, default=None, help="Also write the Markdown table to this file.")
    args = parser.parse_args()
    os.environ.setdefault("MSIP_PROGRESS", "0")

    gpkg = make_gpkg(WORK / f"trees_{args.points}.gpkg", args.points)
    url, created = bench_database(args.url)
    schema = f"bench_ogr_{os.getpid()}"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(psycopg.sql.Identifier(schema)))
    best: dict[str, float] = {}
    phases: dict[str, float] = {}
    msip_name = "msip load trees (checks, history, indexes + keys)"
    try:
        for _ in range(args.repeat):
            for name, with_index in (("ogr2ogr, COPY, no index", False),
                                     ("ogr2ogr, COPY, GiST index (its default)", True)):
                best[name] = min(best.get(name, float("inf")), time_ogr2ogr(gpkg, url, schema, with_index))
                print(f"  {name}: {best[name]:.2f} s best so far", flush=True)
            seconds, split = time_msip(gpkg, url)
            if seconds < best.get(msip_name, float("inf")):
                best[msip_name], phases = seconds, split
            print(f"  {msip_name}: {best[msip_name]:.2f} s best so far", flush=True)
    finally:
        clean_up(url, created, schema)
        if not args.keep_data:
            shutil.rmtree(WORK, ignore_errors=True)

    n = args.points
    ogr_plain, ogr_index, msip = best.values()
    lines = [
        f"# Loading {n:,} points: `msip load trees` vs `ogr2ogr -f PostgreSQL`",
        "",
        (f"GeoPackage of {n:,} generated tree points (EPSG:2180, inside Kielce, 7 attributes), best of "
         f"{args.repeat} runs each, same database, same run; {platform.node()} ({os.cpu_count()} cores, "
         "shared). Generated by `benchmarks/load_vector.py`."),
        "",
        "| loader | seconds | features/s | msip speed ÷ this |",
        "|---|---:|---:|---:|",
    ]
    for name, seconds in best.items():
        lines.append(f"| {name} | {seconds:.2f} | {n / seconds:,.0f} | {seconds / msip:.2f}× |")
    lines += ["", (f"msip vs ogr2ogr without index: {ogr_plain / msip:.2f}× (target ≥ 1.0×); "
                   f"vs ogr2ogr with its GiST index: {ogr_index / msip:.2f}×."),
              "", "msip's best run by phase: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()) + "."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.results:
        args.results.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
