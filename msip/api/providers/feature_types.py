"""Values passed between pygeoapi and the feature provider: filters with their CRS, pages of raw JSON."""

from __future__ import annotations

import json

from msip.api.crs import CRS84, CrsBBox, RequestCrs, clip_lonlat, parse_crs_uri


class FilterWithCrs:
    """A parsed CQL2 filter and the CRS of its geometry literals (`filter-crs`)."""

    def __init__(self, node, crs_uri: str | None):
        self.node, self.crs_uri = node, crs_uri or CRS84

    def __repr__(self) -> str:
        return f"FilterWithCrs({self.node!r}, {self.crs_uri!r})"


class RawFeatures(list):
    """A page of features as the JSON text PostGIS wrote; parsed only when iterated (HTML, JSON-LD, CSV).

    `msip.api.pygeoapi_fixes` splices the text straight into the response for JSON output, so
    the common case never decodes and re-encodes the features in Python.
    """

    def __init__(self, raw: str, n: int, *, crs: RequestCrs | None = None, columns: tuple[str, ...] = ()):
        super().__init__()
        self.raw, self.n, self._parsed = raw, n, False
        #: The CRS the geometries are written in and the id + property names (for CSV output).
        self.crs, self.columns = crs, columns

    def parse(self) -> RawFeatures:
        if not self._parsed:
            self._parsed = True
            super().extend(json.loads(self.raw))
        return self

    def __len__(self) -> int:
        return self.n

    def __bool__(self) -> bool:
        return self.n > 0

    def __iter__(self):
        return super(RawFeatures, self.parse()).__iter__()

    def __getitem__(self, i):
        return super(RawFeatures, self.parse()).__getitem__(i)


class PageLinks(list):
    """The links of a page of items; on the last page pygeoapi's `next` link is not added.

    pygeoapi adds `next` whenever a page is full, also when it is the last one (a client then
    asks for an empty page); the provider knows better from `numberMatched`.
    """

    def __init__(self, *, last: bool):
        super().__init__()
        self.last = last

    def append(self, link) -> None:
        if self.last and isinstance(link, dict) and link.get("rel") == "next":
            return
        super().append(link)


def swapped(bbox: CrsBBox) -> CrsBBox:
    """The same four numbers read in the other axis order (for telling a client it mixed them up)."""
    x1, y1, x2, y2 = bbox.xy
    return CrsBBox([y1, x1, y2, x2], xy=[y1, x1, y2, x2], crs=bbox.crs)


def bbox_key(bbox) -> object:
    """What shapes the SQL of a bbox filter (for caching the SQL text)."""
    if not bbox:
        return None
    if not isinstance(bbox, CrsBBox):
        return "storage"
    if bbox.crs.geographic and clip_lonlat(bbox.xy) is None:
        return "empty"  # the SQL is then `FALSE`, with no bound numbers
    return ("crs", bbox.crs.srid)


def output_crs(spec, storage_srid: int) -> RequestCrs:
    """The CRS features are written in: pygeoapi's transform spec target, or the storage CRS."""
    if spec is None:
        return parse_crs_uri(f"EPSG:{storage_srid}")
    return parse_crs_uri(spec.target_crs_uri)
