"""GET /search over the served demo world: addresses (with and without diacritics, with a typo),
streets, plan numbers and names, zones, places, tree inventory numbers and carrier ids; each hit
with its kind, label, location and a link to its item that the API answers; and the refusals."""

from __future__ import annotations

import pytest
import requests
from pyproj import Transformer

pytestmark = [pytest.mark.db, pytest.mark.slow]
TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)


def search(site, q: str, **params) -> dict:
    r = requests.get(f"{site.url}/search", params={"q": q, **params}, timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection" and body["numberReturned"] == len(body["features"])
    return body


def top(site, q: str, **params) -> dict:
    features = search(site, q, **params)["features"]
    assert features, f"nothing found for {q!r}"
    return features[0]


@pytest.fixture(scope="module")
def address(owner) -> dict:
    """One known address point of the demo (a numbered one on Żeromskiego) with its position."""
    pk, street, number, x, y = owner.execute(
        "SELECT address_pk, street, house_number, ST_X(geom), ST_Y(geom) FROM msip.address "
        "WHERE street = 'Żeromskiego' AND house_number = '3'").fetchone()
    return {"pk": pk, "street": street, "number": number, "lonlat": TO_LONLAT.transform(x, y)}


@pytest.mark.parametrize("q", ["Żeromskiego 3", "zeromskiego 3", "ZEROMSKIEGO 3", "ul. Żeromskiego 3",
                               "Żeromskego 3", "Zeromskigo 3"])
def test_an_address_is_found_with_or_without_diacritics_and_with_a_typo(geoportal, address, q):
    hit = top(geoportal, q)
    props = hit["properties"]
    assert props["kind"] == "address" and props["label"] == "Żeromskiego 3, 25-001 Kielce", props
    assert hit["id"] == f"address:{address['pk']}"
    lon, lat = hit["geometry"]["coordinates"]
    assert lon == pytest.approx(address["lonlat"][0], abs=1e-6) and lat == pytest.approx(address["lonlat"][1], abs=1e-6)
    w, s, e, n = hit["bbox"]
    assert w <= lon <= e and s <= lat <= n
    assert props["href"] == props["report"] == f"{geoportal.url}/report?address={address['pk']}"
    report = requests.get(props["report"], timeout=30).json()
    assert report["location"]["address"]["label"] == props["label"]


def test_a_house_number_ranks_before_longer_numbers(geoportal):
    labels = [f["properties"]["label"] for f in search(geoportal, "Żeromskiego 3", limit=5)["features"]]
    assert labels[0] == "Żeromskiego 3, 25-001 Kielce"
    assert all(label.startswith("Żeromskiego 3") for label in labels[1:]), labels  # 30, 32 …


def test_plan_number_and_name_find_the_plan_and_its_item(geoportal, owner):
    pk, title = owner.execute("SELECT plan_pk, title FROM msip.zoning_plan_current WHERE local_id = '1MPZP'").fetchone()
    for q in ("1MPZP", "1mpzp", "Śródmieście Zachód", "srodmiescie zachod"):
        hit = top(geoportal, q)
        assert hit["properties"]["kind"] == "plan" and hit["id"] == f"plan:{pk}", (q, hit)
    href = hit["properties"]["href"]
    assert href == f"{geoportal.url}/collections/zoning_plans/items/{pk}"
    item = requests.get(href, params={"f": "json"}, timeout=30).json()
    assert item["properties"]["title"] == title


@pytest.mark.parametrize(
    ("kind", "table", "key", "collection"),
    [("tree", "msip.tree_current", "tree_id", "trees"),
     ("ad", "msip.advertisement_current", "ad_id", "advertisements")],
)
def test_inventory_numbers_find_trees_and_carriers(geoportal, owner, kind, table, key, collection):
    pk, source_id = owner.execute(f"SELECT {key}, source_id FROM {table} ORDER BY source_id DESC LIMIT 1").fetchone()
    hit = top(geoportal, source_id.lower())
    assert hit["properties"]["kind"] == kind and hit["id"] == f"{kind}:{pk}"
    assert hit["properties"]["label"].startswith(source_id)
    item = requests.get(hit["properties"]["href"], params={"f": "json"}, timeout=30)
    assert item.status_code == 200 and item.json()["properties"]["source_id"] == source_id
    assert hit["properties"]["href"] == f"{geoportal.url}/collections/{collection}/items/{pk}"


def test_streets_places_and_zones(geoportal):
    street = top(geoportal, "ulica Sienkiewicza")
    assert street["properties"]["kind"] == "street" and street["properties"]["label"] == "Sienkiewicza"
    found = search(geoportal, "Sienkiewicza", limit=20)["features"]
    streets = [f for f in found if f["properties"]["kind"] == "street"]
    assert len(streets) == 1, "a street named by the network and by PRG is one hit"
    w, s, e, n = street["bbox"]
    assert e - w > 0.001 or n - s > 0.001, "a street's extent is its length, for zooming"
    park = top(geoportal, "Staszica")
    assert park["properties"]["kind"] == "place" and "Staszica" in park["properties"]["label"]
    assert "/collections/green_spaces/items/" in park["properties"]["href"]
    zone = top(geoportal, "1SN")
    assert zone["properties"]["kind"] == "zone" and zone["properties"]["label"].startswith("1SN")
    assert top(geoportal, "kielce")["properties"]["label"] == "Kielce"  # the locality, before its addresses


def test_kind_filter_and_limit(geoportal):
    body = search(geoportal, "Żeromskiego", kind="street")
    assert {f["properties"]["kind"] for f in body["features"]} == {"street"}
    assert len(search(geoportal, "Żeromskiego", limit=3)["features"]) == 3
    assert search(geoportal, "qqqqzzzz")["features"] == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"q": "x"}, "at least 2 characters"),
        ({}, "at least 2 characters"),
        ({"q": "a" * 101}, "at most 100"),
        ({"q": "Żeromskiego", "kind": "castle"}, "unknown kind castle"),
        ({"q": "Żeromskiego", "limit": "0"}, "from 1 to 50"),
        ({"q": "Żeromskiego", "limit": "500"}, "from 1 to 50"),
        ({"q": "Żerom\x00skiego"}, "NUL"),
        ({"q": "Żeromskiego", "f": "html"}, "f=json only"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(geoportal, params, reason):
    r = requests.get(f"{geoportal.url}/search", params=params, timeout=30)
    assert r.status_code == 400 and reason in r.json()["description"], r.text


def test_like_wildcards_in_the_query_are_literal(geoportal):
    assert search(geoportal, "%%")["features"] == []
    assert search(geoportal, "__")["features"] == []
