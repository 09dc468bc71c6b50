"""Benchmark: the heat-island analysis over ≥ 25 km² at 5 m — against natcap.invest, and as a whole MSIP run.

Part `model`: one synthetic land cover (processing.heat.ucm_invest.synthetic_city, --km × --km km at
5 m: streets, building blocks, parks with trees, a river) goes through natcap.invest's
`urban_cooling_model.execute` and through MSIP's model (in one process, and with the FFT
windows on Dask local processes). Each runs in its own child process on the same input files
(land cover and ET0 GeoTIFFs, biophysical CSV, written before the clock starts) and is timed the
same way, raster I/O included: InVEST's `execute` (reads the inputs, writes its rasters) against
`run_msip_files` (reads the same inputs, writes CC, CC_park, HM, T_air_nomix and T_air as tiled
LZW GeoTIFFs like pygeoprocessing). The model alone (MSIP on arrays) is timed too. Peak RSS is
the sum over the child and its workers (psutil). CC, CC_park, HM and T_air before and after air
mixing are compared cell by cell.

Part `process`: the same city as MSIP layers — CHM, nDSM, orthophoto brightness and NDVI as
0.5 m COG tiles of 1 km with one mosaic VRT per kind (catalogued like the loaders do), one
building per block, green spaces, 500 m zoning zones — in a scratch database (msip_bench_heat,
recreated), then `run_heat_island(force=True)` end to end: input blocks and kernels on Dask
local processes, COGs, hot spots, per-building/zone/cell rows.

    .venv/bin/python benchmarks/process_heat.py [--km 5] [--workers 2] [--parts model,process]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Self

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "heat"
sys.path.insert(0, str(ROOT))
CELL = 5.0
#: Per land-cover code of synthetic_city: brightness (1–255), NDVI, canopy height m, object height m.
LOOK = {1: (100, 0.05, 0, 0), 2: (180, 0.03, 0, 12), 3: (90, 0.65, 0, 0), 4: (60, 0.82, 12, 12),
        5: (40, -0.2, 0, 0), 6: (150, 0.15, 0, 0)}


class PeakRss:
    """Peak of the summed RSS of this process and its children, sampled every 0.2 s."""

    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    @staticmethod
    def _rss(p) -> int:
        import psutil

        try:
            return p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):  # a child may exit while we read it
            return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            procs = [self.proc, *self.proc.children(recursive=True)]
            self.peak = max(self.peak, sum(self._rss(p) for p in procs))
            self._stop.wait(0.2)

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _model_child(kind: str, km: int, workers: int) -> None:
    """In a child process: run one model on the city; print JSON with seconds, peak RSS; save arrays."""
    from processing.heat.ucm_invest import run_invest, run_msip, run_msip_files, synthetic_city, write_inputs

    case = synthetic_city(int(km * 1000 / CELL), int(km * 1000 / CELL), cell_size_m=CELL)
    out_dir = WORK / "model"
    paths = write_inputs(case, out_dir / "inputs")  # before the clock, for every kind
    convolve = None
    if kind == "msip-dask":
        from msip.core.rasters.store import map_tiles
        from processing.heat.ucm_convolve import convolve_on_files

        def mapper(fn, items):
            return map_tiles(fn, items, workers=workers, progress_desc="kernels")

        def convolve(s, k):
            return convolve_on_files(s, k, out_dir / "dask", "c", mapper, workers=workers)

    with PeakRss() as rss:
        if kind == "invest":
            out = run_invest(case, out_dir / "invest_ws", paths)
        elif kind == "msip-model":
            out = run_msip(case)
        else:
            out = run_msip_files(paths, case.params, out_dir / f"{kind}_out", convolve=convolve)
    np.savez(out_dir / f"{kind}.npz", cc=out.cc, cc_park=out.cc_park, hm=out.hm, t_air_nomix=out.t_air_nomix,
             t_air=out.t_air)
    print(json.dumps({"kind": kind, "seconds": out.seconds, "peak_rss_mib": rss.peak / 2**20,
                      "cells": int(case.lulc.size)}))


#: The runs of part `model`: InVEST, MSIP from and to files (as InVEST), the same with Dask, MSIP on arrays.
MODEL_KINDS = ("invest", "msip", "msip-dask", "msip-model")


def model_part(km: int, workers: int) -> dict:
    results = {}
    for kind in MODEL_KINDS:
        proc = subprocess.run([sys.executable, __file__, "--child", kind, "--km", str(km), "--workers", str(workers)],
                              capture_output=True, text=True, check=True)
        results[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"  {kind:10s} {results[kind]['seconds']:7.2f} s  peak RSS {results[kind]['peak_rss_mib']:6.0f} MiB",
              flush=True)
    ref = np.load(WORK / "model" / "invest.npz")
    for kind in MODEL_KINDS[1:]:
        got = np.load(WORK / "model" / f"{kind}.npz")
        results[kind]["max_abs_diff"] = {k: float(np.nanmax(np.abs(ref[k] - got[k]))) for k in ref.files}
        results[kind]["ratio"] = results["invest"]["seconds"] / results[kind]["seconds"]
    d = np.load(WORK / "model" / "msip.npz"), np.load(WORK / "model" / "msip-dask.npz")
    results["msip-dask"]["identical_to_in_process"] = all(np.array_equal(d[0][k], d[1][k], equal_nan=True)
                                                          for k in d[0].files)
    return results


def _write_tiles(conn, run_id: int, lulc: np.ndarray, km: int, epoch) -> None:
    """0.5 m COG tiles of 1 km per kind + one catalogued mosaic VRT per kind, from the 5 m land cover."""
    from affine import Affine

    from msip.core.rasters.store import build_mosaic, catalogue, raster_dir, write_cog

    k = int(CELL / 0.5)
    cells = int(1000 / CELL)
    rng = np.random.default_rng(1)
    paths: dict[str, list[Path]] = {kind: [] for kind in ("chm", "ndsm", "brightness", "ndvi")}
    look = np.array([LOOK.get(c, (1, 0, 0, 0)) for c in range(7)], dtype=np.float64)
    for ty in range(km):
        for tx in range(km):
            block = lulc[ty * cells:(ty + 1) * cells, tx * cells:(tx + 1) * cells]
            fine = np.repeat(np.repeat(block, k, axis=0), k, axis=1)
            v = look[fine]
            noise = rng.normal(0, 1, fine.shape)
            data = {
                "chm": np.where(v[..., 2] > 0, v[..., 2] + noise, 0).astype(np.float32),
                "ndsm": np.maximum(v[..., 3] + 0.3 * noise, 0).astype(np.float32),
                "brightness": np.clip(v[..., 0] + 8 * noise, 1, 255).astype(np.uint8),
                "ndvi": np.clip((v[..., 1] + 0.03 * noise) * 10000, -10000, 10000).astype(np.int16),
            }
            x0, y1 = 610_000.0 + tx * 1000, 330_000.0 + (km - ty) * 1000
            for kind, arr in data.items():
                nodata = {"chm": -9999.0, "ndsm": -9999.0, "brightness": 0, "ndvi": -32768}[kind]
                p = raster_dir(kind, epoch) / f"{kind}_{tx}_{ty}.tif"
                write_cog(p, arr, transform=Affine(0.5, 0, x0, 0, -0.5, y1), nodata=nodata, band_descriptions=[kind])
                paths[kind].append(p)
    for kind, files in paths.items():
        mosaic = build_mosaic(files, raster_dir(kind, epoch) / f"{kind}_mosaic.vrt")
        catalogue(conn, kind=kind, epoch=epoch, path=mosaic, load_run_id=run_id, is_mosaic=True)


def _vectors(conn, run_id: int, lulc: np.ndarray, km: int, epoch) -> dict:
    """Buildings (class 2 patches), green spaces (class 3/4 patches ≥ 1000 m²) and 500 m zones."""
    from affine import Affine
    from rasterio.features import shapes
    from shapely.geometry import box, shape

    from msip.core.copy import copy_rows, ewkb_hex

    transform = Affine(CELL, 0, 610_000.0, 0, -CELL, 330_000.0 + km * 1000)
    rng = np.random.default_rng(2)
    buildings = [shape(g) for g, v in shapes((lulc == 2).astype(np.uint8), transform=transform) if v == 1]
    greens = [shape(g) for g, v in shapes(np.isin(lulc, (3, 4)).astype(np.uint8), transform=transform) if v == 1]
    greens = [g for g in greens if g.area >= 1000]
    storeys = rng.integers(1, 11, len(buildings))
    copy_rows(conn, "msip.building", ["source_id", "epoch", "kind", "residential", "storeys", "population",
                                      "population_estimated", "footprint_m2", "source_format", "row_hash", "geom",
                                      "load_run_id"],
              ((f"B{i}", epoch, "residential", True, int(s), 0, False, g.area, "bench", "x", h, run_id)
               for i, (g, s, h) in enumerate(
                   zip(buildings, storeys, ewkb_hex([_multi(g) for g in buildings]), strict=False))))
    copy_rows(conn, "msip.green_space", ["source_id", "epoch", "kind", "public_access", "area_m2", "source_format",
                                         "row_hash", "geom", "load_run_id"],
              ((f"G{i}", epoch, "park", True, g.area, "bench", "x", h, run_id)
               for i, (g, h) in enumerate(zip(greens, ewkb_hex([_multi(g) for g in greens]), strict=False))))
    zones = [box(610_000 + x, 330_000 + y, 610_000 + x + 500, 330_000 + y + 500)
             for x in range(0, km * 1000, 500) for y in range(0, km * 1000, 500)]
    copy_rows(conn, "msip.zoning_zone", ["iip_namespace", "local_id", "zone_kind", "designation", "symbol",
                                         "row_hash", "geom", "load_run_id"],
              (("PL.BENCH", f"Z{i}", "strefa", f"{i}SW", "SW", "x", h, run_id)
               for i, h in enumerate(ewkb_hex([_multi(z) for z in zones]))))
    return {"buildings": len(buildings), "green_spaces": len(greens), "zones": len(zones)}


def _multi(g):
    from shapely.geometry import MultiPolygon

    return g if g.geom_type == "MultiPolygon" else MultiPolygon([g])


def process_part(km: int, workers: int) -> dict:
    """Generate the MSIP layers in a scratch database, then time run_heat_island end to end."""
    from datetime import date

    import psycopg

    os.environ["MSIP_DATA_DIR"] = str(WORK / "data")
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import Settings
    from processing.heat.analysis import run_heat_island
    from processing.heat.params import HeatParams
    from processing.heat.ucm_invest import synthetic_city

    epoch = date(2025, 6, 15)
    url = cluster.bootstrap(Settings.from_env(), "msip_bench_heat", fresh=True)
    migrate(url)
    lulc = synthetic_city(int(km * 1000 / CELL), int(km * 1000 / CELL), cell_size_m=CELL).lulc
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        run_id = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, status, finished_at) "
            "VALUES ('benchmark', 'benchmark', repeat('b', 64), %s, 'succeeded', now()) RETURNING run_id",
            (epoch,)).fetchone()[0]
        _write_tiles(conn, run_id, lulc, km, epoch)
        counts = _vectors(conn, run_id, lulc, km, epoch)
    print(f"  generated {counts} and 4 × {km * km} COG tiles in {time.perf_counter() - started:.0f} s", flush=True)
    with PeakRss() as rss:
        t = time.perf_counter()
        report = run_heat_island(url=url, params=HeatParams(), force=True, workers=workers)
        wall = time.perf_counter() - t
    print("  " + report.summary().replace("\n", "\n  "), flush=True)
    return {"seconds": wall, "peak_rss_mib": rss.peak / 2**20, "km2": km * km, "cells": (km * 200) ** 2,
            "rows_in": report.rows_in, "rejected": report.rows_rejected, **counts}


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--km", type=int, default=5, help="side of the square area, km (5 → 25 km²)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", default="model,process")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _model_child(args.child, args.km, args.workers)
        return {}
    out = {}
    if "model" in args.parts:
        print(f"heat-island model, {args.km * args.km} km² at {CELL:g} m:", flush=True)
        out["model"] = model_part(args.km, args.workers)
    if "process" in args.parts:
        print(f"heat-island process, {args.km * args.km} km² at {CELL:g} m (MSIP layers at 0.5 m):", flush=True)
        out["process"] = process_part(args.km, args.workers)
    print("RESULT " + json.dumps(out))
    return out


if __name__ == "__main__":
    main()
