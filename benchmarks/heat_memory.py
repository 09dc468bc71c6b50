"""Heat-island peak memory against the analysed area, on synthetic mosaics (issue #17 finding).

    python -m benchmarks.heat_memory --sides-m 1000 2000 3000 [--workers 2] [--layers-only] [--keep DIR]

For each square side it writes 200 m COG tiles of brightness (uint8, 0.25 m), NDVI (int16, 0.25 m)
and CHM (float32, 0.5 m) on one grid, mosaics them into VRTs like the loaders do, and runs
`processing.heat.analysis.compute_heat` (day mode, no buildings or green areas: the rasters are
what grows with the area) in a forked child (`benchmarks.city.measure`: peak summed RSS of the
process tree sampled every 0.2 s, CPU of the tree). Prints one JSON line per size and the fitted
exponent b of peak RSS ∝ area^b. No database needed.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from affine import Affine

TILE_M = 200.0
#: Kind → (pixel size m, dtype, nodata).
KINDS = {"brightness": (0.25, "uint8", 0), "ndvi": (0.25, "int16", -32768), "chm": (0.5, "float32", -9999.0)}
X0, Y0 = 560_000.0, 300_000.0


def _tile(kind: str, rng: np.random.Generator) -> np.ndarray:
    px = KINDS[kind][0]
    n = round(TILE_M / px)
    # Smooth-ish fields (blocks of 4 m) so the tiles compress like real rasters, not like noise.
    coarse = rng.random((n // 16 + 1, n // 16 + 1))
    field = np.kron(coarse, np.ones((16, 16)))[:n, :n]
    if kind == "brightness":
        return np.clip(1 + field * 254, 1, 255).astype(np.uint8)
    if kind == "ndvi":
        return np.rint((field * 2 - 1) * 10000).astype(np.int16)
    return (np.where(field > 0.6, field * 20, 0.0)).astype(np.float32)


def make_world(root: Path, side_m: float) -> dict[str, str]:
    """Tiles and a VRT per kind covering side_m × side_m from (X0, Y0); returns kind → mosaic path."""
    from msip.core.rasters.mosaic import build_mosaic
    from msip.core.rasters.store import write_cog

    n = math.ceil(side_m / TILE_M)
    rng = np.random.default_rng(17)
    mosaics = {}
    for kind, (px, _, nodata) in KINDS.items():
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for i in range(n):
            for j in range(n):
                t = Affine(px, 0.0, X0 + j * TILE_M, 0.0, -px, Y0 + (i + 1) * TILE_M)
                paths.append(write_cog(folder / f"{kind}_{i}_{j}.tif", _tile(kind, rng), transform=t,
                                       nodata=nodata, band_descriptions=[kind], predictor=2 if kind != "chm" else 3))
        mosaics[kind] = str(build_mosaic(paths, root / f"{kind}.vrt"))
    return mosaics


def run_heat(mosaics: dict[str, str], side_m: float, workdir: Path, workers: int, layers_only: bool = False) -> dict:
    """compute_heat (or only its input layers) on the synthetic mosaics; a few numbers of the result."""
    from datetime import date

    from processing.heat.analysis import compute_heat, compute_layers
    from processing.heat.inputs import HeatSources, grid_for
    from processing.heat.params import HeatParams

    extent = (X0, Y0, X0 + side_m, Y0 + side_m)
    sources = HeatSources(epoch=date(2025, 6, 15), rasters=mosaics, extent=extent, building_epoch=None,
                          green_epoch=None)
    grid = grid_for(extent, 5.0)
    workdir.mkdir(parents=True, exist_ok=True)
    if layers_only:
        layers = compute_layers(sources, grid, HeatParams(), [], [], workdir, workers=workers)
        return {"cells": int(grid.rows * grid.cols), "layers_sum": [float(np.nansum(x)) for x in layers]}
    r = compute_heat(sources, grid, HeatParams(), [], [], workdir, workers=workers)
    return {"cells": int(grid.rows * grid.cols), "t_air_sum": float(np.nansum(r.t_air)),
            "layers_sum": [float(np.nansum(layer)) for layer in r.layers]}


def main() -> None:
    from benchmarks.city.measure import measure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides-m", type=float, nargs="+", default=[1000, 2000, 3000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--layers-only", action="store_true", help="only the input layers (no convolutions)")
    ap.add_argument("--keep", type=Path, help="folder for the synthetic worlds (kept; reused when present)")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="heatmem-"))
    rows = []
    try:
        for side in args.sides_m:
            root = base / f"side{int(side)}"
            if not (root / "chm.vrt").exists():
                make_world(root, side)
            mosaics = {k: str(root / f"{k}.vrt") for k in KINDS}
            work = root / "work"
            rec = measure(f"heat {side:g} m", functools.partial(run_heat, mosaics, side, work, args.workers,
                                                                 args.layers_only))
            rec["area_km2"] = side * side / 1e6
            rows.append(rec)
            print(json.dumps(rec), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    if len(rows) >= 2 and all("error" not in r for r in rows):
        x = np.log([r["area_km2"] for r in rows])
        y = np.log([r["peak_rss_mb"] for r in rows])
        print(json.dumps({"rss_exponent_b": round(float(np.polyfit(x, y, 1)[0]), 3),
                          "load_1min": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
