"""Green-access results of one run as JSON: district shares and per-building GeoJSON (EPSG:2180)."""

from __future__ import annotations

import json

from msip.core.db import connect

_BUILDING_COLUMNS = (
    "building_id",
    "population",
    "district_id",
    "trees_15m",
    "trees_inventory_15m",
    "trees_lidar_15m",
    "canopy_pct",
    "canopy_data_pct",
    "snap_m",
    "park_distance_m",
    "park_walk_min",
    "park_id",
    "green_1500m_ha",
    "park_20ha_distance_m",
    "school_distance_m",
    "meets_3",
    "meets_30",
    "meets_300",
    "meets_3_30_300",
    "meets_13f_green",
    "meets_13f_school",
    "meets_13f",
)


def district_rows(run_id: int | None, *, url: str | None = None) -> list[dict]:
    """The run's district shares (without geometry), whole area first."""
    with connect(url) as conn:
        cur = conn.execute(
            "SELECT district_kind, district_id, buildings, population, pct_3, pct_30, pct_300, pct_3_30_300, "
            "pct_13f_green, pct_13f_school, pct_13f, median_park_distance_m FROM msip.greenspace_access_district "
            "WHERE load_run_id = %s ORDER BY district_kind = 'all' DESC, district_id",
            (run_id,),
        )
        assert cur.description is not None  # a SELECT always describes its columns
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]


def buildings_geojson(run_id: int | None, *, url: str | None = None) -> dict:
    """The run's per-building rows as a GeoJSON FeatureCollection (outlines in EPSG:2180)."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT "
            + ", ".join(_BUILDING_COLUMNS)
            + ", ST_AsGeoJSON(geom, 2) FROM msip.greenspace_access_result "
            "WHERE load_run_id = %s ORDER BY building_id",
            (run_id,),
        ).fetchall()
    features = [
        {
            "type": "Feature",
            "id": row[0],
            "geometry": json.loads(row[-1]),
            "properties": dict(zip(_BUILDING_COLUMNS, row[:-1], strict=True)),
        }
        for row in rows
    ]
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": features,
    }
