"""One zoning plan as stored in msip.zoning_* (its act, zones and documents), found by id or IIP identifier.

What the APP writer and the drawing need, read in one go; geometries stay in EPSG:2180 here
(the writer puts them back into the plan's declared CRS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
import shapely
from psycopg.rows import dict_row
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from msip.core.errors import MsipError

_PLAN_SQL = (
    "SELECT plan_pk, iip_namespace, local_id, version_id, gml_id, title, plan_type, plan_type_label, "
    "hierarchy_level, status, status_label, valid_from, valid_to, version_start, app_namespace, "
    "source_epsg, attributes, ST_AsBinary(geom) AS wkb FROM msip.zoning_plan_current"
)


class PlanNotFoundError(MsipError, LookupError):
    """No loaded plan matches the identifier given (the message lists the plans that are loaded)."""


@dataclass
class PlanData:
    """A plan's act row, its current zones and its documents (rows as dicts, geometries as shapely)."""

    plan: dict[str, Any]
    geom: MultiPolygon
    zones: list[dict[str, Any]] = field(default_factory=list)
    zone_geoms: list[MultiPolygon] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def epsg(self) -> int:
        """The CRS the plan was published in (its act's srsName): the export writes coordinates in it."""
        return int(self.plan["source_epsg"])

    @property
    def label(self) -> str:
        p = self.plan
        return f"{p['iip_namespace']}/{p['local_id']}"


def _candidates(conn: psycopg.Connection) -> str:
    rows = conn.execute(
        "SELECT plan_pk, iip_namespace || '/' || local_id FROM msip.zoning_plan_current ORDER BY 1 LIMIT 20"
    ).fetchall()
    return ", ".join(f"{pk} ({iip})" for pk, iip in rows) or "none: load one with `msip load zoning FILE.gml`"


def find_plan(conn: psycopg.Connection, ref: str | int) -> dict[str, Any]:
    """The current act matching `ref`: its plan_pk (the API item id), 'przestrzenNazw/lokalnyId' or a unique lokalnyId.

    Raises PlanNotFoundError naming the loaded plans when none or several match.
    """
    text = str(ref).strip().strip("/")
    with conn.cursor(row_factory=dict_row) as cur:
        if text.isdigit():
            rows = cur.execute(f"{_PLAN_SQL} WHERE plan_pk = %s", (int(text),)).fetchall()
        else:
            ns, _, local = text.rpartition("/")
            if ns:
                rows = cur.execute(
                    f"{_PLAN_SQL} WHERE (iip_namespace = %s AND local_id = %s) OR iip_namespace || '/' || local_id "
                    "|| '/' || version_id = %s",
                    (ns, local, text),
                ).fetchall()
            else:
                rows = cur.execute(f"{_PLAN_SQL} WHERE local_id = %s", (text,)).fetchall()
    if len(rows) == 1:
        return rows[0]
    what = "matches several plans" if rows else "matches no loaded plan"
    raise PlanNotFoundError(
        f"plan {text!r} {what}; give its id or 'przestrzenNazw/lokalnyId' (loaded: {_candidates(conn)})"
    )


def _multi(geom: BaseGeometry) -> MultiPolygon:
    """The stored geometry (MultiPolygon columns) as a MultiPolygon."""
    if isinstance(geom, MultiPolygon):
        return geom
    assert isinstance(geom, Polygon), geom.geom_type  # the columns are geometry(MultiPolygon, 2180)
    return MultiPolygon([geom])


def read_plan(conn: psycopg.Connection, ref: str | int) -> PlanData:
    """The plan `ref` (see `find_plan`) with its current zones and the documents that refer to it."""
    plan = find_plan(conn, ref)
    data = PlanData(plan, _multi(shapely.from_wkb(bytes(plan.pop("wkb")))))
    with conn.cursor(row_factory=dict_row) as cur:
        zones = cur.execute(
            "SELECT *, ST_AsBinary(geom) AS wkb FROM msip.zoning_zone_current "
            "WHERE plan_namespace IS NOT DISTINCT FROM %s AND plan_local_id = %s ORDER BY local_id",
            (plan["iip_namespace"], plan["local_id"]),
        ).fetchall()
        needle = f"/AktPlanowaniaPrzestrzennego/{plan['iip_namespace']}/{plan['local_id']}"
        data.documents = cur.execute(
            "SELECT DISTINCT ON (iip_namespace, local_id) * FROM msip.zoning_document d "
            "WHERE EXISTS (SELECT 1 FROM unnest(d.plan_refs) r WHERE position(%s in r || '/') > 0) "
            "ORDER BY iip_namespace, local_id, version_id DESC",
            (f"{needle}/",),
        ).fetchall()
    for z in zones:
        data.zone_geoms.append(_multi(shapely.from_wkb(bytes(z.pop("wkb")))))
        z.pop("geom", None)
        data.zones.append(z)
    return data
