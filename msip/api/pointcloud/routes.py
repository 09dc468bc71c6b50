"""`GET /collections/point_clouds/copc/<epoch>.copc.laz`: the COPC file of one LiDAR epoch.

COPC readers (laspy's CopcReader, PDAL, viewers built on loaders.gl or copc.js) fetch the
header, then only the hierarchy page and the octree nodes they need, with HTTP Range requests:
the file is sent by werkzeug's conditional `send_file` (206 Partial Content, 416 for a range
outside the file, ETag and Last-Modified from the file). The path comes from
msip.pointcloud_asset through the collection's own database settings.

`GET /downloads/lidar/<epoch>/<tile>.laz`: the points of one source tile of an epoch as LAZ
(`msip.api.pointcloud.tiles`), built on the first request for its current points, then cached.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, send_file

from msip.api import http

COLLECTION = "point_clouds"
MIMETYPE = "application/vnd.laszip+copc"
MAX_AGE_S = 3600


def _conninfo(cfg: dict) -> str | None:
    from msip.api.providers.db import conninfo_from_def

    res = cfg["resources"].get(COLLECTION)
    if not res:
        return None
    return conninfo_from_def(res["providers"][0]["data"])


def install(bp: Blueprint, cfg: dict) -> None:
    """Add the COPC download route to `bp` when the point_clouds collection is published."""
    conninfo = _conninfo(cfg)
    if conninfo is None:
        return

    @bp.route(f"/collections/{COLLECTION}/copc/<name>", methods=["GET", "HEAD"])
    def copc_file(name: str) -> Response:
        from msip.api.providers.db import fetch

        stem = name.removesuffix(".copc.laz")
        try:
            epoch = date.fromisoformat(stem)
        except ValueError:
            return http.error_response(
                400, "InvalidParameterValue", f"{name!r} is not <epoch>.copc.laz, e.g. 2024-06-15.copc.laz"
            )
        rows = fetch(conninfo, "SELECT path FROM msip.pointcloud_asset WHERE epoch = %s", (epoch,))
        if not rows or not Path(rows[0][0]).is_file():
            known = [r[0].isoformat() for r in fetch(conninfo, "SELECT epoch FROM msip.pointcloud_asset ORDER BY 1")]
            return http.error_response(
                404, "NotFound", f"no point cloud of epoch {epoch}; epochs with one: {known or 'none'}"
            )
        resp = send_file(rows[0][0], mimetype=MIMETYPE, conditional=True, etag=True, max_age=MAX_AGE_S,
                         download_name=f"lidar_{epoch}.copc.laz")
        resp.headers["Accept-Ranges"] = "bytes"
        # A viewer in another origin reads the ranges it asked for from these headers.
        resp.headers["Access-Control-Expose-Headers"] = "ETag, Content-Range, Content-Length, Accept-Ranges"
        return resp

    @bp.route("/downloads/lidar/<epoch_text>/<name>", methods=["GET", "HEAD"])
    def lidar_tile(epoch_text: str, name: str) -> Response:
        from msip.api.pointcloud import tiles

        try:
            epoch = date.fromisoformat(epoch_text)
        except ValueError:
            return http.error_response(
                400, "InvalidParameterValue", f"{epoch_text!r} is not an epoch date, e.g. /downloads/lidar/2024-06-15/"
            )
        known = tiles.source_tiles(conninfo, epoch)
        tile = next((t for t in known if f"{t.name}.laz" == name), None)
        if tile is None:
            hint = ", ".join(f"{t.name}.laz" for t in known[:5]) or "none (no points stored for this epoch)"
            return http.error_response(404, "NotFound", f"no LiDAR tile {name!r} in epoch {epoch}; tiles: {hint}"
                                       + (" …" if len(known) > 5 else "") + "; /downloads lists them all")
        resp = send_file(tiles.ensure(conninfo, tile), mimetype=tiles.LAZ_FORMAT.media_type, conditional=True,
                         etag=True, max_age=MAX_AGE_S, download_name=f"lidar_{epoch}_{tile.name}.laz")
        resp.headers["Accept-Ranges"] = "bytes"
        return resp
