"""OGC API Features over the test database: coordinates in every CRS, bbox, paging, filters."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from tests.support.api_fixtures import KNOWN_TREES, database

pytestmark = pytest.mark.db

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def items(client, **params) -> dict:
    r = client.get("/collections/trees/items", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def by_source(fc: dict) -> dict[str, dict]:
    return {f["properties"]["source_id"]: f for f in fc["features"]}


def expected(source_id: str, epsg: int) -> tuple[float, float]:
    """Coordinates of a known tree in `epsg`, in that CRS's axis order (CRS84: lon, lat)."""
    e, n = KNOWN_TREES[source_id][:2]
    if epsg == 84:
        return Transformer.from_crs(2180, 4326, always_xy=True).transform(e, n)
    x, y = Transformer.from_crs(2180, epsg, always_xy=True).transform(e, n)
    return (y, x)  # every other offered CRS is northing/latitude first


@pytest.mark.parametrize(
    "crs", [None, CRS84, EPSG.format(4326), EPSG.format(2180), EPSG.format(2178), EPSG.format(2176)]
)
def test_known_tree_coordinates_follow_the_crs_axis_order(client, crs):
    params = {"filter": "source_id = 'API-2'"} | ({"crs": crs} if crs else {})
    r = client.get("/collections/trees/items", query_string=params)
    assert r.status_code == 200
    assert r.headers["Content-Crs"] == f"<{crs or CRS84}>"
    [feature] = r.get_json()["features"]
    epsg = 84 if crs in (None, CRS84) else int(crs.rsplit("/", 1)[1])
    got = feature["geometry"]["coordinates"]
    want = expected("API-2", epsg)
    tol = 1e-6 if epsg in (84, 4326) else 0.01
    assert got == pytest.approx(list(want), abs=tol)


def test_default_output_is_lon_lat_around_kielce(client):
    lon, lat = items(client, limit=1)["features"][0]["geometry"]["coordinates"]
    assert 20.4 < lon < 20.8 and 50.7 < lat < 51.0


def test_single_item_in_storage_crs_is_northing_first(client):
    fid = by_source(items(client, filter="source_id = 'API-3'"))["API-3"]["id"]
    r = client.get(f"/collections/trees/items/{fid}", query_string={"crs": EPSG.format(2180)})
    assert r.status_code == 200
    assert r.get_json()["geometry"]["coordinates"] == [334950.0, 614300.0]


