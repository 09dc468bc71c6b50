"""OGC API process `lidar-clip`: the stored LiDAR points of one epoch inside a polygon, as a LAZ file.

Wraps `pipelines.pointcloud.clip.clip_epoch`. The polygon is GeoJSON in EPSG:2180 metres and
may cover at most MSIP_LIDAR_CLIP_MAX_KM2 km² (default 1); larger areas are refused with the
limit. The answer is the LAZ file itself (LAS 1.4, point format 6, classes and returns kept);
the point count equals the SQL count of the stored points in the same polygon.
"""

from __future__ import annotations

import logging
import math
import os
from typing import Any

from msip.api.processes.base import MsipProcessor, ProcessInputError, input_date, sync_timeout_s, validate_inputs

LOGGER = logging.getLogger(__name__)
MAX_AREA_ENV = "MSIP_LIDAR_CLIP_MAX_KM2"
LAZ_MIMETYPE = "application/vnd.laszip"


def max_area_km2() -> float:
    """The largest polygon a request may clip (km²): MSIP_LIDAR_CLIP_MAX_KM2, else 1."""
    from pipelines.pointcloud.clip import MAX_AREA_KM2

    raw = os.environ.get(MAX_AREA_ENV, "")
    try:
        value = float(raw) if raw else MAX_AREA_KM2
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value > 0):
        LOGGER.warning("%s=%r is not a positive number of km²; using %g", MAX_AREA_ENV, raw, MAX_AREA_KM2)
        return MAX_AREA_KM2
    return value


PROCESS_METADATA: dict[str, Any] = {
    "version": "1.0.0",
    "id": "lidar-clip",
    "title": {"en": "Clip LiDAR points", "pl": "Wycinek chmury punktów LiDAR"},
    "description": {
        "en": "The stored airborne laser scanning points of one survey epoch inside a polygon (EPSG:2180), as a "
        "LAZ file (LAS 1.4, point format 6): X, Y, Z in metres (PL-EVRF2007-NH, 1 mm steps), intensity, return "
        "number and number of returns, ASPRS class (noise included, as surveyed) and GPS time. Points on the "
        "polygon's boundary are included. The polygon may cover at most 1 km² (the server's "
        "MSIP_LIDAR_CLIP_MAX_KM2).",
        "pl": "Punkty lotniczego skanowania laserowego jednej epoki wewnątrz wielokąta (EPSG:2180) jako plik LAZ "
        "(LAS 1.4, format 6): X, Y, Z w metrach (PL-EVRF2007-NH), intensywność, numer i liczba odbić, klasa "
        "ASPRS i czas GPS. Wielokąt do 1 km² (MSIP_LIDAR_CLIP_MAX_KM2).",
    },
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["LiDAR", "ALS", "LAZ", "point cloud", "chmura punktów"],
    "links": [],
    "inputs": {
        "area": {
            "title": {"en": "Area", "pl": "Obszar"},
            "description": {
                "en": "GeoJSON Polygon or MultiPolygon in EPSG:2180 metres (x = easting, y = northing)",
                "pl": "Wielokąt GeoJSON w EPSG:2180 (x = E, y = N, metry)",
            },
            "schema": {"type": "object", "contentMediaType": "application/geo+json"},
            "minOccurs": 1,
            "maxOccurs": 1,
        },
        "epoch": {
            "title": {"en": "Epoch", "pl": "Epoka"},
            "description": {"en": "Survey date YYYY-MM-DD", "pl": "Data nalotu RRRR-MM-DD"},
            "schema": {"type": "string", "format": "date"},
            "minOccurs": 1,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "points": {
            "title": {"en": "Points (LAZ)", "pl": "Punkty (LAZ)"},
            "description": {"en": "LAS 1.4 point format 6, compressed", "pl": "LAS 1.4, format 6, skompresowany"},
            "schema": {"type": "string", "format": "binary", "contentMediaType": LAZ_MIMETYPE},
        }
    },
    "example": {
        "inputs": {
            "epoch": "2024-06-15",
            "area": {"type": "Polygon", "coordinates": [[[614100, 334700], [614200, 334700], [614200, 334800],
                                                          [614100, 334800], [614100, 334700]]]},
        }
    },
}


class LidarClipProcessor(MsipProcessor):
    """LiDAR points of an epoch inside a polygon, as LAZ bytes."""

    METADATA = PROCESS_METADATA

    def execute(self, data: dict, outputs: dict | None = None) -> tuple[str, Any]:
        from msip.api.processes.base import in_async_job

        inputs = validate_inputs(data, self.METADATA)
        result = self._run(inputs) if in_async_job() else self._run_with_limit(inputs, sync_timeout_s())
        return LAZ_MIMETYPE, result["laz"]

    def run(self, inputs: dict) -> dict:
        from msip.core.db import connect
        from pipelines.pointcloud.clip import clip_epoch, polygon_2180

        epoch = input_date("epoch", inputs["epoch"])
        assert epoch is not None  # required input
        geom = polygon_2180(inputs["area"])
        area_km2, cap = geom.area / 1e6, max_area_km2()
        if area_km2 > cap:
            raise ProcessInputError(
                user_msg=f"input 'area' covers {area_km2:.3f} km², more than the {cap:g} km² one clip may cover; "
                "split it into smaller polygons"
            )
        with connect() as conn:
            clip = clip_epoch(conn, epoch, geom)
        return {"laz": clip.laz, "points": clip.points}
