"""`/downloads/{collection}.{ext}`: the whole-dataset files, with ETag, Range and a stable URL; `/downloads`
lists them with their sizes. A file not built for the current data is built in the background
(`msip.api.downloads.background`): 202 with Retry-After until it is ready, 503 with Retry-After
while the database is away."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, send_file

from msip.api import http
from msip.api.downloads import background
from msip.api.downloads.build import current_file
from msip.api.downloads.formats import BY_EXT, download_url, formats_for
from msip.api.pointcloud import tiles
from msip.api.providers.db import DatabaseUnavailable

LOGGER = logging.getLogger(__name__)
_state: dict = {}


def provider_for(res: dict, ext: str) -> dict | None:
    """The provider of a collection that a download in `ext` is made from (feature or coverage), if any."""
    want = "coverage" if ext == "tif" else "feature"
    return next((p for p in res.get("providers", []) if p.get("type") == want
                 and str(p.get("name", "")).startswith("msip.")), None)


def kind_of(res: dict) -> str | None:
    """"features" or "coverage" for a downloadable collection, else None."""
    types = {p.get("type") for p in res.get("providers", []) if str(p.get("name", "")).startswith("msip.")}
    return "features" if "feature" in types else "coverage" if "coverage" in types else None


def length(cid: str, ext: str, res: dict) -> int | None:
    """The byte size of the current download when it is built already (else None: built on first request).

    Raises DatabaseUnavailable when the database is away, so a caller listing many links waits once, not per link.
    """
    p = provider_for(res, ext)
    if p is None:
        return None
    try:
        path = current_file(cid, ext, p)
        return path.stat().st_size if path.is_file() else None
    except DatabaseUnavailable:
        raise  # the caller stops asking for the other links' lengths
    except Exception:  # noqa: BLE001 - a link's length is optional
        return None


def _manager(cfg: dict):  # -> pygeoapi BaseManager, one per server process (made after the fork)
    if "manager" not in _state:
        from pygeoapi.process.manager.base import get_manager

        _state["manager"] = get_manager(cfg)
    return _state["manager"]


def _not_ready(status: int, code: str, message: str, retry_after_s: int, job_id: str | None = None) -> Response:
    resp = http.error_response(status, code, message)
    if job_id:
        body = resp.get_json()
        resp.set_data(json.dumps({**body, "jobID": job_id}))
    resp.headers["Retry-After"] = str(retry_after_s)
    return resp


def install(app: Flask, cfg: dict) -> None:
    """Register the download routes over the collections `cfg` publishes: the files and their index."""
    resources = cfg["resources"]
    base = str(cfg["server"]["url"]).rstrip("/")

    @app.route("/downloads/<name>")
    def download(name: str) -> Response:
        cid, _, ext = name.rpartition(".")
        res = resources.get(cid)
        kind = kind_of(res) if res and res.get("type") == "collection" else None
        if kind is None:
            return http.error_response(404, "NotFound", f"no download {name!r}: {cid!r} is not a published feature "
                                       "or coverage collection; the collections list their downloads as "
                                       "rel=enclosure links")
        allowed = [f.ext for f in formats_for(kind)]
        if ext not in allowed:
            return http.error_response(404, "NotFound", f"no download {name!r}: {cid} is offered as "
                                       + ", ".join(f"{cid}.{e}" for e in allowed))
        provider = provider_for(res or {}, ext)
        assert provider is not None
        try:
            got = background.request(_manager(cfg), cid, ext, kind, provider)
        except DatabaseUnavailable:
            return _not_ready(503, "ServiceUnavailable", "the database is unavailable, so the current data "
                              "version is unknown; try again later (Retry-After)", background.RETRY_AFTER_S)
        if isinstance(got, background.Pending):
            return _not_ready(202, "Accepted", f"{cid}.{ext} is being built for the current data; ask the same URL "
                              f"again after {got.retry_after_s} s (Retry-After) to get the file",
                              got.retry_after_s, got.job_id)
        if isinstance(got, background.Failed):
            LOGGER.error("building %s.%s failed: %s", cid, ext, got.reason)
            return _not_ready(503, "ServiceUnavailable", f"building {cid}.{ext} failed (the server log has the "
                              f"details); it is tried again after {background.RETRY_FAILED_S} s",
                              background.RETRY_FAILED_S)
        resp = send_file(got, mimetype=BY_EXT[ext].media_type, conditional=True, etag=True,
                         download_name=f"{cid}.{ext}", max_age=300)
        resp.headers["Accept-Ranges"] = "bytes"
        return resp

    @app.route("/downloads")
    def download_index() -> Response:
        return Response(json.dumps(index(resources, base)), mimetype="application/json")


def index(resources: dict, base_url: str) -> dict:
    """Every published collection's downloads: URL, type, title and, once built, `length` in bytes."""
    out: list[dict] = []
    sizes = True
    for cid, res in resources.items():
        kind = kind_of(res) if res.get("type") == "collection" else None
        if kind is None:
            continue
        files = []
        for fmt in formats_for(kind):
            size = None
            if sizes:
                try:
                    size = length(cid, fmt.ext, res)
                except DatabaseUnavailable:
                    sizes = False  # listed without lengths; asked once, not per file
            entry: dict = {"format": fmt.ext, "type": fmt.media_type, "title": fmt.title,
                           "href": download_url(base_url, cid, fmt.ext), "ready": size is not None}
            if size is not None:
                entry["length"] = size
            files.append(entry)
        out.append({"collection": cid, "kind": kind, "files": files})
    conninfo = tiles.conninfo_of(resources)
    if conninfo is not None and sizes:  # LiDAR: one LAZ per epoch and source tile
        try:
            links = tiles.enclosure_links(conninfo, base_url)
        except DatabaseUnavailable:
            links = []
        by_epoch: dict[str, list[dict]] = {}
        for link in links:
            by_epoch.setdefault(link["epoch"], []).append(
                {"format": tiles.LAZ_FORMAT.ext, "type": link["type"], "title": link["title"], "href": link["href"],
                 "tile": link["tile"], "points": link["points"], "ready": "length" in link}
                | ({"length": link["length"]} if "length" in link else {}))
        out += [{"collection": tiles.COLLECTION, "kind": "lidar-tiles", "epoch": e, "files": f}
                for e, f in by_epoch.items()]
    return {"downloads": out, "retryAfter": background.RETRY_AFTER_S}
