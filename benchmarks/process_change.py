"""Benchmark: the `change` analysis over ≥ 25 km² of synthetic nDSM/CHM/DTM/NDVI COG pairs; wall time, peak RSS.

The inputs are generated directly as rasters (no point clouds), both epochs at 0.5 m — NDVI too,
coarser than a real 0.25 m orthophoto (documented in results_process_change.md) — as 1 km COG
tiles under benchmarks/_work/change/ with one mosaic VRT per kind and epoch, exactly what
`msip load lidar` / `msip load orthophoto` leave in the raster store. Each km² holds a smooth
terrain with ±3 cm noise per epoch, ~60 buildings, ~1500 trees (paraboloid crowns) and grass,
and between the epochs: new, demolished and raised buildings, felled trees, crowns whose NDVI
falls, one 1.5 m embankment. The benchmark times `processing.change.detect.detect_changes` (tiles on
Dask local processes, merge, classification, per-tree sampling; not the database write, which
is one COPY of the few thousand events), samples the summed RSS of this process and its workers,
and scores the events against the planted changes.

    .venv/bin/python benchmarks/process_change.py [--km 5] [--workers 2] [--tile-m 500] [--results FILE]

Longer than ~300 lines on purpose: a benchmark is one runnable file: generator, MSIP run and report
together.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "_work" / "change"
X0, Y0 = 610_000.0, 330_000.0
RES, TILE_M = 0.5, 1000.0
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)
KINDS = ("ndsm", "chm", "dtm", "ndvi")


def _terrain(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 250.0 + 5.0 * np.sin(x / 700.0) * np.cos(y / 900.0) + 0.002 * (x - X0)


def _plan(i: int, j: int) -> dict:
    """Buildings, trees and the embankment of tile (i, j), with their epoch-2 fate (seeded per tile)."""
    rng = np.random.default_rng(1000 * i + j)
    tx, ty = X0 + i * TILE_M, Y0 + j * TILE_M
    buildings, empty = [], []
    for a in range(10):
        for b in range(10):
            cx, cy = (
                tx + 100 * a + 50 + rng.uniform(-10, 10),
                ty + 100 * b + 50 + rng.uniform(-10, 10),
            )
            w, h = rng.uniform(12, 40), rng.uniform(12, 40)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if rng.random() < 0.6:
                fate = rng.choice(["same", "demolished", "raised"], p=[0.96, 0.02, 0.02])
                buildings.append((box, float(rng.uniform(4, 30)), str(fate)))
            else:
                empty.append(box)
    new = [k for k in range(len(empty)) if rng.random() < 0.05]
    buildings += [(empty[k], float(rng.uniform(4, 20)), "new") for k in new]
    free = [empty[k] for k in range(len(empty)) if k not in new]
    e = free[0]
    embankment = (e[0] + 2, e[1] + 2, e[0] + 22, e[1] + 22)
    trees = []
    boxes = np.array([bx for bx, _, _ in buildings] + [embankment])
    while len(trees) < 1500:
        x, y = tx + rng.uniform(5, TILE_M - 5), ty + rng.uniform(5, TILE_M - 5)
        r = rng.uniform(1.5, 5.0)
        near = (
            (x > boxes[:, 0] - r - 2)
            & (x < boxes[:, 2] + r + 2)
            & (y > boxes[:, 1] - r - 2)
            & (y < boxes[:, 3] + r + 2)
        )
        placed = np.array([t[:3] for t in trees]).reshape(-1, 3)
        crowns_touch = np.hypot(placed[:, 0] - x, placed[:, 1] - y) < placed[:, 2] + r + 1.0
        if near.any() or crowns_touch.any():  # crowns apart, so each tree's truth is observable
            continue
        fate = rng.choice(["same", "felled", "decline"], p=[0.93, 0.05, 0.02])
        trees.append((x, y, r, float(rng.uniform(5, 25)), str(fate)))
    return {"buildings": buildings, "trees": trees, "embankment": embankment}


def make_tile(args: tuple[int, int, str]) -> dict:
    """Write the 8 COGs (4 kinds × 2 epochs) of tile (i, j); return its plan (the truth)."""
    from affine import Affine

    from msip.core.rasters.store import write_cog

    i, j, folder = args
    plan = _plan(i, j)
    tx, ty = X0 + i * TILE_M, Y0 + j * TILE_M
    n = round(TILE_M / RES)
    transform = Affine(RES, 0, tx, 0, -RES, ty + TILE_M)
    xs = tx + (np.arange(n) + 0.5) * RES
    ys = ty + TILE_M - (np.arange(n) + 0.5) * RES
    rng = np.random.default_rng(7 + 1000 * i + j)
    for epoch in (1, 2):
        x, y = np.meshgrid(xs, ys)
        dtm = _terrain(x, y) + rng.normal(0, 0.03, x.shape)
        if epoch == 2:
            e = plan["embankment"]
            out = np.hypot(
                np.maximum(np.maximum(e[0] - x, x - e[2]), 0),
                np.maximum(np.maximum(e[1] - y, y - e[3]), 0),
            )
            dtm += 1.5 * np.clip(1 - out / 2.0, 0, 1)
        del x, y
        built = np.zeros((n, n), np.float32)
        for (bx0, by0, bx1, by1), h, fate in plan["buildings"]:
            height = {
                1: 0.0 if fate == "new" else h,
                2: {"demolished": 0.0, "raised": h + 3.0}.get(fate, h),
            }[epoch]
            c0, c1 = int((bx0 - tx) / RES), int((bx1 - tx) / RES)
            r0, r1 = int((ty + TILE_M - by1) / RES), int((ty + TILE_M - by0) / RES)
            built[r0:r1, c0:c1] = height
        chm = np.zeros((n, n), np.float32)
        ndvi = np.where(built > 0, 0.05, 0.4 + rng.normal(0, 0.02, (n, n))).astype(np.float32)
        for x0, y0, r, h, fate in plan["trees"]:
            if epoch == 2 and fate == "felled":
                continue
            c0, c1 = max(0, int((x0 - r - tx) / RES)), min(n, int((x0 + r - tx) / RES) + 1)
            r0, r1 = (
                max(0, int((ty + TILE_M - y0 - r) / RES)),
                min(n, int((ty + TILE_M - y0 + r) / RES) + 1),
            )
            d = np.hypot(xs[c0:c1][None, :] - x0, ys[r0:r1][:, None] - y0)
            inside = d < r
            crown = np.where(inside, (h + 0.2 * (epoch == 2)) * (1 - (d / r) ** 2), 0)
            chm[r0:r1, c0:c1] = np.maximum(chm[r0:r1, c0:c1], crown)
            green = 0.55 if epoch == 2 and fate == "decline" else 0.75
            ndvi[r0:r1, c0:c1] = np.where(inside, green, ndvi[r0:r1, c0:c1])
        ndsm = np.maximum(built, chm)
        stem = f"{tx:.0f}_{ty:.0f}"
        for kind, arr, nodata, pred in (
            ("ndsm", ndsm, -9999.0, 3),
            ("chm", chm, -9999.0, 3),
            ("dtm", dtm.astype(np.float32), -9999.0, 3),
            ("ndvi", np.round(ndvi * 10000).astype(np.int16), -32768, 2),
        ):
            path = Path(folder) / kind / str(epoch) / f"{kind}_{stem}.tif"
            write_cog(
                path,
                arr,
                transform=transform,
                nodata=nodata,
                band_descriptions=[kind],
                predictor=pred,
            )
    return plan


def generate(km: int, workers: int) -> tuple[dict, list[dict]]:
    """Mosaic paths {epoch: {kind: path}} and the tile plans (reused when already generated)."""
    from msip.core.rasters.store import build_mosaic, map_tiles

    folder = WORK / f"{km}km"
    manifest = folder / "plans.json"
    if manifest.exists():
        plans = json.loads(manifest.read_text())
    else:
        items = [(i, j, str(folder)) for j in range(km) for i in range(km)]
        plans = map_tiles(make_tile, items, workers=workers, progress_desc="synthetic tiles")
        manifest.write_text(json.dumps(plans))
    mosaics = {}
    for epoch in (1, 2):
        mosaics[epoch] = {}
        for kind in KINDS:
            tiles = sorted((folder / kind / str(epoch)).glob("*.tif"))
            mosaics[epoch][kind] = str(build_mosaic(tiles, folder / kind / f"{kind}_{epoch}.vrt"))
    return mosaics, plans


def inputs_and_truth(km: int, mosaics: dict, plans: list[dict]):
    import shapely

    from processing.change.detect import ChangeInputs
    from processing.change.events import InventoryObject, RegisteredBuilding

    trees, reg1, reg2, truth = [], [], [], []
    for plan in plans:
        for (bx0, by0, bx1, by1), h, fate in plan["buildings"]:
            geom, sid = shapely.box(bx0, by0, bx1, by1), f"{bx0:.0f}_{by0:.0f}"
            if fate != "new":
                reg1.append(RegisteredBuilding(sid, geom, h))
            if fate != "demolished":
                reg2.append(RegisteredBuilding(sid, geom, h + 3.0 if fate == "raised" else h))
            if fate != "same":
                truth.append((f"{fate}_building", geom))
        for x, y, r, _h, fate in plan["trees"]:
            trees.append(InventoryObject("bench", f"T{len(trees)}", x, y, crown_diameter_m=2 * r))
            if fate != "same":
                truth.append(
                    (
                        {"felled": "felled_tree", "decline": "health_decline"}[fate],
                        shapely.Point(x, y),
                    )
                )
        truth.append(("terrain_change", shapely.box(*plan["embankment"])))
    side = km * TILE_M
    inputs = ChangeInputs(
        E1,
        E2,
        mosaics[1],
        mosaics[2],
        (X0, Y0, X0 + side, Y0 + side),
        RES,
        (X0, Y0 + side),
        trees,
        reg1,
        reg2,
    )
    return inputs, truth


class RssSampler(threading.Thread):
    """Peak of the summed RSS of this process and all its children (MiB), sampled every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_total = self.peak_single = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            procs = [me, *me.children(recursive=True)]
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss / 2**20)
                except psutil.Error:
                    continue
            self.peak_total = max(self.peak_total, sum(rss))
            self.peak_single = max(self.peak_single, max(rss))
            time.sleep(0.2)


