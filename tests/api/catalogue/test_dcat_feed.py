"""The DCAT-AP feed (Turtle and JSON-LD) passes SEMIC's DCAT-AP 3.0.1 shapes and ranges offline with
no violation, and lists every catalogue record."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF


@pytest.fixture(scope="module")
def shapes(shared_data: Path) -> Graph:
    g = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        g.parse(shared_data / "metadata/dcat-ap/3.0.1/html/shacl" / name)
    return g


@pytest.mark.parametrize(("path", "fmt", "media"), [
    ("/catalogue/dcat.ttl", "turtle", "text/turtle"),
    ("/catalogue/dcat.jsonld", "json-ld", "application/ld+json"),
])
def test_feed_conforms_to_dcat_ap_shapes(client, shapes, path, fmt, media):
    from pyshacl import validate

    resp = client.get(path)
    assert resp.status_code == 200 and resp.mimetype == media
    data = Graph().parse(data=resp.get_data(), format=fmt)
    conforms, _, text = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True,
                                 do_owl_imports=False)
    assert conforms, text[:2000]
    records = client.get("/collections/catalogue/items?limit=1000").get_json()["numberMatched"]
    assert len(set(data.subjects(RDF.type, DCAT.Dataset))) == records
    assert len(set(data.subjects(RDF.type, DCAT.Catalog))) == 1


def test_shapes_catch_a_broken_feed(client, shapes):
    """The check can fail: a dataset without a title violates shapes.ttl."""
    from pyshacl import validate
    from rdflib.namespace import DCTERMS

    data = Graph().parse(data=client.get("/catalogue/dcat.ttl").get_data(), format="turtle")
    one = next(iter(data.subjects(RDF.type, DCAT.Dataset)))
    data.remove((one, DCTERMS.description, None))
    conforms, _, _ = validate(data, shacl_graph=shapes, inference="none", do_owl_imports=False)
    assert not conforms


def test_landing_page_links_the_feed_and_the_catalogue(client):
    links = client.get("/").get_json()["links"]
    hrefs = {(link["type"], link["href"]) for link in links}
    assert ("text/turtle", "http://127.0.0.1:5000/catalogue/dcat.ttl") in hrefs
    assert ("application/ld+json", "http://127.0.0.1:5000/catalogue/dcat.jsonld") in hrefs
    assert ("application/json", "http://127.0.0.1:5000/collections/catalogue") in hrefs
