"""Where MSIP's data can lie: the one bounds table (Poland, Kielce) and the one extent rule of every loader.

The rule: coordinates must lie in Poland, EPSG:2180's area of use (the EPSG registry's "Poland -
onshore and offshore"), because everything is stored in EPSG:2180 and outside its area of use
that projection distorts lengths and areas (in Monaco by +1 % and +2 %; the rule allows 0.05° around
the published area, which Poland's own western border crosses); inside Poland they must
also lie in the chosen extent: the city (`kielce`, the default, with a 2 km margin), `poland`,
`none` (no city limit — still Poland, never "anywhere on Earth") or a box in EPSG:2180. Loaders
take their `Extent` from `get_extent` and ask it `inside(x, y)`; `outside_reason` says why a
point is refused and `extent_fix` which option fits a file whose rows all fall outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from msip.core.errors import ConfigError


class Box(NamedTuple):
    """minx, miny, maxx, maxy: degrees (lon/lat) or metres (EPSG:2180), as the name says."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    def widened(self, margin: float) -> Box:
        """The box grown by `margin` (in its own units) on every side."""
        return Box(self.minx - margin, self.miny - margin, self.maxx + margin, self.maxy + margin)


#: EPSG:2180's area of use (onshore and offshore), lon/lat degrees.
POLAND_LONLAT = Box(14.14, 49.0, 24.15, 55.93)
#: Tolerance around Poland for "can these coordinates be located in Poland at all" (LAS files in
#: a foreign CRS, API bboxes in lon/lat), degrees.
POLAND_MARGIN_DEG = 1.0
#: POLAND_LONLAT widened by POLAND_MARGIN_DEG: (13.14, 48.0, 25.15, 56.93).
POLAND_LONLAT_WITH_MARGIN = POLAND_LONLAT.widened(POLAND_MARGIN_DEG)
#: EPSG publishes its area of use rounded to 0.01°, and Poland's own outline reaches 14.1229°E (the
#: Odra at Osinów Dolny), west of the published 14.14°E: the extent rule allows this much around it.
POLAND_TOLERANCE_DEG = 0.05
#: What the extent rule accepts, lon/lat degrees: POLAND_LONLAT widened by POLAND_TOLERANCE_DEG.
POLAND_RULE_LONLAT = POLAND_LONLAT.widened(POLAND_TOLERANCE_DEG)
#: Poland's land in EPSG:2180 metres: the onshore area of use (north to 54.89°N) projected,
#: E 144 693–876 500, N 125 837–792 875, rounded outward to 10 km.
POLAND_2180 = Box(140_000, 120_000, 880_000, 800_000)
#: The whole area of use as the rule takes it (POLAND_RULE_LONLAT, offshore included) projected to
#: EPSG:2180, rounded outward to 1 km: the box of the `poland` extent, inside which `in_poland` tests lon/lat.
POLAND_AREA_2180 = Box(140_000, 120_000, 881_000, 915_000)
#: A box inside POLAND_AREA_2180 whose every point lies in the area of use (the edges checked in
#: lon/lat): points in it need no lon/lat test. Most of Poland; not its far west and east.
POLAND_INNER_2180 = Box(197_000, 139_000, 821_000, 896_000)

#: The city of Kielce in EPSG:2180 metres (E 605 000–625 000, N 325 000–345 000).
KIELCE_2180 = Box(605_000, 325_000, 625_000, 345_000)
#: Margin around the city for "does this lie in Kielce" checks, metres.
KIELCE_MARGIN_M = 2_000
#: KIELCE_2180 widened by KIELCE_MARGIN_M: (603 000, 323 000, 627 000, 347 000).
KIELCE_2180_WITH_MARGIN = KIELCE_2180.widened(KIELCE_MARGIN_M)
#: KIELCE_2180 in lon/lat degrees (its projected envelope, rounded outward to 0.001°).
KIELCE_LONLAT = Box(20.489, 50.778, 20.781, 50.963)

_POLAND_TEXT = (f"Poland (EPSG:2180's area of use, {POLAND_LONLAT.minx:.2f}–{POLAND_LONLAT.maxx:.2f}°E, "
                f"{POLAND_LONLAT.miny:.2f}–{POLAND_LONLAT.maxy:.2f}°N)")


