"""OGC API Coverages from the raster catalogue: EPSG:2180 metadata, band names, epochs, limits, deadlines.

Replaces pygeoapi's rasterio provider, which keeps one open dataset per provider (handles that
are not thread-safe), names projected CRSs with an invalid URI, merges all bands into one
CoverageJSON parameter and reads any subset however large. Here: no dataset handle is kept
(every read opens its own, on a reader thread under a deadline, see `msip.api.providers.raster_io`); the
CRS is `http://www.opengis.net/def/crs/EPSG/0/2180`, axes `x` (easting) and `y` (northing); one
parameter per band; `datetime` picks an epoch (400 naming the epochs if there is none);
`scale-size` resamples; requests above the limits answer 413 naming them; the collection's
extent (spatial and temporal) comes from the raster itself.
"""

from __future__ import annotations

import math
import os
from datetime import date

from pygeoapi.provider.base import (
    BaseProvider,
    ProviderInvalidQueryError,
    ProviderRequestEntityTooLargeError,
)
from rasterio.windows import Window, from_bounds

from msip.api.crs import CRS84, EPSG_URI, UnsupportedCrs, parse_crs_uri, to_xy
from msip.api.providers.coverage_encode import to_covjson, to_geotiff
from msip.api.providers.coverage_params import SCALE_SIZE
from msip.api.providers.db import conninfo_from_def
from msip.api.providers.map_tiles import lonlat_bounds
from msip.api.providers.raster_io import RasterInfo, gdal_env, raster_info, run_guarded
from msip.api.providers.rasters import RasterAsset, latest_raster, raster_epochs

#: Largest output one request may produce (cells × bands); about 64 MB of uint8.
MAX_CELLS = int(os.environ.get("MSIP_API_COVERAGE_MAX_CELLS", 64_000_000))
#: CoverageJSON spells every value out: keep it to about 1 M cells (use f=GTiff for more).
MAX_JSON_CELLS = int(os.environ.get("MSIP_API_COVERAGE_MAX_JSON_CELLS", 1_000_000))


