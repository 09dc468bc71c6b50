"""The whole configuration served by `msip serve` over the analysed sample world (every collection
published, rasters and LiDAR included): each collection's licence, ISO record (valid) and downloads,
and a catalogue record for every dataset, LiDAR epochs too."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import psycopg
import pytest
import requests
from lxml import etree

from msip.api.downloads.routes import kind_of


@pytest.fixture(scope="module")
def iso_schema(shared_data: Path) -> etree.XMLSchema:
    root = shared_data / "metadata" / "iso19139"
    os.environ["XML_CATALOG_FILES"] = str(root / "catalog.xml")
    xsd = root / "schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
    return etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))


def test_every_served_collection_is_open_data(demo_server, iso_schema):
    from msip.api.config import read_yaml
    from msip.core.paths import PYGEOAPI_CONFIG

    resources = read_yaml(PYGEOAPI_CONFIG)["resources"]
    listed = requests.get(f"{demo_server.url}/collections", timeout=60).json()["collections"]
    records = requests.get(f"{demo_server.url}/collections/catalogue/items?limit=1000", timeout=120).json()
    record_ids = {f["id"] for f in records["features"]}
    assert any(i.startswith("lidar-") for i in record_ids) and any(i.startswith("orthophoto-") for i in record_ids)
    checked = 0
    for entry in listed:
        cid, links = entry["id"], entry["links"]
        kind = kind_of(resources[cid])
        assert any(x["rel"] == "license" for x in links), cid
        if kind is None:
            continue
        assert cid in record_ids
        iso = next(x for x in links if x["rel"] == "describedby" and x["type"] == "application/vnd.iso.19139+xml")
        doc = etree.fromstring(requests.get(iso["href"], timeout=60).content, etree.XMLParser(no_network=True))
        assert iso_schema.validate(doc), (cid, [e.message for e in iso_schema.error_log][:3])
        enclosures = [x for x in links if x["rel"] == "enclosure"]
        assert enclosures, cid
        if kind == "features":
            table = next(p for p in resources[cid]["providers"] if p["type"] == "feature")["table"]
            with psycopg.connect(demo_server.owner_url) as conn:
                expected = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            body = requests.get(next(x["href"] for x in enclosures if x["type"] == "text/csv"), timeout=300).text
            assert sum(1 for _ in csv.DictReader(io.StringIO(body))) == expected, cid
        else:
            head = requests.get(enclosures[0]["href"], headers={"Range": "bytes=0-3"}, timeout=300)
            assert head.status_code == 206 and head.content in (b"II*\x00", b"MM\x00*"), cid
        checked += 1
    assert checked >= 20
