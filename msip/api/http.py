"""HTTP behaviour around pygeoapi: early 400s for malformed parameters, ETag/304, caching, security headers.

Data changes only when a load runs, so successful GETs carry a strong ETag (a hash of the body,
or of the source raster's identity for map tiles) and a Cache-Control lifetime chosen per kind
of resource; a matching If-None-Match answers 304 with no body.
"""

from __future__ import annotations

import hashlib
import json
import math
import re

from flask import Request, Response

#: pygeoapi stamps item pages with the time of the request; it must not change the ETag.
TIMESTAMP = re.compile(rb'"timeStamp":"[^"]*"')
#: Cache lifetimes (seconds) by the first path segment after /collections/{id}.
MAX_AGE = {"tiles": 3600, "coverage": 3600, "items": 60, "meta": 300}
JSON_ERROR = "application/json"
GEOJSON = "application/geo+json"
#: The web map's policy: its own scripts and worker only (MapLibre's CSP build: no eval, no blob:
#: workers), data from this server, tile images decoded from data:/blob: URLs.
MAP_CSP = (
    "default-src 'none'; script-src 'self'; worker-src 'self'; connect-src 'self'; "
    "img-src 'self' data: blob:; style-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)

#: The 3D viewer's policy: the map's, plus compiling its own WebAssembly (laz-perf, the LAZ
#: decoder, served from /map/3d/) — 'wasm-unsafe-eval' allows WebAssembly only, not JS eval.
MAP3D_CSP = MAP_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")


def error_response(status: int, code: str, message: str) -> Response:
    """An OGC API exception document: {"code", "type", "description"}."""
    body = json.dumps({"code": code, "type": code, "description": message})
    resp = Response(body, status=status, mimetype=JSON_ERROR)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _bbox_problem(value: str) -> str | None:
    parts = value.split(",")
    if len(parts) not in (4, 6):
        return f"bbox={value!r} must have 4 or 6 comma-separated numbers, e.g. bbox=20.60,50.85,20.65,50.88"
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return f"bbox={value!r} holds something that is not a number; e.g. bbox=20.60,50.85,20.65,50.88"
    if not all(math.isfinite(n) for n in nums):
        return f"bbox={value!r} must be finite numbers"
    half = len(nums) // 2
    if any(nums[i] > nums[i + half] for i in range(half)):
        return f"bbox={value!r}: each minimum must not exceed its maximum (lower corner first, then upper corner)"
    return None


def validate_request(req: Request, kind: str) -> Response | None:
    """A 400 response for malformed common parameters, or None when the request may proceed."""
    args = req.args
    for name, value in args.items(multi=True):
        if "\x00" in value:
            return error_response(
                400, "InvalidParameterValue", f"{name} contains a NUL character (0x00); remove it"
            )
    if "bbox" in args:
        problem = _bbox_problem(args["bbox"])
        if problem:
            return error_response(400, "InvalidParameterValue", problem)
    for name in ("limit", "offset"):
        if name in args:
            v = args[name]
            if not v.isdigit() or len(v) > 12:
                return error_response(
                    400,
                    "InvalidParameterValue",
                    f"{name}={v!r} must be a non-negative integer, e.g. {name}=100",
                )
    if "sortby" in args and any(s.strip("+- ") == "" for s in args["sortby"].split(",")):
        return error_response(
            400,
            "InvalidParameterValue",
            f"sortby={args['sortby']!r} names no property; e.g. sortby=-height_m,species",
        )
    if kind == "execute":
        try:
            body = json.loads(req.get_data(cache=True) or b"{}")
        except ValueError:
            return error_response(400, "InvalidParameterValue",
                                  "the request body is not valid JSON; send {\"inputs\": {…}}")
        if not isinstance(body, dict) or not isinstance(body.get("inputs", {}), dict):
            return error_response(400, "InvalidParameterValue",
                                  'the request body must be a JSON object like {"inputs": {…}}')
    if kind == "coverage":
        from msip.api.providers.coverage_params import SCALE_SIZE, parse_scale_size

        raw = args.get("scale-size", args.get("scaleSize"))
        try:
            SCALE_SIZE.set(parse_scale_size(raw) if raw is not None else None)
        except ValueError as exc:
            return error_response(400, "InvalidParameterValue", str(exc))
        if "subset-crs" in args:
            problem = _subset_crs_problem(args["subset-crs"])
            if problem:
                return error_response(400, "InvalidParameterValue", problem)
    if kind == "items" and "filter" in args:
        from msip.api.providers.cql import FilterError, parse_filter

        lang = args.get("filter-lang")
        if lang not in (None, "cql2-text", "cql-text", "ecql"):
            return error_response(
                400,
                "InvalidParameterValue",
                f"filter-lang={lang!r} is not supported; use filter-lang=cql2-text",
            )
        try:
            parse_filter(args["filter"], "cql2-text" if lang == "cql2-text" else None)
        except FilterError as exc:
            return error_response(400, "InvalidParameterValue", str(exc))
    return None


def _subset_crs_problem(value: str) -> str | None:
    """Why a coverage `subset-crs` cannot be honoured (subsets are read in EPSG:2180), or None.

    pygeoapi ignores the parameter, so a subset meant in another CRS would silently be read as
    EPSG:2180 coordinates: refuse it instead, and name the way that works.
    """
    from msip.api.crs import UnsupportedCrs, parse_crs_uri

    try:
        crs = parse_crs_uri(value)
    except UnsupportedCrs as exc:
        return f"subset-crs: {exc}"
    if crs.srid != 2180:
        return (
            f"subset-crs={value!r}: coverage subsets are given in the coverage's own CRS, EPSG:2180 "
            "(x = easting, y = northing, metres); for another CRS use bbox=… with bbox-crs=…"
        )
    return None


def etag_of(body: bytes, *extra: str) -> str:
    h = hashlib.blake2b(body, digest_size=16)
    for e in extra:
        h.update(e.encode())
    return f'"{h.hexdigest()}"'


def matches(req: Request, etag: str) -> bool:
    inm = req.headers.get("If-None-Match")
    if not inm:
        return False
    return inm.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in inm.split(",")]


