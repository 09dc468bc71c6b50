"""Run a batch of checks in real QGIS (Debian's python3-qgis): a JSON job on stdin, JSON results on stdout.

Run with the system interpreter, never the project's virtualenv (QGIS's Python bindings live in
Debian's dist-packages), and QT_QPA_PLATFORM=offscreen:

    /usr/bin/python3 tests/clients/qgis_job.py < job.json > results.json

The job is ``{"checks": [{"id": ..., "kind": ..., ...}, ...]}``; the output is ``{"results": {id: {...}}}``.
Each check records its own error (``"error"``) instead of stopping the batch. Kinds:

- ``oapif``: ``url``, ``typename``, optional ``rect`` (lon/lat, the layer's CRS) → validity, geometry type,
  the extent QGIS reports right after loading (what "zoom to layer" uses), ``featureCount()``, the
  features read and how many lost their geometry, and the bounding-box keys of the features
  ``setFilterRect(rect)`` (exact intersection) returns.
- ``raster``: ``uri``, ``provider`` → validity, CRS, extent, band count, colour interpretation names.
- ``ogr``: ``path`` (a downloaded file, e.g. a GeoPackage), optional ``layer`` → validity, CRS, geometry
  type, ``featureCount()`` and the features read.
- ``xyz`` / ``vectortile``: ``template`` (``{z}/{y}/{x}``), ``zmin``, ``zmax``, ``extent`` (lon/lat),
  ``size_px`` → the layer rendered by QgsMapRendererParallelJob into a transparent image, and the
  number of pixels it painted.

This file imports nothing from MSIP or the virtualenv: it runs where only QGIS is installed.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any
from urllib.parse import quote

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # after QT_QPA_PLATFORM: the platform is chosen when Qt loads
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

KEY_DECIMALS = 7  # bounding-box keys in degrees: 1e-7° ≈ 1 cm


def bbox_key(xmin: float, ymin: float, xmax: float, ymax: float) -> str:
    """A feature's key: its bounding box rounded to ~1 cm (the same function as in test code)."""
    return ",".join(f"{v:.{KEY_DECIMALS}f}" for v in (xmin, ymin, xmax, ymax))


def rect_list(r: QgsRectangle) -> list[float] | None:
    return None if r.isNull() else [r.xMinimum(), r.yMinimum(), r.xMaximum(), r.yMaximum()]


def check_oapif(job: dict[str, Any]) -> dict[str, Any]:
    uri = f"url='{job['url']}' typename='{job['typename']}'"
    layer = QgsVectorLayer(uri, job["typename"], "OAPIF")
    out: dict[str, Any] = {"valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.error().summary() or "layer not valid"
        return out
    # The extent first: reading features lets QGIS widen it from the data it downloads.
    out["extent"] = rect_list(layer.extent())
    out["wkb_type"] = QgsWkbTypes.displayString(layer.wkbType())
    out["crs"] = layer.crs().authid()
    out["feature_count"] = layer.featureCount()
    # A feature whose geometry is missing or of another kind than the layer's (a point in a polygon
    # layer) is read but never drawn by the layer's renderer.
    read, undrawn = 0, 0
    for f in layer.getFeatures():
        read += 1
        if layer.isSpatial() and (
            not f.hasGeometry() or f.geometry().isEmpty() or f.geometry().type() != layer.geometryType()
        ):
            undrawn += 1
    out["features_read"], out["undrawn_features"] = read, undrawn
    if job.get("rect") and layer.isSpatial():
        request = QgsFeatureRequest().setFilterRect(QgsRectangle(*job["rect"]))
        request.setFlags(QgsFeatureRequest.ExactIntersect)
        keys = []
        for f in layer.getFeatures(request):
            b = f.geometry().boundingBox()
            keys.append(bbox_key(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()))
        out["rect_keys"] = keys
    return out


def check_raster(job: dict[str, Any]) -> dict[str, Any]:
    layer = QgsRasterLayer(job["uri"], "raster", job.get("provider", "gdal"))
    out: dict[str, Any] = {"valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.error().summary() or "layer not valid"
        return out
    provider = layer.dataProvider()
    out["crs"] = layer.crs().authid()
    out["extent"] = rect_list(layer.extent())
    out["band_count"] = layer.bandCount()
    out["color_interpretation"] = [provider.colorInterpretationName(b) for b in range(1, layer.bandCount() + 1)]
    return out


def check_ogr(job: dict[str, Any]) -> dict[str, Any]:
    uri = job["path"] + (f"|layername={job['layer']}" if job.get("layer") else "")
    layer = QgsVectorLayer(uri, job.get("layer") or "file", "ogr")
    out: dict[str, Any] = {"valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.error().summary() or "layer not valid"
        return out
    out["crs"] = layer.crs().authid()
    out["wkb_type"] = QgsWkbTypes.displayString(layer.wkbType())
    out["feature_count"] = layer.featureCount()
    out["features_read"] = sum(1 for _ in layer.getFeatures())
    return out


def tile_uri(job: dict[str, Any]) -> str:
    return f"type=xyz&url={quote(job['template'], safe='')}&zmin={job['zmin']}&zmax={job['zmax']}"


def render(layer: Any, extent_lonlat: list[float], size_px: int) -> dict[str, Any]:
    """Render one layer over `extent_lonlat` in WebMercator; count the pixels it painted."""
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    to_mercator = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance())
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(mercator)
    settings.setExtent(to_mercator.transformBoundingBox(QgsRectangle(*extent_lonlat)))
    settings.setOutputSize(QSize(size_px, size_px))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage().convertToFormat(QImage.Format_ARGB32)
    data = image.constBits().asstring(image.sizeInBytes())
    painted = sum(1 for i in range(3, len(data), 4) if data[i] != 0)  # ARGB32 little-endian: alpha last
    errors = [f"{e.layerID}: {e.message}" for e in job.errors()]
    return {"painted_px": painted, "total_px": size_px * size_px, "render_errors": errors}


def check_tiles(job: dict[str, Any]) -> dict[str, Any]:
    if job["kind"] == "xyz":
        layer: Any = QgsRasterLayer(tile_uri(job), "tiles", "wms")
    else:
        layer = QgsVectorTileLayer(tile_uri(job), "tiles")
    out: dict[str, Any] = {"valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.error().summary() or "layer not valid"
        return out
    out.update(render(layer, job["extent"], int(job.get("size_px", 256))))
    return out


CHECKS = {"oapif": check_oapif, "raster": check_raster, "ogr": check_ogr, "xyz": check_tiles,
          "vectortile": check_tiles}


def main() -> int:
    job = json.load(sys.stdin)
    app = QgsApplication([], False)
    app.initQgis()
    results: dict[str, Any] = {}
    try:
        for check in job["checks"]:
            try:
                results[check["id"]] = CHECKS[check["kind"]](check)
            except Exception as exc:  # noqa: BLE001  (one broken check must not hide the others' results)
                results[check["id"]] = {"valid": False, "error": f"{type(exc).__name__}: {exc}",
                                        "traceback": traceback.format_exc()}
        json.dump({"qgis_version": _version(), "results": results}, sys.stdout)
    finally:
        app.exitQgis()
    return 0


def _version() -> str:
    from qgis.core import Qgis

    return str(Qgis.QGIS_VERSION)


if __name__ == "__main__":
    sys.exit(main())
