"""Per-tile rasterised view of the world (0.25 m): land cover, which building or tree is on top."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rasterio.features import rasterize
from rasterio.transform import Affine
from shapely.geometry import box

from msip.sample_world.constants import ORTHO_PIXEL_M, TILE_SIZE_M, tile_bounds
from msip.sample_world.world.model import Building, Tree, World

LC_ROAD, LC_BUILDING, LC_GRASS, LC_CROWN, LC_BARE, LC_FOOTWAY, LC_WATER = 1, 2, 3, 4, 5, 6, 7
LANDCOVER_NAMES = {
    LC_WATER: "water",
    LC_ROAD: "road",
    LC_BUILDING: "building",
    LC_GRASS: "grass",
    LC_CROWN: "tree crown",
    LC_BARE: "bare soil",
    LC_FOOTWAY: "footway",
}
_PAINT_ORDER = (LC_WATER, LC_BARE, LC_FOOTWAY, LC_ROAD)
PIXELS = round(TILE_SIZE_M / ORTHO_PIXEL_M)


@dataclass
class TileScene:
    """What the sensors see in one tile and epoch; row 0 is the northern pixel row."""

    epoch: str
    bounds: tuple[float, float, float, float]
    transform: Affine
    landcover: NDArray[np.uint8]
    building_idx: NDArray[np.int32]
    """Index into ``buildings`` or -1."""
    tree_idx: NDArray[np.int32]
    """Index into ``trees`` of the highest crown over the pixel, or -1."""
    crown_rnorm: NDArray[np.float32]
    """Distance from the crown centre divided by the crown radius (0–1) where a crown is."""
    buildings: list[Building]
    trees: list[Tree]
    """The trees standing in the epoch whose crowns reach the tile, in the world's order."""
    world: World
    """The world the tile belongs to (its terrain, its epochs)."""

    def ground_z(self, x: NDArray, y: NDArray) -> NDArray:
        """True ground height (m) at (x, y) in this tile's epoch."""
        return self.world.ground_z(x, y, self.epoch)


def crown_depth_m(t: Tree, height_m: float) -> float:
    """Vertical depth of the paraboloid crown surface from apex to rim."""
    return float(np.clip(1.2 * t.crown_radius_m, 0.5, 0.6 * height_m))


def tree_height_m(t: Tree, epoch: str) -> float:
    """True height in ``epoch`` (trees grow a little between the epochs)."""
    return t.height_in(epoch)


def trees_in(world: World, epoch: str) -> list[Tree]:
    """Trees standing in ``epoch``."""
    return [t for t in world.trees if t.stands_in(epoch)]


_STANDING: dict[str, tuple[World, list[Tree], NDArray[np.float64]]] = {}
"""Per epoch of the last world seen: its standing trees and their (x, y, crown radius) rows."""


def forget_standing() -> None:
    """Drop the cached trees (and with them the world) once every tile is written."""
    _STANDING.clear()


def _standing(world: World, epoch: str) -> tuple[list[Tree], NDArray[np.float64]]:
    """Trees standing in ``epoch`` and their (x, y, crown radius), worked out once per world and epoch:
    every tile of the epoch needs them (the district has ≈ 23 k trees and 120 tiles per epoch)."""
    hit = _STANDING.get(epoch)
    if hit is None or hit[0] is not world:
        if hit is not None:
            _STANDING.clear()  # another world: forget the last one's trees
        trees = trees_in(world, epoch)
        xyr = np.array([(t.x, t.y, t.crown_radius_m) for t in trees], dtype=np.float64).reshape(-1, 3)
        hit = _STANDING[epoch] = (world, trees, xyr)
    return hit[1], hit[2]


def build_scene(world: World, epoch: str, row: int, col: int) -> TileScene:
    """Rasterise surfaces, buildings and crowns of one tile."""
    bounds = tile_bounds(row, col, world.spec.origin)
    minx, miny, maxx, maxy = bounds
    transform = Affine(ORTHO_PIXEL_M, 0.0, minx, 0.0, -ORTHO_PIXEL_M, maxy)
    tile_box = box(*bounds)
    shape = (PIXELS, PIXELS)
    landcover = np.full(shape, LC_GRASS, dtype=np.uint8)
    shapes = [
        (s.polygon, s.landcover)
        for lc in _PAINT_ORDER
        for s in world.surfaces
        if s.landcover == lc and epoch in s.epochs and s.polygon.intersects(tile_box)
    ]
    if shapes:
        rasterize(shapes, out=landcover, transform=transform)

    buildings = world.buildings[epoch]
    building_idx = np.full(shape, -1, dtype=np.int32)
    b_shapes = [
        (b.footprint, i) for i, b in enumerate(buildings) if b.footprint.intersects(tile_box)
    ]
    if b_shapes:
        rasterize(b_shapes, out=building_idx, transform=transform)
    landcover[building_idx >= 0] = LC_BUILDING

    # only the trees whose crowns reach the tile, in the world's order (the same pixels as with all of them)
    standing, xyr = _standing(world, epoch)
    x, y, r = xyr.T
    near = ~((x + r < minx) | (x - r > maxx) | (y + r < miny) | (y - r > maxy))
    trees = [standing[i] for i in np.flatnonzero(near)]
    tree_idx = np.full(shape, -1, dtype=np.int32)
    rnorm = np.zeros(shape, dtype=np.float32)
    top = np.full(shape, -np.inf, dtype=np.float32)
    for i, t in enumerate(trees):
        r = t.crown_radius_m
        c0 = max(0, int((t.x - r - minx) / ORTHO_PIXEL_M))
        c1 = min(PIXELS, int((t.x + r - minx) / ORTHO_PIXEL_M) + 1)
        r0 = max(0, int((maxy - t.y - r) / ORTHO_PIXEL_M))
        r1 = min(PIXELS, int((maxy - t.y + r) / ORTHO_PIXEL_M) + 1)
        if c0 >= c1 or r0 >= r1:
            continue
        px = minx + (np.arange(c0, c1) + 0.5) * ORTHO_PIXEL_M
        py = maxy - (np.arange(r0, r1) + 0.5) * ORTHO_PIXEL_M
        dist = np.hypot(px[None, :] - t.x, py[:, None] - t.y) / r
        h = tree_height_m(t, epoch)
        z = np.where(dist <= 1.0, h - crown_depth_m(t, h) * dist**2, -np.inf).astype(np.float32)
        win = (slice(r0, r1), slice(c0, c1))
        higher = (z > top[win]) & (building_idx[win] < 0)
        top[win] = np.where(higher, z, top[win])
        tree_idx[win] = np.where(higher, i, tree_idx[win])
        rnorm[win] = np.where(higher, dist, rnorm[win])
    landcover[tree_idx >= 0] = LC_CROWN
    return TileScene(
        epoch, bounds, transform, landcover, building_idx, tree_idx, rnorm, buildings, trees, world
    )
