"""The series of one indicator at one place over the analysis runs, one point per epoch.

A place is a living-conditions grid cell (its code, e.g. 100mE614000N334600), a district (a
zoning zone, by its zone_pk: the heat statistics are kept per zone) or a point (lon/lat, which
names the current cell and the zone holding it). Each epoch gives the result of its newest
successful run (a rerun of an epoch replaces the earlier one), oldest epoch first. A value the
run could not compute stays null: unknown is not zero.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from msip.api.providers.db import fetch
from msip.api.trends.indicators import Indicator

_PT = "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 2180)"


def _num(v: Any) -> float | None:
    return None if v is None else round(float(v), 2)


def cell_at(conninfo: str, x: float, y: float) -> str | None:
    """Code of the current living-conditions cell (finest EPSG:2180 grid first) holding the point."""
    rows = fetch(conninfo, f"""
        SELECT cell_code FROM msip.living_conditions_cell WHERE ST_Intersects(geom, {_PT})
        ORDER BY grid_epsg <> 2180, cell_size_m, cell_code LIMIT 1""", {"x": x, "y": y})
    return rows[0][0] if rows else None


def district_at(conninfo: str, x: float, y: float) -> int | None:
    """zone_pk of the smallest current zoning zone holding the point."""
    rows = fetch(conninfo, f"""
        SELECT zone_pk FROM msip.zoning_zone_current WHERE ST_Intersects(geom, {_PT})
        ORDER BY ST_Area(geom), zone_pk LIMIT 1""", {"x": x, "y": y})
    return rows[0][0] if rows else None


def district_label(conninfo: str, zone_pk: int) -> dict | None:
    """The zone's designation and land-use name, or None when there is no such zone."""
    rows = fetch(conninfo, "SELECT designation, name_label FROM msip.zoning_zone WHERE zone_pk = %s", (zone_pk,))
    return {"designation": rows[0][0], "name": rows[0][1]} if rows else None


def living_series(conninfo: str, ind: Indicator, cell: str) -> list[dict]:
    """One point per epoch of the living-conditions runs that computed `cell`."""
    query = sql.SQL("""
        SELECT DISTINCT ON (r.epoch) r.epoch, r.load_run_id, r.{column}
        FROM msip.living_conditions_result r JOIN msip.load_run_public l ON l.run_id = r.load_run_id
        WHERE r.cell_code = %s AND l.status = 'succeeded'
        ORDER BY r.epoch, r.load_run_id DESC""").format(column=sql.Identifier(ind.column))
    rows = fetch(conninfo, query, (cell,))
    return [{"epoch": e.isoformat() if e else None, "run_id": run, "value": _num(v)} for e, run, v in rows]


def heat_series(conninfo: str, ind: Indicator, *, district: int | None = None, cell: str | None = None,
                mode: str = "day") -> list[dict]:
    """One point per epoch of the heat-island runs (`mode`) with statistics for the zone or the cell.

    The air-temperature anomaly is the mean T_air less the run's reference temperature T_ref.
    """
    table, key, ident = (("heat_zone_stats", "zone_pk", district) if district is not None
                         else ("heat_cell_stats", "cell_id", cell))
    query = sql.SQL("""
        SELECT DISTINCT ON (s.epoch) s.epoch, s.load_run_id, s.{column}, h.t_ref_c
        FROM {table} s JOIN msip.heat_run_reference h USING (load_run_id)
        WHERE s.{key} = %s AND s.mode = %s
        ORDER BY s.epoch, s.load_run_id DESC""").format(
        column=sql.Identifier(ind.column), table=sql.Identifier("msip", table), key=sql.Identifier(key))
    rows = fetch(conninfo, query, (ident, mode))
    points = []
    for epoch, run, v, t_ref in rows:
        point: dict[str, Any] = {"epoch": epoch.isoformat(), "run_id": run}
        if ind.name == "t_air_anomaly_c":
            point["value"] = None if v is None or t_ref is None else round(float(v) - t_ref, 2)
            point["t_air_mean_c"], point["t_ref_c"] = _num(v), _num(t_ref)
        else:
            point["value"] = _num(v)
        points.append(point)
    return points
