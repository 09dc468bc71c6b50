"""Zoning plans as published by law (art. 67a u.p.z.p.): each plan's APP GML 2.0 dataset and its drawing.

`/zoning/plans/{id}/app.gml` (application/gml+xml), `/zoning/plans/{id}/drawing.png` and its
world file `drawing.pgw`, where {id} is the plan's item id in the `zoning_plans` collection.
Built by `pipelines.app_export` on the read-only API connection and cached like the collection
downloads, by the data version (a new load rebuilds them). Each plan item links them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, send_file

from msip.api import http
from msip.api.downloads.build import cached, versioned_file
from msip.api.providers.db import conninfo_from_def, data_version, pool

GML_MEDIA_TYPE = "application/gml+xml"
FILES = {"app.gml": ("gml", GML_MEDIA_TYPE), "drawing.png": ("png", "image/png"),
         "drawing.pgw": ("pgw", "text/plain")}
COLLECTION = "zoning_plans"


def plan_links(base_url: str, plan_id: object) -> list[dict[str, str]]:
    """The links of one plan to its APP dataset (`alternate`) and its drawing (`preview`)."""
    root = f"{base_url.rstrip('/')}/zoning/plans/{plan_id}"
    return [
        {"rel": "alternate", "type": GML_MEDIA_TYPE, "title": "APP GML 2.0 (akt planowania przestrzennego)",
         "href": f"{root}/app.gml"},
        {"rel": "preview", "type": "image/png", "title": "Rysunek planu / plan drawing (PNG + world file)",
         "href": f"{root}/drawing.png"},
    ]


def _build(conninfo: str, base_url: str, plan_id: int, key: object) -> None:
    """Write the plan's drawing (PNG + world file) and APP dataset into the cache under `key`."""
    from pipelines.app_export.drawing import render_drawing
    from pipelines.app_export.export import app_dataset
    from pipelines.app_export.plan import read_plan

    with pool(conninfo).connection() as conn:
        data = read_plan(conn, plan_id)
    drawing = render_drawing(data)
    stem = f"zoning-plan-{plan_id}"
    dataset = app_dataset(data, drawing_url=f"{base_url}/zoning/plans/{plan_id}/drawing.png", drawing=drawing)
    for ext, content in (("png", drawing.png), ("pgw", drawing.world_file.encode()), ("gml", dataset.to_bytes())):
        cached(stem, ext, key, partial(_write, content=content))


def _write(path: Path, content: bytes) -> None:
    path.write_bytes(content)


def plan_file(conninfo: str, base_url: str, plan_id: int, ext: str) -> Path:
    """The cached file (`gml`, `png` or `pgw`) of plan `plan_id` for the current data, built when missing."""
    key = ("zoning-plan", plan_id, data_version(conninfo))
    path = versioned_file(f"zoning-plan-{plan_id}", ext, key)
    if not path.is_file():
        _build(conninfo, base_url, plan_id, key)
    return path


def _with_links(view: Callable[..., Any], base_url: str) -> Callable[..., Any]:
    """Wrap the items/item views: JSON items of `zoning_plans` get their plan's links."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        resp = view(*args, **kwargs)
        if not isinstance(resp, Response):
            return resp
        ctype = str(resp.headers.get("Content-Type") or "").split(";")[0].strip()
        if (kwargs.get("cid") != COLLECTION or resp.status_code != 200 or resp.headers.get("Content-Encoding")
                or ctype not in ("application/json", "application/geo+json")):
            return resp
        doc = json.loads(resp.get_data())
        features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
        for feature in features or []:
            if isinstance(feature, dict) and feature.get("id") is not None:
                feature.setdefault("links", []).extend(plan_links(base_url, feature["id"]))
        resp.set_data(json.dumps(doc))
        return resp

    return wrapped


def install(app: Flask, cfg: dict, base_url: str) -> None:
    """Add the plan routes and links when `cfg` publishes the `zoning_plans` collection."""
    res = cfg["resources"].get(COLLECTION) or {}
    provider = next((p for p in res.get("providers", []) if p.get("type") == "feature"), None)
    if provider is None:
        return
    conninfo, base = conninfo_from_def(provider["data"]), base_url.rstrip("/")
    for endpoint in ("ogcapi.items", "ogcapi.item"):
        app.view_functions[endpoint] = _with_links(app.view_functions[endpoint], base)

    @app.route("/zoning/plans/<plan_id>/<name>")
    def zoning_plan_file(plan_id: str, name: str) -> Response:
        from pipelines.app_export.plan import PlanNotFoundError

        if name not in FILES or not re.fullmatch(r"\d{1,18}", plan_id):
            return http.error_response(404, "NotFound", f"no resource at {request.path}; a plan's files are "
                                       f"/zoning/plans/{{id}}/{{{','.join(FILES)}}}, {{id}} its item id in "
                                       f"/collections/{COLLECTION}/items")
        ext, media = FILES[name]
        try:
            path = plan_file(conninfo, base, int(plan_id), ext)
        except PlanNotFoundError:
            return http.error_response(404, "NotFound", f"no zoning plan {plan_id}; the plans are listed at "
                                       f"/collections/{COLLECTION}/items")
        resp = send_file(path, mimetype=media, conditional=True, etag=True, max_age=300,
                         download_name=f"plan-{plan_id}-{name}")
        resp.headers["Accept-Ranges"] = "bytes"
        return resp
