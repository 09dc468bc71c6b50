"""The true terrain: an analytic height function (PL-EVRF2007 metres) and its epoch-2 embankment."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import Polygon, box

from msip.core.errors import ConfigError
from msip.sample_world.constants import EPOCH1, EPOCHS, ORIGIN

EMBANKMENT_CENTRE_REL_M: tuple[float, float] = (300.0, 20.0)
"""Embankment centre relative to ORIGIN; it sits in the reserved construction lot."""
EMBANKMENT_HALF_SIDE_M = 10.0
"""Half side of the flat-topped core (20 m × 20 m = 400 m²)."""
EMBANKMENT_RAMP_M = 2.0
"""Width of the linear side slopes around the core."""
EMBANKMENT_HEIGHT_M = 1.5


def _base_z(dx: NDArray[np.float64], dy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Smooth Kielce-like surface: gentle rise to the north-east, undulations, a stream valley."""
    slope = 264.0 + 0.004 * dx + 0.002 * dy
    waves = 0.9 * np.sin(dx / 95.0 + 0.4) * np.cos(dy / 140.0) + 0.5 * np.sin((dx + dy) / 60.0)
    valley_dist = np.abs(dy - 0.35 * dx - 150.0) / np.hypot(1.0, 0.35)
    valley = -2.2 * np.exp(-((valley_dist / 40.0) ** 2))
    return slope + waves + valley


def embankment_height_m(x: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """Height (m) the epoch-2 embankment adds at (x, y), 0 outside it."""
    cx = ORIGIN[0] + EMBANKMENT_CENTRE_REL_M[0]
    cy = ORIGIN[1] + EMBANKMENT_CENTRE_REL_M[1]
    out_x = np.maximum(np.abs(np.asarray(x, dtype=np.float64) - cx) - EMBANKMENT_HALF_SIDE_M, 0.0)
    out_y = np.maximum(np.abs(np.asarray(y, dtype=np.float64) - cy) - EMBANKMENT_HALF_SIDE_M, 0.0)
    outside_m = np.maximum(out_x, out_y)
    return EMBANKMENT_HEIGHT_M * np.clip(1.0 - outside_m / EMBANKMENT_RAMP_M, 0.0, 1.0)


def embankment_core() -> Polygon:
    """The flat-topped core of the embankment (EPSG:2180), the area reported as changed."""
    cx = ORIGIN[0] + EMBANKMENT_CENTRE_REL_M[0]
    cy = ORIGIN[1] + EMBANKMENT_CENTRE_REL_M[1]
    h = EMBANKMENT_HALF_SIDE_M
    return box(cx - h, cy - h, cx + h, cy + h)


def embankment_footprint() -> Polygon:
    """Core plus side slopes: everything whose height changes between the epochs."""
    return embankment_core().buffer(EMBANKMENT_RAMP_M, join_style="mitre")


def terrain_z(x: ArrayLike, y: ArrayLike, epoch: str = EPOCH1) -> NDArray[np.float64]:
    """True ground height (m, PL-EVRF2007-NH) at EPSG:2180 coordinates, for one epoch.

    Parameters
    ----------
    x, y : array_like
        Easting and northing in metres (EPSG:2180); broadcast together.
    epoch : str
        One of :data:`EPOCHS`; the second epoch adds a 1.5 m embankment.

    Examples
    --------
    >>> float(terrain_z(614500.0, 334800.0)) > 259.0
    True
    """
    if epoch not in EPOCHS:
        raise ConfigError(f"unknown epoch {epoch!r}; use one of {', '.join(EPOCHS)}")
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    z = _base_z(xa - ORIGIN[0], ya - ORIGIN[1])
    if epoch != EPOCH1:
        z = z + embankment_height_m(xa, ya)
    return z
