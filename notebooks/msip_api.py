"""What the analyst notebooks share: reading MSIP's OGC API (features, coverages) and, read-only, its PostGIS.

The endpoint is `MSIP_API_URL` (default the demo's http://127.0.0.1:5000); running a process needs
an API key in `MSIP_API_KEY` (`msip api-key create analyst --scope execute`). Features come as
GeoDataFrames in EPSG:2180 (metres), coverages as numpy arrays with their EPSG:2180 extent, so
distances and areas in the notebooks are in metres and m².
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests

API_URL = os.environ.get("MSIP_API_URL", "http://127.0.0.1:5000").rstrip("/")
#: Features fetched per request (the server allows up to 10 000).
PAGE_SIZE = 5000
TIMEOUT_S = 60


def api():
    """OWSLib's OGC API – Features client of the MSIP endpoint."""
    from owslib.ogcapi.features import Features

    return Features(API_URL, timeout=TIMEOUT_S)


def features(collection: str, bbox_2180: tuple[float, float, float, float] | None = None, **params):
    """Every feature of `collection` matching `params` (e.g. filter="verdict='non_compliant'")
    and touching `bbox_2180` (minx, miny, maxx, maxy in EPSG:2180 metres), as a GeoDataFrame in
    EPSG:2180. The API serves CRS84 lon/lat by default, which we reproject; the bbox is sent in
    CRS84 too, because EPSG:2180 bboxes follow EPSG's axis order (northing first)."""
    import geopandas as gpd

    if bbox_2180 is not None:
        from pyproj import Transformer

        to_lonlat = Transformer.from_crs(2180, "OGC:CRS84", always_xy=True)
        params["bbox"] = [
            round(v, 7) for v in to_lonlat.transform_bounds(*bbox_2180, densify_pts=21)
        ]
    client = api()
    rows: list[dict] = []
    while True:
        page = client.collection_items(collection, limit=PAGE_SIZE, offset=len(rows), **params)
        rows += page["features"]
        if not page["features"] or len(rows) >= page.get("numberMatched", len(rows)):
            break
    if not rows:
        return gpd.GeoDataFrame(geometry=[], crs=2180)
    gdf = gpd.GeoDataFrame.from_features(rows, crs="OGC:CRS84")
    gdf.index = [f.get("id") for f in rows]
    return gdf.to_crs(2180)


def number_matched(collection: str, **params) -> int:
    """How many features of `collection` match `params`, as the API counts them."""
    return int(
        api().collection_items(collection, limit=1, skipGeometry="true", **params)["numberMatched"]
    )


def first(collection: str, **params) -> dict | None:
    """Properties of the first feature matching `params`, or None; for the latest, pass
    sortby=("epoch", "desc") — OWSLib takes a (property, order) pair and silently drops "-epoch"."""
    page = api().collection_items(collection, limit=1, skipGeometry="true", **params)
    return page["features"][0]["properties"] if page["features"] else None


@dataclass(frozen=True)
class Coverage:
    """A raster window from the API: `values` (nodata masked), its EPSG:2180 `extent`
    (left, right, bottom, top — what matplotlib's imshow takes), `transform` and band `name`."""

    values: np.ma.MaskedArray
    extent: tuple[float, float, float, float]
    transform: object
    name: str


def coverage(
    collection: str, bbox_2180: tuple[float, float, float, float] | None = None
) -> Coverage:
    """The first band of a coverage (e.g. heat_tair, ndvi, chm) as GeoTIFF, optionally cut to
    `bbox_2180` = (minx, miny, maxx, maxy) in EPSG:2180 metres."""
    from rasterio.io import MemoryFile

    params = {"f": "GTiff"}
    if bbox_2180:
        minx, miny, maxx, maxy = bbox_2180
        params["subset"] = f"x({minx}:{maxx}),y({miny}:{maxy})"
    r = requests.get(
        f"{API_URL}/collections/{collection}/coverage", params=params, timeout=TIMEOUT_S
    )
    r.raise_for_status()
    with MemoryFile(r.content) as mem, mem.open() as ds:
        values = ds.read(1, masked=True)
        b = ds.bounds
        return Coverage(
            values,
            (b.left, b.right, b.bottom, b.top),
            ds.transform,
            ds.descriptions[0] or collection,
        )


def execute(process: str, inputs: dict) -> dict:
    """Run an OGC API process synchronously and return its JSON result; a 4xx/5xx raises
    with the server's message (e.g. a bbox above the process's area limit)."""
    key = os.environ.get("MSIP_API_KEY", "")
    r = requests.post(
        f"{API_URL}/processes/{process}/execution", json={"inputs": inputs}, timeout=300,
        headers={"Authorization": f"Bearer {key}"} if key else {},
    )
    if not r.ok:
        raise RuntimeError(f"{process}: HTTP {r.status_code}: {r.text[:500]}")
    return r.json()


def reader_url() -> str:
    """libpq URL of MSIP's database as the read-only role: MSIP_READER_URL, else derived from
    MSIP_DATABASE_URL, else the project's local cluster (MSIP_HOME, default the repo's .msip)."""
    from msip.core.settings import Settings

    env = dict(os.environ)
    env.setdefault("MSIP_HOME", str(Path(__file__).resolve().parents[1] / ".msip"))
    return Settings.from_env(env).reader_url


def read_postgis(sql: str, params: tuple = (), geom: str = "geom"):
    """Rows of a read-only SQL query as a GeoDataFrame; select the geometry as ST_AsBinary(...) AS `geom`."""
    import geopandas as gpd
    import pandas as pd
    import psycopg
    from shapely import from_wkb

    with psycopg.connect(reader_url()) as conn:
        cur = conn.execute(sql, params)
        columns = [d.name for d in cur.description]
        df = pd.DataFrame(cur.fetchall(), columns=columns)
    if geom not in df:
        return df
    return gpd.GeoDataFrame(
        df.drop(columns=[geom]), geometry=from_wkb(df[geom].map(bytes)), crs=2180
    )


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def key_results(results: dict) -> None:
    """Show the notebook's headline numbers as JSON (the tests read this output)."""
    from IPython.display import JSON, display

    results = _plain(results)
    json.dumps(results)  # fails here, not in the front end, if something is not plain JSON
    display(JSON(results, expanded=True))
