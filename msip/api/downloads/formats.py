"""The download formats and their stable URLs (`/downloads/{collection}.{ext}`), shared by links and routes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One whole-dataset download format: file extension, media type and title (pl / en)."""

    ext: str
    media_type: str
    title: str
    spec_url: str | None = None
    """Where the format is defined when its media type is not registered with IANA."""


FEATURE_FORMATS = (
    Format("gpkg", "application/geopackage+sqlite3", "GeoPackage (EPSG:2180)"),
    Format("parquet", "application/vnd.apache.parquet", "GeoParquet (EPSG:2180)"),
    Format("csv", "text/csv", "CSV (geometria/geometry WKT, EPSG:2180)"),
)
COVERAGE_FORMATS = (
    Format("tif", "image/tiff; application=geotiff; profile=cloud-optimized", "Cloud-Optimised GeoTIFF (EPSG:2180)"),
)
#: A point cloud of one epoch, served by the point-cloud collection (not a /downloads file).
COPC_FORMAT = Format("copc.laz", "application/vnd.laszip+copc", "COPC (LAZ 1.4, EPSG:2180 + PL-EVRF2007-NH)",
                     spec_url="https://copc.io/")
BY_EXT = {f.ext: f for f in (*FEATURE_FORMATS, *COVERAGE_FORMATS)}


def formats_for(kind: str) -> tuple[Format, ...]:
    """Formats of a collection kind ("features" or "coverage")."""
    return FEATURE_FORMATS if kind == "features" else COVERAGE_FORMATS if kind == "coverage" else ()


def download_url(base_url: str, cid: str, ext: str) -> str:
    """The stable URL of collection `cid`'s whole-dataset download in format `ext`."""
    return f"{base_url.rstrip('/')}/downloads/{cid}.{ext}"
