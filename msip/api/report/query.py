"""What the "what is here" report reads at one point (EPSG:2180), one small query per section.

Unknown is not zero: a section whose data does not cover the point (no tree inventory here, no
heat-island run, a building whose 3-30-300 flag could not be decided) says so with null and a
`note`, never with 0. Numbers are rounded once here (heights and temperatures to 0.01, distances
to 0.1 m), so the JSON and the HTML print view show the very same values.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from msip.api.providers.db import fetch

#: Radii of the report, metres.
TREE_RADIUS_M = 50
CARRIER_RADIUS_M = 100
CHANGE_RADIUS_M = 50
#: Farthest a residential building may be to count as "the nearest" one, metres.
BUILDING_MAX_M = 1000

_PT = "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 2180)"


def _num(v: Any, digits: int = 2) -> float | None:
    return None if v is None else round(float(v), digits)


def _day(v: date | None) -> str | None:
    return v.isoformat() if v else None


def _rows(conninfo: str, query: str, x: float, y: float, **extra: Any) -> list[tuple]:
    return fetch(conninfo, query.replace("{pt}", _PT), {"x": x, "y": y, **extra})


def _inventory_covers(conninfo: str, view: str, x: float, y: float, radius_m: float) -> bool:
    """Whether the point lies within `radius_m` of the convex hull of an inventory's items: where none is
    near, "none here" is known only inside the area the inventory covers (outside it is unknown).
    Asked only when no item is within the radius (one with an item near is covered: no hull needed)."""
    return bool(_rows(conninfo, f"""
        SELECT ST_DWithin(ST_ConvexHull(ST_Collect(geom)), {{pt}}, %(r)s) FROM {view}""", x, y, r=radius_m)[0][0])


def zoning(conninfo: str, x: float, y: float) -> dict:
    """The zones (of every plan) containing the point, with their rules and their plan."""
    rows = _rows(conninfo, """
        SELECT z.zone_pk, z.designation, z.symbol, z.name_label, z.max_height_m, z.max_building_coverage_pct,
               z.min_biologically_active_pct, z.max_above_ground_intensity, p.plan_pk, p.local_id, p.title
        FROM msip.zoning_zone_current z
        LEFT JOIN msip.zoning_plan_current p ON p.iip_namespace = z.plan_namespace AND p.local_id = z.plan_local_id
        WHERE ST_Intersects(z.geom, {pt})
        ORDER BY ST_Area(z.geom), z.zone_pk""", x, y)
    zones = [
        {
            "zone_id": zpk, "designation": des, "symbol": sym, "name": name,
            "max_height_m": _num(h), "max_building_coverage_pct": _num(cov),
            "min_biologically_active_pct": _num(bio), "max_above_ground_intensity": _num(inten),
            "plan": None if ppk is None else {"plan_id": ppk, "number": local, "title": title},
        }
        for zpk, des, sym, name, h, cov, bio, inten, ppk, local, title in rows
    ]
    return {"zones": zones, "note": None if zones else "no zoning plan covers this place"}


def heights(conninfo: str, x: float, y: float) -> dict:
    """Ground (DTM) and surface (DSM) height of the latest LiDAR epoch at the point, m a.s.l.

    Read from the one tile of that epoch whose pixels hold the point (the mosaic where no tile does),
    and only from the chosen row: sampling the whole-epoch mosaic (a VRT of every tile) cost 1.5 s at
    2.6 km² and grew with the city (benchmarks/RESULTS.md, "A whole city, measured")."""
    rows = _rows(conninfo, """
        SELECT kind, epoch, ST_Value(rast, 1, {pt}) FROM (
            SELECT DISTINCT ON (kind) kind, epoch, rast
            FROM msip.raster_asset
            WHERE kind IN ('dtm', 'dsm') AND rast IS NOT NULL AND ST_Intersects(footprint, {pt})
            ORDER BY kind, epoch DESC,
                     -- the tile whose pixels hold the point: x in [xmin, xmax), y in (ymin, ymax]
                     (NOT is_mosaic AND %(x)s >= ST_XMin(footprint) AND %(x)s < ST_XMax(footprint)
                      AND %(y)s > ST_YMin(footprint) AND %(y)s <= ST_YMax(footprint)) DESC, is_mosaic DESC
        ) AS chosen""", x, y)
    got = {kind: (epoch, value) for kind, epoch, value in rows}
    dtm, dsm = got.get("dtm", (None, None)), got.get("dsm", (None, None))
    out = {"dtm_m": _num(dtm[1]), "dsm_m": _num(dsm[1]), "epoch": _day(dtm[0] or dsm[0])}
    out["note"] = None if out["dtm_m"] is not None else "no LiDAR terrain model covers this place"
    return out


def trees(conninfo: str, x: float, y: float) -> dict:
    """Inventory trees within TREE_RADIUS_M: count, species and health; null where no inventory covers it."""
    out: dict[str, Any] = {"radius_m": TREE_RADIUS_M}
    rows = _rows(conninfo, """
        SELECT species, species_latin, health, count(*) FROM msip.tree_current
        WHERE ST_DWithin(geom, {pt}, %(r)s) GROUP BY 1, 2, 3""", x, y, r=TREE_RADIUS_M)
    if not rows and not _inventory_covers(conninfo, "msip.tree_current", x, y, TREE_RADIUS_M):
        return {**out, "count": None, "species": [], "health": [], "note": "no tree inventory covers this place"}
    species: dict[tuple, int] = {}
    health: dict[str | None, int] = {}
    for sp, latin, h, n in rows:
        species[(sp, latin)] = species.get((sp, latin), 0) + n
        health[h] = health.get(h, 0) + n
    return {
        **out,
        "count": sum(health.values()),
        "species": [{"species": s, "species_latin": la, "count": n}
                    for (s, la), n in sorted(species.items(), key=lambda kv: (-kv[1], str(kv[0][0])))],
        "health": [{"health": h, "count": n} for h, n in sorted(health.items(), key=lambda kv: (-kv[1], str(kv[0])))],
        "note": None,
    }


def green_rule(conninfo: str, x: float, y: float) -> dict:
    """The 3-30-300 result of the nearest residential building (null flags stay null: unknown)."""
    rows = _rows(conninfo, """
        SELECT building_id, ST_Distance(geom, {pt}), population, trees_15m, canopy_pct, park_distance_m,
               meets_3, meets_30, meets_300, meets_3_30_300, epoch
        FROM msip.greenspace_access WHERE ST_DWithin(geom, {pt}, %(r)s)
        ORDER BY geom <-> {pt} LIMIT 1""", x, y, r=BUILDING_MAX_M)
    if not rows:
        return {"building_id": None,
                "note": f"no residential building with a 3-30-300 result within {BUILDING_MAX_M} m"}
    bid, dist, pop, t15, canopy, park, m3, m30, m300, mall, epoch = rows[0]
    return {
        "building_id": bid, "distance_m": _num(dist, 1), "population": pop, "trees_15m": t15,
        "canopy_pct": _num(canopy, 1), "park_distance_m": _num(park, 1),
        "meets_3": m3, "meets_30": m30, "meets_300": m300, "meets_3_30_300": mall, "epoch": _day(epoch),
        "note": None,
    }


def air_temperature(conninfo: str, x: float, y: float) -> dict:
    """Modelled daytime air temperature (latest day heat-island run) at the point, °C."""
    rows = _rows(conninfo, """
        SELECT a.epoch, ST_Value(a.rast, 1, {pt})
        FROM msip.raster_asset a JOIN msip.heat_run_latest r ON r.load_run_id = a.load_run_id AND r.mode = 'day'
        WHERE a.kind = 'heat_tair' AND a.rast IS NOT NULL AND ST_Intersects(a.footprint, {pt})
        ORDER BY a.epoch DESC LIMIT 1""", x, y)
    value = _num(rows[0][1]) if rows else None
    return {
        "t_air_c": value, "epoch": _day(rows[0][0]) if rows else None,
        "note": None if value is not None else "no daytime heat-island result covers this place",
    }


def carriers(conninfo: str, x: float, y: float) -> dict:
    """Advertising carriers within CARRIER_RADIUS_M with their latest compliance verdict."""
    rows = _rows(conninfo, """
        SELECT d.ad_id, d.source_id, d.carrier_type, ST_Distance(d.geom, {pt}), c.verdict, c.violated_rules,
               c.assessed_epoch
        FROM msip.advertisement_current d
        LEFT JOIN LATERAL (SELECT verdict, violated_rules, assessed_epoch FROM msip.ad_compliance c
                           WHERE c.ad_id = d.ad_id ORDER BY assessed_epoch DESC, result_id DESC LIMIT 1) c ON true
        WHERE ST_DWithin(d.geom, {pt}, %(r)s)
        ORDER BY d.geom <-> {pt}, d.ad_id""", x, y, r=CARRIER_RADIUS_M)
    if not rows and not _inventory_covers(conninfo, "msip.advertisement_current", x, y, CARRIER_RADIUS_M):
        return {"radius_m": CARRIER_RADIUS_M, "count": None, "non_compliant": None, "items": [],
                "note": "no advertising inventory covers this place"}
    items = [
        {"ad_id": aid, "source_id": sid, "carrier_type": ctype, "distance_m": _num(dist, 1),
         "verdict": verdict or "not_assessed", "violated_rules": list(rules or []), "assessed_epoch": _day(when)}
        for aid, sid, ctype, dist, verdict, rules, when in rows
    ]
    return {
        "radius_m": CARRIER_RADIUS_M, "count": len(items),
        "non_compliant": sum(1 for i in items if i["verdict"] == "non_compliant"), "items": items, "note": None,
    }


def changes(conninfo: str, x: float, y: float) -> dict:
    """Detected changes within CHANGE_RADIUS_M since the earliest epoch; null without a change analysis."""
    ran = fetch(conninfo, "SELECT EXISTS (SELECT 1 FROM msip.load_run_public "
                          "WHERE source_kind = 'analysis:change' AND status = 'succeeded')")[0][0]
    out: dict[str, Any] = {"radius_m": CHANGE_RADIUS_M}
    if not ran:
        return {**out, "since": None, "count": None, "items": [], "note": "no change analysis has run"}
    surveys = _rows(conninfo, """
        SELECT count(DISTINCT epoch) FROM msip.raster_asset
        WHERE kind IN ('dtm', 'chm', 'ndvi') AND ST_Intersects(footprint, {pt})""", x, y)[0][0]
    if surveys < 2:
        return {**out, "since": None, "count": None, "items": [], "note": "no two survey epochs cover this place"}
    since = fetch(conninfo, "SELECT min(epoch_from), max(epoch_to) FROM msip.change_event")[0]
    rows = _rows(conninfo, """
        SELECT event_id, type, epoch_from, epoch_to, ST_Distance(geom, {pt}), area_m2, height_change_m
        FROM msip.change_event WHERE ST_DWithin(geom, {pt}, %(r)s)
        ORDER BY epoch_from, geom <-> {pt}, event_id""", x, y, r=CHANGE_RADIUS_M)
    items = [
        {"event_id": eid, "type": kind, "epoch_from": _day(a), "epoch_to": _day(b), "distance_m": _num(d, 1),
         "area_m2": _num(area, 1), "height_change_m": _num(dh)}
        for eid, kind, a, b, d, area, dh in rows
    ]
    return {**out, "since": _day(since[0]), "until": _day(since[1]), "count": len(items), "items": items,
            "note": None}


SECTIONS = {
    "zoning": zoning, "heights": heights, "trees": trees, "green_rule": green_rule,
    "air_temperature": air_temperature, "carriers": carriers, "changes": changes,
}


def jsonable(v: Any) -> Any:
    """Decimals as floats (numeric columns), recursively."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    return v
