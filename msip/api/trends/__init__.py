"""GET /trends: an indicator over the analysis runs, one point per epoch, at a living-conditions cell
(`cell=` its code), a district (`district=` a zoning zone's id: heat statistics are kept per zone)
or a point (`lon`, `lat` in CRS84: the cell and the zone holding it). Without `indicator` it lists
the indicators with their fixed colour scales (what the web map's choropleth and legends use).
JSON only (the web map draws the chart).
"""

from __future__ import annotations

import json

from flask import Flask, Response, request

from msip.api import http
from msip.api.report import ReportRequestError, locate
from msip.api.trends.indicators import INDICATORS, Indicator
from msip.api.trends.series import cell_at, district_at, district_label, heat_series, living_series

__all__ = ["install", "trend"]
MODES = ("day", "night")


def _place(conninfo: str, ind: Indicator, args) -> tuple[str, str | int | None]:
    """(kind, id) of the place asked for; a point becomes the cell (living) or zone (heat) holding it."""
    if "cell" in args:
        return "cell", args["cell"]
    if "district" in args:
        if ind.source != "heat":
            raise ReportRequestError(f"indicator={ind.name!r} is kept per grid cell, not per district; "
                                     "ask with cell=<cell code> (or lon=…&lat=…)")
        raw = args["district"]
        if not raw.isdigit():
            raise ReportRequestError(f"district={raw!r} must be a zoning zone id (a whole number, e.g. district=3)")
        return "district", int(raw)
    if "lon" in args or "lat" in args or "address" in args:
        where = locate(conninfo, args)
        x, y = where["easting"], where["northing"]
        if ind.source == "heat":
            return "district", district_at(conninfo, x, y)
        return "cell", cell_at(conninfo, x, y)
    raise ReportRequestError("name the place: cell=<cell code, e.g. 100mE614000N334600>, district=<zoning zone id> "
                             "or lon=…&lat=… (CRS84 degrees)")


def trend(conninfo: str, args, base_url: str) -> dict:
    """The trend document (raises ReportRequestError for a bad request)."""
    name = args.get("indicator")
    ind = INDICATORS.get(name or "")
    if ind is None:
        raise ReportRequestError(f"indicator={name!r} is not one of: {', '.join(INDICATORS)}")
    mode = args.get("mode", "day")
    if mode not in MODES:
        raise ReportRequestError(f"mode={mode!r}: use mode=day or mode=night")
    kind, ident = _place(conninfo, ind, args)
    place: dict = {"kind": kind, "id": ident}
    note: str | None
    if ident is None:
        points: list[dict] = []
        note = f"no {'zoning zone' if kind == 'district' else 'living-conditions cell'} holds this place"
    elif ind.source == "living":
        points = living_series(conninfo, ind, str(ident))
        note = None if points else f"no living-conditions run computed cell {ident}"
    else:
        if kind == "district":
            label = district_label(conninfo, int(ident))
            if label is None:
                raise ReportRequestError(f"district={ident}: no such zoning zone", 404)
            place.update(label)
            points = heat_series(conninfo, ind, district=int(ident), mode=mode)
        else:
            points = heat_series(conninfo, ind, cell=str(ident), mode=mode)
        note = None if points else f"no {mode} heat-island run has statistics for this {kind}"
    query = f"indicator={ind.name}&{'cell' if kind == 'cell' else 'district'}={ident}"
    return {
        "indicator": ind.as_json(), "mode": mode if ind.source == "heat" else None, "place": place,
        "points": points, "note": note,
        "links": [{"rel": "self", "type": "application/json", "href": f"{base_url}/trends?{query}"}],
    }


def install(app: Flask, conninfo: str, base_url: str) -> None:
    """Add GET /trends to `app`, reading the database at `conninfo` (the API's read-only role)."""

    @app.route("/trends")
    def trends_view() -> Response:
        bad = http.validate_request(request, "meta")
        if bad is not None:
            return bad
        if request.args.get("f", "json") != "json":
            return http.error_response(400, "InvalidParameterValue", f"f={request.args['f']!r}: use f=json")
        if "indicator" not in request.args:
            body = {"indicators": [i.as_json() for i in INDICATORS.values()]}
            return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
        try:
            doc = trend(conninfo, request.args, base_url)
        except ReportRequestError as exc:
            code = "NotFound" if exc.status == 404 else "InvalidParameterValue"
            return http.error_response(exc.status, code, str(exc))
        return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/json")
