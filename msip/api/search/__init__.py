"""GET /search?q=…: the geoportal's one search box as GeoJSON (addresses, streets, plans, zones,
places, trees, advertising carriers), ranked, each hit with its kind, label, extent and links to
its item and to the "what is here" report at it. PostgreSQL does the matching (sql/105_search.sql).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Flask, Response, request

from msip.api import http
from msip.api.search.query import MAX_LIMIT, Hit, SearchQueryError, parse_kinds, search

__all__ = ["hit_feature", "install"]


def hit_feature(hit: Hit, base_url: str) -> dict:
    """A hit as a GeoJSON feature (lon/lat, CRS84) with `href` (its item) and `report` links."""
    if hit.kind == "address":
        report = f"{base_url}/report?{urlencode({'address': hit.ref})}"
    else:
        report = f"{base_url}/report?{urlencode({'lon': f'{hit.lon:.7f}', 'lat': f'{hit.lat:.7f}'})}"
    href = f"{base_url}/collections/{hit.collection}/items/{hit.ref}" if hit.collection else report
    return {
        "type": "Feature",
        "id": f"{hit.kind}:{hit.ref}",
        "geometry": {"type": "Point", "coordinates": [round(hit.lon, 7), round(hit.lat, 7)]},
        "bbox": [round(v, 7) for v in hit.bbox],
        "properties": {
            "kind": hit.kind,
            "label": hit.label,
            "score": hit.score,
            "collection": hit.collection,
            "href": href,
            "report": report,
        },
    }


def install(app: Flask, conninfo: str, base_url: str) -> None:
    """Add GET /search to `app`, reading the database at `conninfo` (the API's read-only role)."""

    @app.route("/search")
    def search_view() -> Response:
        bad = http.validate_request(request, "meta")
        if bad is not None:
            return bad
        args = request.args
        raw_limit = args.get("limit", "10")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            return http.error_response(
                400, "InvalidParameterValue", f"limit={raw_limit!r} must be a whole number from 1 to {MAX_LIMIT}"
            )
        if args.get("f", "json") not in ("json", "geojson"):
            return http.error_response(400, "InvalidParameterValue", f"f={args['f']!r}: /search answers f=json only")
        try:
            hits = search(conninfo, args.get("q"), limit=int(raw_limit), kinds=parse_kinds(args.get("kind")))
        except SearchQueryError as exc:
            return http.error_response(400, "InvalidParameterValue", str(exc))
        body = {
            "type": "FeatureCollection",
            "query": args.get("q"),
            "numberReturned": len(hits),
            "features": [hit_feature(h, base_url) for h in hits],
            "links": [{"rel": "self", "type": "application/geo+json", "href": f"{base_url}{request.full_path}"}],
        }
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")