def lonlat_of(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) of EPSG:2180 eastings/northings."""
    from msip.core.crs import transformer

    lon, lat = transformer(2180, 4326).transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def in_poland(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mask of EPSG:2180 points inside Poland, EPSG:2180's area of use (tested in lon/lat, with
    POLAND_TOLERANCE_DEG around it)."""
    x = np.atleast_1d(np.asarray(x, dtype=float))
    y = np.atleast_1d(np.asarray(y, dtype=float))
    box, inner = POLAND_AREA_2180, POLAND_INNER_2180
    with np.errstate(invalid="ignore"):
        out = (x >= box.minx) & (x <= box.maxx) & (y >= box.miny) & (y <= box.maxy)
        sure = (x >= inner.minx) & (x <= inner.maxx) & (y >= inner.miny) & (y <= inner.maxy)
    test = out & ~sure
    if test.any():  # the box first: far-away metres do not invert reliably
        lon, lat = lonlat_of(x[test], y[test])
        p = POLAND_RULE_LONLAT
        out[test] = (lon >= p.minx) & (lon <= p.maxx) & (lat >= p.miny) & (lat <= p.maxy)
    return out


def place(x: float, y: float) -> str:
    """Where an EPSG:2180 point lies, in words: '24.944°E 60.171°N'."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return "coordinates that cannot be located"
    lon, lat = (float(v[0]) for v in lonlat_of(np.array([x]), np.array([y])))
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "coordinates that cannot be located"
    return f"{abs(lon):.3f}°{'E' if lon >= 0 else 'W'} {abs(lat):.3f}°{'N' if lat >= 0 else 'S'}"


def distortion(x: float, y: float) -> str:
    """What EPSG:2180 does to lengths and areas at an EPSG:2180 point: 'lengths by +1 % and areas by +2 %'."""
    from pyproj import Proj

    lon, lat = (float(v[0]) for v in lonlat_of(np.array([x]), np.array([y])))
    try:
        factors = Proj("EPSG:2180").get_factors(lon, lat)
        k, area = float(factors.meridional_scale), float(factors.areal_scale)
    except Exception:  # noqa: BLE001 - PROJ raises several types for points it cannot handle
        return "lengths and areas by an unknown amount"
    if not (math.isfinite(k) and math.isfinite(area)):
        return "lengths and areas by an unknown amount"
    return f"lengths by {_percent(k - 1)} and areas by {_percent(area - 1)}"


def _percent(share: float) -> str:
    """+0.063 %, +1 %, +72 %, +197 %: two significant digits, whole numbers from 10 % on."""
    value = 100 * share
    return f"{value:+.0f} %" if abs(value) >= 10 else f"{value:+.2g} %"


def outside_poland_text(x: float, y: float, *, name_poland: bool = True) -> str:
    """'at 7.425°E 43.738°N, outside Poland (…), where EPSG:2180 … distorts lengths by +1 % and areas by +2 %'."""
    outside = f", outside {_POLAND_TEXT}" if name_poland else ""
    return f"at {place(x, y)}{outside}, where EPSG:2180 (MSIP's storage CRS) distorts {distortion(x, y)}"


@dataclass(frozen=True)
class Extent:
    """Where a loader accepts coordinates: an EPSG:2180 box (minx, miny, maxx, maxy, metres), always
    within Poland. `name` says which ('Kielce', 'Poland', 'custom')."""

    name: str
    minx: float
    miny: float
    maxx: float
    maxy: float
    whole_poland: bool = False
    """True when the extent is all of Poland ('poland', 'none'): no city or box limit."""
    _box_in_poland: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        # A box wholly inside Poland (the city) needs no lon/lat test per point.
        xs = np.linspace(self.minx, self.maxx, 11)
        ys = np.linspace(self.miny, self.maxy, 11)
        ring_x = np.concatenate([xs, xs, np.full(11, self.minx), np.full(11, self.maxx)])
        ring_y = np.concatenate([np.full(11, self.miny), np.full(11, self.maxy), ys, ys])
        object.__setattr__(self, "_box_in_poland", not self.whole_poland and bool(in_poland(ring_x, ring_y).all()))

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mask of EPSG:2180 points inside the box and inside Poland."""
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        with np.errstate(invalid="ignore"):
            out = (x >= self.minx) & (x <= self.maxx) & (y >= self.miny) & (y <= self.maxy)
        if not self._box_in_poland and out.any():
            out[out] = in_poland(x[out], y[out])
        return out

    def contains(self, x: float, y: float) -> bool:
        """True when the EPSG:2180 point (x, y) is inside the box and inside Poland (one point: no arrays)."""
        if not (self.minx <= x <= self.maxx and self.miny <= y <= self.maxy):
            return False
        inner = POLAND_INNER_2180
        if self._box_in_poland or (inner.minx <= x <= inner.maxx and inner.miny <= y <= inner.maxy):
            return True
        return bool(in_poland(np.array([x]), np.array([y]))[0])

    def describe(self) -> str:
        if self.whole_poland:
            return _POLAND_TEXT
        return f"{self.name} (E {self.minx:.0f}–{self.maxx:.0f}, N {self.miny:.0f}–{self.maxy:.0f}, EPSG:2180)"


