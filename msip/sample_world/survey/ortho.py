"""Orthophoto radiometry: R, G, B, NIR (uint8) per land-cover class, crown shading and noise."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .scene import LC_BARE, LC_CROWN, LC_FOOTWAY, LC_GRASS, LC_ROAD, LC_WATER, TileScene

# R, G, B, NIR digital numbers; NDVI = (NIR - R) / (NIR + R).
SURFACE_RGBN: dict[int, tuple[float, float, float, float]] = {
    LC_ROAD: (88, 88, 92, 80),  # asphalt, NDVI ≈ -0.05
    LC_GRASS: (68, 122, 52, 200),  # NDVI ≈ 0.49
    LC_BARE: (150, 124, 98, 158),  # NDVI ≈ 0.03
    LC_FOOTWAY: (170, 164, 156, 162),  # concrete paving, NDVI ≈ -0.02
    LC_WATER: (38, 58, 66, 22),  # open water, NDVI ≈ -0.27
}
ROOF_RGBN: tuple[tuple[float, float, float, float], ...] = (
    (152, 80, 66, 92),  # red ceramic tiles
    (120, 120, 124, 108),  # grey sheet / concrete
    (176, 176, 172, 160),  # light membrane
    (64, 64, 68, 60),  # dark bitumen
)
CROWN_RGBN = (34, 78, 32, 235)  # NDVI ≈ 0.75; NIR above lawns, as for real broadleaf crowns
DECLINE_RED_FACTOR = 1.5
DECLINE_NIR_FACTOR = 0.78
NOISE_SD = 3.0


def render(scene: TileScene, rng: np.random.Generator) -> NDArray[np.uint8]:
    """A (4, rows, cols) uint8 array of the tile; vegetation NDVI > 0.4, roofs/roads < 0.15."""
    lc = scene.landcover
    img = np.zeros((4, *lc.shape), dtype=np.float32)
    for cls, rgbn in SURFACE_RGBN.items():
        mask = lc == cls
        img[:, mask] = np.asarray(rgbn, dtype=np.float32)[:, None]
    # gentle patchiness of lawns (dry/wet patches) at a ~20 m scale, same factor on all bands
    rows, cols = np.mgrid[0 : lc.shape[0], 0 : lc.shape[1]].astype(np.float32)
    phase = float(rng.uniform(0, 2 * np.pi))
    patch = 1.0 + 0.06 * np.sin(cols / 37.0 + phase) * np.cos(rows / 53.0 - phase)
    grass = lc == LC_GRASS
    img[:, grass] *= patch[grass]

    roofs = scene.building_idx >= 0
    if roofs.any():
        styles = np.array([b.roof_style for b in scene.buildings], dtype=np.int32)
        palette = np.asarray(ROOF_RGBN, dtype=np.float32)
        img[:, roofs] = palette[styles[scene.building_idx[roofs]]].T

    crown = lc == LC_CROWN
    if crown.any():
        rn = scene.crown_rnorm[crown]
        # crowns are domes: bright near the apex, darker towards the rim (same factor on all bands)
        shade = 1.05 - 0.35 * rn**2
        base = np.asarray(CROWN_RGBN, dtype=np.float32)[:, None] * shade[None, :]
        declining = np.array([t.declining_in(scene.epoch) for t in scene.trees], dtype=bool)
        if declining.any():
            sick = declining[scene.tree_idx[crown]]
            base[0, sick] *= DECLINE_RED_FACTOR
            base[3, sick] *= DECLINE_NIR_FACTOR
        img[:, crown] = base
    img += np.asarray(rng.normal(0.0, NOISE_SD, size=img.shape), dtype=np.float32)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)
