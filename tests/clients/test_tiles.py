"""Map tiles and vector tiles in QGIS (XYZ and vector tile layers from the API's tile URL template),
rendered with QgsMapRendererParallelJob over the data's extent; and GDAL's `OGCAPI:` driver on the
map tiles. GDAL 3.6's known failure without open options is a strict xfail (only on GDAL < 3.7).
"""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pytest

from .catalogue import MAP_TILES, VECTOR_TILES, params, tool, xfail_all
from .conftest import World, get_json

pytestmark = [pytest.mark.clients, pytest.mark.db, pytest.mark.slow]



def _gdal_version() -> tuple[int, int]:
    """The (major, minor) of GDAL's tools, from `gdalinfo --version` ('GDAL 3.6.2, released …'); (0, 0) if absent."""
    found = re.match(r"GDAL (\d+)\.(\d+)", tool("gdalinfo", "--version").stdout) if shutil.which("gdalinfo") else None
    return (int(found[1]), int(found[2])) if found else (0, 0)


GDAL_VERSION = _gdal_version()
GDAL_36_BBOX = (
    "GDAL 3.6's OGCAPI: driver takes the collection's lon/lat extent as metres of the tile set's CRS "
    "(EPSG:3857), so its crop is under a pixel ('Computed -srcwin … has negative width'); fixed in GDAL 3.7. "
    "The driver's MINX/MINY/MAXX/MAXY open options give the area (test below)"
)
#: The rasters cover their whole extent; a vector layer's points and outlines paint only part of it.
MIN_PAINTED_SHARE = {"xyz": 0.5, "vectortile": 0.01}
#: Map tiles that paint only where something happened: the terrain DoD shows cells above the level of
#: detection (the sample world's earthwork), so some pixels but far from half of the extent.
SPARSE_TILES = {"terrain_dod": 0.25}


def _assert_painted(cid: str, got: dict[str, Any], kind: str) -> None:
    assert got["valid"], f"QGIS cannot open the {kind} tiles of {cid}: {got.get('error')}"
    assert not got["render_errors"], f"{cid}: QGIS rendering errors {got['render_errors']}"
    share = got["painted_px"] / got["total_px"]
    if cid in SPARSE_TILES:
        assert got["painted_px"] > 0 and share <= SPARSE_TILES[cid], (
            f"{cid}: QGIS painted {got['painted_px']} of {got['total_px']} pixels ({share:.1%}); expected the changes "
            f"above the level of detection only (some pixels, at most {SPARSE_TILES[cid]:.0%})"
        )
        return
    assert share >= MIN_PAINTED_SHARE[kind], (
        f"{cid}: QGIS painted {got['painted_px']} of {got['total_px']} pixels ({share:.1%}) over the data's extent, "
        f"expected at least {MIN_PAINTED_SHARE[kind]:.0%}"
    )


@pytest.mark.parametrize("cid", MAP_TILES)
def test_qgis_renders_the_map_tiles(cid: str, qgis_tiles: dict[str, Any]) -> None:
    _assert_painted(cid, qgis_tiles[cid], "xyz")


@pytest.mark.parametrize("cid", params(VECTOR_TILES, {}))
def test_qgis_renders_the_vector_tiles(cid: str, qgis_tiles: dict[str, Any]) -> None:
    _assert_painted(cid, qgis_tiles[cid], "vectortile")


def _extent_3857(world: World, cid: str) -> tuple[float, float, float, float]:
    from pyproj import Transformer

    west, south, east, north = get_json(f"{world.url}/collections/{cid}")["extent"]["spatial"]["bbox"][0]
    to_3857 = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
    (x0, x1), (y0, y1) = to_3857.transform([west, east], [south, north])
    return x0, y0, x1, y1


def _gdalinfo_tiles(world: World, cid: str, *open_options: str) -> dict[str, Any]:
    oo = [arg for opt in ("API=TILES", *open_options) for arg in ("-oo", opt)]
    done = tool("gdalinfo", "-json", *oo, f"OGCAPI:{world.url}/collections/{cid}")
    assert done.returncode == 0, f"gdalinfo OGCAPI: {cid} {oo} failed: {done.stderr.strip()[-600:]}"
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("cid", MAP_TILES)
def test_gdal_ogcapi_driver_opens_the_map_tiles_given_the_area(cid: str, world: World) -> None:
    """With the area in EPSG:3857 (the driver's open options) GDAL 3.6 reads a square-pixel grid over the data.

    Before the tile set's limits kept every row, GDAL 3.6 built ~1e9 rows of ~6e-7 m pixels.
    """
    x0, y0, x1, y1 = _extent_3857(world, cid)
    info = _gdalinfo_tiles(world, cid, f"MINX={x0}", f"MINY={y0}", f"MAXX={x1}", f"MAXY={y1}")
    assert len(info["bands"]) >= 3, f"{cid}: GDAL reads {len(info['bands'])} bands from the PNG tiles"
    left, res_x, _, top, _, res_y = info["geoTransform"]
    width, height = info["size"]
    assert abs(abs(res_y) / res_x - 1) < 1e-6, f"{cid}: pixels {res_x} × {res_y} m are not square"
    assert abs(left - x0) < 2 * res_x and abs(top - y1) < 2 * res_x, (cid, (left, top), (x0, y1))
    assert abs(left + width * res_x - x1) < 2 * res_x and abs(top + height * res_y - y0) < 2 * res_x


@pytest.mark.parametrize(
    "cid",
    params(MAP_TILES, xfail_all(MAP_TILES, GDAL_36_BBOX) if GDAL_VERSION < (3, 7) else {}),
)
def test_gdal_ogcapi_driver_opens_the_map_tiles(cid: str, world: World) -> None:
    info = _gdalinfo_tiles(world, cid)
    assert len(info["bands"]) >= 3, f"{cid}: GDAL reads {len(info['bands'])} bands from the PNG tiles"
