"""Stitch a city out of generated sample districts: copies translated side by side, one epoch.

`stitch(sources, n, out, epoch=…)` places district k (k = 0 … n-1, cycling through `sources`, the
folders of `msip sample --size district` worlds of different seeds) at column k mod `cols` and row
k // `cols` of a grid of 2.0 × 2.4 km districts, translating every file of one epoch by the district's
offset: vector layers (GeoPackage, the semicolon CSV inventories, the PRG address GML) get shifted
coordinates and identifiers prefixed `c<k>-` (numbers + k·10⁷), orthophoto tiles a shifted
geotransform (optionally averaged to a coarser pixel), LiDAR tiles shifted header offsets (optionally
thinned to a fraction of the points). Writes a `manifest.json` that `msip.sample_world.load.load_plan`
reads, so the city loads through the same steps as `msip load sample`.

The zoning plans (APP GML in EPSG:2178) of district 0 only are kept: a city has one plan ogólny, and
the plans are not an input of any analysis. Ground truth is not stitched (the city run is not scored).
This is benchmark scaffolding: it does not touch the generator (msip/sample_world).
"""

from __future__ import annotations

import json
import math
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: Manifest kinds stitched (per district), and the ones taken from district 0 only.
VECTOR_KINDS = {"buildings", "green_spaces", "streets", "landscape_zones"}
CSV_KINDS = {"tree_inventory": ("nr_inwentarzowy",), "ad_inventory": ("id_nosnika", "nr_zezwolenia")}
FIRST_ONLY_KINDS = {"zoning_plan_general", "zoning_plan", "ad_rules"}
TILE_KINDS = {"orthophoto", "lidar_classified"}
ID_STEP = 10_000_000


@dataclass(frozen=True)
class Placement:
    """District copy k: its source folder and its offset (m) from the source's own position."""

    k: int
    source: Path
    dx: float
    dy: float
    row0: int
    col0: int


