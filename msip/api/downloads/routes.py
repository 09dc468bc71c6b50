"""`/downloads/{collection}.{ext}`: the whole-dataset files, with ETag, Range and a stable URL."""

from __future__ import annotations

from flask import Flask, Response, send_file

from msip.api import http
from msip.api.downloads.build import current_file, ensure
from msip.api.downloads.formats import BY_EXT, formats_for
from msip.api.providers.db import DatabaseUnavailable


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


def install(app: Flask, resources: dict) -> None:
    """Register the download route over the published collections `resources`."""

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
        path = ensure(cid, ext, provider)
        resp = send_file(path, mimetype=BY_EXT[ext].media_type, conditional=True, etag=True,
                         download_name=f"{cid}.{ext}", max_age=300)
        resp.headers["Accept-Ranges"] = "bytes"
        return resp
