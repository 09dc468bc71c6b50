"""A quick proxy of the district's heat and canopy numbers, straight from the generator's World (≈ 1 min).

Rasterises the World of the latest epoch at 1 m as the survey paints it (roofs by style, crowns, roads,
footways, bare soil, water, grass): shade = crown cover (disk radii × √0.85: the CHM's canopy is 0.85 × the
crown disks), albedo from the orthophoto colours' luminance, Kc from their NDVI; to the heat model's 5 m grid,
then processing/heat/ucm.py's `urban_cooling` with the demo's parameters (UHI_max 8.3 °C) and, like
benchmarks/district_demo.py, T_air of the hottest 100 m cell with ≥ 25 % building cover minus the mean over the
largest forest. "30": the share of residents whose building has ≥ 30 % canopy within 250 m. Choose a geometry
with it, then confirm end to end (the full build is ≈ 15–30 min).

    python -m benchmarks.district_world.proxy            # builds the district World (seed 42), ≈ 20 CPU-s
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from rasterio.features import rasterize
from rasterio.transform import Affine
from scipy import signal

from msip.sample_world.constants import size_spec
from msip.sample_world.survey.ortho import CROWN_RGBN, ROOF_RGBN, SURFACE_RGBN
from msip.sample_world.survey.scene import LC_BARE, LC_FOOTWAY, LC_ROAD, LC_WATER
from msip.sample_world.world.district.build import build_district
from msip.sample_world.world.district.climate import KIELCE_UHI_MAX_C
from msip.sample_world.world.model import World
from processing.heat import ucm
from processing.heat.params import HeatParams

PX_M = 1.0
CELL_M = 5
CHM_CANOPY_SHARE = 0.85
"""Canopy of the CHM / area of the crown disks (measured on the district, RESULTS 'District numbers')."""
CROWN_ALBEDO_SHADE = 1.05 - 0.35 * 0.5
"""The ortho's dome shading of crowns averaged over a disk (1.05 − 0.35 · E[r²])."""


def _luma(rgbn: tuple[float, ...], factor: float = 1.0) -> float:
    r, g, b, _ = (v * factor for v in rgbn)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ndvi(rgbn: tuple[float, ...]) -> float:
    r, _, _, n = rgbn
    return (n - r) / (n + r)


def layers(world: World, epoch: str) -> tuple[np.ndarray, ...]:
    """(shade, albedo, kc, building cover) at 1 m and the transform, row 0 north."""
    x0, y0 = world.spec.origin
    w, h = round(world.spec.tiles_x * 200 / PX_M), round(world.spec.tiles_y * 200 / PX_M)
    tr = Affine(PX_M, 0, x0, 0, -PX_M, y0 + h * PX_M)
    codes = {LC_WATER: 1, LC_BARE: 2, LC_FOOTWAY: 3, LC_ROAD: 4}
    lc = np.zeros((h, w), np.uint8)  # 0 grass
    shapes = [(s.polygon, codes[s.landcover]) for lc_ in (LC_WATER, LC_BARE, LC_FOOTWAY, LC_ROAD)
              for s in world.surfaces if s.landcover == lc_ and epoch in s.epochs]
    rasterize(shapes, out=lc, transform=tr)
    roofs = world.buildings[epoch]
    roof = np.full((h, w), -1, np.int16)
    rasterize([(b.footprint, b.roof_style) for b in roofs], out=roof, transform=tr)
    trees = [t for t in world.trees if t.stands_in(epoch)]
    crown = rasterize([(_disk(t.x, t.y, t.crown_radius_m), 1) for t in trees], out_shape=(h, w), transform=tr)
    chm = rasterize([(_disk(t.x, t.y, t.crown_radius_m * math.sqrt(CHM_CANOPY_SHARE)), 1) for t in trees
                     if t.height_in(epoch) >= 2.0], out_shape=(h, w), transform=tr)
    surf = {0: (68, 122, 52, 200), 1: SURFACE_RGBN[LC_WATER], 2: SURFACE_RGBN[LC_BARE],
            3: SURFACE_RGBN[LC_FOOTWAY], 4: SURFACE_RGBN[LC_ROAD]}
    lum = np.zeros((h, w))
    ndvi = np.zeros((h, w))
    for k, rgbn in surf.items():
        lum[lc == k], ndvi[lc == k] = _luma(rgbn), _ndvi(rgbn)
    on_crown = (crown > 0) & (roof < 0)
    lum[on_crown], ndvi[on_crown] = _luma(CROWN_RGBN, CROWN_ALBEDO_SHADE), _ndvi(CROWN_RGBN)
    for k, rgbn in enumerate(ROOF_RGBN):
        lum[roof == k], ndvi[roof == k] = _luma(rgbn), _ndvi(rgbn)
    p = HeatParams()
    albedo = p.albedo_dark + (p.albedo_bright - p.albedo_dark) * (lum - 1.0) / 254.0
    kc = p.kc_min + (p.kc_max - p.kc_min) * np.clip((ndvi - p.ndvi_bare) / (p.ndvi_full - p.ndvi_bare), 0, 1)
    return chm.astype(float), albedo, kc, (roof >= 0).astype(float), tr