#: Kielce's city extent with a 2 km margin; all of Poland ('none' is the same: no city limit, but
#: never outside EPSG:2180's area of use).
EXTENTS = {
    "kielce": Extent("Kielce", *KIELCE_2180_WITH_MARGIN),
    "poland": Extent("Poland", *POLAND_AREA_2180, whole_poland=True),
    "none": Extent("Poland", *POLAND_AREA_2180, whole_poland=True),
}


def get_extent(value: str | None) -> Extent:
    """An extent by name ('kielce', 'poland', 'none') or 'minx,miny,maxx,maxy' in EPSG:2180."""
    if value is None or value == "":
        return EXTENTS["kielce"]
    if value.lower() in EXTENTS:
        return EXTENTS[value.lower()]
    parts = value.split(",")
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"extent {value!r} is neither a name ({', '.join(EXTENTS)}) nor 'minx,miny,maxx,maxy' "
            "in EPSG:2180, e.g. 610000,330000,620000,340000"
        ) from None
    if minx >= maxx or miny >= maxy:
        raise ConfigError(f"extent {value!r} has min ≥ max; order is minx,miny,maxx,maxy")
    return Extent("custom", minx, miny, maxx, maxy)


def outside_reason(x: float, y: float, extent: Extent, *, swappable: bool = True) -> str:
    """Why the EPSG:2180 point (x, y) is refused by `extent`: outside Poland (with the distortion) or
    outside the extent; hints at swapped axes when swapping fits and the source can be swapped."""
    where = f"point (E {x:.1f}, N {y:.1f})"
    if swappable and extent.contains(y, x):
        return (f"{where} is outside {extent.describe()} but fits with the axes swapped: the coordinate "
                "columns (or lat/lon order) are probably swapped")
    if not in_poland(np.array([x]), np.array([y]))[0]:
        return (f"{where} is outside {_POLAND_TEXT}: it lies at {place(x, y)}, where EPSG:2180 (MSIP's storage "
                f"CRS) distorts {distortion(x, y)}; MSIP loads data of Poland only")
    fix = "; check the CRS (--crs) or the coordinates" if swappable else ""
    return f"{where} is outside {extent.describe()}{fix}"


def extent_fix(x: np.ndarray, y: np.ndarray, extent: Extent, *, crs_fix: str | None,
               other_data: str | None = None) -> str:
    """The fix for rows that all fall outside `extent` (EPSG:2180 x, y of the rows located).

    Outside Poland: only other data (`other_data`, e.g. 'use an extract of the city'), or `crs_fix`
    ('check the CRS (--crs)') when the coordinates may be misread; inside Poland but outside the
    city: --extent poland or a box.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    poland = in_poland(x[ok], y[ok])
    if not poland.any():
        i = int(np.flatnonzero(ok)[0]) if ok.any() else 0
        where = (outside_poland_text(float(x[i]), float(y[i]), name_poland=not extent.whole_poland) if ok.any()
                 else "outside Poland")
        also = f" — {other_data}" if other_data else ""
        also += f"; if they are not really there, {crs_fix}" if crs_fix else ""
        return f"they lie {where}: MSIP loads data of Poland only{also}"
    crs = f", or {crs_fix}" if crs_fix else ""
    return (f"to load data from elsewhere in Poland pass --extent poland (or a box "
            f"--extent minx,miny,maxx,maxy in EPSG:2180){crs}")
