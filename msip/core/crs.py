"""The one CRS helper: parse CRS strings, detect PL CRSs from coordinates, transform to EPSG:2180.

All transforms use `always_xy=True`, i.e. (easting, northing) / (lon, lat) order in and out;
readers of formats with authority axis order (GML 3.2) swap before calling.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

from msip.core.errors import CrsError

STORAGE_EPSG = 2180
#: CRSs accepted on input: WGS84 lon/lat, PL-2000 zones 5–8, PUWG-1992.
ACCEPTED_EPSG = (4326, 2176, 2177, 2178, 2179, 2180)

_PATTERNS = (
    re.compile(r"^(?:EPSG:)?(\d{4,5})$", re.I),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d{4,5})$", re.I),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d{4,5})$", re.I),
)
_CRS84 = {"crs84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "http://www.opengis.net/def/crs/ogc/1.3/crs84"}


def parse_epsg(value: str | int, *, accepted: tuple[int, ...] = ACCEPTED_EPSG) -> int:
    """EPSG code from '2180', 'EPSG:2180', 'urn:ogc:def:crs:EPSG::2180', an opengis.net URI or CRS84.

    >>> parse_epsg("urn:ogc:def:crs:EPSG::2178")
    2178
    """
    text = str(value).strip()
    if text.lower() in _CRS84:
        code = 4326
    else:
        code = None
        for pattern in _PATTERNS:
            m = pattern.match(text)
            if m:
                code = int(m.group(1))
                break
        if code is None:
            raise CrsError(
                f"CRS {text!r} is not understood; give an EPSG code such as EPSG:2180, "
                "2178 or urn:ogc:def:crs:EPSG::2180"
            )
    if code not in accepted:
        names = ", ".join(f"EPSG:{c}" for c in accepted)
        raise CrsError(f"CRS EPSG:{code} is not accepted; MSIP takes {names} (reproject the data first)")
    return code


def epsg_of(crs: object) -> int | None:
    """EPSG code of a pyproj/rasterio/geopandas CRS object, or None when it has none."""
    if crs is None:
        return None
    try:
        code = CRS.from_user_input(crs).to_epsg(min_confidence=70)
    except Exception:  # noqa: BLE001 - pyproj raises several types for unparsable CRS input
        return None
    return code


@lru_cache(maxsize=32)
def transformer(src_epsg: int, dst_epsg: int = STORAGE_EPSG) -> Transformer:
    """Cached (x=easting/lon, y=northing/lat) transformer between two EPSG codes."""
    return Transformer.from_crs(src_epsg, dst_epsg, always_xy=True)


def to_storage(x: np.ndarray, y: np.ndarray, src_epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Transform easting/lon and northing/lat arrays from `src_epsg` to EPSG:2180."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if src_epsg == STORAGE_EPSG:
        return x, y
    return transformer(src_epsg).transform(x, y)


def is_northing_first(epsg: int) -> bool:
    """True when the CRS's authority axis order is northing/latitude first (GML 3.2 posList)."""
    axes = CRS.from_epsg(epsg).axis_info
    return bool(axes) and axes[0].direction in ("north", "south")


def detect_epsg(x: np.ndarray, y: np.ndarray) -> int | None:
    """Guess the CRS of (x, y) columns from value ranges: lon/lat, PL-2000 zone or PL-1992.

    Returns None when the ranges fit none of them (the caller asks for --crs).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    mx, my = float(np.median(x[ok])), float(np.median(y[ok]))
    if 13.0 <= mx <= 25.0 and 48.5 <= my <= 55.5:
        return 4326
    if 140_000 <= mx <= 900_000 and 100_000 <= my <= 800_000:
        return 2180
    if 4_900_000 <= my <= 6_100_000:
        zone = int(mx // 1_000_000)
        if zone in (5, 6, 7, 8) and abs(mx - zone * 1_000_000 - 500_000) < 200_000:
            return 2171 + zone  # zone 5 → 2176 … zone 8 → 2179
    return None


def check_degrees(name: str, x: np.ndarray, y: np.ndarray) -> None:
    """CrsError when coordinates read as EPSG:4326 are mostly not degrees (e.g. metres in a GeoJSON without CRS).

    A GeoJSON file without a "crs" member is WGS84 by definition (RFC 7946), so EPSG:2180 metres
    in it would otherwise fail row by row as untransformable points.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    bad = ok & ((np.abs(x) > 180) | (np.abs(y) > 90))
    if not bad.any() or 2 * int(bad.sum()) <= int(ok.sum()):
        return
    i = int(np.flatnonzero(bad)[0])
    guess = detect_epsg(x[bad], y[bad])
    looks = f"they look like EPSG:{guess}; " if guess is not None else ""
    raise CrsError(
        f"{name}: coordinates such as ({x[i]:.6g}, {y[i]:.6g}) are not longitude/latitude degrees, but the file "
        f"is read as EPSG:4326 (a GeoJSON without a \"crs\" member is WGS84 by definition); {looks}state the "
        "file's CRS (a \"crs\" member, or save it as GeoPackage) or reproject it to EPSG:4326"
    )
