"""/map: the public web map built into `web/dist` (`make web`), else a small placeholder page;
a folder in it is a page of its own (/map/data/: the open-data catalogue with downloads).

The page finds the API relative to itself (`../collections/…`), so /map redirects to /map/ to
make those relative URLs resolve; http.finish gives every /map response the map's own CSP.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, redirect, request, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

PLACEHOLDER = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>MSIP — mapa / map</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>MSIP — mapa miejska / city map</h1>
<p>Mapa internetowa nie jest jeszcze zbudowana (<code>make web</code>). Dane są dostępne przez
<a href="{base}/">OGC API</a> (np. w QGIS: Warstwa → Dodaj warstwę → WFS / OGC API - Features).</p>
<p>The web map is not built yet (<code>make web</code>). The data is available through the
<a href="{base}/">OGC API</a> (in QGIS: Layer → Add Layer → WFS / OGC API - Features).</p>
<ul>{items}</ul>
</body></html>
"""


def install(app: Flask, web_dir: Path, base_url: str, collections: dict) -> None:
    """Serve `web_dir` at /map/ (index.html for the folder), or the placeholder when it is not built."""

    @app.route("/map")
    @app.route("/map/")
    @app.route("/map/<path:path>")
    def webmap(path: str = "index.html") -> BaseResponse:
        if request.path in ("/map", "/map/3d"):  # /map/3d: the 3D point-cloud viewer (web/src/3d)
            return redirect(f"{request.script_root}{request.path}/", code=308)
        if path.endswith("/"):
            path += "index.html"
        if (web_dir / "index.html").is_file():
            hidden = any(part.startswith(".") for part in Path(path).parts)  # e.g. the build stamp
            if hidden or not (web_dir / path).resolve().is_relative_to(web_dir.resolve()):
                abort(404)
            if (web_dir / path).is_dir():  # a page of its own, e.g. /map/data/ (the "Dane / Data" page)
                if not request.path.endswith("/"):
                    return redirect(f"{request.script_root}{request.path}/", code=308)
                path = f"{path.rstrip('/')}/index.html"
            return send_from_directory(web_dir, path)
        if path != "index.html":
            abort(404)
        from html import escape

        items = "".join(
            f'<li><a href="{base_url}/collections/{escape(cid)}">{escape(cid)}</a></li>'
            for cid in collections
        )
        return Response(
            PLACEHOLDER.format(base=escape(base_url), items=items), mimetype="text/html"
        )
