"""Inventory trees between two epochs: canopy and crown NDVI sampled around each trunk, felled and declining trees.

`sample_trees` runs inside a change tile (`processing.change.rasters`) on the tile's arrays;
`tree_events` turns the samples into change events with the measured values as evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from processing.change.events import ChangeEvent, InventoryObject
from processing.change.params import ChangeParams

#: A raster window: (values, (minx, miny, maxx, maxy) m, pixel size m).
Window = tuple[np.ndarray, tuple[float, float, float, float], float]


@dataclass(frozen=True)
class TreeProbe:
    """A tree to sample: index in the caller's list, trunk (m, EPSG:2180), crown radius (m)."""

    key: int
    x: float
    y: float
    crown_radius_m: float


@dataclass
class TreeSample:
    """Canopy (CHM) and NDVI around one tree in both epochs (None: no data there).

    canopy_share_*: share of probe-disk pixels with CHM ≥ the canopy height; chm_max_*: highest
    CHM value in the disk (m); ndvi_*: mean NDVI of the inner crown; ndvi_px: pixels averaged
    (the smaller count of the two epochs).
    """

    key: int
    canopy_share_from: float | None = None
    canopy_share_to: float | None = None
    chm_max_from: float | None = None
    chm_max_to: float | None = None
    ndvi_from: float | None = None
    ndvi_to: float | None = None
    ndvi_px: int = 0


def probe_radius_m(crown_radius_m: float, p: ChangeParams) -> float:
    """Radius of the disk checked for canopy at the trunk (m)."""
    return max(p.felled_probe_min_m, p.felled_probe_fraction * crown_radius_m)


def crown_radius_sampled_m(crown_radius_m: float, p: ChangeParams) -> float:
    """Radius of the inner crown whose NDVI is averaged (m)."""
    return max(p.ndvi_crown_min_m, p.ndvi_crown_fraction * crown_radius_m)


def disk_values(window: Window, x: float, y: float, r: float) -> np.ndarray:
    """Values of a window whose pixel centres lie within `r` m of (x, y), NaNs dropped."""
    arr, (x0, _, _, y1), res = window
    c0 = max(0, math.floor((x - r - x0) / res))
    c1 = min(arr.shape[1], math.ceil((x + r - x0) / res))
    r0 = max(0, math.floor((y1 - y - r) / res))
    r1 = min(arr.shape[0], math.ceil((y1 - y + r) / res))
    if c1 <= c0 or r1 <= r0:
        return np.empty(0, arr.dtype)
    cx = x0 + (np.arange(c0, c1) + 0.5) * res
    cy = y1 - (np.arange(r0, r1) + 0.5) * res
    inside = (cx[None, :] - x) ** 2 + (cy[:, None] - y) ** 2 <= r * r
    values = arr[r0:r1, c0:c1][inside]
    return values[~np.isnan(values)]


def sample_trees(
    trees: Iterable[TreeProbe],
    p: ChangeParams,
    *,
    max_radius_m: float,
    chm: dict[str, Window],
    ndvi: dict[str, Window],
) -> list[TreeSample]:
    """Per tree and epoch ('from', 'to'): canopy share and max CHM in the probe disk, mean crown NDVI.

    Radii are capped at `max_radius_m` (the tile overlap, so disks never leave the window).
    """
    out = []
    for t in trees:
        s = TreeSample(t.key)
        r_probe = min(max_radius_m, probe_radius_m(t.crown_radius_m, p))
        for e, window in chm.items():
            v = disk_values(window, t.x, t.y, r_probe)
            if v.size:
                setattr(s, f"canopy_share_{e}", float(np.mean(v >= p.canopy_min_height_m)))
                setattr(s, f"chm_max_{e}", float(v.max()))
        if ndvi:
            r_crown = min(max_radius_m, crown_radius_sampled_m(t.crown_radius_m, p))
            counts = []
            for e, window in ndvi.items():
                v = disk_values(window, t.x, t.y, r_crown)
                counts.append(v.size)
                if v.size:
                    setattr(s, f"ndvi_{e}", float(np.mean(v, dtype=np.float64)))
            s.ndvi_px = min(counts)
        out.append(s)
    return out


def is_felled(s: TreeSample, p: ChangeParams) -> bool:
    """Canopy at the trunk then (≥ felled_min_share_from), gone now (≤ felled_max_share_to)."""
    if s.canopy_share_from is None or s.canopy_share_to is None:
        return False
    return (
        s.canopy_share_from >= p.felled_min_share_from
        and s.canopy_share_to <= p.felled_max_share_to
    )


def is_declining(s: TreeSample, p: ChangeParams) -> bool:
    """Inner-crown NDVI was vegetation (≥ ndvi_vegetation_min) and fell by ≥ ndvi_decline_min."""
    if s.ndvi_from is None or s.ndvi_to is None or s.ndvi_px < p.ndvi_min_pixels:
        return False
    return s.ndvi_from >= p.ndvi_vegetation_min and s.ndvi_from - s.ndvi_to >= p.ndvi_decline_min


def tree_events(
    trees: Sequence[InventoryObject], samples: Iterable[TreeSample], p: ChangeParams
) -> list[ChangeEvent]:
    """felled_tree and health_decline events (a felled tree is not also reported as declining).

    area_m2 is the inventory crown area π r²; height_change_m the change of the highest CHM
    value in the probe disk (m); the evidence holds every sampled value and the inventory's view.
    """
    out = []
    for s in samples:
        t = trees[s.key]
        radius = (t.crown_diameter_m or p.default_crown_diameter_m) / 2
        area = round(math.pi * radius * radius, 2)
        dz = None
        if s.chm_max_from is not None and s.chm_max_to is not None:
            dz = round(s.chm_max_to - s.chm_max_from, 2)
        base = {"inventory": t.dataset, "listed_in_later_inventory": t.listed_to, **dict(t.attrs)}
        if is_felled(s, p):
            # is_felled needs both canopy shares, sampled together with the CHM maxima
            assert s.canopy_share_from is not None and s.canopy_share_to is not None
            assert s.chm_max_from is not None and s.chm_max_to is not None
            evidence = base | {
                "canopy_share_from": round(s.canopy_share_from, 2),
                "canopy_share_to": round(s.canopy_share_to, 2),
                "chm_max_from_m": round(s.chm_max_from, 2),
                "chm_max_to_m": round(s.chm_max_to, 2),
                "probe_radius_m": round(probe_radius_m(radius, p), 2),
            }
            kind = "felled_tree"
        elif is_declining(s, p):
            assert s.ndvi_from is not None and s.ndvi_to is not None  # is_declining needs both
            evidence = base | {
                "ndvi_from": round(s.ndvi_from, 3),
                "ndvi_to": round(s.ndvi_to, 3),
                "ndvi_decline": round(s.ndvi_from - s.ndvi_to, 3),
                "crown_pixels": s.ndvi_px,
                "crown_radius_sampled_m": round(crown_radius_sampled_m(radius, p), 2),
            }
            kind = "health_decline"
        else:
            continue
        out.append(ChangeEvent(kind, shapely.Point(t.x, t.y), area, dz, t.source_id, evidence))
    return out
