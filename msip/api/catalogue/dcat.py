"""The DCAT-AP 3 feed of the catalogue (Turtle, JSON-LD), for national portals that harvest DCAT-AP.

Every value whose range DCAT-AP's SHACL shapes check is typed (agents `foaf:Agent`, licences
`dct:LicenseDocument`, formats `dct:MediaTypeOrExtent`, themes `skos:Concept`, …), so the feed
passes `shapes.ttl` + `range.ttl` of SEMIC's 3.0.1 release. Formats and languages use the EU
authority tables' URIs.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from msip.api.catalogue.datasets import Dataset
from msip.api.catalogue.records import metadata_url
from msip.api.catalogue.themes import THEME_LABELS, Publisher, theme_uri
from msip.api.downloads.formats import download_url, formats_for

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {"gpkg": "GPKG", "parquet": "PARQUET", "csv": "CSV", "tif": "TIFF", "copc.laz": "LAZ"}
MEDIA_TURTLE, MEDIA_JSONLD = "text/turtle", "application/ld+json"


def catalogue_iri(base_url: str) -> URIRef:
    return URIRef(f"{base_url.rstrip('/')}/collections/catalogue")


def dataset_iri(base_url: str, dataset_id: str) -> URIRef:
    return URIRef(f"{base_url.rstrip('/')}/collections/catalogue/items/{dataset_id}")


def _texts(g: Graph, node: URIRef | BNode, prop: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((node, prop, Literal(text, lang=lang)))


def _typed(g: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    return node


def _agent(g: Graph, pub: Publisher) -> URIRef:
    agent = _typed(g, pub.url, FOAF.Agent)
    g.add((agent, FOAF.name, Literal(pub.name)))
    return agent


def _contact(g: Graph, pub: Publisher) -> BNode:
    node = BNode("contact")
    g.add((node, RDF.type, VCARD.Organization))
    g.add((node, RDF.type, VCARD.Kind))  # what the range shapes check (no inference)
    g.add((node, VCARD.fn, Literal(pub.contact_name)))
    g.add((node, VCARD.hasEmail, URIRef(f"mailto:{pub.email}")))
    return node


def _dataset(g: Graph, ds: Dataset, base: str, pub: Publisher, agent: URIRef, contact: BNode,
             licence: URIRef) -> URIRef:
    node = dataset_iri(base, ds.id)
    g.add((node, RDF.type, DCAT.Dataset))
    _texts(g, node, DCTERMS.title, ds.title)
    _texts(g, node, DCTERMS.description, ds.abstract)
    g.add((node, DCTERMS.identifier, Literal(f"msip:{ds.id}")))
    g.add((node, DCTERMS.publisher, agent))
    g.add((node, DCAT.contactPoint, contact))
    g.add((node, DCTERMS.language, _typed(g, f"{EU}language/POL", DCTERMS.LinguisticSystem)))
    for word in ds.keywords:
        g.add((node, DCAT.keyword, Literal(word)))
    if ds.theme:
        theme = _typed(g, theme_uri(ds.theme), SKOS.Concept)
        g.add((theme, SKOS.prefLabel, Literal(THEME_LABELS[ds.theme][1], lang="en")))
        g.add((node, DCAT.theme, theme))
    if ds.bbox:
        x1, y1, x2, y2 = ds.bbox
        loc = BNode(f"loc-{ds.id}")
        g.add((loc, RDF.type, DCTERMS.Location))
        wkt = f"POLYGON(({x1} {y1},{x2} {y1},{x2} {y2},{x1} {y2},{x1} {y1}))"
        g.add((loc, DCAT.bbox, Literal(wkt, datatype=GSP.wktLiteral)))
        g.add((node, DCTERMS.spatial, loc))
    if ds.begin or ds.end:
        period = BNode(f"time-{ds.id}")
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.begin:
            g.add((period, DCAT.startDate, Literal(ds.begin.isoformat(), datatype=XSD.dateTime)))
        if ds.end:
            g.add((period, DCAT.endDate, Literal(ds.end.isoformat(), datatype=XSD.dateTime)))
        g.add((node, DCTERMS.temporal, period))
    if ds.updated:
        g.add((node, DCTERMS.modified, Literal(ds.updated.isoformat(), datatype=XSD.dateTime)))
    if ds.collection:
        g.add((node, DCAT.landingPage, _typed(g, f"{base}/collections/{ds.collection}", FOAF.Document)))
    g.add((node, FOAF.page, _typed(g, metadata_url(base, ds.id), FOAF.Document)))
    if ds.lineage:
        prov = BNode(f"prov-{ds.id}")
        g.add((prov, RDF.type, DCTERMS.ProvenanceStatement))
        g.add((prov, RDFS.label, Literal("; ".join(
            f"{r['source_file']} (SHA-256 {r['source_sha256']}, {r['rows_loaded']} loaded, "
            f"{r['rows_rejected']} rejected)" for r in ds.lineage), lang="en")))
        g.add((node, DCTERMS.provenance, prov))
    files = [(download_url(base, ds.id, f.ext), f) for f in formats_for(ds.kind)]
    files += [(f"{base}/{path}", f) for path, f in ds.files]
    for url, fmt in files:
        dist = URIRef(f"{node}#{fmt.ext}")
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(fmt.title)))
        g.add((dist, DCAT.accessURL, URIRef(url)))
        g.add((dist, DCAT.downloadURL, URIRef(url)))
        g.add((dist, DCTERMS.format, _typed(g, f"{EU}file-type/{FILE_TYPES[fmt.ext]}", DCTERMS.MediaTypeOrExtent)))
        media = fmt.media_type.split(";")[0]
        if fmt.spec_url is None:  # an IANA media type
            g.add((dist, DCAT.mediaType, _typed(g, f"https://www.iana.org/assignments/media-types/{media}",
                                                DCTERMS.MediaType)))
        g.add((dist, DCTERMS.license, licence))
        g.add((node, DCAT.distribution, dist))
    return node


def feed(datasets: list[Dataset], base_url: str, pub: Publisher, title: dict[str, str],
         description: dict[str, str]) -> Graph:
    """The DCAT-AP graph of the catalogue and its datasets."""
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("skos", SKOS),
                       ("locn", LOCN), ("gsp", GSP)):
        g.bind(prefix, ns)
    base = base_url.rstrip("/")
    cat = catalogue_iri(base)
    g.add((cat, RDF.type, DCAT.Catalog))
    _texts(g, cat, DCTERMS.title, title)
    _texts(g, cat, DCTERMS.description, description)
    agent, contact = _agent(g, pub), _contact(g, pub)
    licence = _typed(g, pub.licence_url, DCTERMS.LicenseDocument)
    g.add((cat, DCTERMS.publisher, agent))
    g.add((cat, DCTERMS.license, licence))
    g.add((cat, FOAF.homepage, _typed(g, f"{base}/", FOAF.Document)))
    g.add((cat, DCTERMS.language, _typed(g, f"{EU}language/POL", DCTERMS.LinguisticSystem)))
    g.add((cat, DCTERMS.language, _typed(g, f"{EU}language/ENG", DCTERMS.LinguisticSystem)))
    for ds in datasets:
        g.add((cat, DCAT.dataset, _dataset(g, ds, base, pub, agent, contact, licence)))
    updated = [d.updated for d in datasets if d.updated]
    if updated:
        g.add((cat, DCTERMS.modified, Literal(max(updated).isoformat(), datatype=XSD.dateTime)))
    return g
