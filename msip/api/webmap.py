"""/map: the public web map from `web/` when it is built, else a small placeholder page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, send_from_directory

PLACEHOLDER = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>MSIP — mapa / map</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>MSIP — mapa miejska / city map</h1>
<p>Mapa internetowa nie jest jeszcze zbudowana. Dane są dostępne przez
<a href="{base}/">OGC API</a> (np. w QGIS: Warstwa → Dodaj warstwę → WFS / OGC API - Features).</p>
<p>The web map is not built yet. The data is available through the
<a href="{base}/">OGC API</a> (in QGIS: Layer → Add Layer → WFS / OGC API - Features).</p>
<ul>{items}</ul>
</body></html>
"""


def install(app: Flask, web_dir: Path, base_url: str, collections: dict) -> None:
    """Serve `web_dir` at /map (index.html at /map/), or the placeholder when it does not exist."""

    @app.route("/map")
    @app.route("/map/")
    @app.route("/map/<path:path>")
    def webmap(path: str = "index.html") -> Response:
        if web_dir.is_dir():
            if not (web_dir / path).resolve().is_relative_to(web_dir.resolve()):
                abort(404)
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
