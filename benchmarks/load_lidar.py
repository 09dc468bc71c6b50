"""Benchmark: the full LiDAR pipeline (msip load lidar) vs raw laspy+lazrs decoding of one LAZ.

Generates a synthetic survey (terrain, buildings, trees, noise; ~12 points/m², classified or
not) block by block into benchmarks/_work/ (memory bounded), then measures
1. raw decode: laspy chunk iterator with lazrs parallel decompression, x/y/z scaled;
2. the full pipeline: load_lidar (patches via COPY into PostGIS, spill, SMRF when unclassified,
   DTM/DSM/nDSM/CHM COGs, trees, catalogue) into a separate database (default msip_bench,
   recreated on the local cluster);
and prints points/s of both, their ratio and peak RSS (this process and its largest worker).

Fairness on a shared machine: raw decode runs three times — before, and twice after the
pipeline — and the median is the reference; the load average is sampled during the whole
run. CPU seconds (this process + worker processes + the PostgreSQL backends) are printed
beside wall times: they hardly depend on other jobs, wall times do.

    .venv/bin/python benchmarks/load_lidar.py --points 20000000 [--unclassified] [--workers N]

Longer than ~300 lines on purpose: a benchmark is one runnable file: generator, reference tool, MSIP
run and report together.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work"
DENSITY = 12.0
BLOCK_M = 100.0


def _block(
    rng: np.random.Generator, x0: float, y0: float, classified: bool
) -> dict[str, np.ndarray]:
    """Points of one 100 m block: sloping terrain, 0–2 flat-roof buildings, ~12 trees, noise."""
    n = int(DENSITY * BLOCK_M * BLOCK_M * 0.85)
    x = x0 + rng.uniform(0, BLOCK_M, n)
    y = y0 + rng.uniform(0, BLOCK_M, n)
    ground = (
        260 + 0.004 * (x - 600_000) + 0.002 * (y - 330_000) + 0.8 * np.sin(x / 90) * np.cos(y / 130)
    )
    z = ground + rng.uniform(-0.03, 0.03, n)
    cls = np.full(n, 2, np.uint8)
    nret = np.ones(n, np.uint8)
    for _ in range(int(rng.integers(0, 3))):
        bx, by = x0 + rng.uniform(5, 60), y0 + rng.uniform(5, 60)
        w, d, h = rng.uniform(10, 30), rng.uniform(10, 30), rng.uniform(5, 25)
        m = (x >= bx) & (x < bx + w) & (y >= by) & (y < by + d)
        z[m] = ground[m].mean() + h if m.any() else z[m]
        cls[m] = 6
    top = np.full(n, -np.inf)
    for _ in range(12):
        tx, ty = x0 + rng.uniform(0, BLOCK_M), y0 + rng.uniform(0, BLOCK_M)
        h = rng.uniform(4, 25)
        r = np.clip(0.2 * h, 1.2, 5)
        d2 = ((x - tx) ** 2 + (y - ty) ** 2) / (r * r)
        m = (d2 <= 1) & (cls != 6)
        surf = ground[m] + h - min(1.2 * r, 0.6 * h) * d2[m]
        higher = surf > top[m]
        idx = np.flatnonzero(m)[higher]
        top[idx] = surf[higher]
    tree = np.isfinite(top)
    k = int(tree.sum())
    z[tree] = top[tree] + rng.normal(0, 0.05, k)
    cls[tree] = 5
    nret[tree] = rng.choice([1, 2, 3], size=k, p=[0.45, 0.35, 0.2])
    ti = np.flatnonzero(tree & (nret > 1))
    ex = {
        "x": x[ti],
        "y": y[ti],
        "z": ground[ti] + rng.uniform(0, 1, len(ti)) * (top[ti] - ground[ti]) * 0.6,
        "cls": np.full(len(ti), 5, np.uint8),
        "ret": np.full(len(ti), 2, np.uint8),
        "nret": nret[ti],
    }
    m = 8
    nx, ny = x0 + rng.uniform(0, BLOCK_M, m), y0 + rng.uniform(0, BLOCK_M, m)
    nz = 260 + 0.004 * (nx - 600_000) + np.where(np.arange(m) % 2, 60.0, -8.0)
    out = {
        "x": np.concatenate([x, ex["x"], nx]),
        "y": np.concatenate([y, ex["y"], ny]),
        "z": np.concatenate([z, ex["z"], nz]),
        "cls": np.concatenate([cls, ex["cls"], np.full(m, 7, np.uint8)]),
        "ret": np.concatenate([np.ones(n, np.uint8), ex["ret"], np.ones(m, np.uint8)]),
        "nret": np.concatenate([nret, ex["nret"], np.ones(m, np.uint8)]),
    }
    if not classified:
        out["cls"] = np.ones_like(out["cls"])
    return out


def generate(path: Path, points: int, classified: bool, seed: int = 7) -> int:
    """Write a synthetic LAS 1.4 / PF6 LAZ (EPSG:2180) of about `points` points; returns n."""
    import laspy
    from pyproj import CRS

    side = max(1, int(np.ceil(np.sqrt(points / DENSITY) / BLOCK_M)))
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.scales = np.array([0.01, 0.01, 0.01])
    x0, y0 = 610_000.0, 330_000.0
    header.offsets = np.array([x0, y0, 0.0])
    header.add_crs(CRS.from_epsg(2180))
    rng = np.random.default_rng(seed)
    total = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with laspy.open(
        path, mode="w", header=header, do_compress=True, laz_backend=laspy.LazBackend.LazrsParallel
    ) as writer:
        j = 0
        while total < points:  # rows of `side` blocks until enough points (memory: one block)
            for i in range(side):
                if total >= points:
                    break
                b = _block(rng, x0 + i * BLOCK_M, y0 + j * BLOCK_M, classified)
                rec = laspy.ScaleAwarePointRecord.zeros(len(b["x"]), header=header)
                rec.x, rec.y, rec.z = b["x"], b["y"], np.round(b["z"], 2)
                rec.classification = b["cls"]
                rec.return_number = b["ret"]
                rec.number_of_returns = b["nret"]
                rec.intensity = np.full(len(b["x"]), 1000, np.uint16)
                rec.gps_time = np.arange(total, total + len(b["x"])) * 1e-5
                writer.write_points(rec)
                total += len(b["x"])
            j += 1
    return total


def raw_decode(path: Path, chunk: int = 1_000_000) -> tuple[int, float, float]:
    """(points, wall s, CPU s) of decoding with laspy + lazrs parallel and scaling x/y/z."""
    import laspy

    t, c = time.perf_counter(), time.process_time()
    n = 0
    with laspy.open(path, laz_backend=laspy.LazBackend.LazrsParallel) as reader:
        for rec in reader.chunk_iterator(chunk):
            _ = (
                np.asarray(rec.x),
                np.asarray(rec.y),
                np.asarray(rec.z),
                np.asarray(rec.classification),
            )
            n += len(rec)
    return n, time.perf_counter() - t, time.process_time() - c


class ServerCpu:
    """CPU seconds of this process's database backends (read just before each connection closes)."""

    def __init__(self) -> None:
        import psutil
        import psycopg

        self.seconds = 0.0
        self.missed = 0
        original = psycopg.Connection.close

        def close(conn, *a, **k):
            try:
                t = psutil.Process(conn.info.backend_pid).cpu_times()
                self.seconds += t.user + t.system
            except psutil.Error:
                self.missed += 1  # a backend already gone is not counted
            return original(conn, *a, **k)

        psycopg.Connection.close = close


