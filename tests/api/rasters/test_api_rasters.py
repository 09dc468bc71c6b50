"""Coverages and map tiles of the orthophoto, and vector tiles: the right pixels and features, cached."""

from __future__ import annotations

import io

import morecantile
import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from tests.support.api_fixtures import KNOWN_TREES, ORTHO_RES, ORTHO_X0, ORTHO_Y0, ortho_pixels

pytestmark = pytest.mark.db
WMQ = morecantile.tms.get("WebMercatorQuad")
TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)


def test_coverage_metadata_has_a_valid_epsg_2180_uri(client):
    meta = client.get("/collections/orthophoto").get_json()
    schema = client.get("/collections/orthophoto/schema").get_json()
    cov = client.get(
        "/collections/orthophoto/coverage?subset=x(614000:614001),y(334999:335000)"
    ).get_json()
    assert (
        cov["domain"]["referencing"][0]["system"]["id"]
        == "http://www.opengis.net/def/crs/EPSG/0/2180"
    )
    assert {p["title"] for p in schema["properties"].values()} >= {"red", "green", "blue", "nir"}
    assert meta["extent"]["spatial"]["grid"][0]["cellsCount"] == 400


def test_coverage_subset_as_coveragejson_has_the_right_pixel_values(client):
    r = client.get(
        "/collections/orthophoto/coverage?subset=x(614010:614012),y(334990:334991)&properties=1,4"
    )
    assert r.status_code == 200
    cov = r.get_json()
    want = ortho_pixels()[:, 36:40, 40:48]  # rows from the top (N 335000), cols from E 614000
    assert cov["ranges"]["red"]["shape"] == [4, 8]
    assert cov["ranges"]["red"]["values"] == want[0].ravel().tolist()
    assert cov["ranges"]["nir"]["values"] == want[3].ravel().tolist()
    assert cov["domain"]["axes"]["x"]["start"] == pytest.approx(614010 + ORTHO_RES / 2)


def test_coverage_bbox_in_crs84_as_geotiff(client):
    lon1, lat1 = TO_LONLAT.transform(614020, 334950)
    lon2, lat2 = TO_LONLAT.transform(614030, 334960)
    r = client.get(f"/collections/orthophoto/coverage?bbox={lon1},{lat1},{lon2},{lat2}&f=GTiff")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/tiff")
    with rasterio.open(io.BytesIO(r.get_data())) as ds:
        data = ds.read()
        assert ds.crs.to_epsg() == 2180 and ds.count == 4
        col = round((ds.transform.c - ORTHO_X0) / ORTHO_RES)
        row = round((ORTHO_Y0 - ds.transform.f) / ORTHO_RES)
        assert np.array_equal(data, ortho_pixels()[:, row : row + ds.height, col : col + ds.width])
        assert ds.bounds.left <= 614020 + ORTHO_RES and ds.bounds.right >= 614030 - ORTHO_RES


def _tile_for(e: float, n: float, z: int) -> morecantile.Tile:
    return WMQ.tile(*TO_LONLAT.transform(e, n), z)


def test_orthophoto_map_tile_shows_the_cog_pixels(client):
    from PIL import Image

    t = _tile_for(614050, 334950, 20)
    r = client.get(f"/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    img = np.asarray(Image.open(io.BytesIO(r.get_data())).convert("RGBA"))
    b = WMQ.xy_bounds(t)
    to_2180 = Transformer.from_crs(3857, 2180, always_xy=True)
    pixels, hits = ortho_pixels(), 0
    samples = [(i, j) for i in range(8, 256, 24) for j in range(8, 256, 24)]
    for i, j in samples:
        mx = b.left + (j + 0.5) * (b.right - b.left) / 256
        my = b.top - (i + 0.5) * (b.top - b.bottom) / 256
        e, n = to_2180.transform(mx, my)
        col, row = int((e - ORTHO_X0) / ORTHO_RES), int((ORTHO_Y0 - n) / ORTHO_RES)
        hits += tuple(img[i, j, :3]) == tuple(pixels[:3, row, col])
    assert hits >= 0.9 * len(samples)


def test_map_tiles_are_cached_and_revalidated_without_rendering(client):
    t = _tile_for(614050, 334950, 19)
    url = f"/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=3600" and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_map_tile_outside_the_raster_is_404(client):
    t = _tile_for(620000, 340000, 18)
    assert (
        client.get(f"/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}").status_code
        == 404
    )


def test_map_tile_inside_the_limits_without_data_is_204(client):
    """The limits keep every row (GDAL 3.6 needs it): a tile in the data's columns but far north is empty, not 404."""
    inside = _tile_for(614050, 334950, 18)
    meta = client.get("/collections/orthophoto/tiles/WebMercatorQuad?f=json").get_json()
    lim = next(x for x in meta["tileMatrixSetLimits"] if x["tileMatrix"] == "18")
    assert (lim["minTileRow"], lim["maxTileRow"]) == (0, 2**18 - 1)
    assert lim["minTileCol"] <= inside.x <= lim["maxTileCol"] and lim["maxTileCol"] - lim["minTileCol"] < 50
    r = client.get(f"/collections/orthophoto/tiles/WebMercatorQuad/18/{inside.y - 1000}/{inside.x}")
    assert r.status_code == 204, (r.status_code, r.headers, r.get_data()[:200])


def test_tilesets_are_described(client):
    tiles = client.get("/collections/orthophoto/tiles").get_json()
    assert any(
        ts["crs"].endswith("3857") or "WebMercator" in ts["tileMatrixSetURI"]
        for ts in tiles["tilesets"]
    )
    meta = client.get("/collections/trees/tiles/WebMercatorQuad").get_json()
    assert meta["dataType"] == "vector"


def test_vector_tile_decodes_to_the_trees_inside_it(client):
    import mapbox_vector_tile

    e, n = KNOWN_TREES["API-1"][:2]
    t = _tile_for(e, n, 18)
    r = client.get(f"/collections/trees/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}?f=mvt")
    assert (
        r.status_code == 200 and r.headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    )
    layer = mapbox_vector_tile.decode(r.get_data(), default_options={"y_coord_down": True})[
        "tree_current"
    ]
    feats = {f["properties"]["source_id"]: f for f in layer["features"]}
    assert "API-1" in feats and "API-3" not in feats
    b = WMQ.xy_bounds(t)
    mx, my = Transformer.from_crs(2180, 3857, always_xy=True).transform(e, n)
    px = (mx - b.left) / (b.right - b.left) * 4096
    py = (b.top - my) / (b.top - b.bottom) * 4096
    assert feats["API-1"]["geometry"]["coordinates"] == pytest.approx([px, py], abs=1.0)
    assert feats["API-1"]["properties"]["species_latin"] == "Tilia cordata"


@pytest.mark.parametrize(
    "crs, status, words",
    [
        ("http://www.opengis.net/def/crs/EPSG/0/2180", 200, None),
        ("EPSG:4326", 400, "use bbox=… with bbox-crs=…"),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 400, "EPSG:2180"),
        ("EPSG:99999", 400, "is not supported"),
    ],
)
def test_coverage_subset_crs_is_honoured_or_refused_never_ignored(client, crs, status, words):
    """A subset meant in another CRS used to be read as EPSG:2180 metres without a word."""
    r = client.get(
        "/collections/orthophoto/coverage",
        query_string={"subset": "x(614000:614001),y(334999:335000)", "f": "json", "subset-crs": crs},
    )
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    if words:
        assert words in r.get_json()["description"]
