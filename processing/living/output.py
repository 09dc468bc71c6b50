"""Living-conditions results of one run as GeoJSON (EPSG:2180)."""

from __future__ import annotations

import json

from msip.core.db import connect

_COLUMNS = (
    "cell_code",
    "grid_epsg",
    "cell_size_m",
    "population",
    "buildings",
    "canopy_pct",
    "bio_active_pct",
    "built_pct",
    "t_air_mean_c",
    "pct_3",
    "pct_30",
    "pct_300",
    "pct_3_30_300",
    "trees",
    "trees_per_100_residents",
    "ads",
    "ads_per_km2",
    "zoned_pct",
    "zoning_compliant_pct",
)


def cells_geojson(run_id: int | None, *, url: str | None = None) -> dict:
    """The run's cells as a GeoJSON FeatureCollection (outlines in EPSG:2180)."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT " + ", ".join(_COLUMNS) + ", ST_AsGeoJSON(geom, 2) "
            "FROM msip.living_conditions_result WHERE load_run_id = %s ORDER BY cell_code",
            (run_id,),
        ).fetchall()
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": [
            {
                "type": "Feature",
                "id": r[0],
                "geometry": json.loads(r[-1]),
                "properties": dict(zip(_COLUMNS, r[:-1], strict=True)),
            }
            for r in rows
        ],
    }
