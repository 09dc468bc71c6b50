"""ISO 19139 records: one per catalogue record at a stable URL, each valid against the ISO/TS 19139
schemas (apiso.xsd, offline with the shared XML catalog), carrying the data's extent and lineage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

NS = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco",
      "gmx": "http://www.isotc211.org/2005/gmx", "xlink": "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def schema(shared_data: Path) -> etree.XMLSchema:
    root = shared_data / "metadata" / "iso19139"
    os.environ["XML_CATALOG_FILES"] = str(root / "catalog.xml")
    xsd = root / "schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
    return etree.XMLSchema(etree.parse(str(xsd), etree.XMLParser(no_network=True)))


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(no_network=True))


def test_validator_refuses_an_invalid_record(schema, shared_data):
    bad = (shared_data / "metadata/inspire/examples/hvd_dataset_multilingual.xml").read_bytes()
    assert not schema.validate(_parse(bad))


def test_every_dataset_has_a_valid_iso_record(client, schema):
    records = client.get("/collections/catalogue/items?limit=1000").get_json()["features"]
    assert records
    for rec in records:
        link = next(x for x in rec["links"] if x["rel"] == "describedby")
        assert link["type"] == "application/vnd.iso.19139+xml"
        path = link["href"].removeprefix("http://127.0.0.1:5000")
        assert path == f"/metadata/{rec['id']}.xml"
        resp = client.get(path)
        assert resp.status_code == 200 and resp.mimetype == "application/vnd.iso.19139+xml"
        doc = _parse(resp.get_data())
        assert schema.validate(doc), (rec["id"], [(e.line, e.message) for e in schema.error_log][:3])
        assert doc.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS) == f"msip-{rec['id']}"
        if rec["geometry"]:
            west = float(doc.findtext(".//gmd:westBoundLongitude/gco:Decimal", namespaces=NS))
            assert west == pytest.approx(rec["geometry"]["coordinates"][0][0][0], abs=1e-6)


def test_iso_record_content(client):
    doc = _parse(client.get("/metadata/trees.xml").get_data())
    theme = doc.find(".//gmd:descriptiveKeywords//gmd:keyword/gmx:Anchor", NS)
    assert theme.get(f"{{{NS['xlink']}}}href") == "http://inspire.ec.europa.eu/theme/lc"
    assert doc.findtext(".//gmd:topicCategory/gmd:MD_TopicCategoryCode", namespaces=NS) == "environment"
    lineage = doc.findtext(".//gmd:LI_Lineage/gmd:statement/gco:CharacterString", namespaces=NS)
    assert "api_trees.csv" in lineage and "a" * 64 in lineage and "/fixtures/" not in lineage
    licence = doc.find(".//gmd:useConstraints/../gmd:otherConstraints/gmx:Anchor", NS)
    assert licence.get(f"{{{NS['xlink']}}}href") == "https://creativecommons.org/licenses/by/4.0/"
    urls = {u.text for u in doc.iterfind(".//gmd:onLine//gmd:URL", NS)}
    assert "http://127.0.0.1:5000/downloads/trees.gpkg" in urls


def test_unknown_metadata_record_is_404(client):
    resp = client.get("/metadata/no-such-dataset.xml")
    assert resp.status_code == 404 and "catalogue" in resp.get_json()["description"]
