"""Feature collections as QGIS, GDAL and analysts read them (issue 15, findings 4, 5 and 7).

One geometry type per collection, extents and time spans from the data (refreshed by a load),
a northing-first bbox given E,N refused with the fix, CSV with id/WKT/named axes, GeoJSON
media type, no `next` link on the last page, CQL2 parameters in the OpenAPI document, and a typed
JSON Schema of the features linked as `describedBy` (GDAL types always-null properties from it).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlsplit

import psycopg
import pytest
import shapely

from tests.support.api_fixtures import KNOWN_TREES, database, prepared_config

pytestmark = pytest.mark.db

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


@pytest.fixture(scope="module")
def change_events():
    """Two point events and one area event in the API test database (removed afterwards)."""
    owner, _ = database()
    with psycopg.connect(owner, autocommit=True) as conn:
        run = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, rows_in, rows_loaded, "
            "finished_at) VALUES ('analysis:change', 'test', repeat('c', 64), 'succeeded', 3, 3, now()) "
            "RETURNING run_id"
        ).fetchone()[0]
        conn.execute(
            """
            INSERT INTO msip.change_event
                (type, epoch_from, epoch_to, area_m2, object_id, evidence, geom, load_run_id)
            VALUES ('felled_tree', '2024-06-15', '2025-06-15', 12.5, 'T1', '{}',
                    ST_SetSRID(ST_MakePoint(614100, 334700), 2180), %(r)s),
                   ('new_ad', '2024-06-15', '2025-06-15', NULL, 'A1', '{}',
                    ST_SetSRID(ST_MakePoint(614150, 334720), 2180), %(r)s),
                   ('new_building', '2024-06-15', '2025-06-15', 100, 'B1', '{}',
                    ST_Multi(ST_MakeEnvelope(614200, 334800, 614210, 334810, 2180)), %(r)s)""",
            {"r": run},
        )
    yield run
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute("DELETE FROM msip.change_event WHERE load_run_id = %s", (run,))
        conn.execute("DELETE FROM msip.load_run WHERE run_id = %s", (run,))


def _feature_collections() -> dict[str, dict]:
    return {
        cid: next(p for p in res["providers"] if p["type"] == "feature")
        for cid, res in prepared_config().config["resources"].items()
        if res.get("type") == "collection" and any(p["type"] == "feature" for p in res["providers"])
    }


# ---- finding 4: one geometry type per collection ------------------------------------------------


def test_every_feature_collection_has_one_geometry_type(change_events):
    owner, _ = database()
    with psycopg.connect(owner) as conn:
        for cid, p in _feature_collections().items():
            schema, table = p["table"].split(".")
            declared = conn.execute(
                "SELECT type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s",
                (schema, table),
            ).fetchall()
            if not declared:
                continue  # no geometry (load_runs)
            assert declared[0][0] not in ("GEOMETRY", "GEOMETRYCOLLECTION"), cid
            geom = p.get("geom_field", "geom")
            found = {
                r[0]
                for r in conn.execute(
                    f'SELECT DISTINCT GeometryType("{geom}") FROM {schema}."{table}"'
                )
            }
            assert found <= {declared[0][0]}, f"{cid}: declared {declared[0][0]}, holds {found}"


def test_change_events_are_split_into_points_and_areas(client, change_events):
    points = client.get("/collections/change_events_points/items").get_json()
    areas = client.get("/collections/change_events_areas/items").get_json()
    assert {f["geometry"]["type"] for f in points["features"]} == {"Point"}
    assert {f["geometry"]["type"] for f in areas["features"]} == {"MultiPolygon"}
    assert sorted(f["properties"]["object_id"] for f in points["features"]) == ["A1", "T1"]
    assert [f["properties"]["object_id"] for f in areas["features"]] == ["B1"]
    assert client.get("/collections/change_events").status_code == 404


# ---- finding 5: extents from the data -----------------------------------------------------------


def _data_extent(p: dict) -> tuple[list[float], tuple[date, date] | None]:
    owner, _ = database()
    schema, table = p["table"].split(".")
    tf = p.get("time_field")
    span = f'min("{tf}"), max("{tf}")' if tf else "NULL, NULL"
    geom = p.get("geom_field") or "geom"  # point_clouds: footprint, geosites: outline
    with psycopg.connect(owner) as conn:
        if not conn.execute(
            "SELECT 1 FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s", (schema, table)
        ).fetchone():
            return [None] * 4, None
        row = conn.execute(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), t0, t1 FROM "
            f'(SELECT ST_Extent(ST_Transform("{geom}", 4326)) e, {span} FROM {schema}."{table}") s(e, t0, t1)'
        ).fetchone()
    return list(row[:4]), (row[4], row[5]) if tf else None


def test_each_collection_reports_the_extent_and_time_span_of_its_data(client, change_events):
    checked = 0
    for cid, p in _feature_collections().items():
        box, span = _data_extent(p)
        if box[0] is None:
            continue
        ext = client.get(f"/collections/{cid}").get_json()["extent"]
        [got] = ext["spatial"]["bbox"]
        assert got == pytest.approx(box, abs=2e-7), cid  # 1e-7° ≈ 1 cm, far inside QGIS's 1 m
        if span:
            [[begin, end]] = ext["temporal"]["interval"]
            assert (begin[:10], end[:10]) == (span[0].isoformat()[:10], span[1].isoformat()[:10]), cid
        checked += 1
    assert checked >= 5


def test_extent_follows_a_new_load(client):
    owner, _ = database()
    before = client.get("/collections/trees").get_json()["extent"]["spatial"]["bbox"][0]
    with psycopg.connect(owner, autocommit=True) as conn:
        run = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, rows_in, rows_loaded, "
            "finished_at) VALUES ('trees', 'far.csv', repeat('f', 64), 'succeeded', 1, 1, now()) RETURNING run_id"
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO msip.tree (dataset, source_id, valid_from, species, load_run_id, geom) VALUES "
            "('far', 'FAR-1', '2026-01-01', 'lipa', %s, ST_SetSRID(ST_MakePoint(625000, 345000), 2180))",
            (run,),
        )
    try:
        ext = client.get("/collections/trees").get_json()["extent"]
        after = ext["spatial"]["bbox"][0]
        assert after[2] > before[2] + 0.03 and after[3] > before[3] + 0.02
        assert ext["temporal"]["interval"][0][1].startswith("2026-01-01")
    finally:
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute("DELETE FROM msip.tree WHERE dataset = 'far'")
            conn.execute("DELETE FROM msip.load_run WHERE run_id = %s", (run,))


# ---- finding 7: analyst traps -------------------------------------------------------------------


def test_bbox_in_storage_crs_given_east_north_is_refused_with_the_fix(client):
    r = client.get(
        "/collections/trees/items",
        query_string={"bbox": "614000,334600,614200,334800", "bbox-crs": EPSG.format(2180)},
    )
    assert r.status_code == 400, r.get_data(as_text=True)
    text = r.get_json()["description"]
    assert "northing" in text and "bbox=334600,614000,334800,614200" in text
    hits = client.get(
        "/collections/trees/items",
        query_string={"bbox": "614000,334600,614200,334800", "bbox-crs": EPSG.format(2180),
                      "resulttype": "hits"},
    )
    assert hits.status_code == 400


def test_bbox_that_misses_in_both_orders_is_an_honest_empty_page(client):
    r = client.get(
        "/collections/trees/items",
        query_string={"bbox": "300000,700000,300100,700100", "bbox-crs": EPSG.format(2180)},
    )
    assert r.status_code == 200 and r.get_json()["numberMatched"] == 0


def _csv(client, cid: str, **params) -> list[dict]:
    r = client.get(f"/collections/{cid}/items", query_string={"f": "csv", **params})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def test_csv_in_storage_crs_names_the_axes_and_keeps_the_id(client):
    rows = _csv(client, "trees", crs=EPSG.format(2180), filter="source_id = 'API-2'")
    [row] = rows
    e, n = KNOWN_TREES["API-2"][:2]
    assert "x" not in row and row["id"]
    assert (float(row["easting"]), float(row["northing"])) == (e, n)
    assert shapely.from_wkt(row["wkt"]).equals(shapely.Point(e, n))
    item = client.get(f"/collections/trees/items/{row['id']}").get_json()
    assert item["properties"]["source_id"] == "API-2"


def test_csv_keeps_polygon_geometry_as_wkt(client):
    rows = _csv(client, "landscape_zones", crs=EPSG.format(2180))
    assert rows and all(r["wkt"].startswith("MULTIPOLYGON") for r in rows)
    owner, _ = database()
    with psycopg.connect(owner) as conn:
        for r in rows:
            area = conn.execute(
                "SELECT ST_Area(geom) FROM msip.landscape_zone_current WHERE zone_id = %s", (int(r["id"]),)
            ).fetchone()[0]
            assert shapely.from_wkt(r["wkt"]).area == pytest.approx(area, rel=1e-6)


def test_items_and_item_are_served_as_geojson(client):
    r = client.get("/collections/trees/items", query_string={"limit": 1})
    assert r.mimetype == "application/geo+json"
    fid = r.get_json()["features"][0]["id"]
    assert client.get(f"/collections/trees/items/{fid}").mimetype == "application/geo+json"
    assert client.get("/collections/trees").mimetype == "application/json"
    assert client.get("/collections/trees/items/nope").mimetype == "application/json"


def test_last_page_has_no_next_link(client):
    total = client.get("/collections/trees/items", query_string={"limit": 1}).get_json()["numberMatched"]
    rels = lambda fc: [link["rel"] for link in fc["links"]]  # noqa: E731
    full = client.get("/collections/trees/items", query_string={"limit": total}).get_json()
    assert full["numberReturned"] == total and "next" not in rels(full)
    last = client.get("/collections/trees/items", query_string={"limit": 2, "offset": total - 2}).get_json()
    assert last["numberReturned"] == 2 and "next" not in rels(last) and "prev" in rels(last)
    more = client.get("/collections/trees/items", query_string={"limit": total - 1}).get_json()
    assert "next" in rels(more)


def test_openapi_declares_the_cql2_parameters_of_every_feature_collection(client):
    doc = client.get("/openapi", query_string={"f": "json"}).get_json()
    for cid in _feature_collections():
        params = {p.get("name") for p in doc["paths"][f"/collections/{cid}/items"]["get"]["parameters"]}
        assert {"filter", "filter-lang", "filter-crs"} <= params, cid


# ---- finding 7: always-null properties keep their type ------------------------------------------

def test_every_feature_collection_links_a_typed_geojson_schema(client):
    """GDAL types fields from the `describedBy` JSON Schema, so a property null on a whole page is not a String."""
    listed = client.get("/collections", query_string={"f": "json"}).get_json()["collections"]
    features = _feature_collections()
    for entry in listed:
        links = [link for link in entry["links"] if link["rel"] == "describedBy"]
        if entry["id"] not in features:
            assert not links, entry["id"]
            continue
        assert [link["type"] for link in links] == ["application/schema+json"], entry["id"]
        r = client.get(urlsplit(links[0]["href"]).path)
        assert r.status_code == 200 and r.mimetype == "application/schema+json", (entry["id"], r.status_code)
        props = r.get_json()["properties"]["properties"]["properties"]
        assert all(isinstance(p["type"], str) for p in props.values()), entry["id"]
    fees = client.get("/collections/ad_compliance/feature-schema").get_json()["properties"]["properties"]
    assert fees["properties"]["fee_pln"]["type"] == "number", "numeric(12,2) is a number, not a string"
    missing = client.get("/collections/orthophoto/feature-schema")
    assert missing.status_code == 404 and "trees" in missing.get_json()["description"]
