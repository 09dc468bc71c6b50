"""Open data for point clouds: each COPC epoch and the geosites have a catalogue record whose links
(licence, ISO 19139 metadata, COPC enclosure served with Range) work, and a DCAT distribution."""

from __future__ import annotations

import laspy

from tests.support.api_fixtures import POINT_CLOUD_EPOCH

BASE = "http://127.0.0.1:5000"


def _record(client, rid: str) -> dict:
    resp = client.get(f"/collections/catalogue/items/{rid}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def test_each_point_cloud_epoch_has_a_record_with_its_copc_as_enclosure(client, tmp_path):
    rec = _record(client, f"point-cloud-{POINT_CLOUD_EPOCH}")
    props = rec["properties"]
    assert props["feature_count"] == 10_000 and props["themes"][0]["concepts"][0]["url"].endswith("/theme/el")
    links = {link["rel"]: link for link in rec["links"] if link["rel"] != "enclosure"}
    assert links["license"]["href"] == "https://creativecommons.org/licenses/by/4.0/"
    assert links["item"]["href"] == f"{BASE}/collections/point_clouds/items/{POINT_CLOUD_EPOCH}"
    [copc] = [x for x in rec["links"] if x["rel"] == "enclosure"]
    assert copc["type"] == "application/vnd.laszip+copc"
    path = copc["href"].removeprefix(BASE)
    assert path == f"/collections/point_clouds/copc/{POINT_CLOUD_EPOCH}.copc.laz"
    head = client.get(path, headers={"Range": "bytes=0-3"})
    assert head.status_code == 206 and head.get_data() == b"LASF"
    (tmp_path / "p.copc.laz").write_bytes(client.get(path).get_data())
    with laspy.CopcReader.open(tmp_path / "p.copc.laz") as reader:
        assert reader.header.point_count == 10_000
    x1, y1, x2, y2 = rec["geometry"]["coordinates"][0][0] + rec["geometry"]["coordinates"][0][2]
    assert 20.6 < x1 < x2 < 20.7 and 50.8 < y1 < y2 < 50.9  # the fixture's 100 m square in Kielce
    iso = client.get(links["describedby"]["href"].removeprefix(BASE)).get_data(as_text=True)
    assert "application/vnd.laszip+copc" in iso and "https://copc.io/" in iso and path in iso


def test_geosites_and_point_clouds_collections_have_records_with_downloads(client):
    for cid in ("geosites", "point_clouds"):
        rec = _record(client, cid)
        assert rec["properties"]["feature_count"] >= 1, cid
        types = {x["type"] for x in rec["links"] if x["rel"] == "enclosure"}
        assert {"application/geopackage+sqlite3", "text/csv"} <= types, cid
    assert _record(client, "geosites")["properties"]["themes"][0]["concepts"][0]["url"].endswith("/theme/ge")


def test_dcat_feed_lists_the_copc_as_a_laz_distribution(client):
    resp = client.get("/catalogue/dcat.ttl")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert f"point-cloud-{POINT_CLOUD_EPOCH}" in text and "file-type/LAZ" in text
