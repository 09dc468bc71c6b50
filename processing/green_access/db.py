"""Database side of a green-access run: staging buildings and targets, counting trees, writing results.

Everything runs on the run's connection inside its transaction (temp tables ON COMMIT DROP).
Trees: inventory trees valid on the analysis date plus LiDAR-detected trees (apexes) of the
chosen survey; a detected tree with an inventory trunk within `dedup_m` is the same tree and
counted once, as the inventory tree (a proximity match, not a one-to-one assignment). Tree
counts and the de-duplication run in shapely (STRtree, exact distances as ST_DWithin).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import psycopg
import shapely
from shapely.strtree import STRtree

from msip.core.copy import copy_rows
from msip.core.db import one_row
from processing.green_access.inputs import Inputs

_VALID_ON = (
    "((%(e)s::date IS NULL AND t.valid_to IS NULL) "
    "OR (t.valid_from <= %(e)s AND (t.valid_to IS NULL OR t.valid_to > %(e)s)))"
)
_AREA = "(%(a)s::bytea IS NULL OR {col} && ST_GeomFromWKB(%(a)s::bytea, 2180))"


def stage_buildings(
    conn: psycopg.Connection, epoch, bbox: tuple[float, float, float, float] | None
) -> int:
    """Residential buildings of the snapshot (centroid in `bbox` when given) into ``ga_building``."""
    conn.execute(
        "CREATE TEMP TABLE ga_building ON COMMIT DROP AS "
        "SELECT building_pk, source_id, population, geom, ST_Centroid(geom) AS centroid FROM msip.building "
        "WHERE residential AND epoch IS NOT DISTINCT FROM %(e)s AND (%(b)s::float8[] IS NULL OR "
        "ST_Intersects(ST_Centroid(geom), ST_MakeEnvelope(%(b)s[1], %(b)s[2], %(b)s[3], %(b)s[4], 2180))) "
        "ORDER BY building_pk",
        {"e": epoch, "b": list(bbox) if bbox else None},
    )
    conn.execute("ALTER TABLE ga_building ADD PRIMARY KEY (building_pk)")
    conn.execute("CREATE INDEX ON ga_building USING gist (geom)")
    conn.execute("ANALYZE ga_building")
    return one_row(conn.execute("SELECT count(*) FROM ga_building"))[0]


def context_area(conn: psycopg.Connection, margin_m: float) -> bytes | None:
    """WKB of the buildings' bounding box grown by `margin_m` (what distances can reach), or None if empty."""
    row = conn.execute(
        "SELECT ST_AsBinary(ST_Expand(ST_Extent(geom)::geometry, %s)) FROM ga_building", (margin_m,)
    ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def stage_targets(
    conn: psycopg.Connection, inputs: Inputs, area: bytes | None
) -> tuple[int, int, int]:
    """Public green spaces (kind 'green') and school buildings (kind 'school') into ``net_target``.

    Green spaces with public_access NULL (the source does not say) count as public. Returns
    (green spaces, of which access unknown, schools).
    """
    params = {"g": inputs.green_epoch, "e": inputs.epoch, "a": area}
    conn.execute(
        "INSERT INTO net_target (tgt_id, kind, owner, area_m2, geom) "
        "SELECT row_number() OVER (ORDER BY kind, owner), kind, owner, area_m2, geom FROM ("
        "  SELECT 'green' AS kind, green_space_pk AS owner, area_m2, geom FROM msip.green_space "
        f"  WHERE epoch IS NOT DISTINCT FROM %(g)s AND public_access IS NOT FALSE AND {_AREA.format(col='geom')}"
        "  UNION ALL SELECT 'school', building_pk, footprint_m2, geom FROM msip.building "
        f"  WHERE kind = 'school' AND epoch IS NOT DISTINCT FROM %(e)s AND {_AREA.format(col='geom')}) s",
        params,
    )
    greens, schools = one_row(conn.execute(
        "SELECT count(*) FILTER (WHERE kind = 'green'), count(*) FILTER (WHERE kind = 'school') FROM net_target"
    ))
    unknown = one_row(conn.execute(
        "SELECT count(*) FROM net_target t JOIN msip.green_space g ON g.green_space_pk = t.owner "
        "WHERE t.kind = 'green' AND g.public_access IS NULL"
    ))[0]
    return greens, unknown, schools


def _points(conn: psycopg.Connection, query: str, params: dict) -> np.ndarray:
    rows = conn.execute(query, params).fetchall()
    return shapely.from_wkb([bytes(r[0]) for r in rows]) if rows else np.array([], dtype=object)


def tree_points(
    conn: psycopg.Connection, *, epoch, detected_epoch, area: bytes | None, dedup_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(inventory trunks valid on `epoch`, LiDAR apexes of `detected_epoch` with no trunk within `dedup_m`).

    Shapely points (EPSG:2180) inside `area` (WKB bounding polygon; None = everywhere).
    """
    params = {"e": epoch, "a": area, "l": detected_epoch}
    inventory = _points(
        conn,
        "SELECT ST_AsBinary(t.geom) FROM msip.tree t "
        f"WHERE {_VALID_ON} AND {_AREA.format(col='t.geom')}",
        params,
    )
    detected = _points(
        conn,
        "SELECT ST_AsBinary(d.geom) FROM msip.tree_detected d "
        f"WHERE d.epoch = %(l)s AND {_AREA.format(col='d.geom')}",
        params,
    )
    if len(inventory) and len(detected):
        same = STRtree(inventory).query(detected, predicate="dwithin", distance=dedup_m)[0]
        detected = np.delete(detected, np.unique(same))
    return inventory, detected


def tree_counts(
    conn: psycopg.Connection, inputs: Inputs, area: bytes | None, *, radius_m: float, dedup_m: float
) -> tuple[dict[int, tuple[int, int]], int, int]:
    """Trees within `radius_m` of each staged building's outline (as ST_DWithin), by origin.

    Returns ({building_pk: (inventory trees, LiDAR-only trees)}, inventory trees read,
    LiDAR-only trees read).
    """
    inventory, detected = tree_points(
        conn, epoch=inputs.epoch, detected_epoch=inputs.detected_epoch, area=area, dedup_m=dedup_m
    )
    buildings = conn.execute(
        "SELECT building_pk, ST_AsBinary(geom) FROM ga_building ORDER BY building_pk"
    ).fetchall()
    outlines = shapely.from_wkb([bytes(r[1]) for r in buildings])
    counts = np.zeros((len(buildings), 2), dtype=np.int64)
    for column, trees in enumerate((inventory, detected)):
        if len(trees):
            b, _ = STRtree(trees).query(outlines, predicate="dwithin", distance=radius_m)
            np.add.at(counts[:, column], b, 1)
    by_building = {r[0]: (int(c[0]), int(c[1])) for r, c in zip(buildings, counts, strict=True)}
    return by_building, len(inventory), len(detected)


def inventory_hull(conn: psycopg.Connection, epoch) -> bytes | None:
    """WKB of the convex hull of the inventory trees valid on `epoch`: the area the inventory covers (None: none)."""
    row = conn.execute(
        f"SELECT ST_AsBinary(ST_ConvexHull(ST_Collect(t.geom))) FROM msip.tree t WHERE {_VALID_ON}", {"e": epoch}
    ).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def store_values(conn: psycopg.Connection, rows: Iterable[tuple]) -> None:
    """Per-building computed values into ``ga_value`` (see the column list)."""
    columns = ["building_pk", "snap_m", "park_tgt", "park_m", "green_m2", "park20_m", "school_m", "canopy_pct",
               "canopy_data_pct", "trees_inv", "trees_lidar", "trees_known"]
    conn.execute(
        "CREATE TEMP TABLE ga_value (building_pk bigint PRIMARY KEY, snap_m float8, park_tgt bigint, park_m float8, "
        "green_m2 float8, park20_m float8, school_m float8, canopy_pct float8, canopy_data_pct float8, "
        "trees_inv int, trees_lidar int, trees_known boolean) ON COMMIT DROP"
    )
    copy_rows(conn, "ga_value", columns, rows)


def _sql_params(record: dict, run_id: int, has_schools: bool, has_greens: bool = True) -> dict:
    """The run's recorded parameters as the named SQL parameters below."""
    return {
        "run": run_id,
        "schools": has_schools,
        "greens": has_greens,
        "epoch": record["epoch"],
        "district": record["district"],
        "cell": record["district_cell_m"],
        "tree_r": record["tree_radius_m"],
        "min_trees": record["min_trees"],
        "min_canopy": record["min_canopy_pct"],
        "park_m": record["park_max_distance_m"],
        "green_m2": record["green_total_ha"] * 1e4,
        "large_m": record["large_park_distance_m"],
        "school_m": record["school_distance_m"],
        "speed": record["walk_speed_kmh"],
    }


#: Per-building flags; NULL = unknown (see sql/095_green_access_unknown.sql): 3 without tree data covering
#: the building, 300 / art. 13f without a walking distance (snap_m NULL) or without green spaces loaded.
#: The combined flags use SQL's three-valued AND: false if any part is false, else NULL if any is unknown.
_FLAGS = {
    "meets_3": "CASE WHEN v.trees_inv + v.trees_lidar >= %(min_trees)s THEN true WHEN v.trees_known THEN false END",
    "meets_30": "v.canopy_pct >= %(min_canopy)s",
    "meets_300": "CASE WHEN %(greens)s AND v.snap_m IS NOT NULL THEN coalesce(v.park_m <= %(park_m)s, false) END",
    "meets_13f_green": "CASE WHEN %(greens)s AND v.snap_m IS NOT NULL THEN coalesce(v.green_m2, 0) >= %(green_m2)s "
                       "AND coalesce(v.park20_m <= %(large_m)s, false) END",
    "meets_13f_school": "CASE WHEN %(schools)s AND v.snap_m IS NOT NULL THEN coalesce(v.school_m <= %(school_m)s, "
                        "false) END",
}
_FLAGS["meets_3_30_300"] = f"({_FLAGS['meets_3']}) AND ({_FLAGS['meets_30']}) AND ({_FLAGS['meets_300']})"
_FLAGS["meets_13f"] = (f"({_FLAGS['meets_13f_green']}) AND (NOT %(schools)s OR ({_FLAGS['meets_13f_school']}))")


def write_results(
    conn: psycopg.Connection, run_id: int, record: dict, *, has_schools: bool, has_greens: bool = True
) -> int:
    """Insert one result row per staged building (flags from the thresholds in `record`); returns rows written.

    Earlier results of the same buildings stop being current.
    """
    p = _sql_params(record, run_id, has_schools, has_greens)
    district = (
        "concat((floor(ST_X(b.centroid) / %(cell)s) * %(cell)s)::bigint, '_', "
        "(floor(ST_Y(b.centroid) / %(cell)s) * %(cell)s)::bigint)"
        if p["district"] == "grid"
        else "(SELECT z.local_id FROM msip.zoning_zone_current z WHERE ST_Intersects(z.geom, b.centroid) "
        " ORDER BY ST_Area(z.geom), z.local_id LIMIT 1)"
    )
    conn.execute(
        "UPDATE msip.greenspace_access_result r SET is_current = false FROM ga_building b "
        "WHERE r.is_current AND r.building_id = b.source_id"
    )
    return conn.execute(
        "INSERT INTO msip.greenspace_access_result (load_run_id, epoch, building_pk, building_id, population, "
        "district_id, trees_15m, trees_inventory_15m, trees_lidar_15m, canopy_pct, canopy_data_pct, snap_m, "
        "park_distance_m, park_walk_min, park_id, green_1500m_ha, park_20ha_distance_m, school_distance_m, "
        + ", ".join(_FLAGS) + ", geom) "
        "SELECT %(run)s, %(epoch)s::date, b.building_pk, b.source_id, b.population, "
        + district
        + ", "
        "v.trees_inv + v.trees_lidar, v.trees_inv, v.trees_lidar, v.canopy_pct, v.canopy_data_pct, v.snap_m, v.park_m, "
        "v.park_m / (%(speed)s * 1000.0 / 60.0), g.source_id, coalesce(v.green_m2, 0) / 10000.0, v.park20_m, "
        "v.school_m, " + ", ".join(_FLAGS.values()) + ", ST_Multi(b.geom) "
        "FROM ga_building b JOIN ga_value v USING (building_pk) "
        "LEFT JOIN net_target t ON t.tgt_id = v.park_tgt LEFT JOIN msip.green_space g ON g.green_space_pk = t.owner "
        "ORDER BY b.building_pk",
        p,
    ).rowcount


def _share(flag: str) -> str:
    """Residents meeting `flag`, % of the residents whose `flag` is known (NULL when known for nobody)."""
    return (f"100.0 * coalesce(sum(population) FILTER (WHERE {flag}), 0) "
            f"/ nullif(sum(population) FILTER (WHERE {flag} IS NOT NULL), 0)")


_SHARES = "count(*), coalesce(sum(population), 0), " + ", ".join(
    _share(f) for f in ("meets_3", "meets_30", "meets_300", "meets_3_30_300", "meets_13f_green", "meets_13f_school",
                        "meets_13f"))


def write_districts(
    conn: psycopg.Connection, run_id: int, record: dict, *, has_schools: bool
) -> int:
    """Population shares per district and for the whole area into msip.greenspace_access_district."""
    p = _sql_params(record, run_id, has_schools)
    geom = (
        "ST_Multi(ST_MakeEnvelope(split_part(district_id, '_', 1)::float8, split_part(district_id, '_', 2)::float8, "
        "split_part(district_id, '_', 1)::float8 + %(cell)s, split_part(district_id, '_', 2)::float8 + %(cell)s, 2180))"
        if p["district"] == "grid"
        else "(SELECT ST_Multi(z.geom) FROM msip.zoning_zone_current z WHERE z.local_id = r.district_id LIMIT 1)"
    )
    params = p
    conn.execute(
        "CREATE TEMP TABLE ga_median ON COMMIT DROP AS "
        "SELECT DISTINCT ON (district_id) district_id, park_distance_m FROM ("
        "  SELECT district_id, park_distance_m, sum(population) OVER (PARTITION BY district_id "
        "    ORDER BY park_distance_m NULLS LAST, access_id) AS cum, "
        "  sum(population) OVER (PARTITION BY district_id) AS total "
        "  FROM msip.greenspace_access_result WHERE load_run_id = %(run)s AND meets_300 IS NOT NULL) w "
        "WHERE cum * 2 >= total AND total > 0 ORDER BY district_id, cum",
        params,
    )
    n = conn.execute(
        "INSERT INTO msip.greenspace_access_district (load_run_id, district_kind, district_id, buildings, population, "
        "pct_3, pct_30, pct_300, pct_3_30_300, pct_13f_green, pct_13f_school, pct_13f, median_park_distance_m, geom) "
        f"SELECT %(run)s, %(district)s, r.district_id, {_SHARES}, "
        "(SELECT m.park_distance_m FROM ga_median m WHERE m.district_id IS NOT DISTINCT FROM r.district_id), "
        f"{geom} FROM msip.greenspace_access_result r WHERE r.load_run_id = %(run)s "
        "GROUP BY r.district_id ORDER BY r.district_id",
        params,
    ).rowcount
    conn.execute(
        "INSERT INTO msip.greenspace_access_district (load_run_id, district_kind, district_id, buildings, population, "
        "pct_3, pct_30, pct_300, pct_3_30_300, pct_13f_green, pct_13f_school, pct_13f, median_park_distance_m, geom) "
        f"SELECT %(run)s, 'all', NULL, {_SHARES}, ("
        "  SELECT park_distance_m FROM (SELECT park_distance_m, sum(population) OVER (ORDER BY park_distance_m "
        "  NULLS LAST, access_id) AS cum, sum(population) OVER () AS total FROM msip.greenspace_access_result "
        "  WHERE load_run_id = %(run)s AND meets_300 IS NOT NULL) w WHERE cum * 2 >= total AND total > 0 "
        "  ORDER BY cum LIMIT 1), "
        "ST_Multi(ST_Envelope(ST_Collect(r.geom))) FROM msip.greenspace_access_result r WHERE r.load_run_id = %(run)s",
        params,
    )
    return n + 1
