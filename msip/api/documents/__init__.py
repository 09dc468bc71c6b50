"""What MSIP adds to pygeoapi's JSON documents for real clients: layer types, TMS 1.0 members, feature schemas."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_document(resp: Response) -> dict[str, Any] | None:
    """The JSON object of a 200 `application/json` response that is not compressed; None for anything else."""
    ctype = str(resp.headers.get("Content-Type") or resp.mimetype or "").split(";")[0].strip()
    if resp.status_code != 200 or ctype != "application/json" or resp.headers.get("Content-Encoding"):
        return None
    doc = json.loads(resp.get_data())
    return doc if isinstance(doc, dict) else None


def collection_entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The collection objects of a `/collections` document, or the one of a `/collections/{id}` document."""
    listed = doc.get("collections")
    entries = listed if isinstance(listed, list) else [doc]
    return [e for e in entries if isinstance(e, dict)]
