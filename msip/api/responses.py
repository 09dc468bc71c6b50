"""Responses MSIP answers itself: conformance, tile data (pre-render ETags, epochs) and health."""

from __future__ import annotations

import json
from datetime import date

from flask import Request, Response
from pygeoapi.api import API
from pygeoapi.plugin import load_plugin
from pygeoapi.provider.base import ProviderGenericError

from msip.api import http
from msip.core.epochs import parse_epoch
from msip.core.errors import EpochError

#: Accepted values of `f` for each tile format name in the config.
TILE_FORMATS = {
    "mvt": {"mvt", "pbf", "application/vnd.mapbox-vector-tile"},
    "png": {"png", "image/png"},
    "webp": {"webp", "image/webp"},
    "jpeg": {"jpeg", "jpg", "image/jpeg"},
}


def conformance_response(api: API, req: Request, classes: list[str]) -> Response:
    if (
        req.args.get("f", "json") in ("html",)
        or ("text/html" in req.headers.get("Accept", "") and "f" not in req.args)
    ):
        from pygeoapi.api import SYSTEM_LOCALE
        from pygeoapi.util import render_j2_template

        html = render_j2_template(
            api.tpl_config,
            api.config["server"]["templates"],
            "conformance.html",
            {"conformsTo": classes},
            SYSTEM_LOCALE,
        )
        return Response(html, mimetype="text/html")
    return Response(json.dumps({"conformsTo": classes}), mimetype="application/json")


def _tile_epoch(value: str) -> date | None:
    """A tile `datetime` as a calendar date if it is exactly YYYY-MM-DD, else None."""
    try:
        return parse_epoch(value) if len(value) == 10 else None
    except EpochError:
        return None


def tile_response(api: API, req: Request, cid: str, tms: str, z: int, y: int, x: int) -> Response:
    """A vector or map tile (a raster's `datetime` epoch, else the latest); 304 while ETag holds."""
    from pygeoapi.util import get_provider_by_type

    res = api.config["resources"].get(cid)
    if res is None or res.get("type") != "collection":
        return http.error_response(
            404, "NotFound", f"collection {cid!r} not found; /collections lists them"
        )
    try:
        provider_def = get_provider_by_type(res["providers"], "tile")
    except ProviderGenericError:
        return http.error_response(404, "NotFound", f"collection {cid!r} has no tiles")
    fmt = provider_def["format"]["name"].lower()
    wanted = req.args.get("f")
    if wanted and wanted.lower() not in TILE_FORMATS.get(fmt, {fmt}):
        return http.error_response(
            400,
            "InvalidParameterValue",
            f"f={wanted!r}: this collection's tiles are {fmt}; use f={fmt} or omit f",
        )
    wanted_epoch = req.args.get("datetime")
    epoch = None if wanted_epoch is None else _tile_epoch(wanted_epoch)
    if wanted_epoch is not None and epoch is None:
        return http.error_response(
            400,
            "InvalidParameterValue",
            f"datetime={wanted_epoch!r} is not a date; map tiles take one epoch as "
            "datetime=YYYY-MM-DD, e.g. datetime=2024-06-15 (the tileset metadata lists the epochs)",
        )
    try:
        p = load_plugin("provider", provider_def)
        if epoch is not None:
            if not hasattr(p, "select_epoch"):
                return http.error_response(
                    400,
                    "InvalidParameterValue",
                    f"collection {cid!r} has no tile epochs; remove the datetime parameter",
                )
            p.select_epoch(epoch)
        seed = getattr(p, "etag_seed", None)
        etag = http.etag_of(b"", seed, req.path) if seed else None
        if etag and http.matches(req, etag):
            return http.not_modified(etag, http.MAX_AGE["tiles"])
        data = p.get_tiles(layer=p.get_layer(), tileset=tms, z=z, y=y, x=x, format_=fmt)
    except ProviderGenericError as err:
        return http.error_response(int(err.http_status_code), err.ogc_exception_code, err.message)
    # None: a tile inside the declared limits without data
    resp = Response(status=204) if data is None else Response(data, mimetype=provider_def["format"]["mimetype"])
    if etag:
        resp.headers["ETag"] = etag
    return resp


def health_response(cfg: dict) -> Response:
    """200 when the database answers, 503 with the reason otherwise (for load balancers)."""
    from msip.api.providers.db import DatabaseUnavailable, conninfo_from_def, fetch

    data = next(
        (
            p["data"]
            for r in cfg["resources"].values()
            for p in r.get("providers", [])
            if isinstance(p.get("data"), dict) and "dbname" in p["data"]
        ),
        None,
    )
    if data is None:
        return Response(
            json.dumps({"status": "ok", "database": "not used"}), mimetype="application/json"
        )
    try:
        fetch(conninfo_from_def(data), "SELECT 1")
    except DatabaseUnavailable as exc:
        return http.error_response(503, "ServiceUnavailable", exc.message)
    resp = Response(json.dumps({"status": "ok", "database": "ok"}), mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    return resp
