"""TileMatrixSet documents that TMS 2.0 clients and GDAL ≤ 3.6 (TMS 1.0 only) both read.

pygeoapi serves OGC TMS 2.0 (`id`, `crs`, `tileMatrices`, `pointOfOrigin`). GDAL 3.6's OGCAPI
driver parses only TMS 1.0 (`type: TileMatrixSetType`, `identifier`, `supportedCRS`,
`tileMatrix`, `topLeftCorner`) and fails with "Invalid tiling matrix set name". The 1.0 members
are added next to the 2.0 ones: each client reads its own and ignores the others.
"""

from __future__ import annotations

import json

from flask import Response

from msip.api.documents import json_document


def with_tms1_members(resp: Response) -> Response:
    """Add the TMS 1.0 members to a JSON TileMatrixSet response (others pass unchanged)."""
    doc = json_document(resp)
    if doc is None or "tileMatrices" not in doc:
        return resp
    matrices = doc["tileMatrices"]
    origin = matrices[0]["pointOfOrigin"] if matrices else [0.0, 0.0]
    span = [abs(v) for v in origin]
    doc.update({
        "type": "TileMatrixSetType",
        "identifier": doc.get("id"),
        "supportedCRS": doc.get("crs"),
        "boundingBox": {
            "type": "BoundingBoxType",
            "crs": doc.get("crs"),
            "lowerCorner": [-span[0], -span[1]],
            "upperCorner": [span[0], span[1]],
        },
        "tileMatrix": [
            {
                "type": "TileMatrixType",
                "identifier": m["id"],
                "scaleDenominator": m["scaleDenominator"],
                "topLeftCorner": m["pointOfOrigin"],
                "tileWidth": m["tileWidth"],
                "tileHeight": m["tileHeight"],
                "matrixWidth": m["matrixWidth"],
                "matrixHeight": m["matrixHeight"],
            }
            for m in matrices
        ],
    })
    resp.set_data(json.dumps(doc))
    return resp
