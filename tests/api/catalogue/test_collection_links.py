"""Every published collection carries `license`; every data collection also `describedby` (its ISO
19139 record, typed application/vnd.iso.19139+xml) and `enclosure` downloads — over the whole
configuration, in the /collections list and on each collection's own page."""

from __future__ import annotations

import pytest

from msip.api.downloads.routes import kind_of
from tests.support.api_fixtures import prepared_config

ISO = "application/vnd.iso.19139+xml"
ENCLOSURES = {
    "features": {"application/geopackage+sqlite3", "application/vnd.apache.parquet", "text/csv"},
    "coverage": {"image/tiff; application=geotiff; profile=cloud-optimized"},
}


def _check(entry: dict, res: dict) -> None:
    cid, links = entry["id"], entry["links"]
    assert any(x["rel"] == "license" for x in links), cid
    # GDAL's OAPIF driver takes a describedby of an XML type as a GML application schema
    assert not [x for x in links if x["rel"].lower() == "describedby" and x["type"] in ("application/xml", "text/xml")]
    kind = kind_of(res)
    if kind is None:  # the catalogue: licence and its DCAT-AP feeds
        assert {x["type"] for x in links if x["rel"] == "enclosure"} == {"text/turtle", "application/ld+json"}
        return
    iso = [x for x in links if x["rel"] == "describedby" and x["type"] == ISO]
    assert [x["href"] for x in iso] == [f"http://127.0.0.1:5000/metadata/{cid}.xml"]
    assert {x["type"] for x in links if x["rel"] == "enclosure"} == ENCLOSURES[kind], cid
    if kind == "features":  # the JSON Schema link GDAL types the fields from is still there
        assert any(x["rel"] == "describedBy" and x["type"] == "application/schema+json" for x in links)


def test_every_collection_in_the_list_has_open_data_links(client):
    resources = prepared_config().config["resources"]
    listed = client.get("/collections").get_json()["collections"]
    published = {cid for cid, res in resources.items() if res.get("type") == "collection"}
    assert {c["id"] for c in listed} == published
    for entry in listed:
        _check(entry, resources[entry["id"]])


def _configured() -> list[str]:
    from msip.api.config import read_yaml
    from msip.core.paths import PYGEOAPI_CONFIG

    return sorted(cid for cid, res in read_yaml(PYGEOAPI_CONFIG)["resources"].items()
                  if res.get("type") == "collection")


@pytest.mark.parametrize("cid", _configured())
def test_each_collection_page_has_open_data_links(client, cid):
    prepared = prepared_config()
    if cid not in prepared.config["resources"]:  # e.g. a raster kind the API database has none of
        assert cid in prepared.skipped
        assert client.get(f"/collections/{cid}").status_code == 404
        return
    entry = client.get(f"/collections/{cid}").get_json()
    _check(entry, prepared_config().config["resources"][cid])


def test_trees_keep_a_single_licence_link(client):
    links = client.get("/collections/trees").get_json()["links"]
    assert len([x for x in links if x["rel"] == "license"]) == 1
