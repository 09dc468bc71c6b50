"""Build the whole-dataset download files, cached under `$MSIP_DATA_DIR/downloads` by the data version.

A feature collection becomes one GeoPackage, GeoParquet or CSV file (every row of its table or
view as the API reads it — counts equal the database's; EPSG:2180; the id column first; CSV
with the geometry as WKT), written to a temporary name and renamed, so a reader never sees half
a file. A new load or analysis run changes the data version and with it the file name, so the
next request rebuilds it; older versions are removed. A coverage's download is its latest
raster as a Cloud-Optimised GeoTIFF (the catalogued COG itself, or a COG made from a VRT mosaic).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg import sql

from msip.api.providers.db import conninfo_from_def, data_version, fetch, table_info
from msip.api.providers.rasters import latest_raster

_locks: dict[Path, threading.Lock] = {}
_guard = threading.Lock()
CSV_GEOMETRY = "geometry_wkt_epsg2180"


def cache_dir() -> Path:
    from msip.core.settings import get_settings

    return get_settings().data_dir / "downloads"


def _versioned(cid: str, ext: str, key: object) -> Path:
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    return cache_dir() / f"{cid}--{digest}.{ext}"


def current_file(cid: str, ext: str, provider_def: dict) -> Path:
    """Where the download of `cid` in `ext` for the current data lives (built or not)."""
    conninfo = conninfo_from_def(provider_def["data"])
    if provider_def.get("type") == "coverage":
        key: object = (cid, latest_raster(conninfo, str(provider_def["data"]["kind"])).identity)
    else:
        key = (cid, provider_def["table"], data_version(conninfo))
    return _versioned(cid, ext, key)


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _frame(provider_def: dict):  # -> geopandas.GeoDataFrame | pandas.DataFrame
    import geopandas as gpd
    import pandas as pd
    import shapely

    conninfo = conninfo_from_def(provider_def["data"])
    info = table_info(conninfo, provider_def["table"], provider_def.get("geom_field"), provider_def.get("id_field"))
    names = [info.id_field] + [c.name for c in info.columns if c.name != info.id_field]
    cols: list[sql.Composable] = [sql.Identifier(n) for n in names]
    if info.geom:
        cols.append(sql.SQL("ST_AsBinary({})").format(sql.Identifier(info.geom)))
    rows = fetch(conninfo, sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(cols), info.ident, sql.Identifier(info.id_field)))
    data = {n: [_cell(r[i]) for r in rows] for i, n in enumerate(names)}
    frame = pd.DataFrame(data, columns=names)
    for n in names:  # dates as datetimes: GeoPackage and Parquet then type them (object columns become text)
        values = [v for v in data[n] if v is not None]
        if values and all(isinstance(v, date) and not isinstance(v, datetime) for v in values):
            frame[n] = pd.to_datetime(frame[n])
    if info.geom is None:
        return frame
    geoms: Any = shapely.from_wkb([r[-1] for r in rows]) if rows else []
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=f"EPSG:{info.srid}"), crs=f"EPSG:{info.srid}")


def _write(frame, ext: str, cid: str, tmp: Path) -> None:
    import geopandas as gpd

    is_geo = isinstance(frame, gpd.GeoDataFrame)
    if ext == "gpkg":
        import pyogrio

        pyogrio.write_dataframe(frame, tmp, layer=cid, driver="GPKG")
    elif ext == "parquet":
        frame.to_parquet(tmp, index=False)
    elif ext == "csv":
        out = frame
        if is_geo:
            out = frame.drop(columns="geometry").assign(**{CSV_GEOMETRY: frame.geometry.to_wkt()})
        out.to_csv(tmp, index=False)
    else:
        raise ValueError(f"unknown download format {ext!r}")


def _cog(provider_def: dict, tmp: Path) -> None:
    import rasterio
    from rasterio.shutil import copy as rio_copy

    asset = latest_raster(conninfo_from_def(provider_def["data"]), str(provider_def["data"]["kind"]))
    with rasterio.open(asset.path) as src:
        rio_copy(src, tmp, driver="COG", compress="DEFLATE")


def ensure(cid: str, ext: str, provider_def: dict) -> Path:
    """The current download file of `cid` in `ext`, built now when the data changed since the last one."""
    path = current_file(cid, ext, provider_def)
    if path.is_file():
        return path
    with _guard:
        lock = _locks.setdefault(path, threading.Lock())
    with lock:
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.{ext}")
        try:
            if provider_def.get("type") == "coverage":
                asset = latest_raster(conninfo_from_def(provider_def["data"]), str(provider_def["data"]["kind"]))
                if asset.path.suffix.lower() in (".tif", ".tiff") and _is_cog(asset.path):
                    os.symlink(asset.path, tmp)
                else:
                    _cog(provider_def, tmp)
            else:
                _write(_frame(provider_def), ext, cid, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    for old in path.parent.glob(f"{cid}--*.{ext}"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _is_cog(path: Path) -> bool:
    from rio_cogeo.cogeo import cog_validate

    valid, _errors, _warnings = cog_validate(str(path), quiet=True)
    return bool(valid)
