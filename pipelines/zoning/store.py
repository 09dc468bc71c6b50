"""Writing zoning rows: staged upserts by idIIP into msip.zoning_*, and the per-plan zone topology check.

Shared by the APP GML loader (`pipelines.zoning.load`) and the zone-table loader
(`pipelines.zoning.table`). Issues are kept once per plan version (migration 090): a re-check
replaces the plan version's issues instead of adding to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import psycopg
import shapely
from psycopg.types.json import Jsonb
from shapely.geometry.base import BaseGeometry

from msip.core.copy import copy_rows, create_staging, ewkb_hex
from msip.core.runs import LoadRun
from msip.core.versions import VersionCounts, row_hash, sync_staged
from pipelines.zoning.checks import ZoneIssue, find_issues, summarise
from pipelines.zoning.rows import KEYS

#: A row to write: its column values and its geometry (None for documents, which have none).
ZoningRow: TypeAlias = tuple[dict, BaseGeometry | None]


def write_rows(
    run: LoadRun, table: str, columns: list[str], rows: Sequence[ZoningRow]
) -> VersionCounts:
    """Stage `rows` ((values, geometry or None)) and upsert them into `table` by idIIP."""
    if not rows:
        return VersionCounts()
    has_geom = rows[0][1] is not None
    cols = [*columns, "row_hash", "load_run_id", *(["geom"] if has_geom else [])]
    geoms = ewkb_hex([g for _, g in rows]) if has_geom else [None] * len(rows)
    stage = create_staging(run.conn, table, f"stage_{table.split('.')[-1]}")
    data = []
    for (values, _), wkb in zip(rows, geoms, strict=True):
        plain = [values[c] for c in columns]
        record = [Jsonb(v) if isinstance(v, dict) else v for v in plain]
        data.append([*record, row_hash([*plain, wkb]), run.run_id, *([wkb] if has_geom else [])])
    copy_rows(run.conn, stage, cols, data)
    counts = sync_staged(run.conn, table, stage, cols, KEYS)
    run.loaded(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
    return counts


def check_zone_topology(run: LoadRun, zones: Sequence[ZoningRow], plans: Sequence[ZoningRow] = ()) -> None:
    """Re-check every plan that `zones` belong to or `plans` outline, with all its current zones.

    Called after the rows are written, so the check sees the plan's zones from every file
    loaded so far and the plan's outline when it is loaded (before or after its zones). The
    issues of the plan version checked replace those recorded before (and those found from
    the zones alone); notes name them.
    """
    groups = {_group(values) for values, _ in zones}
    groups |= {(values["iip_namespace"], values["local_id"]) for values, _ in plans}
    for ns, local in sorted(groups, key=lambda g: (g[0] or "", g[1] or "")):
        members = _current_zones(run.conn, ns, local)
        if not members:
            continue  # a plan outline without zones: nothing to check yet
        outline = _plan_row(run.conn, ns, local)
        extent, version = (outline if outline else (None, ""))
        issues, small = find_issues(members, extent)
        label = f"{ns}/{local}" if local else f"{ns} (zones with no plan reference)"
        run.note(summarise(label, len(members), issues, small, extent is not None))
        for issue in issues[:5]:
            run.note(issue.describe())
        _replace_issues(run, ns, local, version, issues)


def _group(values: dict) -> tuple[str | None, str | None]:
    """The plan a zone is checked with: its plan reference, else the zones of its own namespace."""
    if values["plan_local_id"]:
        return values["plan_namespace"], values["plan_local_id"]
    return values["iip_namespace"], None


def _current_zones(conn: psycopg.Connection, ns: str | None, local: str | None) -> list[tuple[str, BaseGeometry]]:
    """(local id, geometry) of the current zones of plan `ns`/`local` (no plan: of namespace `ns`)."""
    params: tuple[str | None, ...]
    if local is None:
        where, params = "plan_local_id IS NULL AND iip_namespace = %s", (ns,)
    else:
        where, params = "plan_namespace IS NOT DISTINCT FROM %s AND plan_local_id = %s", (ns, local)
    rows = conn.execute(
        f"SELECT local_id, ST_AsBinary(geom) FROM msip.zoning_zone_current WHERE {where} ORDER BY local_id",
        params,
    ).fetchall()
    return [(r[0], shapely.from_wkb(bytes(r[1]))) for r in rows]


def _replace_issues(
    run: LoadRun, ns: str | None, local: str | None, version: str, issues: list[ZoneIssue]
) -> None:
    """Store `issues` as the plan version's only ones (those from the zones alone go too)."""
    run.conn.execute(
        "DELETE FROM msip.zoning_issue WHERE plan_namespace IS NOT DISTINCT FROM %s "
        "AND plan_local_id IS NOT DISTINCT FROM %s AND plan_version_id IN (%s, '')",
        (ns, local, version),
    )
    if not issues:
        return
    stage = "stage_zoning_issue"
    run.conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE msip.zoning_issue INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    run.conn.execute(f"TRUNCATE {stage}")
    columns = ["load_run_id", "plan_namespace", "plan_local_id", "plan_version_id", "issue_kind",
               "zone_ids", "area_m2", "geom"]
    copy_rows(
        run.conn,
        stage,
        columns,
        [
            (run.run_id, ns, local, version, i.kind, i.zone_ids, i.area_m2, wkb)
            for i, wkb in zip(issues, ewkb_hex([i.geom for i in issues]), strict=True)
        ],
    )
    cols = ", ".join(columns)
    # Two issues that round to the same 1 cm geometry are one (the unique key says so).
    run.conn.execute(
        f"INSERT INTO msip.zoning_issue ({cols}) SELECT {cols} FROM {stage} "
        "ON CONFLICT ON CONSTRAINT zoning_issue_once DO NOTHING"
    )


def _plan_row(conn: psycopg.Connection, ns: str | None, local: str | None) -> tuple[BaseGeometry, str] | None:
    """(outline, version id) of the current version of plan `ns`/`local`, or None when it is not loaded."""
    if not ns or not local:
        return None
    row = conn.execute(
        "SELECT ST_AsBinary(geom), version_id FROM msip.zoning_plan_current "
        "WHERE iip_namespace = %s AND local_id = %s",
        (ns, local),
    ).fetchone()
    return (shapely.from_wkb(bytes(row[0])), row[1]) if row else None


def plan_extent(
    conn: psycopg.Connection, namespace: str | None, local_id: str | None
) -> BaseGeometry | None:
    """The current outline of plan `namespace`/`local_id` in msip.zoning_plan_current, or None."""
    row = _plan_row(conn, namespace, local_id)
    return row[0] if row else None
