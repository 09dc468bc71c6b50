"""Airborne laser scan simulation per tile and LAS 1.4 / point format 6 LAZ writing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import laspy
import numpy as np
import pyproj
from numpy.typing import NDArray

from msip.sample_world.constants import (
    EPSG,
    EPSG_HEIGHT,
    GENERATOR_VERSION,
    ORTHO_PIXEL_M,
    TILE_SIZE_M,
)

from .scene import (
    LC_BARE,
    LC_FOOTWAY,
    LC_GRASS,
    LC_ROAD,
    LC_WATER,
    TileScene,
    crown_depth_m,
    tree_height_m,
)

GROUND, LOW_VEG, MED_VEG, HIGH_VEG, BUILDING, NOISE, UNCLASSIFIED = 2, 3, 4, 5, 6, 7, 1
WATER = 9
WATER_RETURN_SHARE = 0.3
"""Share of pulses over open water that come back (specular reflection loses the rest)."""
_GPS_EPOCH = dt.datetime(1980, 1, 6)
_LEAP_SECONDS = 18
PULSE_INTERVAL_S = 1e-5
GROUND_INTENSITY = {LC_ROAD: 900, LC_FOOTWAY: 1500, LC_BARE: 1800, LC_GRASS: 2600}
ROOF_INTENSITY = np.array([1500, 1300, 2300, 700], dtype=np.float64)


@dataclass
class PointCloud:
    """Point attributes of one tile, in acquisition (GPS time) order."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    z: NDArray[np.float64]
    intensity: NDArray[np.uint16]
    return_number: NDArray[np.uint8]
    number_of_returns: NDArray[np.uint8]
    classification: NDArray[np.uint8]
    gps_time: NDArray[np.float64]

    def unclassified(self) -> PointCloud:
        """The same points with every class set to 1 (unclassified)."""
        return replace(self, classification=np.full_like(self.classification, UNCLASSIFIED))


def gps_adjusted_start_s(epoch: str) -> float:
    """Adjusted standard GPS time (GPS seconds − 1e9) of 10:00 UTC on the survey day."""
    start = dt.datetime.fromisoformat(epoch) + dt.timedelta(hours=10)
    return (start - _GPS_EPOCH).total_seconds() + _LEAP_SECONDS - 1e9