def layout(sources: list[Path], n: int) -> list[Placement]:
    """n copies on a near-square grid (columns = ceil(sqrt(n))), cycling through `sources`."""
    man = json.loads((sources[0] / "manifest.json").read_text())
    x0, y0, x1, y1 = man["extent"]
    w, h = x1 - x0, y1 - y0
    rows, cols = man["tiles"]["rows"], man["tiles"]["cols"]
    grid_cols = math.ceil(math.sqrt(n))
    return [Placement(k, sources[k % len(sources)], (k % grid_cols) * w, (k // grid_cols) * h,
                      (k // grid_cols) * rows, (k % grid_cols) * cols) for k in range(n)]


def _new_id(value: Any, k: int) -> Any:
    if k == 0 or value is None or value == "":
        return value
    if isinstance(value, int | np.integer):
        return int(value) + k * ID_STEP
    return f"c{k}-{value}"


def _vector(srcs: list[tuple[Placement, Path]], dest: Path) -> int:
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    frames = []
    layer = pyogrio.list_layers(srcs[0][1])[0][0]
    for p, path in srcs:
        gdf = gpd.read_file(path, layer=layer)
        gdf["geometry"] = gdf.geometry.translate(p.dx, p.dy)
        for col in gdf.columns:
            if col.endswith("_id"):
                gdf[col] = [_new_id(v, p.k) for v in gdf[col]]
        frames.append(gdf)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    dest.parent.mkdir(parents=True, exist_ok=True)
    out.to_file(dest, layer=layer, driver="GPKG")
    return len(out)


def _shift_num(text: str, d: float) -> str:
    """A Polish-formatted number (decimal comma) shifted by d, same decimals; unparseable text kept."""
    try:
        v = float(text.replace(",", "."))
    except ValueError:
        return text
    decimals = len(text.split(",")[1]) if "," in text else 0
    return f"{v + d:.{decimals}f}".replace(".", ",")


def _csv(srcs: list[tuple[Placement, Path]], dest: Path, id_cols: tuple[str, ...]) -> int:
    lines_out: list[str] = []
    for p, path in srcs:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split(";")
        if not lines_out:
            lines_out.append(lines[0])
        ix, iy = header.index("x_2180"), header.index("y_2180")
        ids = [header.index(c) for c in id_cols if c in header]
        for line in lines[1:]:
            f = line.split(";")
            if len(f) == len(header):
                f[ix], f[iy] = _shift_num(f[ix], p.dx), _shift_num(f[iy], p.dy)
                for i in ids:
                    f[i] = _new_id(f[i], p.k)
            lines_out.append(";".join(f))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(lines_out) + "\n", encoding="utf-8")
    return len(lines_out) - 1


def _addresses(srcs: list[tuple[Placement, Path]], dest: Path) -> int:
    """PRG GML: the address points of every copy (northing-first gml:pos shifted, ids prefixed), the
    administrative units once."""
    point = re.compile(r"        <prg-ad:PRG_PunktAdresowy .*?</prg-ad:PRG_PunktAdresowy>\n", re.S)
    pos = re.compile(r"<gml:pos>([-0-9.]+) ([-0-9.]+)</gml:pos>")
    text0 = srcs[0][1].read_text(encoding="utf-8")
    first = point.search(text0)
    assert first is not None, f"{srcs[0][1]}: no PRG_PunktAdresowy"
    end = "</prg-ad:PRG_PunktAdresowy>\n"
    head, tail = text0[: first.start()], text0[text0.rfind(end) + len(end):]
    body: list[str] = []
    for p, path in srcs:
        for m in point.finditer(path.read_text(encoding="utf-8")):
            xml = pos.sub(lambda g, p=p: f"<gml:pos>{float(g[1]) + p.dy:.2f} {float(g[2]) + p.dx:.2f}</gml:pos>", m[0])
            body.append(xml.replace("msip-sample-", f"msip-sample-c{p.k}-") if p.k else xml)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(head + "".join(body) + tail, encoding="utf-8")
    return len(body)


def _ortho_tile(src: Path, dest: Path, dx: float, dy: float, pixel_m: float) -> None:
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.transform import Affine

    with rasterio.open(src) as ds:
        t = ds.transform
        factor = max(1, round(pixel_m / t.a))
        if factor == 1:  # the very file (bands, tags, overviews), only moved
            ds.close()
            shutil.copyfile(src, dest)
            with rasterio.open(dest, "r+") as moved:
                moved.transform = Affine(t.a, t.b, t.c + dx, t.d, t.e, t.f + dy)
            return
        profile = ds.profile
        tags = ds.tags()
        data = ds.read(out_shape=(ds.count, ds.height // factor, ds.width // factor),
                       resampling=Resampling.average) if factor > 1 else ds.read()
        colorinterp = ds.colorinterp
        descriptions = ds.descriptions
        band_tags = [ds.tags(i) for i in range(1, ds.count + 1)]
    profile.update(transform=Affine(t.a * factor, t.b, t.c + dx, t.d, t.e * factor, t.f + dy),
                   width=data.shape[2], height=data.shape[1])
    if profile.get("blockxsize", 0) > data.shape[2]:
        profile.update(tiled=False, blockxsize=None, blockysize=None)
    with rasterio.open(dest, "w", **profile) as out:
        out.write(data)
        out.update_tags(**tags)
        out.colorinterp = colorinterp
        for i, (desc, btags) in enumerate(zip(descriptions, band_tags, strict=True), start=1):
            if desc:
                out.set_band_description(i, desc)
            out.update_tags(i, **btags)


def _laz_tile(src: Path, dest: Path, dx: float, dy: float, keep: float, seed: int) -> int:
    import laspy

    las = laspy.read(src)
    if keep < 1.0:
        las.points = las.points[np.random.default_rng(seed).random(len(las.points)) < keep]
    if dx or dy:
        x, y = np.asarray(las.x) + dx, np.asarray(las.y) + dy
        las.change_scaling(offsets=las.header.offsets + np.array([dx, dy, 0.0]))
        las.x, las.y = x, y
    las.write(dest)
    return len(las.points)


def _tile_job(job: tuple[str, Path, Path, float, float, float, float, int]) -> int:
    kind, src, dest, dx, dy, pixel_m, keep, seed = job
    dest.parent.mkdir(parents=True, exist_ok=True)
    if kind == "orthophoto":
        _ortho_tile(src, dest, dx, dy, pixel_m)
        return 0
    return _laz_tile(src, dest, dx, dy, keep, seed)


def stitch(sources: list[Path], n: int, out: Path, *, epoch: str, ortho_pixel_m: float = 0.25,
           lidar_keep: float = 1.0, workers: int = 2) -> dict[str, Any]:
    """Write the city of `n` districts into `out` (emptied first); returns its manifest plus counts."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    places = layout(sources, n)
    mans = {s: json.loads((s / "manifest.json").read_text()) for s in sources}
    files: dict[str, list[tuple[Placement, Path, dict]]] = {}
    for p in places:
        for f in mans[p.source]["files"]:
            if f.get("epoch") in (None, epoch) and (p.k == 0 or f["kind"] not in FIRST_ONLY_KINDS):
                files.setdefault(f["kind"], []).append((p, p.source / f["path"], f))
    records: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    jobs = []
    for kind, items in sorted(files.items()):
        rel = items[0][2]["path"]
        srcs = [(p, path) for p, path, _ in items]
        if kind in VECTOR_KINDS:
            counts[kind] = _vector(srcs, out / rel)
        elif kind in CSV_KINDS:
            counts[kind] = _csv(srcs, out / rel, CSV_KINDS[kind])
        elif kind == "addresses":
            counts[kind] = _addresses(srcs, out / rel)
        elif kind in FIRST_ONLY_KINDS:  # every file of the kind (two local plans), district 0 only
            for _, path, f in items:
                (out / f["path"]).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out / f["path"])
                records.append({"path": f["path"], "kind": kind, "epoch": f.get("epoch")})
            continue
        elif kind in TILE_KINDS:
            for p, path, f in items:
                r, c = f["tile"]["row"] + p.row0, f["tile"]["col"] + p.col0
                name = re.sub(r"_\d+_\d+\.", f"_{r}_{c}.", path.name)
                dest_rel = str(Path(f["path"]).parent / name)
                seed = p.k * 100_000 + r * 1000 + c
                jobs.append((kind, path, out / dest_rel, p.dx, p.dy, ortho_pixel_m, lidar_keep, seed))
                records.append({"path": dest_rel, "kind": kind, "epoch": epoch})
            continue
        else:
            continue  # ground truth, geosites, railway: not loaded by the city run
        records.append({"path": rel, "kind": kind, "epoch": items[0][2].get("epoch")})
    with ProcessPoolExecutor(workers) as pool:
        points = sum(pool.map(_tile_job, jobs, chunksize=8))
    counts["lidar_points"] = points
    counts["tiles"] = sum(1 for j in jobs if j[0] == "orthophoto")
    x0, y0, x1, y1 = mans[sources[0]]["extent"]
    extent = [x0, y0, x0 + max(p.dx for p in places) + (x1 - x0), y0 + max(p.dy for p in places) + (y1 - y0)]
    manifest = {"generator": "benchmarks.city.stitch", "epochs": [epoch], "extent": extent,
                "districts": n, "district_m": [x1 - x0, y1 - y0],
                "seeds": sorted({mans[p.source]["seed"] for p in places}),
                "ortho_pixel_m": ortho_pixel_m, "lidar_keep": lidar_keep,
                "area_km2": n * (x1 - x0) * (y1 - y0) / 1e6, "files": sorted(records, key=lambda r: r["path"])}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest | {"counts": counts}
