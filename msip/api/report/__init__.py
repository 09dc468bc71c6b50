"""GET /report: "Co tu jest? / What is here?" for a point (`lon`, `lat`, CRS84) or a PRG address
(`address`, its id from /search): zoning zones and rules with the plan, DTM/DSM heights, trees
within 50 m, the nearest residential building's 3-30-300 result, modelled daytime air
temperature, advertising carriers within 100 m and detected changes. `f=json` (default) or
`f=html`, a printable page built from the very same dictionary (`lang=pl|en`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, Response, request

from msip.api import http
from msip.api.providers.db import fetch
from msip.api.report.html import render_html
from msip.api.report.query import SECTIONS, jsonable
from msip.core.extents import POLAND_RULE_LONLAT

__all__ = ["build_report", "install"]
#: The print view has no scripts; its styles are inline.
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; " \
           "form-action 'none'; frame-ancestors 'self'"


class ReportRequestError(ValueError):
    """A report request that cannot be answered as asked (bad or missing place): 400/404 with the reason."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _number(name: str, raw: str | None) -> float:
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ReportRequestError(f"{name}={raw!r} must be a number in degrees, e.g. lon=20.6286&lat=50.8703")
    return value


def locate(conninfo: str, args) -> dict:
    """The place asked for: lon/lat (CRS84) and easting/northing (EPSG:2180), and the address if one was named."""
    if "address" in args:
        ref = args["address"]
        rows = fetch(conninfo, """
            SELECT address_pk, coalesce(street, locality, '') || ' ' || house_number
                       || coalesce(', ' || postcode, '') || coalesce(' ' || locality, ''),
                   ST_X(geom), ST_Y(geom), ST_X(ST_Transform(geom, 4326)), ST_Y(ST_Transform(geom, 4326))
            FROM msip.address WHERE address_pk::text = %s""", (ref,))
        if not rows:
            raise ReportRequestError(f"address={ref!r}: no such address point; find one with /search?q=…", 404)
        pk, label, x, y, lon, lat = rows[0]
        return {"lon": round(lon, 7), "lat": round(lat, 7), "easting": round(x, 2), "northing": round(y, 2),
                "address": {"address_id": pk, "label": label, "distance_m": 0.0}}
    if "lon" not in args and "lat" not in args:
        raise ReportRequestError("name the place: lon=…&lat=… (CRS84 degrees, e.g. lon=20.6286&lat=50.8703) "
                                 "or address=… (an address id from /search)")
    lon, lat = _number("lon", args.get("lon")), _number("lat", args.get("lat"))
    box = POLAND_RULE_LONLAT
    if not (box.minx <= lon <= box.maxx and box.miny <= lat <= box.maxy):
        swapped = box.minx <= lat <= box.maxx and box.miny <= lon <= box.maxy
        hint = f"; swapped it would be in Poland: lon={lat}&lat={lon}" if swapped else ""
        raise ReportRequestError(
            f"lon={lon}, lat={lat} lies outside Poland ({box.minx:.2f}–{box.maxx:.2f}°E, "
            f"{box.miny:.2f}–{box.maxy:.2f}°N){hint}")
    x, y = fetch(conninfo, "SELECT ST_X(p), ST_Y(p) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), 2180) p",
                 (lon, lat))[0]
    near = fetch(conninfo, """
        SELECT address_pk, coalesce(street, locality, '') || ' ' || house_number
                   || coalesce(', ' || postcode, '') || coalesce(' ' || locality, ''),
               ST_Distance(geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 2180))
        FROM msip.address WHERE ST_DWithin(geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 2180), 50)
        ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 2180) LIMIT 1""", {"x": x, "y": y})
    address = {"address_id": near[0][0], "label": near[0][1], "distance_m": round(near[0][2], 1)} if near else None
    return {"lon": round(lon, 7), "lat": round(lat, 7), "easting": round(x, 2), "northing": round(y, 2),
            "address": address}


def build_report(conninfo: str, args, base_url: str) -> dict:
    """The report as a JSON-ready dictionary (raises ReportRequestError for a bad place)."""
    where = locate(conninfo, args)
    x, y = where["easting"], where["northing"]
    report: dict[str, Any] = {"location": where}
    report.update({name: section(conninfo, x, y) for name, section in SECTIONS.items()})
    for zone in report["zoning"]["zones"]:
        zone["href"] = f"{base_url}/collections/zoning_zones/items/{zone['zone_id']}"
        if zone["plan"]:
            zone["plan"]["href"] = f"{base_url}/collections/zoning_plans/items/{zone['plan']['plan_id']}"
    for item in report["carriers"]["items"]:
        item["href"] = f"{base_url}/collections/advertisements/items/{item['ad_id']}"
    here = f"{base_url}/report?lon={where['lon']}&lat={where['lat']}"
    report["links"] = [
        {"rel": "self", "type": "application/json", "href": f"{here}&f=json"},
        {"rel": "alternate", "type": "text/html", "title": "print view", "href": f"{here}&f=html"},
    ]
    return jsonable(report)


def install(app: Flask, conninfo: str, base_url: str) -> None:
    """Add GET /report to `app`, reading the database at `conninfo` (the API's read-only role)."""

    @app.route("/report")
    def report_view() -> Response:
        bad = http.validate_request(request, "meta")
        if bad is not None:
            return bad
        fmt = request.args.get("f", "json")
        lang = request.args.get("lang", "pl")
        if fmt not in ("json", "html") or lang not in ("pl", "en"):
            return http.error_response(400, "InvalidParameterValue",
                                       f"f={fmt!r}, lang={lang!r}: use f=json or f=html, lang=pl or lang=en")
        try:
            report = build_report(conninfo, request.args, base_url)
        except ReportRequestError as exc:
            code = "NotFound" if exc.status == 404 else "InvalidParameterValue"
            return http.error_response(exc.status, code, str(exc))
        if fmt == "html":
            resp = Response(render_html(report, lang), mimetype="text/html")
            resp.headers["Content-Security-Policy"] = HTML_CSP
            return resp
        return Response(json.dumps(report, ensure_ascii=False), mimetype="application/json")