def score(events, truth) -> dict[str, tuple[int, int, float, float]]:
    """Per type: (detected, true, precision, recall); points match within 1.5 m, areas by half overlap."""
    import shapely

    out = {}
    for kind in sorted({t for t, _ in truth}):
        det = [e.geom for e in events if e.type == kind]
        tru = [g for t, g in truth if t == kind]
        tree = shapely.STRtree(tru)

        def hit(d, pool_tree, pool):
            for k in pool_tree.query(d.buffer(1.5)):
                t = pool[k]
                if t.geom_type == "Point" or d.geom_type == "Point":
                    if d.distance(t) <= 1.5:
                        return True
                elif d.intersection(t).area >= 0.5 * min(d.area, t.area):
                    return True
            return False

        hd = sum(hit(d, tree, tru) for d in det)
        ht = sum(hit(t, shapely.STRtree(det), det) for t in tru) if det else 0
        out[kind] = (len(det), len(tru), hd / max(len(det), 1), ht / len(tru))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--km", type=int, default=5, help="side of the square area in km (5 → 25 km²)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--tile-m", type=float, default=500.0, help="analysis tile side, m")
    ap.add_argument(
        "--results", type=Path, default=None, help="append a Markdown table row to this file"
    )
    args = ap.parse_args()
    from processing.change.detect import detect_changes
    from processing.change.params import ChangeParams

    t0 = time.perf_counter()
    mosaics, plans = generate(args.km, args.workers)
    t_gen = time.perf_counter() - t0
    inputs, truth = inputs_and_truth(args.km, mosaics, plans)
    sampler = RssSampler()
    sampler.start()
    t0 = time.perf_counter()
    result = detect_changes(inputs, ChangeParams(tile_m=args.tile_m), workers=args.workers)
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    area_km2 = (args.km * TILE_M) ** 2 / 1e6
    mpx = area_km2 * 1e6 / RES**2 / 1e6
    print(
        f"area {area_km2:g} km² at {RES} m ({mpx:.0f} Mpx per raster, 8 rasters), {len(inputs.trees)} inventory trees,"
        f" tiles of {args.tile_m:g} m, {args.workers} workers; inputs ready in {t_gen:.1f} s"
    )
    print(
        f"detect_changes: {wall:.1f} s wall ({area_km2 / wall:.2f} km²/s, {mpx / wall:.1f} Mpx/s per raster); "
        f"peak RSS {sampler.peak_total:.0f} MiB summed over processes, {sampler.peak_single:.0f} MiB largest process"
    )
    print(f"events: {result.counts()}")
    rows = score(result.events, truth)
    for kind, (nd, nt, p, r) in rows.items():
        print(f"  {kind:20s} detected {nd:5d}  true {nt:5d}  precision {p:.3f}  recall {r:.3f}")
    if args.results:
        worst = min(min(p, r) for _, _, p, r in rows.values())
        with args.results.open("a", encoding="utf-8") as f:
            f.write(
                f"| {area_km2:g} | {args.tile_m:g} | {args.workers} | {len(inputs.trees)} | {wall:.1f} | "
                f"{area_km2 / wall:.2f} | {sampler.peak_total:.0f} | {sampler.peak_single:.0f} | {worst:.3f} |\n"
            )


if __name__ == "__main__":
    main()