def _disk(x: float, y: float, r: float):
    from shapely.geometry import Point

    return Point(x, y).buffer(r, 16)


def _mean(a: np.ndarray, k: int) -> np.ndarray:
    return a.reshape(a.shape[0] // k, k, a.shape[1] // k, k).mean(axis=(1, 3))


def _fft_convolve(sig: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Edge-normalised convolution (as pygeoprocessing's ignore_nodata_and_edges)."""
    num = signal.fftconvolve(sig, kernel, mode="same")
    den = signal.fftconvolve(np.ones_like(sig), kernel, mode="same")
    return num / den * float(kernel.sum())


def numbers(world: World, epoch: str) -> dict[str, float]:
    shade1, albedo1, kc1, cover1, tr = layers(world, epoch)
    k = round(CELL_M / PX_M)
    shade, albedo, kc = _mean(shade1, k), _mean(albedo1, k), _mean(kc1, k)
    hp = HeatParams()
    p = ucm.UcmParams(cell_size_m=CELL_M, t_ref_c=24.0, uhi_max_c=KIELCE_UHI_MAX_C)
    cc = ucm.cooling_capacity_factors(shade, albedo, kc)  # ETI = Kc with one ET0 everywhere
    greens = [g.polygon for g in world.green_spaces if g.polygon.area >= hp.green_area_min_m2]
    tr5 = tr * Affine.scale(k)
    green = rasterize([(g, 1) for g in greens], out_shape=cc.shape, transform=tr5).astype(float)
    res = ucm.urban_cooling(cc, green, p, convolve=_fft_convolve)
    kk = round(100 / CELL_M)
    t100 = _mean(res.t_air, kk)
    cover100 = _mean(cover1, round(100 / PX_M))
    forest = max((g for g in world.green_spaces if g.kind == "forest"), key=lambda g: g.polygon.area)
    fmask = rasterize([(forest.polygon, 1)], out_shape=t100.shape, transform=tr * Affine.scale(100 / PX_M),
                      all_touched=False).astype(bool)
    hot = float(t100[cover100 >= 0.25].max())
    park = float(t100[fmask].mean())
    # 30: canopy within 250 m of each residential building's centroid (the CHM's canopy at 1 m)
    canopy5 = shade
    r_px = 250 / CELL_M
    disk = ucm.disk_kernel(r_px)
    share = signal.fftconvolve(canopy5, disk, mode="same") / signal.fftconvolve(np.ones_like(canopy5), disk,
                                                                                mode="same")
    inv = ~tr5
    pop = met = 0.0
    for b in world.buildings[epoch]:
        if not b.population:
            continue
        c = b.footprint.centroid
        col, row = inv * (c.x, c.y)
        s = share[min(int(row), share.shape[0] - 1), min(int(col), share.shape[1] - 1)]
        pop += b.population
        met += b.population * (s >= 0.30)
    hot_rc = np.unravel_index(np.where(cover100 >= 0.25, t100, -np.inf).argmax(), t100.shape)
    return {"t_air_hot_built_c": hot, "t_air_forest_c": park, "t_air_range_c": hot - park,
            "hot_cell_row_col_100m": hot_rc, "forest_ha": forest.polygon.area / 1e4,
            "pct_30": 100 * met / pop, "residents": pop,
            "canopy_pct": 100 * float(shade.mean()), "trees": len(world.trees),
            "inventory_trees": sum(t.in_inventory for t in world.trees)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    t0 = time.process_time()
    world = build_district(size_spec("district"), a.seed)
    t1 = time.process_time()
    out = numbers(world, world.epochs[-1])
    print(f"world {t1 - t0:.0f} CPU-s, numbers {time.process_time() - t1:.0f} CPU-s")
    for key, v in out.items():
        print(f"  {key}: {v:.2f}" if isinstance(v, float) else f"  {key}: {v}")


if __name__ == "__main__":
    main()
