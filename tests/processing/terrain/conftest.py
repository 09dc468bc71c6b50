"""Three tiny LiDAR epochs with known terrain changes, loaded through the real LiDAR loader.

A 160 m × 160 m sloping, wavy ground surveyed at 4 points/m² with ±3 cm uniform noise (as the
sample world's sensor). Epoch 2 adds a mound (flat top, linear side slopes; exact volume), epoch
3 digs a cos² pit (exact volume) and has a 20 m × 20 m hole without points (unknown there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest

X0, Y0, SIZE = 614_000.0, 334_600.0, 160.0
EPOCHS = (date(2019, 6, 15), date(2022, 6, 15), date(2025, 6, 15))
MOUND = (60.0, 100.0, 10.0, 7.0, 2.0, 4.0)  # centre u, v; half sides; height; ramp width (m)
PIT = (110.0, 50.0, 15.0, 10.0, 1.2)  # centre u, v; semi-axes; depth (m)
HOLE = (130.0, 130.0, 150.0, 150.0)  # no points in the last epoch (u0, v0, u1, v1)


def ground(u: np.ndarray, v: np.ndarray, i: int) -> np.ndarray:
    z = 270.0 + 0.08 * u + 0.05 * v + 0.8 * np.sin(u / 23.0) * np.cos(v / 31.0)
    if i >= 1:
        cu, cv, hx, hy, h, ramp = MOUND
        out = np.maximum(np.maximum(np.abs(u - cu) - hx, 0), np.maximum(np.abs(v - cv) - hy, 0))
        z = z + h * np.clip(1 - out / ramp, 0, 1)
    if i >= 2:
        cu, cv, a, b, d = PIT
        r = np.hypot((u - cu) / a, (v - cv) / b)
        z = z - d * np.where(r < 1, np.cos(0.5 * np.pi * np.minimum(r, 1)) ** 2, 0)
    return z


def mound_volume_m3() -> float:
    _, _, hx, hy, h, ramp = MOUND
    a, b = 2 * hx, 2 * hy
    return h * (a * b + ramp * (a + b) + 4 * ramp**2 / 3)


def pit_volume_m3() -> float:
    _, _, a, b, d = PIT
    return d * a * b * np.pi * (0.5 - 2 / np.pi**2)


def write_epoch(path: Path, i: int, seed: int) -> Path:
    import laspy
    from pyproj import CRS

    rng = np.random.default_rng(seed)
    n = int(4 * SIZE * SIZE)
    u, v = rng.uniform(0, SIZE, n), rng.uniform(0, SIZE, n)
    if i == 2:
        keep = ~((u > HOLE[0]) & (u < HOLE[2]) & (v > HOLE[1]) & (v < HOLE[3]))
        u, v = u[keep], v[keep]
    z = ground(u, v, i) + rng.uniform(-0.03, 0.03, len(u))
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.scales = np.array([0.01, 0.01, 0.01])
    header.offsets = np.array([X0, Y0, 0.0])
    header.add_crs(CRS.from_epsg(2180))
    las = laspy.LasData(header)
    las.x, las.y, las.z = X0 + u, Y0 + v, z
    las.classification = np.full(len(u), 2, np.uint8)
    las.return_number = np.ones(len(u), np.uint8)
    las.number_of_returns = np.ones(len(u), np.uint8)
    las.intensity = np.full(len(u), 1000, np.uint16)
    las.gps_time = np.arange(len(u)) * 1e-5
    las.write(path)
    return path


@dataclass(frozen=True)
class TerrainWorld:
    url: str
    store: Path


@pytest.fixture
def terrain_world(empty_db: str, store: Path, tmp_path: Path) -> TerrainWorld:
    """The three epochs loaded into an emptied test database and a private raster store."""
    from pipelines.lidar.load import load_lidar

    for i, epoch in enumerate(EPOCHS):
        d = tmp_path / epoch.isoformat()
        d.mkdir()
        write_epoch(d / f"teren_{i}.las", i, seed=100 + i)
        load_lidar([d], epoch=epoch, url=empty_db, workers=1)
    return TerrainWorld(empty_db, store)


def truth_mask(shape: tuple[int, int], left: float, top: float, cell_m: float, i: int, j: int) -> np.ndarray:
    """Cells whose true ground changes between epochs i and j by more than 1 mm anywhere within the cell."""
    sub = 4
    off = (np.arange(sub) + 0.5) / sub * cell_m
    h, w = shape
    cx = left - X0 + np.arange(w) * cell_m
    cy = top - Y0 - np.arange(h) * cell_m
    changed = np.zeros(shape, bool)
    for ox in off:
        for oy in off:
            uu, vv = np.meshgrid(cx + ox, cy - oy)
            changed |= np.abs(ground(uu, vv, j) - ground(uu, vv, i)) > 1e-3
    return changed
