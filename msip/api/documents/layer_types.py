"""Collection-document members GDAL ≤ 3.6 reads: `layerDataType` and a coverage's `rangeType`.

GDAL 3.6's OAPIF driver turns every entry of `/collections` into a vector layer unless the entry
says `layerDataType: Coverage` (or `Raster`); it does not read `itemType`. Without the member,
`ogrinfo OAPIF:…` lists the coverages as layers whose `/items` answer 400. Its OGCAPI driver
takes a coverage's band count and data type only from a `rangeType` member (or a
coverage-rangetype link) and otherwise assumes one Float32 band. Both members are added to the
JSON collection documents of collections without features — `rangeType` to the single-collection
page only (OGC API Common allows extra members; pygeoapi's own members are left as they are).
The data type is spelled the way GDAL 3.6 maps it (`ogcType:unsignedByte`, …): it does not
match the full `http://www.opengis.net/def/dataType/OGC/0/…` URIs.
"""

from __future__ import annotations

import json

from flask import Response

from msip.api.documents import collection_entries, json_document
from msip.api.providers.db import conninfo_from_def
from msip.api.providers.raster_io import raster_info
from msip.api.providers.rasters import latest_raster

#: numpy dtype → the data type names GDAL 3.6's OGCAPI driver understands.
OGC_TYPES = {
    "uint8": "ogcType:unsignedByte",
    "int16": "ogcType:signedShort",
    "uint16": "ogcType:unsignedShort",
    "int32": "ogcType:signedInt",
    "uint32": "ogcType:unsignedInt",
    "float32": "ogcType:float32",
    "float64": "ogcType:double",
}


def layer_data_types(resources: dict) -> dict[str, str]:
    """Collection id → `Coverage` (a coverage provider) or `Raster` (map tiles only), features excluded."""
    out: dict[str, str] = {}
    for cid, res in resources.items():
        if res.get("type") != "collection":
            continue
        types = {p.get("type") for p in res.get("providers", [])}
        formats = {
            str((p.get("format") or {}).get("name", "")).lower()
            for p in res.get("providers", [])
            if p.get("type") == "tile"
        }
        if types & {"feature", "record"}:
            continue
        if "coverage" in types:
            out[cid] = "Coverage"
        elif formats and formats <= {"png", "jpeg", "jpg"}:
            out[cid] = "Raster"
    return out


def coverage_providers(resources: dict) -> dict[str, dict]:
    """Collection id → its MSIP catalogue coverage provider."""
    return {
        cid: p
        for cid, res in resources.items()
        if res.get("type") == "collection"
        for p in res.get("providers", [])
        if p.get("type") == "coverage" and isinstance(p.get("data"), dict) and "kind" in p["data"]
    }


def range_type(provider_def: dict) -> dict:
    """The coverage's bands as a SWE Common DataRecord: one field per band with its data type."""
    asset = latest_raster(conninfo_from_def(provider_def["data"]), str(provider_def["data"]["kind"]))
    info = raster_info(asset.path, asset.identity)
    fields = []
    for i, dtype in zip(info.indexes, info.dtypes, strict=True):
        names = asset.band_descriptions
        name = (info.descriptions[i - 1] if len(info.descriptions) >= i else None) or (
            names[i - 1] if len(names) >= i else f"band{i}"
        )
        fields.append({"type": "Quantity", "name": name, "definition": OGC_TYPES.get(dtype, dtype)})
    return {"type": "DataRecord", "field": fields}


def with_layer_data_type(
    resp: Response, types: dict[str, str], coverages: dict[str, dict] | None = None
) -> Response:
    """Add `layerDataType` (and on a single coverage page `rangeType`) to a JSON collection(s) response."""
    doc = json_document(resp)
    if doc is None:
        return resp
    changed = False
    for entry in collection_entries(doc):
        kind = types.get(str(entry.get("id")))
        if kind and "layerDataType" not in entry:
            entry["layerDataType"] = kind
            changed = True
        if coverages and entry is doc and str(doc.get("id")) in coverages and "rangeType" not in doc:
            doc["rangeType"] = range_type(coverages[str(doc["id"])])
            changed = True
    if changed:
        resp.set_data(json.dumps(doc))
    return resp
