"""Benchmark: `msip load orthophoto` against `gdal_translate -of COG` with the same compression, same input, same run.

Generates a synthetic 4-band (R, G, B, NIR) uint8 delivery in EPSG:2180 (land-cover patches
plus sensor noise, like the sample world) into benchmarks/_work/orthophoto/, then times
1. gdal_translate -of COG -co COMPRESS=DEFLATE -co PREDICTOR=2 -co BLOCKSIZE=512, tile by tile,
   one process (how an operator's shell loop runs it) and with as many processes as msip uses,
   and the same COG translation in-process with rasterio's bundled GDAL (the one msip uses);
2. the full CLI `msip load orthophoto` (checks, analysis COG, NDVI, brightness, JPEG display copy,
   per-epoch VRTs, catalogue + out-db registration in PostGIS), and the same with --no-display,
   into a separate database (msip_bench_ortho, recreated on the local cluster).
Each is run `--repeat` times; the best time counts (the machine is shared). Prints megapixels/s,
the ratios and both GDAL versions (the CLI's and rasterio's bundled one).

    .venv/bin/python benchmarks/load_orthophoto.py [--tiles 8] [--size 2000] [--workers 2] [--results FILE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "orthophoto"
BENCH_DB = "msip_bench_ortho"
EPOCH = "2024-06-15"
PX = 0.25
COG_OPTIONS = ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", "-co", "BLOCKSIZE=512"]
# R, G, B, NIR of road, roof, grass, tree crown (as in msip.sample_world.survey.ortho)
SURFACES = np.array(
    [(88, 88, 92, 80), (152, 80, 66, 92), (70, 122, 52, 205), (36, 80, 34, 190)], np.float32
)


def make_delivery(folder: Path, tiles: int, size: int, seed: int = 1) -> list[Path]:
    """`tiles` GeoTIFFs of size² px in a row, tiled DEFLATE like a real delivery."""
    import rasterio
    from rasterio.transform import from_origin

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(tiles):
        path = folder / f"ortho_{i:03d}.tif"
        paths.append(path)
        if path.exists():
            continue
        coarse = rng.integers(0, 4, size=(size // 40 + 1, size // 40 + 1))
        classes = np.kron(coarse, np.ones((40, 40), np.int64))[:size, :size]
        img = SURFACES[classes].transpose(2, 0, 1) + rng.normal(0, 3.0, (4, size, size)).astype(
            np.float32
        )
        data = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        with rasterio.open(
            path,
            "w",
            driver="GTiff",
            width=size,
            height=size,
            count=4,
            dtype="uint8",
            crs="EPSG:2180",
            transform=from_origin(610_000 + i * size * PX, 335_000, PX, PX),
            tiled=True,
            compress="DEFLATE",
            photometric="MINISBLACK",
        ) as dst:
            dst.write(data)
            dst.descriptions = ("red", "green", "blue", "nir")
    return paths


def time_gdal_translate(paths: list[Path], out: Path, workers: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    def one(p: Path) -> None:
        subprocess.run(
            ["gdal_translate", "-q", "-of", "COG", *COG_OPTIONS, str(p), str(out / p.name)],
            check=True,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - start


def time_rasterio_cog(paths: list[Path], out: Path) -> float:
    """The same COG translation in-process with rasterio's bundled (newer) GDAL, one process."""
    from rasterio.shutil import copy

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    for p in paths:
        copy(p, out / p.name, driver="COG", compress="DEFLATE", predictor=2, blocksize=512)
    return time.perf_counter() - start


def bench_database() -> str:
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import Settings

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, BENCH_DB, fresh=True)
    migrate(url)
    return url


def time_msip(delivery: Path, url: str, workers: int, extra: list[str]) -> float:
    import psycopg

    store = WORK / "store"
    shutil.rmtree(store, ignore_errors=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE msip.raster_asset, msip.load_run RESTART IDENTITY CASCADE")
    env = dict(os.environ, MSIP_DATABASE_URL=url, MSIP_DATA_DIR=str(store), MSIP_PROGRESS="0")
    cmd = [
        str(ROOT / ".venv" / "bin" / "msip"),
        "load",
        "orthophoto",
        str(delivery),
        "--epoch",
        EPOCH,
        "--workers",
        str(workers),
        *extra,
    ]
    start = time.perf_counter()
    done = subprocess.run(cmd, check=False, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or "succeeded" not in done.stdout:
        sys.exit(f"msip load orthophoto failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=8)
    parser.add_argument("--size", type=int, default=2000, help="tile width = height in pixels")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--results", type=Path, help="append the Markdown table to this file")
    args = parser.parse_args()

    import rasterio

    delivery = WORK / f"delivery_{args.tiles}x{args.size}"
    paths = make_delivery(delivery, args.tiles, args.size)
    mpix = args.tiles * args.size * args.size / 1e6
    url = bench_database()
    runs = {
        "gdal_translate -of COG, 1 process": lambda: time_gdal_translate(paths, WORK / "gdal", 1),
        f"gdal_translate -of COG, {args.workers} processes": lambda: time_gdal_translate(
            paths, WORK / "gdal", args.workers
        ),
        "rasterio.shutil.copy(driver='COG'), bundled GDAL, 1 process": lambda: time_rasterio_cog(
            paths, WORK / "rio"
        ),
        "msip load orthophoto (COG + NDVI + brightness + JPEG copy + catalogue)": lambda: time_msip(
            delivery, url, args.workers, []
        ),
        "msip load orthophoto --no-display (COG + NDVI + brightness + catalogue)": lambda: (
            time_msip(delivery, url, args.workers, ["--no-display"])
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(
        args.repeat
    ):  # interleaved, so a busy minute on the shared machine hits all alike
        for name, fn in runs.items():
            times[name].append(fn())
    best = {name: min(values) for name, values in times.items()}

    gdal_cli = subprocess.run(
        ["gdal_translate", "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    base1, baseN = list(best.values())[:2]
    title = (
        f"### load orthophoto — {args.tiles} tiles × {args.size}² px, 4-band uint8 ({mpix:.1f} MP), "
        f"{os.cpu_count()} cores (shared), best of {args.repeat}"
    )
    versions = (
        f"gdal_translate: {gdal_cli}; rasterio {rasterio.__version__} with GDAL "
        f"{rasterio.__gdal_version__}; compression DEFLATE, PREDICTOR=2, 512 px blocks for all"
    )
    lines = [
        title,
        versions,
        "",
        "| run | seconds | MP/s | × gdal_translate (1 proc) | × gdal_translate (same procs) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in best.items():
        lines.append(
            f"| {name} | {seconds:.2f} | {mpix / seconds:.2f} | {base1 / seconds:.2f} | {baseN / seconds:.2f} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.results:
        with open(args.results, "a", encoding="utf-8") as fh:
            fh.write(table + "\n\n")


if __name__ == "__main__":
    main()