def bench_database() -> str:
    """A fresh database msip_bench on the local cluster with all migrations."""
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import Settings

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, "msip_bench", fresh=True)
    migrate(url)
    return url


def drop_bench_database() -> None:
    """Drop msip_bench again (it holds gigabytes of points after a large run)."""
    import psycopg
    from psycopg import sql

    from msip.core import cluster
    from msip.core.settings import Settings

    with psycopg.connect(cluster.superuser_url(Settings.from_env()), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier("msip_bench"))
        )


class TreeRss:
    """Samples the resident memory of this process plus all its children (workers) twice a second.

    Also samples the 1-minute load average, so the conditions of the run are known.
    """

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(0.5):
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    continue  # a worker that just ended
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self.loads.append(os.getloadavg()[0])

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest child (worker) process."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=20_000_000)
    ap.add_argument("--unclassified", action="store_true", help="no classes: ground by SMRF")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="default: the CPU count"
    )
    ap.add_argument(
        "--read-workers",
        type=int,
        default=None,
        help="processes reading chunks of the file (default: the loader's, = workers)",
    )
    ap.add_argument(
        "--url", default=None, help="database URL (default: fresh msip_bench on the local cluster)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated LAZ for the next run")
    args = ap.parse_args(argv)

    os.environ.setdefault("MSIP_PROGRESS", "0")
    os.environ["MSIP_DATA_DIR"] = str(WORK / "data")
    kind = "unclassified" if args.unclassified else "classified"
    laz = WORK / f"synthetic_{args.points}_{kind}.laz"
    if not laz.exists():
        t = time.perf_counter()
        n = generate(laz, args.points, classified=not args.unclassified)
        mb, secs = laz.stat().st_size / 1e6, time.perf_counter() - t
        print(f"generated {n:,} points ({mb:.0f} MB LAZ) in {secs:.0f} s")
    load_start = os.getloadavg()[0]
    raws = [raw_decode(laz)]
    n_raw = raws[0][0]
    print(f"raw laspy+lazrs decode: {n_raw:,} points in {raws[0][1]:.1f} s")

    from pipelines.lidar import LidarParams, load_lidar

    url = args.url or bench_database()
    server = ServerCpu()
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree = TreeRss()
    t, c = time.perf_counter(), time.process_time()
    result = load_lidar(
        [laz],
        epoch=date(2024, 6, 15),
        params=LidarParams(),
        url=url,
        workers=args.workers,
        read_workers=args.read_workers,
    )
    t_full, c_self = time.perf_counter() - t, time.process_time() - c
    tree_mb = tree.stop()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    c_kids = kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    c_full = c_self + c_kids + server.seconds
    rep = result.reports[0]
    assert rep.rows_in == n_raw == rep.rows_loaded + rep.rows_rejected, (
        "points in ≠ stored + rejected"
    )
    raws += [raw_decode(laz), raw_decode(laz)]  # the machine is shared: before and after
    t_raw = sorted(r[1] for r in raws)[1]
    c_raw = sorted(r[2] for r in raws)[1]
    me, worker = peak_rss_mb()
    raw_speed, full_speed = n_raw / t_raw / 1e6, n_raw / t_full / 1e6
    cpu_raw, cpu_full = c_raw / n_raw * 1e6, c_full / n_raw * 1e6
    cores = os.cpu_count() or 1
    print(
        "raw decode (median of 3: before, after, after): "
        f"{raw_speed:.2f} M points/s "
        f"({', '.join(f'{n_raw / r[1] / 1e6:.2f}' for r in raws)}), "
        f"CPU {cpu_raw:.2f} µs/point, using {c_raw / t_raw:.1f} of {cores} cores"
    )
    print(
        f"full pipeline: {n_raw:,} points in {t_full:.1f} s = {full_speed:.2f} M points/s "
        f"(file run {rep.duration_s:.1f} s: decode, clean, patches, spill; "
        f"rasters+trees run {result.derived.duration_s:.1f} s), "
        f"using {c_full / t_full:.1f} of {cores} cores"
    )
    print(
        f"CPU: pipeline {c_full:.1f} s = {cpu_full:.2f} µs/point (this process "
        f"{c_self:.1f} s, worker processes {c_kids:.1f} s, database server "
        f"{server.seconds:.1f} s) vs raw decode {cpu_raw:.2f} µs/point"
    )
    loads = tree.loads or [load_start]
    print(
        f"peak RSS: main process {me:.0f} MB, largest worker {worker:.0f} MB, all processes "
        f"together {tree_mb:.0f} MB (database server not counted); load average during the "
        f"run {min(loads):.1f}–{max(loads):.1f} (median {sorted(loads)[len(loads) // 2]:.1f}) "
        f"on {cores} CPUs, workers {args.workers}, read workers "
        f"{args.read_workers or 'default'}"
    )
    print(
        f"RESULT: pipeline = {100 * full_speed / raw_speed:.0f} % of raw decode speed (wall; "
        f"target ≥ 30 %) and {100 * cpu_raw / cpu_full:.0f} % by CPU time per point (what the "
        "wall ratio tends to when every core is busy with other work as well)"
    )
    print(result.derived.summary())
    if not args.keep:
        laz.unlink()
    if not args.url:
        drop_bench_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