def _all_tree_positions() -> dict[int, tuple[float, float]]:
    import psycopg

    owner, _ = database()
    with psycopg.connect(owner) as conn:
        rows = conn.execute(
            "SELECT tree_id, ST_X(geom), ST_Y(geom) FROM msip.tree_current"
        ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.mark.parametrize(
    "bbox",
    [
        [20.6205, 50.8670, 20.6230, 50.8682],
        [20.60, 50.85, 20.65, 50.88],
        [20.62, 50.86, 20.6215, 50.8676],
    ],
)
def test_crs84_bbox_returns_exactly_the_features_inside(client, bbox):
    t = Transformer.from_crs(2180, 4326, always_xy=True)
    inside = {
        fid
        for fid, (e, n) in _all_tree_positions().items()
        if bbox[0] <= t.transform(e, n)[0] <= bbox[2] and bbox[1] <= t.transform(e, n)[1] <= bbox[3]
    }
    got = {f["id"] for f in items(client, bbox=",".join(map(str, bbox)), limit=10000)["features"]}
    assert got == inside


def test_bbox_in_storage_crs_with_crs_output(client):
    """bbox-crs=EPSG:2180 takes northing first; the answer in crs=EPSG:2180 too."""
    fc = items(
        client,
        bbox="334600,614000,334800,614200",
        **{"bbox-crs": EPSG.format(2180), "crs": EPSG.format(2180)},
        filter="dataset = 'api-fixture'",
    )
    found = by_source(fc)
    assert set(found) == {"API-1", "API-2"}
    assert found["API-1"]["geometry"]["coordinates"] == [334650.0, 614050.0]


def test_bbox_in_wgs84_is_latitude_first(client):
    lon, lat = expected("API-4", 84)
    bbox = f"{lat - 0.0001},{lon - 0.0001},{lat + 0.0001},{lon + 0.0001}"
    fc = items(client, bbox=bbox, **{"bbox-crs": EPSG.format(4326)})
    assert "API-4" in by_source(fc)


def test_paging_with_next_links_returns_every_tree_once(client):
    seen: list[int] = []
    url = "/collections/trees/items?limit=40"
    while url:
        body = client.get(url.replace("http://127.0.0.1:5000", "")).get_json()
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert sorted(seen) == sorted(_all_tree_positions())
    assert len(seen) == len(set(seen))


def test_number_matched_is_exact(client):
    total = len(_all_tree_positions())
    assert items(client, limit=1)["numberMatched"] == total
    assert items(client, limit=2, filter="dataset = 'api-fixture'")["numberMatched"] == len(
        KNOWN_TREES
    )
    assert items(client, resulttype="hits")["numberMatched"] == total


@pytest.mark.parametrize(
    ("cql", "sources"),
    [
        ("species_latin = 'Tilia cordata' AND dataset = 'api-fixture'", {"API-1", "API-5"}),
        ("height_m > 13 AND dataset = 'api-fixture'", {"API-1", "API-3"}),
        ("species_latin LIKE 'Quer%'", {"API-3"}),
        (
            "dataset = 'api-fixture' AND S_INTERSECTS(geometry, BBOX(20.6200, 50.8670, 20.6220, 50.8680))",
            {"API-1"},
        ),
    ],
)
def test_cql2_filters(client, cql, sources):
    got = {s for s in by_source(items(client, filter=cql, limit=1000)) if s.startswith("API-")}
    assert got == sources


def test_properties_sortby_and_skip_geometry(client):
    fc = items(
        client,
        filter="dataset = 'api-fixture'",
        properties="species,height_m",
        sortby="-height_m",
        skipGeometry="true",
    )
    heights = [f["properties"]["height_m"] for f in fc["features"]]
    assert heights == sorted(heights, reverse=True)
    assert set(fc["features"][0]["properties"]) == {"species", "height_m"}
    assert all(f["geometry"] is None for f in fc["features"])


def test_collection_metadata_offers_polish_crss_and_storage_crs(client):
    meta = client.get("/collections/trees").get_json()
    assert meta["storageCrs"] == EPSG.format(2180)
    assert meta["crs"][0] == CRS84 and EPSG.format(2178) in meta["crs"]
    # the data's own extent (test_api_items_for_clients checks it exactly), inside the city's
    x1, y1, x2, y2 = meta["extent"]["spatial"]["bbox"][0]
    assert 20.49 < x1 < x2 < 20.79 and 50.77 < y1 < y2 < 50.97


def test_conformance_declares_the_cql2_classes_qgis_looks_for(client):
    classes = set(client.get("/conformance").get_json()["conformsTo"])
    for c in (
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    ):
        assert c in classes
    assert not any("create-replace-delete" in c for c in classes)


def test_queryables_list_the_columns(client):
    q = client.get("/collections/trees/queryables").get_json()
    assert {"species", "species_latin", "height_m"} <= set(q["properties"])


def test_items_carry_etag_and_answer_304(client):
    r = client.get("/collections/trees/items?limit=2")
    assert r.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(
        "/collections/trees/items?limit=2", headers={"If-None-Match": r.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""


def test_load_runs_collection_shows_public_fields_only(client):
    fc = client.get("/collections/load_runs/items").get_json()
    assert fc["features"] and all(f["geometry"] is None for f in fc["features"])
    assert "source_path" not in fc["features"][0]["properties"]
    assert fc["features"][0]["properties"]["source_file"] == "api_trees.csv"


def test_bbox_outside_poland_then_inside_both_answer(client):
    """The empty (clipped) bbox and a real one share no cached SQL text."""
    assert items(client, bbox="-100,30,-90,40")["features"] == []
    assert items(client, bbox="20.60,50.85,20.65,50.88")["features"]
