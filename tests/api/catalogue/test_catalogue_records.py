"""The catalogue (OGC API – Records): one record per published dataset, searchable with q, bbox and
datetime, with lineage but no local paths, and readable by OWSLib's Records client."""

from __future__ import annotations

import json
import threading

import pytest
from pyproj import Transformer

from msip.api.downloads.routes import kind_of
from tests.support.api_fixtures import KNOWN_TREES, app, prepared_config

TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)


def _items(client, **params) -> dict:
    resp = client.get("/collections/catalogue/items", query_string={"limit": 1000, **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def _ids(client, **params) -> set[str]:
    return {f["id"] for f in _items(client, **params)["features"]}


def test_every_published_collection_epoch_and_plan_has_a_record(client):
    cfg = prepared_config().config
    published = {cid for cid, res in cfg["resources"].items() if res.get("type") == "collection" and kind_of(res)}
    doc = _items(client)
    ids = [f["id"] for f in doc["features"]]
    assert len(ids) == len(set(ids)) == doc["numberMatched"]
    assert published and published <= set(ids), published - set(ids)
    assert "orthophoto-2030-01-01" in ids  # the fixture orthophoto's epoch
    assert any(i.startswith("zoning-plan-") for i in ids)  # the sample plan


def test_record_content_is_the_datas(client):
    rec = client.get("/collections/catalogue/items/trees").get_json()
    props = rec["properties"]
    assert props["title"].startswith("Drzewa") and props["title_en"].startswith("Trees")
    assert props["description_en"] and props["description"] != props["description_en"]
    assert "Land cover" in props["keywords"] and props["themes"][0]["concepts"][0]["url"].endswith("/theme/lc")
    assert props["license"] == "CC-BY 4.0"
    assert props["contacts"][0]["organization"] == prepared_config().config["metadata"]["provider"]["name"]
    # spatial extent from the data: it holds every hand-placed tree
    x1, y1, x2, y2 = rec["geometry"]["coordinates"][0][0] + rec["geometry"]["coordinates"][0][2]
    for e, n, *_ in KNOWN_TREES.values():
        lon, lat = TO_LONLAT.transform(e, n)
        assert x1 <= lon <= x2 and y1 <= lat <= y2
    assert rec["time"]["interval"][0] <= "2025-06-15" <= rec["time"]["interval"][1]
    fixture_runs = [r for r in props["lineage"] if r["source_file"] == "api_trees.csv"]
    assert fixture_runs and fixture_runs[0]["source_sha256"] == "a" * 64
    assert fixture_runs[0]["rows_in_dataset"] == len(KNOWN_TREES)
    assert props["feature_count"] == sum(r["rows_in_dataset"] for r in props["lineage"])
    rels = {(link["rel"], link["type"]) for link in rec["links"]}
    assert ("describedby", "application/vnd.iso.19139+xml") in rels
    assert {t for r, t in rels if r == "enclosure"} == {
        "application/geopackage+sqlite3", "application/vnd.apache.parquet", "text/csv"}


def test_no_record_shows_a_local_path(client):
    from msip.core.settings import Settings

    text = json.dumps(_items(client))
    assert "/fixtures/" not in text  # the fixture run's source_path is /fixtures/api_trees.csv
    assert str(Settings.from_env().home) not in text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("drzewa", "trees"),
        ("Trees", "trees"),
        ("zieleń", "green_spaces"),
        ("zielen", "green_spaces"),  # without diacritics
        ("green space", "green_spaces"),
        ("ortofotomapa", "orthophoto-2030-01-01"),
        ("Orthoimagery", "orthophoto"),  # the INSPIRE theme's English label
        ("nonexistentword,budynki", "buildings"),  # comma: any of the alternatives
    ],
)
def test_search_by_word_polish_and_english(client, q, expected):
    assert expected in _ids(client, q=q)


def test_search_by_word_finds_nothing_for_an_unknown_word(client):
    assert _items(client, q="xyzzyplugh")["numberMatched"] == 0


def test_search_by_bbox(client):
    lon, lat = TO_LONLAT.transform(*KNOWN_TREES["API-5"][:2])  # a tree far from the fixture orthophoto
    near = _ids(client, bbox=f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}")
    assert "trees" in near and "orthophoto-2030-01-01" not in near
    assert _ids(client, bbox="18.60,54.30,18.70,54.40") == set()  # Gdańsk


def test_search_by_datetime(client):
    assert "orthophoto-2030-01-01" in _ids(client, datetime="2030-01-01")
    assert "trees" not in _ids(client, datetime="2030-01-01")
    assert "trees" in _ids(client, datetime="2025-06-01/2025-07-01")
    assert "orthophoto-2030-01-01" not in _ids(client, datetime="2025-06-01/2025-07-01")


def test_unknown_record_is_404_naming_the_list(client):
    resp = client.get("/collections/catalogue/items/no-such-dataset")
    assert resp.status_code == 404
    assert "/collections/catalogue/items" in resp.get_data(as_text=True)


@pytest.fixture(scope="module")
def served():
    """The app on a loopback port for HTTP clients (OWSLib)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_owslib_records_client_lists_and_searches(served):
    from owslib.ogcapi.records import Records

    client = Records(served)
    assert "catalogue" in client.records()
    listed = client.collection_items("catalogue", limit=1000)
    assert "trees" in {f["id"] for f in listed["features"]}
    found = client.collection_items("catalogue", q="budynki")
    found_ids = {f["id"] for f in found["features"]}
    assert "buildings" in found_ids and "trees" not in found_ids
    lon, lat = TO_LONLAT.transform(*KNOWN_TREES["API-5"][:2])
    boxed = client.collection_items("catalogue", bbox=[lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001])
    assert "trees" in {f["id"] for f in boxed["features"]}
    dated = client.collection_items("catalogue", datetime_="2030-01-01")
    assert "orthophoto-2030-01-01" in {f["id"] for f in dated["features"]}
    assert client.collection_item("catalogue", "trees")["properties"]["title_en"].startswith("Trees")


def test_another_apps_configuration_does_not_replace_this_ones(client):
    """A second app in the process (a fault drill over an unreachable database) keeps its own
    catalogue: the records here still come from this app's database (was: 503 from the other's)."""
    import copy

    from msip.api.catalogue import provider

    other = copy.deepcopy(prepared_config().config)
    for res in other["resources"].values():
        for p in res.get("providers", []):
            if isinstance(p.get("data"), dict):
                p["data"] = {**p["data"], "port": 1}
    provider.publish(other)
    assert "trees" in _ids(client)
