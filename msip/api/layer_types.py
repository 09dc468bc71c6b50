"""`layerDataType` on raster collections, so feature clients (GDAL ≤ 3.6 `OAPIF:`) skip them.

GDAL 3.6's OAPIF driver turns every entry of `/collections` into a vector layer unless the entry
says `layerDataType: Coverage` (or `Raster`); it does not read `itemType`. Without the member,
`ogrinfo OAPIF:…` lists the coverages as layers whose `/items` answer 400. The member is added to
the JSON `/collections` list and `/collections/{id}` documents of collections without features
(OGC API Common allows extra members; pygeoapi's own members are left as they are).
"""

from __future__ import annotations

import json

from flask import Response


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


def with_layer_data_type(resp: Response, types: dict[str, str]) -> Response:
    """Add `layerDataType` to the raster collections of a JSON collection(s) response."""
    ctype = str(resp.headers.get("Content-Type") or resp.mimetype or "").split(";")[0].strip()
    if resp.status_code != 200 or ctype != "application/json" or resp.headers.get("Content-Encoding"):
        return resp
    doc = json.loads(resp.get_data())
    if not isinstance(doc, dict):
        return resp
    listed = doc.get("collections")
    entries: list = listed if isinstance(listed, list) else [doc]
    changed = False
    for entry in entries:
        kind = types.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if kind and "layerDataType" not in entry:
            entry["layerDataType"] = kind
            changed = True
    if changed:
        resp.set_data(json.dumps(doc))
    return resp