def simulate(scene: TileScene, rng: np.random.Generator, tile_seq: int) -> PointCloud:
    """Pulses uniformly inside the tile; crowns give 1–3 returns, plus a few noise points."""
    minx, miny, _, maxy = scene.bounds
    n_pulse = round(scene.world.spec.pulse_density_per_m2 * TILE_SIZE_M**2)
    n_noise = int(rng.integers(6, 11))
    n = n_pulse + n_noise
    cm = round(TILE_SIZE_M * 100)
    x = minx + rng.integers(0, cm, n) / 100.0  # on the 1 cm LAS grid, never on the far edge
    y = miny + rng.integers(0, cm, n) / 100.0
    kind = np.zeros(n, dtype=np.int8)
    kind[n_pulse:] = np.where(np.arange(n_noise) % 2 == 0, 1, 2)  # 1 high noise, 2 low noise
    order = np.lexsort((x, -y))  # north-to-south scan lines
    x, y, kind = x[order], y[order], kind[order]

    col = np.clip(((x - minx) / ORTHO_PIXEL_M).astype(np.int64), 0, scene.landcover.shape[1] - 1)
    row = np.clip(((maxy - y) / ORTHO_PIXEL_M).astype(np.int64), 0, scene.landcover.shape[0] - 1)
    b = scene.building_idx[row, col]
    t = scene.tree_idx[row, col]
    lc = scene.landcover[row, col]
    on_tree = (t >= 0) & (b < 0) & (kind == 0)

    n_ret = np.ones(n, dtype=np.int64)
    n_ret[on_tree] = rng.choice([1, 2, 3], size=int(on_tree.sum()), p=[0.45, 0.35, 0.2])
    pulse = np.repeat(np.arange(n), n_ret)
    starts = np.cumsum(n_ret) - n_ret
    ret = np.arange(len(pulse)) - np.repeat(starts, n_ret) + 1
    px, py = x[pulse], y[pulse]
    ground = scene.ground_z(px, py)
    m = len(pulse)

    z = ground + rng.uniform(-0.03, 0.03, m)
    cls = np.full(m, GROUND, dtype=np.uint8)
    inten = np.array([GROUND_INTENSITY.get(int(v), 2000) for v in range(8)], dtype=np.float64)[
        lc[pulse]
    ]

    grass_low = (kind[pulse] == 0) & (b[pulse] < 0) & (t[pulse] < 0) & (lc[pulse] == LC_GRASS)
    grass_low &= rng.random(m) < 0.05
    z[grass_low] = ground[grass_low] + rng.uniform(0.1, 0.3, int(grass_low.sum()))
    cls[grass_low] = LOW_VEG

    if scene.buildings:
        cx = np.array([bb.footprint.centroid.x for bb in scene.buildings])
        cy = np.array([bb.footprint.centroid.y for bb in scene.buildings])
        roof_z = scene.ground_z(cx, cy) + np.array([bb.height_m for bb in scene.buildings])
        on_b = (b[pulse] >= 0) & (kind[pulse] == 0)
        z[on_b] = roof_z[b[pulse][on_b]] + rng.uniform(-0.02, 0.02, int(on_b.sum()))
        cls[on_b] = BUILDING
        styles = np.array([bb.roof_style for bb in scene.buildings])
        inten[on_b] = ROOF_INTENSITY[styles[b[pulse][on_b]]]

    tp = on_tree[pulse]
    if tp.any():
        trees = scene.trees
        idx = t[pulse][tp]
        tx = np.array([tr.x for tr in trees])[idx]
        ty = np.array([tr.y for tr in trees])[idx]
        rad = np.array([tr.crown_radius_m for tr in trees])[idx]
        h = np.array([tree_height_m(tr, scene.epoch) for tr in trees])[idx]
        depth = np.array([crown_depth_m(tr, tree_height_m(tr, scene.epoch)) for tr in trees])[idx]
        base = scene.ground_z(tx, ty)
        rn = np.minimum(np.hypot(px[tp] - tx, py[tp] - ty) / rad, 1.0)
        surface = base + h - depth * rn**2
        bottom = base + h - depth
        r_i, n_i = ret[tp], n_ret[pulse][tp]
        zt = surface + rng.normal(0, 0.05, len(idx))
        inner = bottom + rng.uniform(0.15, 0.85, len(idx)) * (surface - bottom)
        to_ground = (r_i == n_i) & (n_i > 1) & (rng.random(len(idx)) < 0.75)
        zt = np.where(r_i > 1, inner, zt)
        zt = np.where(to_ground, z[tp], zt)
        hag = zt - ground[tp]
        veg = np.where(hag > 2.0, HIGH_VEG, np.where(hag > 0.5, MED_VEG, LOW_VEG)).astype(np.uint8)
        z[tp] = zt
        cls[tp] = np.where(to_ground, GROUND, veg)
        inten[tp] = np.where(to_ground, 800.0, np.where(r_i == 1, 2000.0, 1200.0))

    noise_high = kind[pulse] == 1
    noise_low = kind[pulse] == 2
    z[noise_high] = ground[noise_high] + rng.uniform(40.0, 80.0, int(noise_high.sum()))
    z[noise_low] = ground[noise_low] - rng.uniform(2.0, 15.0, int(noise_low.sum()))
    cls[noise_high | noise_low] = NOISE
    inten[noise_high | noise_low] = rng.uniform(10, 300, int((noise_high | noise_low).sum()))

    intensity: NDArray[np.uint16] = np.clip(inten * rng.normal(1.0, 0.08, m), 1, 65535).astype(
        np.uint16
    )
    t0 = gps_adjusted_start_s(scene.epoch) + tile_seq * 60.0
    gps: NDArray[np.float64] = np.asarray(t0 + pulse * PULSE_INTERVAL_S, dtype=np.float64)
    returns = ret.astype(np.uint8)
    pc = PointCloud(
        px, py, np.round(z, 2), intensity, returns, n_ret[pulse].astype(np.uint8), cls, gps
    )
    water = (lc[pulse] == LC_WATER) & (cls == GROUND)
    if water.any():  # only worlds with water draw from rng here, so older worlds keep their bytes
        pc.classification[water] = WATER
        pc.intensity[water] = np.minimum(pc.intensity[water], 120)
        lost = water & (rng.random(m) >= WATER_RETURN_SHARE)
        pc = _keep(pc, ~lost)
    return pc


def _keep(pc: PointCloud, mask: NDArray[np.bool_]) -> PointCloud:
    """The points of ``pc`` where ``mask`` is true."""
    return PointCloud(
        pc.x[mask],
        pc.y[mask],
        pc.z[mask],
        pc.intensity[mask],
        pc.return_number[mask],
        pc.number_of_returns[mask],
        pc.classification[mask],
        pc.gps_time[mask],
    )


def las_crs() -> pyproj.CRS:
    """EPSG:2180 + EPSG:9651 (PL-1992 with PL-EVRF2007-NH heights) as a compound CRS."""
    return pyproj.CRS(f"EPSG:{EPSG}+{EPSG_HEIGHT}")


def write_laz(
    path: Path, pc: PointCloud, bounds: tuple[float, float, float, float], epoch: str
) -> None:
    """LAS 1.4 point format 6, 0.01 m scales, WKT CRS (global-encoding WKT bit set), LAZ."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = laspy.LasHeader(point_format=6, version="1.4")
    header.scales = np.array([0.01, 0.01, 0.01])
    header.offsets = np.array([bounds[0], bounds[1], 0.0])
    header.add_crs(las_crs())
    header.global_encoding.wkt = True
    header.global_encoding.gps_time_type = laspy.header.GpsTimeType.STANDARD
    header.system_identifier = "MSIP sample world"
    header.generating_software = f"msip.sample_world {GENERATOR_VERSION}"
    header.creation_date = dt.date.fromisoformat(epoch)
    las = laspy.LasData(header)
    las.x, las.y, las.z = pc.x, pc.y, pc.z
    las.intensity = pc.intensity
    las.return_number = pc.return_number
    las.number_of_returns = pc.number_of_returns
    las.classification = pc.classification
    las.gps_time = pc.gps_time
    las.point_source_id = np.ones(len(pc.x), dtype=np.uint16)
    las.write(path, do_compress=True, laz_backend=laspy.LazBackend.Lazrs)
