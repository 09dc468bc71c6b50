"""The city benchmark's API stage: a few typical requests through the app in-process (Flask test client).

Each request is sent twice: the first answer (cold: pools, caches and raster handles opening) and the
second (warm) are timed; the status and the answer's size are kept, so a failing request shows.
"""

from __future__ import annotations

import time
from typing import Any


def _requests(extent: list[float], district_m: list[float]) -> dict[str, str]:
    import morecantile
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs(2180, 4326, always_xy=True)
    x0, y0 = extent[:2]
    cx, cy = x0 + district_m[0] / 2, y0 + district_m[1] / 2  # the first district's centre (its old town)
    lon, lat = to_lonlat.transform(cx, cy)
    lo0, la0 = to_lonlat.transform(cx - 250, cy - 250)
    lo1, la1 = to_lonlat.transform(cx + 250, cy + 250)
    tile = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 17)
    t = f"WebMercatorQuad/{tile.z}/{tile.y}/{tile.x}"
    return {
        "collections": "/collections?f=json",
        "trees items page (limit 100, offset 5000)": "/collections/trees/items?f=json&limit=100&offset=5000",
        "buildings in a 500 m bbox": f"/collections/buildings/items?f=json&limit=1000&bbox={lo0},{la0},{lo1},{la1}",
        "orthophoto map tile z17": f"/collections/orthophoto/tiles/{t}",
        "heat T_air map tile z17": f"/collections/heat_tair/tiles/{t}",
        "search 'Sienkiewicza'": "/search?q=Sienkiewicza&limit=8",
        "report at a point": f"/report?lon={lon:.6f}&lat={lat:.6f}&f=json",
    }


def api_requests(extent: list[float] | None, district_m: list[float] | None) -> dict[str, Any]:
    """{request label: {url, status, bytes, cold_ms, warm_ms}} for the city's extent."""
    from msip.api import create_app
    from msip.api.config import load_config
    from msip.core.settings import Settings

    assert extent and district_m, "the stitch stage gave no extent"
    settings = Settings.from_env()
    client = create_app(load_config(reader_url=settings.reader_url)).test_client()
    out: dict[str, Any] = {}
    for label, url in _requests(extent, district_m).items():
        ms = []
        for _ in range(2):
            t0 = time.perf_counter()
            r = client.get(url)
            body = r.get_data()
            ms.append(round((time.perf_counter() - t0) * 1000, 1))
        out[label] = {"url": url, "status": r.status_code, "bytes": len(body), "cold_ms": ms[0], "warm_ms": ms[1]}
    return out
