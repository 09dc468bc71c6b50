"""Writing zoning rows: staged upserts by idIIP into msip.zoning_*, and the per-plan zone topology check.

Shared by the APP GML loader (`pipelines.zoning.load`) and the zone-table loader
(`pipelines.zoning.table`).
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
from pipelines.zoning.checks import find_issues, summarise
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


def check_zone_topology(run: LoadRun, zones: Sequence[ZoningRow]) -> None:
    """Report overlaps, gaps and overhangs per plan as notes and rows of msip.zoning_issue."""
    by_plan: dict[tuple, list[tuple[str, BaseGeometry]]] = {}
    for values, geom in zones:
        assert geom is not None, f"zone {values['local_id']} has no geometry"  # only documents lack one
        by_plan.setdefault((values["plan_namespace"], values["plan_local_id"]), []).append(
            (values["local_id"], geom)
        )
    for (ns, local), members in by_plan.items():
        extent = plan_extent(run.conn, ns, local)
        issues, slivers = find_issues(members, extent)
        label = f"{ns}/{local}" if ns else "(no plan reference)"
        run.note(summarise(label, len(members), issues, slivers, extent is not None))
        for issue in issues[:5]:
            run.note(issue.describe())
        if issues:
            copy_rows(
                run.conn,
                "msip.zoning_issue",
                [
                    "load_run_id",
                    "plan_namespace",
                    "plan_local_id",
                    "issue_kind",
                    "zone_ids",
                    "area_m2",
                    "geom",
                ],
                [
                    (run.run_id, ns, local, i.kind, i.zone_ids, i.area_m2, wkb)
                    for i, wkb in zip(issues, ewkb_hex([i.geom for i in issues]), strict=True)
                ],
            )


def plan_extent(
    conn: psycopg.Connection, namespace: str | None, local_id: str | None
) -> BaseGeometry | None:
    """The current outline of plan `namespace`/`local_id` in msip.zoning_plan_current, or None."""
    if not namespace or not local_id:
        return None
    row = conn.execute(
        "SELECT ST_AsBinary(geom) FROM msip.zoning_plan_current "
        "WHERE iip_namespace = %s AND local_id = %s",
        (namespace, local_id),
    ).fetchone()
    return shapely.from_wkb(bytes(row[0])) if row else None
