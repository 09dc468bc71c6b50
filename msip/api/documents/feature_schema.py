"""A JSON Schema of each feature collection's GeoJSON features, linked from the collection as `describedBy`.

Clients that type their fields from a page of features (GDAL's GeoJSON reading, QGIS 3.22's
OAPIF provider) cannot type a property that is null on that page — "unknown" fee totals, for
example — and make it a String. GDAL's OAPIF driver (3.6 included) reads the field types from a
`describedBy` link (GDAL 3.6 compares the relation case-sensitively, RFC 8288 does not) of
type `application/schema+json` describing a GeoJSON Feature, whose
`properties` member lists each property with one JSON type (and `format` date/date-time). The
types come from the table's columns. Each property has a single type, not `[type, "null"]`,
because that is what GDAL reads; a null value means "unknown", as the descriptions say.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response

from msip.api.documents import collection_entries, json_document

SCHEMA_MEDIA_TYPE = "application/schema+json"
#: Path of the schema under a collection (`/collections/{id}/feature-schema`).
SCHEMA_PATH = "feature-schema"


def feature_collections(resources: dict) -> dict[str, dict]:
    """Collection id → its feature provider definition."""
    return {
        cid: p
        for cid, res in resources.items()
        if res.get("type") == "collection"
        for p in res.get("providers", [])
        if p.get("type") == "feature"
    }


def geojson_feature_schema(cid: str, title: str, fields: dict[str, dict], id_field: str) -> dict[str, Any]:
    """The JSON Schema of one GeoJSON Feature of collection `cid` with the provider's `fields`."""
    props: dict[str, Any] = {}
    for name, spec in fields.items():
        if name == id_field:
            continue
        prop: dict[str, Any] = {"type": spec.get("type", "string")}
        if spec.get("format"):
            prop["format"] = spec["format"]
        prop["description"] = (spec.get("description") or name) + " (null: unknown)"
        props[name] = prop
    id_type = fields.get(id_field, {}).get("type", "string")
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"collections/{cid}/{SCHEMA_PATH}",
        "title": f"{title} — GeoJSON feature",
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": id_type},
            "geometry": {"$ref": "https://geojson.org/schema/Geometry.json"},
            "properties": {"type": "object", "properties": props},
        },
    }


def schema_response(cid: str, resources: dict) -> Response:
    """The schema document of a feature collection, or 404 naming the feature collections."""
    from pygeoapi.plugin import load_plugin

    providers = feature_collections(resources)
    if cid not in providers:
        body = {
            "code": "NotFound",
            "description": f"collection {cid!r} has no features; feature collections: {', '.join(sorted(providers))}",
        }
        return Response(json.dumps(body), status=404, mimetype="application/json")
    provider = load_plugin("provider", providers[cid])
    title = str(resources[cid].get("title") or cid)
    if isinstance(resources[cid].get("title"), dict):
        title = str(resources[cid]["title"].get("en") or next(iter(resources[cid]["title"].values())))
    doc = geojson_feature_schema(cid, title, provider.get_fields(), provider.id_field)
    return Response(json.dumps(doc), mimetype=SCHEMA_MEDIA_TYPE)


def with_schema_link(resp: Response, base_url: str, features: dict[str, dict]) -> Response:
    """Add the `describedBy` schema link to the feature collections of a JSON collection(s) response."""
    doc = json_document(resp)
    if doc is None:
        return resp
    changed = False
    for entry in collection_entries(doc):
        cid = str(entry.get("id"))
        if cid not in features or not isinstance(entry.get("links"), list):
            continue
        if any(str(link.get("rel")).lower() == "describedby" and link.get("type") == SCHEMA_MEDIA_TYPE
               for link in entry["links"]):
            continue
        entry["links"].append({
            "rel": "describedBy",  # relation types compare case-insensitively (RFC 8288); GDAL 3.6 wants this case
            "type": SCHEMA_MEDIA_TYPE,
            "title": "JSON Schema of the GeoJSON features (property types)",
            "href": f"{base_url.rstrip('/')}/collections/{cid}/{SCHEMA_PATH}",
        })
        changed = True
    if changed:
        resp.set_data(json.dumps(doc))
    return resp
