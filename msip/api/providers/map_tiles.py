"""Map tiles (PNG/WEBP/JPEG) rendered on request by rio-tiler from the catalogued COGs of a raster kind.

OGC API Tiles in WebMercatorQuad (`msip.api.providers.tiles` holds the shared base and the vector
tiles); reads go through `msip.api.providers.raster_io` (own handle per read, bounded pool, deadline).
"""

from __future__ import annotations

import logging
from datetime import date

from pygeoapi.provider.base import ProviderInvalidQueryError
from pygeoapi.provider.tile import ProviderTileNotFoundError

from msip.api.providers.db import conninfo_from_def
from msip.api.providers.raster_io import gdal_env, run_guarded
from msip.api.providers.tiles import TileProviderBase
from msip.api.trends.indicators import air_anomaly_range, anomaly_labels

LOGGER = logging.getLogger(__name__)


class CogTileProvider(TileProviderBase):
    """Map tiles (PNG/WEBP/JPEG) rendered on request from the latest COG or mosaic of a raster kind.

    `data` names the database (host, port, dbname, user) and `kind` (e.g. orthophoto); options:
    `bands` (1-based, default [1, 2, 3]), `rescale` [min, max] for non-8-bit data or `auto` (the
    raster's 2nd–98th percentile, for rasters whose spread matters more than absolute values) or
    `anomaly` (heat T_air: the run's T_ref to T_ref + max(UHI_max, 3 °C), whatever the values; issue 19),
    `colormap` (a rio-tiler colormap name for single-band rasters), `zoom` {min, max}.
    `select_epoch()` switches to the raster of another epoch (the `datetime` tile parameter).
    """

    def __init__(self, provider_def: dict):
        # Import rio-tiler now (the config check builds every provider at start): its package
        # imports itself circularly, and a first import by concurrent tile requests can fail.
        import rio_tiler.colormap
        import rio_tiler.io  # noqa: F401

        from msip.api.providers.rasters import latest_raster

        super().__init__(provider_def)
        self.tile_type = "map"
        self.conninfo = conninfo_from_def(provider_def["data"])
        self.kind = provider_def["data"]["kind"]
        self.asset = latest_raster(self.conninfo, self.kind)
        self.bands = tuple(int(b) for b in self.options.get("bands", [1, 2, 3]))

    def select_epoch(self, epoch: date) -> None:
        """Render the raster of `epoch` instead of the latest (404 naming the epochs if none)."""
        from msip.api.providers.rasters import latest_raster

        self.asset = latest_raster(self.conninfo, self.kind, epoch)

    def get_layer(self) -> str:
        return self.asset.kind

    def get_fields(self) -> dict:
        return {}

    @property
    def etag_seed(self) -> str:
        """Identity of the rendered source: path, size and modification time of the COG."""
        return self.asset.identity

    def rescale_range(self) -> tuple[float, float] | None:
        """The [min, max] value range stretched over the colours, or None for 8-bit data as is."""
        rescale = self.options.get("rescale")
        if rescale is None:
            return None
        if rescale == "auto":
            return _percentile_range(self.asset.path, self.asset.identity, self.bands[0])
        if rescale == "anomaly":
            return air_anomaly_range(*_heat_reference(self.conninfo, self.asset.path))
        lo, hi = rescale
        return float(lo), float(hi)

    def get_metadata(
        self,
        dataset,
        server_url,
        layer,
        tileset,
        metadata_format=None,
        title=None,
        description=None,
        language=None,
        **kwargs,
    ) -> dict:
        """pygeoapi's tileset metadata plus the epochs and, for colour-mapped rasters, a legend."""
        from msip.api.providers.rasters import raster_epochs

        meta = super().get_metadata(
            dataset,
            server_url,
            layer,
            tileset,
            metadata_format=metadata_format,
            title=title,
            description=description,
            language=language,
            **kwargs,
        )
        w, s, e, n = lonlat_bounds(self.asset.path, self.asset.identity)
        meta["boundingBox"] = {
            "lowerLeft": [w, s],
            "upperRight": [e, n],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
        meta["tileMatrixSetLimits"] = tile_limits((w, s, e, n), self.minzoom, self.maxzoom)
        meta["msip:epochs"] = [str(e) for e in raster_epochs(self.conninfo, self.kind)]
        meta["msip:epoch"] = str(self.asset.epoch) if self.asset.epoch else None
        if "colormap" in self.options:
            lo, hi = self.rescale_range() or (0.0, 255.0)
            meta["msip:legend"] = {
                "min": round(lo, 3),
                "max": round(hi, 3),
                "unit": self.options.get("unit", ""),
                "colors": _colormap_stops(self.options["colormap"]),
            }
            if self.options.get("rescale") == "anomaly":
                meta["msip:legend"]["labels"] = anomaly_labels(lo, hi)
        return meta

    def get_tiles(self, layer=None, tileset=None, z=None, y=None, x=None, format_=None) -> bytes | None:
        """One rendered map tile in the provider's format (bytes); None (204) inside the limits without data."""
        from rio_tiler.colormap import cmap
        from rio_tiler.errors import TileOutsideBounds
        from rio_tiler.io import Reader

        z, y, x = int(z), int(y), int(x)
        self.check_tile(tileset, z, y, x)
        def read_tile():
            with gdal_env(), Reader(str(self.asset.path)) as src:  # this read's own handle
                return src.tile(x, y, z, indexes=self.bands, tilesize=256)

        try:
            img = run_guarded(read_tile, what=f"map tile {z}/{y}/{x} of the {self.asset.kind} raster")
        except TileOutsideBounds:
            if self._within_limits(z, y, x):
                return None  # pygeoapi answers 204 No Content: a tile of the declared set without data
            raise ProviderTileNotFoundError(
                user_msg=f"tile {z}/{y}/{x} lies outside the {self.asset.kind} raster"
            ) from None
        rescale = self.rescale_range()
        if rescale is not None:
            img.rescale(in_range=(rescale,) * img.count)
        colormap = cmap.get(self.options["colormap"]) if "colormap" in self.options else None
        fmt = {"png": "PNG", "webp": "WEBP", "jpeg": "JPEG", "jpg": "JPEG"}.get(
            self.format_type.lower()
        )
        if fmt is None:
            raise ProviderInvalidQueryError(
                user_msg=f"tile format {self.format_type!r} is not supported (png, webp, jpeg)"
            )
        return img.render(img_format=fmt, colormap=colormap, add_mask=fmt != "JPEG")

    def _within_limits(self, z: int, y: int, x: int) -> bool:
        """Whether tile z/y/x lies inside the tileMatrixSetLimits this collection declares."""
        w, s, e, n = lonlat_bounds(self.asset.path, self.asset.identity)
        return any(
            lim["tileMatrix"] == str(z)
            and lim["minTileRow"] <= y <= lim["maxTileRow"]
            and lim["minTileCol"] <= x <= lim["maxTileCol"]
            for lim in tile_limits((w, s, e, n), self.minzoom, self.maxzoom)
        )

    def __repr__(self) -> str:
        return f"<CogTileProvider {self.asset.kind} {self.asset.path}>"


#: Percentile ranges and lon/lat extents, keyed by raster identity (path, size, mtime, hash):
#: computed once per file.
_PER_RASTER: dict[str, tuple[float, ...]] = {}


def _percentile_range(path, identity: str, band: int) -> tuple[float, float]:
    """The 2nd and 98th percentile of a band, read from an at most 1024-pixel-wide decimation."""
    import numpy as np
    import rasterio

    def read():
        with gdal_env(), rasterio.open(path) as src:
            scale = max(1, max(src.width, src.height) // 1024)
            return src.read(band, out_shape=(src.height // scale or 1, src.width // scale or 1), masked=True)

    key = f"{identity}:{band}"
    if key not in _PER_RASTER:
        data = run_guarded(read, what=f"a decimated band {band} of {path}")
        values = data.compressed()
        values = values[np.isfinite(values)]
        lo, hi = np.percentile(values, [2, 98]) if values.size else (0.0, 1.0)
        _PER_RASTER[key] = (float(lo), float(hi) if hi > lo else float(lo) + 1e-6)
    low, high = _PER_RASTER[key]
    return low, high


def _heat_reference(conninfo: str, path) -> tuple[float, float | None]:
    """(T_ref, UHI_max) °C of the heat-island run that wrote the raster at `path`."""
    from msip.api.providers.db import fetch

    rows = fetch(conninfo, """
        SELECT h.t_ref_c, h.uhi_max_c FROM msip.raster_asset a JOIN msip.heat_run_reference h USING (load_run_id)
        WHERE a.path = %s ORDER BY a.asset_id DESC LIMIT 1""", (str(path),))
    if not rows or rows[0][0] is None:
        raise ProviderInvalidQueryError(user_msg=f"the raster {path.name} has no heat-island run with a T_ref")
    return float(rows[0][0]), None if rows[0][1] is None else float(rows[0][1])


def lonlat_bounds(path, identity: str) -> tuple[float, float, float, float]:
    """The raster's extent in longitude/latitude (west, south, east, north), rounded to ~1 cm."""
    import rasterio
    from rasterio.warp import transform_bounds

    def read():
        with gdal_env(), rasterio.open(path) as src:
            return transform_bounds(src.crs, "OGC:CRS84", *src.bounds, densify_pts=21)

    key = f"{identity}:bounds"
    if key not in _PER_RASTER:
        bounds = run_guarded(read, what=f"the bounds of {path}")
        _PER_RASTER[key] = tuple(round(v, 7) for v in bounds)
    west, south, east, north = _PER_RASTER[key]
    return west, south, east, north


def tile_limits(lonlat: tuple[float, float, float, float], minzoom: int, maxzoom: int) -> list[dict]:
    """WebMercatorQuad tileMatrixSetLimits covering a lon/lat extent: the data's columns, every row.

    The rows are not narrowed because GDAL 3.6's OGCAPI driver sizes its tile grid from the full
    matrix height while windowing it to the narrowed rows (its pixels come out ~60 000 times too
    tall). Limits wider than the data are valid OGC API Tiles; tiles inside them without data
    answer 204. Only zooms from `minzoom` are listed, so GDAL skips the levels where the data
    is smaller than a pixel.
    """
    import morecantile

    tms = morecantile.tms.get("WebMercatorQuad")
    west, south, east, north = lonlat
    limits = []
    for z in range(minzoom, maxzoom + 1):
        nw, se = tms.tile(west, north, z), tms.tile(east, south, z)
        limits.append({
            "tileMatrix": str(z),
            "minTileRow": 0, "maxTileRow": 2**z - 1, "minTileCol": nw.x, "maxTileCol": se.x,
        })
    return limits


def _colormap_stops(name: str, n: int = 5) -> list[str]:
    """`n` evenly spaced colours of a rio-tiler colormap as #rrggbb, for an HTML legend."""
    from rio_tiler.colormap import cmap

    cm = cmap.get(name)
    return ["#{:02x}{:02x}{:02x}".format(*cm[round(i * 255 / (n - 1))][:3]) for i in range(n)]