def not_modified(etag: str, max_age: int) -> Response:
    resp = Response(status=304)
    resp.headers["ETag"] = etag
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    return resp


def cache_kind(path: str) -> str:
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "collections":
        if parts[2] == "tiles" and len(parts) >= 7:
            return "tiles"
        if parts[2] in ("items", "coverage"):
            return parts[2]
    return "meta"


def finish(req: Request, resp: Response) -> Response:
    """Add ETag/Cache-Control (or turn into 304), CORS and security headers to a response."""
    h = resp.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    h.setdefault("X-Frame-Options", "SAMEORIGIN")
    h.setdefault("Access-Control-Allow-Origin", "*")
    h.setdefault("Access-Control-Expose-Headers", "ETag, Content-Crs, Link")
    ctype = resp.mimetype or ""
    declared = str(h.get("Content-Type") or "").split(";")[0].strip()  # headers may be a plain dict
    if declared == "application/json" and resp.status_code == 200 and cache_kind(req.path) == "items":
        h["Content-Type"] = GEOJSON  # features are GeoJSON: say so (clients pick a reader by it)
    if req.path.startswith("/map/3d/"):
        h["Content-Security-Policy"] = MAP3D_CSP
    elif req.path == "/map" or req.path.startswith("/map/"):
        h["Content-Security-Policy"] = MAP_CSP  # also governs the map's worker, loaded from /map/
    elif not ctype.startswith("text/html"):
        h.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    if req.method not in ("GET", "HEAD") or resp.status_code != 200 or resp.direct_passthrough:
        if resp.status_code >= 400:
            h["Cache-Control"] = "no-store"
        return resp
    if req.path.startswith("/metrics") or req.path.startswith("/jobs"):
        h["Cache-Control"] = "no-store"
        return resp
    max_age = MAX_AGE[cache_kind(req.path)]
    etag = h.get("ETag") or etag_of(
        TIMESTAMP.sub(b"", resp.get_data()), h.get("Content-Crs", ""), h.get("Content-Language", "")
    )
    h["ETag"] = etag
    h["Cache-Control"] = f"public, max-age={max_age}"
    h["Vary"] = "Accept, Accept-Language, Accept-Encoding"
    if matches(req, etag):
        return not_modified(etag, max_age)
    tiff = str(h.get("Content-Type") or ctype).split(";")[0].strip() == "image/tiff"
    if tiff and cache_kind(req.path) == "coverage":
        # GDAL's /vsicurl/ (and QGIS) read GeoTIFFs by byte ranges: answer Range with 206
        resp.make_conditional(req, accept_ranges=True, complete_length=len(resp.get_data()))
    return resp
