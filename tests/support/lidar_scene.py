"""A tiny synthetic ALS scene for tests: sloping terrain, box buildings, paraboloid trees, noise.

Truth is returned with the points, so tests score ground, heights and trees. Tiny on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Scene:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    cls: np.ndarray
    ret: np.ndarray
    nret: np.ndarray
    buildings: list[tuple[float, float, float, float, float]]  # minx, miny, maxx, maxy, height
    trees: list[tuple[float, float, float, float]]  # x, y, height, crown radius
    origin: tuple[float, float]

    def terrain(self, x, y):
        return terrain(x - self.origin[0], y - self.origin[1])


def terrain(dx, dy):
    return 262.0 + 0.01 * dx + 0.004 * dy + 0.4 * np.sin(dx / 40.0) * np.cos(dy / 55.0)


def make_scene(
    size_m: float = 120.0,
    density: float = 10.0,
    seed: int = 1,
    origin: tuple[float, float] = (614000.0, 334600.0),
    noise: int = 6,
) -> Scene:
    rng = np.random.default_rng(seed)
    x0, y0 = origin
    f = size_m / 120.0
    buildings = [
        (x0 + 15 * f, y0 + 15 * f, x0 + 45 * f, y0 + 35 * f, 12.0),
        (x0 + 70 * f, y0 + 60 * f, x0 + 95 * f, y0 + 100 * f, 18.5),
        (x0 + 20 * f, y0 + 70 * f, x0 + 32 * f, y0 + 82 * f, 6.0),
    ]
    trees: list[tuple[float, float, float, float]] = []
    for _ in range(200):
        tx, ty = x0 + rng.uniform(5, size_m - 5), y0 + rng.uniform(5, size_m - 5)
        h = float(rng.uniform(4, 22))
        r = float(np.clip(0.2 * h + rng.uniform(-0.3, 0.6), 1.2, 5.0))
        if any(
            bx0 - r - 1 < tx < bx1 + r + 1 and by0 - r - 1 < ty < by1 + r + 1
            for bx0, by0, bx1, by1, _ in buildings
        ):
            continue
        if any(np.hypot(tx - a, ty - b) < max(3.5, 1.05 * (r + rr)) for a, b, _, rr in trees):
            continue
        trees.append((tx, ty, h, r))
        if len(trees) >= max(3, int(25 * f * f)):
            break
    n = int(density * size_m * size_m)
    px = x0 + rng.uniform(0, size_m, n)
    py = y0 + rng.uniform(0, size_m, n)
    ground = terrain(px - x0, py - y0)
    z = ground + rng.normal(0, 0.02, n)
    cls = np.full(n, 2, np.uint8)
    nret = np.ones(n, np.uint8)
    for bx0, by0, bx1, by1, h in buildings:
        m = (px >= bx0) & (px < bx1) & (py >= by0) & (py < by1)
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        z[m] = terrain(cx - x0, cy - y0) + h + rng.normal(0, 0.02, m.sum())
        cls[m] = 6
    top = np.full(n, -np.inf)
    which = np.full(n, -1)
    for i, (tx, ty, h, r) in enumerate(trees):
        d = np.hypot(px - tx, py - ty) / r
        surf = terrain(tx - x0, ty - y0) + h - min(1.2 * r, 0.6 * h) * d**2
        m = (d <= 1) & (surf > top) & (cls != 6)
        top[m], which[m] = surf[m], i
    on_tree = which >= 0
    k = int(on_tree.sum())
    nr = rng.choice([1, 2, 3], size=k, p=[0.45, 0.35, 0.2]).astype(np.uint8)
    # pulses on trees: first return on the crown, extra returns inside / on the ground
    idx = np.flatnonzero(on_tree)
    z[idx] = top[idx] + rng.normal(0, 0.05, k)
    cls[idx] = 5
    nret[idx] = nr
    ex, ey, ez, ec, er, en = [], [], [], [], [], []
    for extra in (2, 3):
        sel = idx[nr >= extra]
        last = nr[nr >= extra] == extra
        g = ground[sel]
        zz = np.where(
            last & (rng.random(len(sel)) < 0.75),
            g + rng.normal(0, 0.02, len(sel)),
            g + 0.5 * (top[sel] - g) * rng.uniform(0.8, 1.6, len(sel)),
        )
        ex.append(px[sel])
        ey.append(py[sel])
        ez.append(zz)
        ec.append(np.where(np.abs(zz - g) < 0.1, 2, 5).astype(np.uint8))
        er.append(np.full(len(sel), extra, np.uint8))
        en.append(nr[nr >= extra])
    ret = np.ones(n, np.uint8)
    m = max(noise, 0)
    nx = x0 + rng.uniform(0, size_m, m)
    ny = y0 + rng.uniform(0, size_m, m)
    nz = terrain(nx - x0, ny - y0) + np.where(
        np.arange(m) % 2 == 0, rng.uniform(40, 80, m), -rng.uniform(3, 15, m)
    )
    x = np.concatenate([px, *ex, nx])
    y = np.concatenate([py, *ey, ny])
    zz = np.concatenate([z, *ez, nz])
    c = np.concatenate([cls, *ec, np.full(m, 7, np.uint8)])
    r = np.concatenate([ret, *er, np.ones(m, np.uint8)])
    nn = np.concatenate([nret, *en, np.ones(m, np.uint8)])
    return Scene(x, y, np.round(zz, 2), c, r, nn, buildings, trees, origin)


def write_las(
    path: Path,
    scene: Scene,
    *,
    epsg: int | None = 2180,
    classified: bool = True,
    z_override: dict[int, float] | None = None,
    version: str = "1.4",
    point_format: int = 6,
) -> Path:
    """Write the scene as LAS/LAZ (by suffix) with a WKT CRS (or none)."""
    import laspy
    from pyproj import CRS

    header = laspy.LasHeader(point_format=point_format, version=version)
    header.scales = np.array([0.01, 0.01, 0.01])
    header.offsets = np.array([np.floor(scene.x.min()), np.floor(scene.y.min()), 0.0])
    if epsg is not None:
        header.add_crs(CRS.from_epsg(epsg))
    las = laspy.LasData(header)
    las.x, las.y = scene.x, scene.y
    z = scene.z.copy()
    for i, v in (z_override or {}).items():
        z[i] = v
    las.z = z
    las.classification = scene.cls if classified else np.ones_like(scene.cls)
    las.return_number = scene.ret
    las.number_of_returns = scene.nret
    las.intensity = np.full(len(scene.x), 1000, np.uint16)
    if "gps_time" in las.point_format.dimension_names:
        las.gps_time = np.arange(len(scene.x)) * 1e-5
    las.write(path)
    return path
