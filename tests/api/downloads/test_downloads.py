"""Whole-dataset downloads: every feature collection as GeoPackage, GeoParquet and CSV with the
database's count (and the API's numberMatched), coverages as COG; ETag, Range, rebuilt on new data."""

from __future__ import annotations

import csv
import io
from datetime import date

import psycopg
import pytest

from msip.api.downloads.routes import kind_of
from tests.support.api_fixtures import database, prepared_config


def _feature_collections() -> dict[str, dict]:
    return {cid: res for cid, res in prepared_config().config["resources"].items()
            if res.get("type") == "collection" and kind_of(res) == "features"}


def _db_count(table: str) -> int:
    with psycopg.connect(database()[0]) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _counts(client, cid: str, tmp_path) -> dict[str, int]:
    import pyarrow.parquet as pq
    import pyogrio

    out = {}
    for ext in ("gpkg", "parquet", "csv"):
        resp = client.get(f"/downloads/{cid}.{ext}")
        assert resp.status_code == 200, (cid, ext, resp.get_data(as_text=True)[:300])
        path = tmp_path / f"{cid}.{ext}"
        path.write_bytes(resp.get_data())
        if ext == "gpkg":
            out[ext] = pyogrio.read_info(path, layer=cid)["features"]
        elif ext == "parquet":
            out[ext] = pq.ParquetFile(path).metadata.num_rows
        else:
            out[ext] = sum(1 for _ in csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    return out


def test_every_feature_collection_downloads_with_the_databases_count(client, tmp_path):
    collections = _feature_collections()
    assert "trees" in collections and len(collections) >= 10
    nonempty = 0
    for cid, res in collections.items():
        table = next(p for p in res["providers"] if p["type"] == "feature")["table"]
        expected = _db_count(table)
        nonempty += expected > 0
        counts = _counts(client, cid, tmp_path)
        assert counts == {"gpkg": expected, "parquet": expected, "csv": expected}, cid
        matched = client.get(f"/collections/{cid}/items", query_string={"limit": 1}).get_json()["numberMatched"]
        assert matched == expected, cid
    assert nonempty >= 4  # trees, ads, landscape zones, zoning plans and zones hold data here


def test_geopackage_and_geoparquet_open_in_geopandas_in_epsg_2180(client, tmp_path):
    import geopandas as gpd

    for ext in ("gpkg", "parquet"):
        path = tmp_path / f"trees.{ext}"
        path.write_bytes(client.get(f"/downloads/trees.{ext}").get_data())
        frame = gpd.read_file(path) if ext == "gpkg" else gpd.read_parquet(path)
        assert frame.crs.to_epsg() == 2180
        row = frame[frame["source_id"] == "API-1"].iloc[0]
        assert (row.geometry.x, row.geometry.y) == pytest.approx((614050.0, 334650.0))
        assert row["height_m"] == pytest.approx(14.5)


def test_csv_has_the_id_first_and_wkt_geometry(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/downloads/trees.csv").get_data(as_text=True))))
    header = list(rows[0])
    assert header[0] == "tree_id" or header[0].endswith("id")
    api1 = next(r for r in rows if r["source_id"] == "API-1")
    assert api1["geometry_wkt_epsg2180"] == "POINT (614050 334650)"


def test_coverage_downloads_as_a_cloud_optimised_geotiff(client, tmp_path):
    import rasterio
    from rio_cogeo.cogeo import cog_validate

    resp = client.get("/downloads/orthophoto.tif")
    assert resp.status_code == 200 and resp.mimetype == "image/tiff"
    path = tmp_path / "orthophoto.tif"
    path.write_bytes(resp.get_data())
    assert cog_validate(str(path), quiet=True)[0]
    with rasterio.open(path) as src:
        assert (src.count, src.width, src.height, src.crs.to_epsg()) == (4, 400, 400, 2180)


def test_range_etag_and_stable_url(client):
    full = client.get("/downloads/trees.gpkg")
    etag = full.headers["ETag"]
    part = client.get("/downloads/trees.gpkg", headers={"Range": "bytes=0-15"})
    assert part.status_code == 206 and part.get_data() == full.get_data()[:16] == b"SQLite format 3\x00"
    assert client.get("/downloads/trees.gpkg", headers={"If-None-Match": etag}).status_code == 304
    # the collection's enclosure link now knows the file's length
    links = client.get("/collections/trees").get_json()["links"]
    gpkg = next(x for x in links if x["rel"] == "enclosure" and x["href"].endswith("/downloads/trees.gpkg"))
    assert gpkg["length"] == len(full.get_data())


@pytest.mark.parametrize("name", ["nope.gpkg", "trees.shp", "orthophoto.csv", "trees"])
def test_unknown_downloads_are_404_saying_what_exists(client, name):
    resp = client.get(f"/downloads/{name}")
    assert resp.status_code == 404
    assert "enclosure" in resp.get_json()["description"] or ".gpkg" in resp.get_json()["description"] \
        or ".tif" in resp.get_json()["description"]


def test_a_new_load_rebuilds_the_download(client, tmp_path):
    before = _counts(client, "trees", tmp_path)["gpkg"]
    owner = database()[0]
    with psycopg.connect(owner, autocommit=True) as conn:
        run_id = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, epoch, status, rows_in, "
            "rows_loaded, finished_at) VALUES ('trees', '/fixtures/extra.csv', repeat('b', 64), %s, 'succeeded', "
            "1, 1, now()) RETURNING run_id", (date(2025, 7, 1),)).fetchone()[0]
        conn.execute("INSERT INTO msip.tree (dataset, source_id, valid_from, species, load_run_id, geom) VALUES "
                     "('api-fixture-extra', 'EXTRA-1', '2025-07-01', 'lipa', %s, "
                     "ST_SetSRID(ST_MakePoint(614500, 334500), 2180))", (run_id,))
    try:
        assert _counts(client, "trees", tmp_path)["gpkg"] == before + 1
        lineage = client.get("/collections/catalogue/items/trees").get_json()["properties"]["lineage"]
        assert "extra.csv" in {r["source_file"] for r in lineage}
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute("DELETE FROM msip.tree WHERE load_run_id = %s", (run_id,))
            conn.execute("DELETE FROM msip.load_run WHERE run_id = %s", (run_id,))
    assert _counts(client, "trees", tmp_path)["gpkg"] == before
