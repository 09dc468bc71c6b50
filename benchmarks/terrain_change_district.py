"""Accuracy and time of `terrain-change` on the district sample world (3 LiDAR epochs already loaded).

Loads the truth's changed areas (EMB001, SLIDE001 scarp and toe, from truth/changes.geojson) as
watched areas, runs the analysis over all three epochs, and scores it against the generator's
truth: volumes per watched area vs the truth volumes, and on stable terrain (cells whose true
ground did not change by ≥ 1 mm, from the truth DTMs) the share without a change above the LoD.
Run against a database holding the district's three LiDAR epochs (`msip load lidar … --epoch …`).

    .venv/bin/python benchmarks/terrain_change_district.py SAMPLE_DIR [--workers 2] [--cell 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import numpy as np


def main() -> None:
    import psycopg
    import rasterio
    import shapely

    from msip.core.settings import get_settings
    from pipelines.watched_areas.load import load_watched_areas
    from processing.change.rasters import read_on_grid
    from processing.terrain.analysis import run_terrain_change
    from processing.terrain.params import TerrainParams
    from processing.terrain.results import area_time_series, run_outputs

    ap = argparse.ArgumentParser()
    ap.add_argument("sample_dir", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cell", type=float, default=1.0)
    ap.add_argument("--work", type=Path, default=Path("benchmarks/_work/terrain"))
    args = ap.parse_args()
    truth = json.loads((args.sample_dir / "truth/changes.geojson").read_text(encoding="utf-8"))
    feats = [f for f in truth["features"] if f["properties"]["type"] in ("terrain_change", "slope_failure")]
    args.work.mkdir(parents=True, exist_ok=True)
    areas = {"type": "FeatureCollection", "crs": truth.get("crs") or {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}, "features": [
        {"type": "Feature", "properties": {"name": f["properties"]["object_id"]},
         "geometry": shapely.geometry.mapping(shapely.geometry.shape(f["geometry"]).buffer(3.0))} for f in feats]}
    path = args.work / "district_watched_areas.geojson"
    path.write_text(json.dumps(areas), encoding="utf-8")
    print(load_watched_areas(path).summary())
    t0 = time.perf_counter()
    report = run_terrain_change(params=TerrainParams(cell_m=args.cell), workers=args.workers, force=True)
    wall = time.perf_counter() - t0
    print(report.summary())
    out = run_outputs(report.run_id)
    vols = {(v["area"], v["epoch_from"]): v for v in out["volumes"]}
    print(f"\nwall time {wall:.1f} s (workers {args.workers}, cell {args.cell:g} m)\n")
    print("| area | epochs | truth m³ | measured m³ (above LoD) ± σ | error | raw net m³ |")
    print("|---|---|---|---|---|---|")
    for f in feats:
        p = f["properties"]
        v = vols[(p["object_id"], p["epoch_from"])]
        measured = v["fill_m3"] if p["volume_m3"] > 0 else -v["cut_m3"]
        sigma = v["fill_sigma_m3"] if p["volume_m3"] > 0 else v["cut_sigma_m3"]
        err = (measured - p["volume_m3"]) / abs(p["volume_m3"]) * 100
        print(f"| {p['object_id']} | {p['epoch_from']} → {p['epoch_to']} | {p['volume_m3']:.1f} | "
              f"{measured:.1f} ± {sigma:.1f} | {err:+.2f} % | {v['raw_net_m3']:.1f} |")
    with psycopg.connect(get_settings().database_url) as c:
        dods = c.execute("SELECT epoch, path FROM msip.raster_asset WHERE kind = 'terrain_dod' AND load_run_id = %s "
                         "ORDER BY epoch", (report.run_id,)).fetchall()
    epochs = out["epochs"]
    print("\n| pair | stable known cells | quiet (no change above LoD) | median LoD m |")
    print("|---|---|---|---|")
    for (e1, e2), (_, dod) in zip(itertools.pairwise(epochs), dods, strict=True):
        with rasterio.open(dod) as src:
            dz, lod, sig = (np.ma.filled(src.read(i, masked=True).astype(float), np.nan) for i in (1, 2, 3))
            b, res = src.bounds, src.res[0]
        bounds = (b.left, b.bottom, b.right, b.top)
        # a cell is stable when none of its 0.5 m truth cells changed (the max of |Δ| at 0.5 m)
        t1 = read_on_grid(str(args.sample_dir / f"truth/dtm_{e1}.tif"), bounds, 0.5)
        t2 = read_on_grid(str(args.sample_dir / f"truth/dtm_{e2}.tif"), bounds, 0.5)
        k = round(res / 0.5)
        d = np.abs(t2 - t1)
        d = d.reshape(d.shape[0] // k, k, d.shape[1] // k, k).max(axis=(1, 3))
        stable = (d < 1e-3) & np.isfinite(dz)
        quiet = float((sig[stable] == 0).mean())
        print(f"| {e1} → {e2} | {int(stable.sum())} | {quiet * 100:.3f} % | {np.nanmedian(lod):.3f} |")
    print("\ntime series:")
    for f in feats:
        name = f["properties"]["object_id"]
        print(name, [(s["epoch"], round(s["cumulative_net_m3"], 1), round(s["sigma_m3"], 1))
                     for s in area_time_series(name)])


if __name__ == "__main__":
    main()
