"""OGC API Coverages from the raster catalogue: valid EPSG:2180 metadata, band names, size limits.

Subclasses pygeoapi's rasterio provider, which names projected CRSs with an invalid URI
(`.../def/crs/OGC/1.3/2180`), merges all bands into one CoverageJSON parameter, crashes on a
`bbox-crs` URI and reads any subset however large. Here: the CRS is
`http://www.opengis.net/def/crs/EPSG/0/2180`, axes `x` (easting) and `y` (northing), one
parameter per band named after its description, and requests above MAX_CELLS answer 413.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import rasterio
from pygeoapi.provider.base import ProviderInvalidQueryError, ProviderRequestEntityTooLargeError
from pygeoapi.provider.rasterio_ import RasterioProvider
from rasterio.io import MemoryFile
from rasterio.windows import Window, from_bounds

from msip.api.crs import CRS84, EPSG_URI, UnsupportedCrs, parse_crs_uri, to_xy
from msip.api.providers.db import conninfo_from_def
from msip.api.providers.rasters import latest_raster

#: Largest subset one request may read (cells × bands); about 64 MB of uint8.
MAX_CELLS = 64_000_000
#: CoverageJSON spells every value out: keep it to about 1 M cells (use f=GTiff for more).
MAX_JSON_CELLS = 1_000_000


class CatalogueCoverageProvider(RasterioProvider):
    """Coverage of the latest catalogued raster of `data.kind` (orthophoto, ndvi, dtm, ndsm, chm …)."""

    def __init__(self, provider_def: dict):
        data = provider_def["data"]
        self.asset = latest_raster(conninfo_from_def(data), data["kind"])
        super().__init__({**provider_def, "data": str(self.asset.path)})

    @property
    def etag_seed(self) -> str:
        return self.asset.identity

    def _band_name(self, i: int) -> str:
        desc = self._data.descriptions[i - 1] if self._data.descriptions else None
        return desc or (
            self.asset.band_descriptions[i - 1]
            if len(self.asset.band_descriptions) >= i
            else f"band{i}"
        )

    def get_fields(self) -> dict:
        if not self._fields:
            for i, dtype in zip(self._data.indexes, self._data.dtypes, strict=False):
                jtype = "number" if dtype.startswith("float") else "integer"
                self._fields[str(i)] = {
                    "title": self._band_name(i),
                    "type": jtype,
                    "x-ogc-unit": self._data.units[i - 1] or None,
                }
                if self._fields[str(i)]["x-ogc-unit"] is None:
                    del self._fields[str(i)]["x-ogc-unit"]
        return self._fields

    def _get_coverage_properties(self) -> dict:
        props = super()._get_coverage_properties()
        epsg = self._data.crs.to_epsg() if self._data.crs else None
        if epsg:
            props["bbox_crs"] = EPSG_URI.format(epsg)
            props["crs_type"] = "ProjectedCRS" if self._data.crs.is_projected else "GeographicCRS"
        props["x_axis_label"], props["y_axis_label"], props["axes"] = "x", "y", ["x", "y"]
        return props

    def _window(self, bbox, bbox_crs, subsets) -> Window:
        d = self._data
        if bbox:
            try:
                crs = parse_crs_uri(str(bbox_crs) if bbox_crs else CRS84)  # OGC default: lon/lat
            except UnsupportedCrs as exc:
                raise ProviderInvalidQueryError(user_msg=str(exc)) from None
            xy = to_xy([float(v) for v in bbox[:4]], crs)
            if crs.srid != d.crs.to_epsg():
                from msip.core.crs import transformer

                x1, y1, x2, y2 = xy
                xy = list(
                    transformer(crs.srid, d.crs.to_epsg()).transform_bounds(x1, y1, x2, y2, densify_pts=21)
                )
        elif subsets:
            unknown = set(subsets) - {"x", "y"}
            if unknown:
                raise ProviderInvalidQueryError(
                    user_msg=f"unknown subset axis {sorted(unknown)}; use x (easting) and y (northing)"
                )
            b = d.bounds
            xs = subsets.get("x", [b.left, b.right])
            ys = subsets.get("y", [b.bottom, b.top])
            try:
                xy = [float(xs[0]), float(ys[0]), float(xs[-1]), float(ys[-1])]
            except (TypeError, ValueError):
                raise ProviderInvalidQueryError(
                    user_msg="subset values must be numbers, e.g. subset=x(614000:614100)"
                ) from None
        else:
            return Window(0, 0, d.width, d.height)
        if not all(math.isfinite(v) for v in xy) or xy[0] > xy[2] or xy[1] > xy[3]:
            raise ProviderInvalidQueryError(
                user_msg=f"invalid extent {xy}: give min before max, finite numbers"
            )
        win = from_bounds(*xy, transform=d.transform).round_offsets().round_lengths()
        win = win.intersection(Window(0, 0, d.width, d.height)) if _overlaps(win, d) else None
        if win is None or win.width < 1 or win.height < 1:
            raise ProviderInvalidQueryError(
                user_msg=f"the requested extent {xy} does not overlap the raster "
                f"(bounds {list(d.bounds)} in {EPSG_URI.format(d.crs.to_epsg())})"
            )
        return win

    def query(
        self,
        properties=None,
        subsets=None,
        bbox=None,
        bbox_crs=None,
        datetime_=None,
        format_="json",
        **kwargs,
    ):
        """Read a window of selected bands as CoverageJSON (dict) or the native format (bytes)."""
        bands = [int(b) for b in (properties or [])] or list(self._data.indexes)
        if any(b not in self._data.indexes for b in bands):
            raise ProviderInvalidQueryError(
                user_msg=f"unknown band in properties; bands are {list(self._data.indexes)}"
            )
        win = self._window(bbox, bbox_crs, subsets or {})
        cells = int(win.width) * int(win.height) * len(bands)
        if cells > MAX_CELLS:
            raise ProviderRequestEntityTooLargeError(
                user_msg=f"the request covers {int(win.width)}×{int(win.height)} pixels × {len(bands)} bands "
                f"= {cells:,} cells, "
                f"more than the limit of {MAX_CELLS:,}; request a smaller bbox/subset or fewer bands (properties=1,2)"
            )
        if format_ == "json" and cells > MAX_JSON_CELLS:
            raise ProviderRequestEntityTooLargeError(
                user_msg=f"{cells:,} cells are too many for CoverageJSON (limit {MAX_JSON_CELLS:,}); "
                "request f=GTiff, or a smaller bbox/subset"
            )
        data = self._data.read(indexes=bands, window=win)
        transform = self._data.window_transform(win)
        if format_ == "json":
            return self._covjson(data, transform, bands)
        profile = {
            **self._data.profile,
            "driver": "GTiff",
            "width": data.shape[2],
            "height": data.shape[1],
            "count": len(bands),
            "transform": transform,
        }
        for key in ("blockxsize", "blockysize", "tiled", "interleave", "photometric"):
            profile.pop(key, None)
        with MemoryFile() as mem:
            with mem.open(**profile) as dst:
                dst.write(data)
                for j, b in enumerate(bands, start=1):
                    dst.set_band_description(j, self._band_name(b))
            return mem.read()

    def _covjson(self, data: np.ndarray, transform, bands: list[int]) -> dict:
        h, w = data.shape[1], data.shape[2]
        x0, y0 = transform @ (0.5, 0.5)
        x1, y1 = transform @ (w - 0.5, h - 0.5)
        nodata = self._data.nodata
        cj: dict[str, Any] = {
            "type": "Coverage",
            "domain": {
                "type": "Domain",
                "domainType": "Grid",
                "axes": {
                    "x": {"start": x0, "stop": x1, "num": w},
                    "y": {"start": y0, "stop": y1, "num": h},
                },
                "referencing": [
                    {
                        "coordinates": ["x", "y"],
                        "system": {
                            "type": self._coverage_properties["crs_type"],
                            "id": self._coverage_properties["bbox_crs"],
                        },
                    }
                ],
            },
            "parameters": {},
            "ranges": {},
        }
        for j, b in enumerate(bands):
            name = self._band_name(b)
            cj["parameters"][name] = {
                "type": "Parameter",
                "description": {"en": name},
                "observedProperty": {"id": name, "label": {"en": name}},
            }
            values = data[j].astype(float if data.dtype.kind == "f" else int)
            flat = values.ravel().tolist()
            if nodata is not None:
                flat = [
                    None if v == nodata or (isinstance(v, float) and math.isnan(v)) else v
                    for v in flat
                ]
            cj["ranges"][name] = {
                "type": "NdArray",
                "dataType": "float" if data.dtype.kind == "f" else "integer",
                "axisNames": ["y", "x"],
                "shape": [h, w],
                "values": flat,
            }
        return cj


def _overlaps(win: Window, d: rasterio.io.DatasetReader) -> bool:
    return (
        win.col_off < d.width
        and win.row_off < d.height
        and win.col_off + win.width > 0
        and win.row_off + win.height > 0
    )
