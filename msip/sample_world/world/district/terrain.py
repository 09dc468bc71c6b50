"""The district's true ground: a river valley with a reservoir, hills, a limestone quarry, and
two terrain changes with known volumes (an earthwork, then a small slope failure).

Coordinates are EPSG:2180 metres; the shapes are analytic so every sensor and truth file asks the
same function. Heights are PL-EVRF2007-NH metres, about 261–340 m as in Kielce (260–410 m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString, Point, Polygon, box

from msip.sample_world.constants import DISTRICT_ORIGIN

X0, Y0 = DISTRICT_ORIGIN
RIVER_WIDTH_M = 12.0
FLOODPLAIN_HALF_M = 80.0
WATER_DROP_M = 1.2
"""Water surface below the floodplain (the banks are 3 m wide slopes)."""
RESERVOIR = (400.0, 630.0, 230.0, 62.0)
"""Reservoir ellipse (centre u, v; semi-axes m) in district coordinates (from the origin)."""
QUARRY = (460.0, 905.0, 105.0, 68.0)
"""Quarry pit superellipse (centre u, v; semi-axes m)."""
QUARRY_FLOOR_Z = 272.0
QUARRY_WALL_M = 2.0
"""Horizontal width of the near-vertical quarry walls."""
EARTHWORK = (1510.0, 140.0, 22.0, 16.0, 2.5, 4.0)
"""Embankment: centre u, v, half sides x/y of the flat top, height, side-slope width (m)."""
SLIDE_SCARP = (1650.0, 716.0, 24.0, 14.0, 1.6)
"""Slope failure: where the ground drops (centre u, v, semi-axes, max depth m) …"""
SLIDE_TOE = (1650.0, 672.0, 28.0, 16.0)
"""… and where the material comes to rest (centre u, v, semi-axes); same volume."""


def river_v(u: NDArray) -> NDArray:
    """Northing offset (m from the origin) of the river centreline at easting offset ``u``."""
    return 640.0 + 28.0 * np.sin(u / 310.0)


def _smooth(t: NDArray) -> NDArray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _bump(u: NDArray, v: NDArray, cu: float, cv: float, au: float, av: float) -> NDArray:
    """cos² bump: 1 at the centre, 0 on and outside the ellipse."""
    r = np.hypot((u - cu) / au, (v - cv) / av)
    return np.where(r < 1.0, np.cos(0.5 * np.pi * np.minimum(r, 1.0)) ** 2, 0.0)


def base_z(u: NDArray, v: NDArray) -> NDArray:
    """Ground of the first epoch (no earthwork, no slide) at district offsets (u, v)."""
    d = np.abs(v - river_v(u))
    floodplain = 265.5 - 0.0015 * u
    north = np.where(v > river_v(u), 1.0, 0.0)
    slopes = (16.0 * north + 9.0 * (1.0 - north)) * _smooth((d - FLOODPLAIN_HALF_M) / 420.0)
    hill = 58.0 * np.exp(-(((u - 930.0) / 420.0) ** 2 + ((v - 2230.0) / 360.0) ** 2))
    ridge = 21.0 * np.exp(-(((u - 470.0) / 190.0) ** 2 + ((v - 930.0) / 150.0) ** 2))
    waves = 1.4 * np.sin(u / 170.0 + 0.3) * np.cos(v / 230.0) + 0.6 * np.sin((u + v) / 95.0)
    z = floodplain + slopes + hill + ridge + waves * _smooth((d - FLOODPLAIN_HALF_M) / 100.0)
    water = floodplain - WATER_DROP_M
    bank = _smooth(1.0 - (d - RIVER_WIDTH_M / 2) / 3.0)  # 1 in the river, 0 beyond a 3 m bank
    z = z + (water - z) * bank
    cu, cv, au, av = RESERVOIR
    rr = np.hypot((u - cu) / au, (v - cv) / av)
    res_bank = _smooth((1.0 - rr) * min(au, av) / 3.0)
    level = 265.5 - 0.0015 * (cu + au) - WATER_DROP_M  # held flat by the dam at its east end
    z = z + (level - z) * res_bank
    qu, qv, qa, qb = QUARRY
    q = (np.abs((u - qu) / qa) ** 4 + np.abs((v - qv) / qb) ** 4) ** 0.25
    inside_m = (1.0 - q) * min(qa, qb)
    z = z + (QUARRY_FLOOR_Z - z) * _smooth(inside_m / QUARRY_WALL_M) * (z > QUARRY_FLOOR_Z)
    return z


def earthwork_dz(u: NDArray, v: NDArray) -> NDArray:
    """Height the embankment adds (m)."""
    cu, cv, hx, hy, h, ramp = EARTHWORK
    out = np.maximum(np.maximum(np.abs(u - cu) - hx, 0.0), np.maximum(np.abs(v - cv) - hy, 0.0))
    return h * np.clip(1.0 - out / ramp, 0.0, 1.0)


def _ellipse_volume(au: float, av: float) -> float:
    """∫ cos²(π r / 2) over the unit-radius ellipse with semi-axes au, av (m²)."""
    return float(au * av * np.pi * (0.5 - 2.0 / np.pi**2))


def slide_dz(u: NDArray, v: NDArray) -> NDArray:
    """Height change of the slope failure (m): the scarp drops, the toe rises by the same volume."""
    su, sv, sa, sb, depth = SLIDE_SCARP
    tu, tv, ta, tb = SLIDE_TOE
    rise = depth * _ellipse_volume(sa, sb) / _ellipse_volume(ta, tb)
    return -depth * _bump(u, v, su, sv, sa, sb) + rise * _bump(u, v, tu, tv, ta, tb)


@dataclass(frozen=True)
class DistrictTerrain:
    """Ground per epoch: the earthwork appears in the second epoch, the slide in the third."""

    epochs: tuple[str, ...]

    def __call__(self, x: ArrayLike, y: ArrayLike, epoch: str) -> NDArray[np.float64]:
        u = np.asarray(x, dtype=np.float64) - X0
        v = np.asarray(y, dtype=np.float64) - Y0
        z = base_z(u, v)
        i = self.epochs.index(epoch)
        if i >= 1:
            z = z + earthwork_dz(u, v)
        if i >= 2:
            z = z + slide_dz(u, v)
        return z


def earthwork_polygon() -> Polygon:
    """Flat top and side slopes of the embankment (EPSG:2180)."""
    cu, cv, hx, hy, _, ramp = EARTHWORK
    return box(X0 + cu - hx - ramp, Y0 + cv - hy - ramp, X0 + cu + hx + ramp, Y0 + cv + hy + ramp)


def earthwork_volume_m3() -> float:
    """Fill volume of the embankment: a frustum-like prism with linear side slopes (exact)."""
    _, _, hx, hy, h, ramp = EARTHWORK
    a, b = 2 * hx, 2 * hy
    # top a×b at height h, linear ramps of width `ramp` on all sides down to 0
    return float(h * (a * b + ramp * (a + b) + 4.0 * ramp**2 / 3.0))


def slide_polygons() -> tuple[Polygon, Polygon]:
    """Scarp (where the ground dropped) and toe (where it rose), EPSG:2180 ellipses."""
    su, sv, sa, sb, _ = SLIDE_SCARP
    tu, tv, ta, tb = SLIDE_TOE
    scarp = _ellipse(X0 + su, Y0 + sv, sa, sb)
    toe = _ellipse(X0 + tu, Y0 + tv, ta, tb)
    return scarp, toe


def slide_volume_m3() -> float:
    """Volume moved by the slide (the scarp's loss, equal to the toe's gain), m³."""
    _, _, sa, sb, depth = SLIDE_SCARP
    return depth * _ellipse_volume(sa, sb)


def _ellipse(cx: float, cy: float, a: float, b: float) -> Polygon:
    t = np.linspace(0.0, 2.0 * np.pi, 73)[:-1]
    return Polygon(np.column_stack([cx + a * np.cos(t), cy + b * np.sin(t)]).round(3))


def river_line() -> LineString:
    """River centreline across the district (EPSG:2180)."""
    u = np.linspace(0.0, 2000.0, 201)
    return LineString(np.column_stack([X0 + u, Y0 + river_v(u)]).round(3))


def reservoir_polygon() -> Polygon:
    """Open water of the reservoir (EPSG:2180)."""
    cu, cv, au, av = RESERVOIR
    return _ellipse(X0 + cu, Y0 + cv, au, av)


def quarry_polygon() -> Polygon:
    """Rim of the quarry pit (EPSG:2180), the superellipse the walls fall from."""
    qu, qv, qa, qb = QUARRY
    t = np.linspace(0.0, 2.0 * np.pi, 145)[:-1]
    c, s = np.cos(t), np.sin(t)
    u = qu + qa * np.sign(c) * np.abs(c) ** 0.5
    v = qv + qb * np.sign(s) * np.abs(s) ** 0.5
    return Polygon(np.column_stack([X0 + u, Y0 + v]).round(3))


def quarry_viewpoint() -> Point:
    """A point on the quarry's north rim (EPSG:2180)."""
    qu, qv, _, qb = QUARRY
    return Point(X0 + qu, Y0 + qv + qb + 6.0)
