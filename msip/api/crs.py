"""CRS negotiation for the API: CRS URIs, authority axis order and bounding boxes, done right.

OGC API Features Part 2 says coordinates (of output geometries and of `bbox` with `bbox-crs`)
follow the axis order of the CRS: CRS84 is lon/lat, EPSG:4326 lat/lon, EPSG:2180 and the
PL-2000 zones (2176–2179) northing/easting. PostGIS always stores x=easting/longitude, so the
providers transform in SQL and flip axes only at the edges, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from msip.core.crs import ACCEPTED_EPSG, STORAGE_EPSG, is_northing_first
from msip.core.errors import CrsError
from msip.core.extents import POLAND_LONLAT_WITH_MARGIN

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84H = "http://www.opengis.net/def/crs/OGC/1.3/CRS84h"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
STORAGE_CRS = EPSG_URI.format(STORAGE_EPSG)
#: What every feature collection offers (OGC API Features Part 2 `crs` list), CRS84 first.
SUPPORTED_CRS = [CRS84, *(EPSG_URI.format(c) for c in ACCEPTED_EPSG)]



@dataclass(frozen=True)
class RequestCrs:
    """A CRS as a request names it: its URI, the PostGIS SRID and whether axis 1 is northing/latitude."""

    uri: str
    srid: int
    northing_first: bool

    @property
    def geographic(self) -> bool:
        return self.srid == 4326


class UnsupportedCrs(CrsError):
    """A CRS URI that is not one the API offers; the message lists those that are."""


@lru_cache(maxsize=64)
def parse_crs_uri(uri: str) -> RequestCrs:
    """RequestCrs for a CRS URI (opengis.net URL, URN, or EPSG:n); UnsupportedCrs otherwise.

    >>> parse_crs_uri("http://www.opengis.net/def/crs/EPSG/0/2180").northing_first
    True
    >>> parse_crs_uri("http://www.opengis.net/def/crs/OGC/1.3/CRS84").northing_first
    False
    """
    text = (uri or "").strip()
    low = text.lower().replace("https://", "http://")
    if low in (
        CRS84.lower(),
        CRS84H.lower(),
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
        "crs84",
    ):
        return RequestCrs(CRS84, 4326, False)
    code = None
    for prefix in (
        "http://www.opengis.net/def/crs/epsg/0/",
        "urn:ogc:def:crs:epsg::",
        "urn:ogc:def:crs:epsg:0:",
        "epsg:",
    ):
        if low.startswith(prefix) and low[len(prefix) :].isdigit():
            code = int(low[len(prefix) :])
    if code is None or code not in ACCEPTED_EPSG:
        raise UnsupportedCrs(
            f"CRS {text!r} is not supported; use one of: {', '.join(SUPPORTED_CRS)}"
        )
    return RequestCrs(EPSG_URI.format(code), code, is_northing_first(code))


def to_xy(values: list[float], crs: RequestCrs) -> list[float]:
    """Reorder a 4-value bbox given in the CRS's axis order to (xmin, ymin, xmax, ymax) = E/lon first."""
    if crs.northing_first:
        return [values[1], values[0], values[3], values[2]]
    return list(values)


class CrsBBox(list):
    """A bbox as the client sent it (values in the axis order of `crs`), carried to the providers.

    The list content is the envelope of the box in the storage CRS as (xmin, ymin, xmax, ymax),
    for code that only reads the list; MSIP's providers use `xy` and `crs` to filter exactly.
    """

    def __init__(self, storage_xy: list[float], *, xy: list[float], crs: RequestCrs):
        super().__init__(storage_xy)
        self.xy = xy
        self.crs = crs


def clip_lonlat(xy: list[float]) -> list[float] | None:
    """A lon/lat box clipped to the area where MSIP data can be; None when nothing is left."""
    x1, y1, x2, y2 = xy
    # EPSG:2180's area of use with a margin: outside it, projected coordinates are meaningless
    # and no MSIP data exists.
    a1, b1, a2, b2 = POLAND_LONLAT_WITH_MARGIN
    out = [max(x1, a1), max(y1, b1), min(x2, a2), min(y2, b2)]
    return out if out[0] <= out[2] and out[1] <= out[3] else None


def transform_bbox(bbox: list, from_crs: str, to_crs: str) -> CrsBBox:
    """Replacement for pygeoapi's transform_bbox, which mixes up axis orders (pygeoapi #2010, #2102).

    Keeps the client's box (in `from_crs` axis order) and adds its densified envelope in the
    storage CRS, x=easting first. Raises pyproj's CRSError for an unsupported bbox-crs, which
    pygeoapi answers with 400.
    """
    from pyproj.exceptions import CRSError

    from msip.core.crs import transformer

    try:
        src = parse_crs_uri(from_crs)
        dst = parse_crs_uri(to_crs)
    except UnsupportedCrs as exc:
        raise CRSError(str(exc)) from None
    values = [float(v) for v in bbox]
    if len(values) == 6:  # 3-D bbox: the vertical range does not filter 2-D data
        values = [values[0], values[1], values[3], values[4]]
    xy = to_xy(values, src)
    box = clip_lonlat(xy) if src.geographic else xy
    if box is None:
        return CrsBBox([0.0, 0.0, 0.0, 0.0], xy=xy, crs=src)
    if src.srid == dst.srid:
        return CrsBBox(box, xy=xy, crs=src)
    t = transformer(src.srid, dst.srid)  # cached: building a Transformer costs ~7 ms
    x1, y1, x2, y2 = box
    return CrsBBox(list(t.transform_bounds(x1, y1, x2, y2, densify_pts=21)), xy=xy, crs=src)
