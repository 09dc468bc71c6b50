"""The OpenAPI document, generated from the prepared config when the server starts."""

from __future__ import annotations

import logging

LOGGER = logging.getLogger(__name__)


def build_openapi(cfg: dict) -> dict:
    """pygeoapi's OpenAPI 3.0 document for `cfg`, plus MSIP's tile-data and metrics paths."""
    from pygeoapi.openapi import get_oas

    oas = get_oas(cfg, fail_on_invalid_collection=False)
    add_filter_parameters(oas, cfg)
    for cid, res in cfg["resources"].items():
        tile = next((p for p in res.get("providers", []) if p.get("type") == "tile"), None)
        if tile is None:
            continue
        path = (
            f"/collections/{cid}/tiles/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
        )
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": t}}
            for n, t in (
                ("tileMatrixSetId", "string"),
                ("tileMatrix", "integer"),
                ("tileRow", "integer"),
                ("tileCol", "integer"),
            )
        ]
        oas["paths"][path] = {
            "get": {
                "summary": f"Get a {tile['format']['name']} tile of {cid}",
                "tags": [cid],
                "operationId": f"get{cid.capitalize()}TileData",
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "the tile",
                        "content": {
                            tile["format"]["mimetype"]: {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    "304": {"description": "not modified (ETag)"},
                    "404": {"description": "tile outside the data or the zoom range"},
                },
            }
        }
    localize(oas)
    oas["paths"]["/metrics"] = {
        "get": {
            "summary": "Prometheus metrics",
            "tags": ["server"],
            "operationId": "getMetrics",
            "responses": {
                "200": {
                    "description": "metrics in Prometheus text format",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    }
    return oas


#: CQL2 parameters of every MSIP feature collection's items (OGC API Features Part 3).
FILTER_PARAMETERS = [
    {
        "name": "filter",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "maxLength": 20000},
        "description": "CQL2 text filter over the queryables, e.g. height_m > 10 AND species LIKE 'Tilia%'",
    },
    {
        "name": "filter-lang",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["cql2-text"], "default": "cql2-text"},
        "description": "language of `filter` (CQL2 text)",
    },
    {
        "name": "filter-crs",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "uri"},
        "description": "CRS of the geometry literals in `filter` (default CRS84, lon/lat)",
    },
]


def add_filter_parameters(oas: dict, cfg: dict) -> None:
    """Declare filter, filter-lang and filter-crs on the items path of each MSIP feature collection."""
    for cid, res in cfg["resources"].items():
        if not any(
            p.get("type") == "feature" and str(p.get("name", "")).startswith("msip.")
            for p in res.get("providers", [])
        ):
            continue
        get = oas["paths"].get(f"/collections/{cid}/items", {}).get("get")
        if get is None:
            continue
        params = get.setdefault("parameters", [])
        present = {p.get("name") for p in params if isinstance(p, dict)}
        params.extend(dict(p) for p in FILTER_PARAMETERS if p["name"] not in present)


#: Path parameters among the OGC building blocks pygeoapi refers to by remote URL.
PATH_PARAMETERS = {
    "featureId",
    "collectionId",
    "jobId",
    "processId",
    "tileMatrixSetId",
    "tileMatrix",
    "tileRow",
    "tileCol",
    "styleId",
}


def _stub(ref: str, where: str) -> dict:
    name = ref.rsplit("#", 1)[-1].rsplit("/", 1)[-1].removesuffix(".yaml")
    if where == "parameter":
        location = "path" if name in PATH_PARAMETERS else "query"
        return {
            "name": name,
            "in": location,
            "required": location == "path",
            "schema": {"type": "string"},
            "description": f"see {ref}",
        }
    if where == "response":
        return {
            "description": f"{name} (see {ref})",
            "content": {"application/json": {"schema": {}}},
        }
    return {"description": f"see {ref}"}


def localize(node, where: str = "schema") -> None:
    """Make the document self-contained: remote `$ref`s (OGC schema servers) become local stubs,
    and responses get the `description` OpenAPI 3.0 requires, so offline clients and validators work."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key == "parameters" and isinstance(value, list):
                for i, p in enumerate(value):
                    if isinstance(p, dict) and str(p.get("$ref", "")).startswith("http"):
                        value[i] = _stub(p["$ref"], "parameter")
                    else:
                        localize(p)
            elif key == "responses" and isinstance(value, dict):
                for code, r in value.items():
                    if isinstance(r, dict) and str(r.get("$ref", "")).startswith("http"):
                        value[code] = _stub(r["$ref"], "response")
                    elif isinstance(r, dict):
                        if "$ref" not in r:
                            r.setdefault("description", "response")
                        localize(r)
            elif isinstance(value, dict) and str(value.get("$ref", "")).startswith("http"):
                node[key] = _stub(value["$ref"], "schema")
            else:
                localize(value)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and str(item.get("$ref", "")).startswith("http"):
                node[i] = _stub(item["$ref"], "schema")
            else:
                localize(item)
