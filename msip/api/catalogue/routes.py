"""Open-data routes and links: ISO 19139 records, the DCAT-AP feed, and the links every collection carries.

Each collection gets `license`, `describedby` (its ISO 19139 record, typed
`application/vnd.iso.19139+xml`: GDAL's OAPIF driver would take a describedby of an XML type
for a GML application schema and then ignore the JSON Schema link) and `enclosure` (its
downloads, with type and — once built — length). The landing page links the catalogue and the feed.
"""

from __future__ import annotations

import json

from flask import Flask, Response

from msip.api import http
from msip.api.catalogue import datasets, provider
from msip.api.catalogue.dcat import MEDIA_JSONLD, MEDIA_TURTLE, feed
from msip.api.catalogue.iso19139 import iso_record
from msip.api.catalogue.records import ISO_MEDIA_TYPE, metadata_url
from msip.api.catalogue.themes import publisher
from msip.api.documents import collection_entries, json_document
from msip.api.downloads import routes as downloads
from msip.api.downloads.formats import download_url, formats_for
from msip.api.pointcloud import tiles
from msip.api.providers.db import DatabaseUnavailable

FEED_PATHS = {"ttl": ("turtle", MEDIA_TURTLE), "jsonld": ("json-ld", MEDIA_JSONLD)}


def _texts(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k)[:2]: str(v) for k, v in value.items()}
    return {"pl": str(value)}


def install(app: Flask, cfg: dict) -> None:
    """Register /metadata/{id}.xml and /catalogue/dcat.{ttl,jsonld}, the downloads, and publish `cfg`."""
    provider.publish(cfg)
    base = str(cfg["server"]["url"]).rstrip("/")
    downloads.install(app, cfg)

    @app.route("/metadata/<name>")
    def iso_metadata(name: str) -> Response:
        dataset_id = name.removesuffix(".xml")
        ds = datasets.find(cfg, dataset_id)
        if ds is None or not name.endswith(".xml"):
            return http.error_response(404, "NotFound", f"no metadata record {name!r}; the catalogue "
                                       "(/collections/catalogue/items) links each dataset's record")
        return Response(iso_record(ds, base, publisher(cfg)), mimetype=ISO_MEDIA_TYPE)

    @app.route("/catalogue/dcat.<ext>")
    def dcat_feed(ext: str) -> Response:
        if ext not in FEED_PATHS:
            return http.error_response(404, "NotFound", "the DCAT-AP feed is /catalogue/dcat.ttl (Turtle) or "
                                       "/catalogue/dcat.jsonld (JSON-LD)")
        ident = cfg.get("metadata", {}).get("identification", {})
        graph = feed(datasets.build(cfg), base, publisher(cfg), _texts(ident.get("title", "MSIP")),
                     _texts(ident.get("description", "MSIP")))
        fmt, media = FEED_PATHS[ext]
        return Response(graph.serialize(format=fmt), mimetype=media)


def collection_links(cid: str, res: dict, cfg: dict, *, sizes: bool = True) -> list[dict]:
    """The open-data links of one collection: licence, ISO record, downloads (catalogue: its feeds).

    `sizes`: add each built download's `length` (asks the database for the data version).
    """
    base, pub = str(cfg["server"]["url"]).rstrip("/"), publisher(cfg)
    out: list[dict] = [{"rel": "license", "type": "text/html", "title": pub.licence_name, "href": pub.licence_url}]
    kind = downloads.kind_of(res)
    if kind is not None:
        out.append({"rel": "describedby", "type": ISO_MEDIA_TYPE, "title": "ISO 19139 / INSPIRE metadata",
                    "href": metadata_url(base, cid), "hreflang": "pl"})
        for fmt in formats_for(kind):
            link: dict[str, str | int] = {"rel": "enclosure", "type": fmt.media_type, "title": fmt.title,
                    "href": download_url(base, cid, fmt.ext)}
            size = downloads.length(cid, fmt.ext, res) if sizes else None
            if size is not None:
                link["length"] = size
            out.append(link)
        if cid == tiles.COLLECTION and sizes:  # each epoch's source tiles as LAZ
            conninfo = tiles.conninfo_of(cfg["resources"])
            out += tiles.enclosure_links(conninfo, base) if conninfo else []
    elif any(p.get("type") == "record" for p in res.get("providers", [])):
        out += [{"rel": "enclosure", "type": media, "title": f"DCAT-AP ({fmt})", "href": f"{base}/catalogue/dcat.{ext}"}
                for ext, (fmt, media) in FEED_PATHS.items()]
    return out


def with_open_data_links(resp: Response, cfg: dict) -> Response:
    """Add the open-data links to the collections of a JSON /collections or /collections/{id} response.

    Without the database the links are given without download lengths (asked once, not per collection).
    """
    doc = json_document(resp)
    if doc is None:
        return resp
    sizes = True
    for entry in collection_entries(doc):
        res = cfg["resources"].get(str(entry.get("id")))
        if res is None or not isinstance(entry.get("links"), list):
            continue
        try:
            links = collection_links(str(entry["id"]), res, cfg, sizes=sizes)
        except DatabaseUnavailable:
            sizes = False
            links = collection_links(str(entry["id"]), res, cfg, sizes=False)
        have = {(str(link.get("rel")).lower(), link.get("type"), link.get("href")) for link in entry["links"]}
        has_licence = any(str(link.get("rel")).lower() == "license" for link in entry["links"])
        for link in links:
            if link["rel"] == "license" and has_licence:
                continue
            if (link["rel"], link["type"], link["href"]) not in have:
                entry["links"].append(link)
    resp.set_data(json.dumps(doc))
    return resp


def with_feed_links(resp: Response, cfg: dict) -> Response:
    """Add the catalogue and the DCAT-AP feed to the JSON landing page."""
    doc = json_document(resp)
    if doc is None or not isinstance(doc.get("links"), list):
        return resp
    base = str(cfg["server"]["url"]).rstrip("/")
    doc["links"] += [
        {"rel": "http://www.opengis.net/def/rel/ogc/1.0/catalog", "type": "application/json",
         "title": "Katalog danych / data catalogue (OGC API – Records)", "href": f"{base}/collections/catalogue"},
        *({"rel": "alternate", "type": media, "title": f"DCAT-AP catalogue feed ({fmt})",
           "href": f"{base}/catalogue/dcat.{ext}"} for ext, (fmt, media) in FEED_PATHS.items()),
    ]
    resp.set_data(json.dumps(doc))
    return resp