class CatalogueCoverageProvider(BaseProvider):
    """Coverage of the latest catalogued raster of `data.kind` (orthophoto, ndvi, dtm, ndsm, chm …)."""

    def __init__(self, provider_def: dict):
        data = provider_def["data"]
        super().__init__({**provider_def, "data": data})
        self.conninfo = conninfo_from_def(data)
        self.kind = data["kind"]
        self.asset = latest_raster(self.conninfo, self.kind)
        self.info = raster_info(self.asset.path, self.asset.identity)
        self.native_format = provider_def["format"]["name"]
        self._coverage_properties = self._get_coverage_properties()
        self.axes = self._coverage_properties["axes"]
        self.crs = self._coverage_properties["bbox_crs"]
        self.num_bands = len(self.info.indexes)
        self.get_fields()

    @property
    def etag_seed(self) -> str:
        return self.asset.identity

    def _band_name(self, i: int) -> str:
        desc = self.info.descriptions[i - 1] if len(self.info.descriptions) >= i else None
        names = self.asset.band_descriptions
        return desc or (names[i - 1] if len(names) >= i else f"band{i}")

    def get_fields(self) -> dict:
        if not self._fields:
            for i, dtype in zip(self.info.indexes, self.info.dtypes, strict=True):
                field = {"title": self._band_name(i), "type": "number" if dtype.startswith("float") else "integer"}
                unit = self.info.units[i - 1] if len(self.info.units) >= i else None
                if unit:
                    field["x-ogc-unit"] = unit
                self._fields[str(i)] = field
        return self._fields

    def _get_coverage_properties(self) -> dict:
        i = self.info
        left, bottom, right, top = i.bounds
        epochs = [str(e) for e in raster_epochs(self.conninfo, self.kind)]
        west, south, east, north = lonlat_bounds(self.asset.path, self.asset.identity)
        grid = [
            {"cellsCount": i.width, "resolution": abs(i.transform.a)},
            {"cellsCount": i.height, "resolution": abs(i.transform.e)},
        ]
        extent: dict = {"spatial": {"bbox": [[west, south, east, north]], "crs": CRS84, "grid": grid}}
        if epochs:
            extent["temporal"] = {"interval": [[epochs[0], epochs[-1]]], "values": epochs}
        return {
            "bbox": [left, bottom, right, top],
            "bbox_crs": EPSG_URI.format(i.epsg) if i.epsg else CRS84,
            "crs_type": "ProjectedCRS" if i.is_projected else "GeographicCRS",
            "bbox_units": "m" if i.is_projected else "deg",
            "x_axis_label": "x",
            "y_axis_label": "y",
            "axes": ["x", "y"],
            "width": i.width,
            "height": i.height,
            "resx": abs(i.transform.a),
            "resy": abs(i.transform.e),
            "num_bands": len(i.indexes),
            "uad": extent,
        }

    def _select_epoch(self, value: str) -> tuple[RasterAsset, RasterInfo]:
        """The asset of the epoch `datetime` names (a date, or the latest epoch in an interval)."""
        epochs = raster_epochs(self.conninfo, self.kind)
        known = ", ".join(str(e) for e in epochs) or "none"
        try:
            ends = [
                None if p in ("", "..") else date.fromisoformat(p[:10]) for p in value.split("/")
            ]
        except ValueError:
            raise ProviderInvalidQueryError(
                user_msg=f"datetime={value!r} is not a date or interval; use an epoch, e.g. "
                f"datetime={epochs[-1] if epochs else '2024-06-15'} (epochs: {known})"
            ) from None
        lo, hi = ends[0], ends[-1]
        chosen = [e for e in epochs if (lo is None or e >= lo) and (hi is None or e <= hi)]
        if not chosen:
            raise ProviderInvalidQueryError(
                user_msg=f"no {self.kind} raster for datetime={value!r}; the epochs are: {known}"
            )
        asset = latest_raster(self.conninfo, self.kind, chosen[-1])
        return asset, raster_info(asset.path, asset.identity)

    def _window(self, info: RasterInfo, bbox, bbox_crs, subsets) -> Window:
        if bbox:
            try:
                crs = parse_crs_uri(str(bbox_crs) if bbox_crs else CRS84)  # OGC default: lon/lat
            except UnsupportedCrs as exc:
                raise ProviderInvalidQueryError(user_msg=str(exc)) from None
            xy = to_xy([float(v) for v in bbox[:4]], crs)
            if info.epsg and crs.srid != info.epsg:
                from msip.core.crs import transformer

                x1, y1, x2, y2 = xy
                xy = list(transformer(crs.srid, info.epsg).transform_bounds(x1, y1, x2, y2, densify_pts=21))
        elif subsets:
            unknown = set(subsets) - {"x", "y"}
            if unknown:
                raise ProviderInvalidQueryError(
                    user_msg=f"unknown subset axis {sorted(unknown)}; use x (easting) and y (northing)"
                )
            left, bottom, right, top = info.bounds
            xs = subsets.get("x", [left, right])
            ys = subsets.get("y", [bottom, top])
            try:
                xy = [float(xs[0]), float(ys[0]), float(xs[-1]), float(ys[-1])]
            except (TypeError, ValueError):
                raise ProviderInvalidQueryError(
                    user_msg="subset values must be numbers, e.g. subset=x(614000:614100)"
                ) from None
        else:
            return Window(0, 0, info.width, info.height)
        if not all(math.isfinite(v) for v in xy) or xy[0] > xy[2] or xy[1] > xy[3]:
            raise ProviderInvalidQueryError(user_msg=f"invalid extent {xy}: give min before max, finite numbers")
        full = Window(0, 0, info.width, info.height)
        win = from_bounds(*xy, transform=info.transform).round_offsets().round_lengths()
        overlaps = (
            win.col_off < info.width and win.row_off < info.height
            and win.col_off + win.width > 0 and win.row_off + win.height > 0
        )
        win = win.intersection(full) if overlaps else None
        if win is None or win.width < 1 or win.height < 1:
            raise ProviderInvalidQueryError(
                user_msg=f"the requested extent {xy} does not overlap the raster "
                f"(bounds {list(info.bounds)} in {EPSG_URI.format(info.epsg)})"
            )
        return win

    def _out_shape(self, win: Window) -> tuple[int, int]:
        """(height, width) of the answer: the window's, or what scale-size asks (aspect kept if one axis)."""
        w, h = int(win.width), int(win.height)
        scale = SCALE_SIZE.get() or {}
        if "x" in scale and "y" in scale:
            return scale["y"], scale["x"]
        if "x" in scale:
            return max(1, round(h * scale["x"] / w)), scale["x"]
        if "y" in scale:
            return scale["y"], max(1, round(w * scale["y"] / h))
        return h, w

    def query(self, properties=None, subsets=None, bbox=None, bbox_crs=None, datetime_=None,
              format_="json", **kwargs):
        """Read a window of selected bands as CoverageJSON (dict) or GeoTIFF (bytes)."""
        asset, info = (self.asset, self.info) if datetime_ is None else self._select_epoch(str(datetime_))
        bands = [int(b) for b in (properties or [])] or list(info.indexes)
        if any(b not in info.indexes for b in bands):
            raise ProviderInvalidQueryError(user_msg=f"unknown band in properties; bands are {list(info.indexes)}")
        win = self._window(info, bbox, bbox_crs, subsets or {})
        out_h, out_w = self._out_shape(win)
        cells = out_w * out_h * len(bands)
        if cells > MAX_CELLS:
            raise ProviderRequestEntityTooLargeError(
                user_msg=f"the request covers {out_w}×{out_h} pixels × {len(bands)} bands = {cells:,} cells, "
                f"more than the limit of {MAX_CELLS:,} (MSIP_API_COVERAGE_MAX_CELLS); request a smaller "
                "bbox/subset, fewer bands (properties=1,2) or a scale-size, e.g. scale-size=x(2048),y(2048)"
            )
        if format_ == "json" and cells > MAX_JSON_CELLS:
            raise ProviderRequestEntityTooLargeError(
                user_msg=f"{cells:,} cells are too many for CoverageJSON (limit {MAX_JSON_CELLS:,}, "
                "MSIP_API_COVERAGE_MAX_JSON_CELLS); request f=GTiff, a smaller bbox/subset or a scale-size"
            )
        names = [self._band_name(b) for b in bands]
        transform = _window_transform(info, win, out_w, out_h)
        crs_uri = EPSG_URI.format(info.epsg) if info.epsg else CRS84
        crs_type = "ProjectedCRS" if info.is_projected else "GeographicCRS"

        def read_and_encode():
            import rasterio

            with gdal_env(), rasterio.open(asset.path) as src:  # this read's own handle
                data = src.read(indexes=bands, window=win, out_shape=(len(bands), out_h, out_w))
            if format_ == "json":
                return to_covjson(data, transform, crs_type, crs_uri, info.nodata, names)
            return to_geotiff(data, transform, info.epsg, info.nodata, names)

        return run_guarded(read_and_encode, what=f"{out_w}×{out_h} px of the {asset.kind} raster")


def _window_transform(info: RasterInfo, win: Window, out_w: int, out_h: int):
    from rasterio.windows import transform as win_transform

    t = win_transform(win, info.transform)
    return t @ t.scale(win.width / out_w, win.height / out_h)
