"""Matching LiDAR-detected trees with the tree inventory (msip.tree) of the same date.

Pairs closer than `tolerance_m` are matched one-to-one, nearest first. Inventory trees inside
the surveyed area with no partner are flagged `not_detected` (the laser does not see them:
felled, wrong position, or too small — `expected_visible` tells which); detected trees at
least `tall_m` tall with no partner are flagged `not_in_inventory`. An empty (or absent)
inventory simply flags every tall detected tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import psycopg
from scipy.spatial import cKDTree

from msip.core.copy import copy_rows, ewkb_hex

COLUMNS = (
    "epoch",
    "status",
    "detected_id",
    "tree_id",
    "inventory_source_id",
    "distance_m",
    "height_detected_m",
    "height_inventory_m",
    "height_diff_m",
    "expected_visible",
    "geom",
    "load_run_id",
)


@dataclass
class MatchSummary:
    matched: int = 0
    not_detected: int = 0
    not_in_inventory: int = 0
    note: str = ""

    def describe(self) -> str:
        return (
            f"inventory match: {self.matched} matched, {self.not_detected} inventory trees "
            "not seen by the "
            f"laser, {self.not_in_inventory} tall detected trees missing from the inventory"
            f"{self.note}"
        )


def _inventory(conn: psycopg.Connection, epoch: date) -> tuple[list[tuple], str]:
    missing = conn.execute("SELECT to_regclass('msip.tree') IS NULL").fetchone()
    if missing is not None and missing[0]:
        return [], " (no msip.tree table)"
    cover = (
        "(SELECT ST_Union(footprint) FROM msip.raster_asset WHERE kind = 'chm' AND epoch = %(e)s "
        "AND NOT is_mosaic)"
    )
    base = (
        "SELECT tree_id, source_id, height_m, ST_X(geom), ST_Y(geom) FROM msip.tree "
        f"WHERE ST_Intersects(geom, {cover}) AND "
    )
    rows = conn.execute(
        base + "valid_from <= %(e)s AND (valid_to IS NULL OR valid_to > %(e)s)", {"e": epoch}
    ).fetchall()
    if rows:
        return rows, ""
    rows = conn.execute(base + "valid_to IS NULL", {"e": epoch}).fetchall()
    return (
        rows,
        f" (no inventory version valid on {epoch}; compared with the current inventory)"
        if rows
        else "",
    )


def match_inventory(
    conn: psycopg.Connection,
    *,
    epoch: date,
    run_id: int,
    tolerance_m: float,
    tall_m: float,
    min_visible_m: float,
) -> MatchSummary:
    """Rebuild msip.tree_match for `epoch` (inside the caller's transaction); returns the counts."""
    conn.execute("DELETE FROM msip.tree_match WHERE epoch = %s", (epoch,))
    inv, note = _inventory(conn, epoch)
    det = conn.execute(
        "SELECT detected_id, height_m, ST_X(geom), ST_Y(geom) FROM msip.tree_detected "
        "WHERE epoch = %s",
        (epoch,),
    ).fetchall()
    summary = MatchSummary(note=note)
    inv_xy = np.array([(r[3], r[4]) for r in inv], dtype=float).reshape(-1, 2)
    det_xy = np.array([(r[2], r[3]) for r in det], dtype=float).reshape(-1, 2)
    pairs: list[tuple[float, int, int]] = []
    if len(inv_xy) and len(det_xy):
        sdm = cKDTree(inv_xy).sparse_distance_matrix(
            cKDTree(det_xy), tolerance_m, output_type="ndarray"
        )
        pairs = sorted(zip(sdm["v"].tolist(), sdm["i"].tolist(), sdm["j"].tolist(), strict=False))
    used_i: set[int] = set()
    used_j: set[int] = set()
    rows: list[list[Any]] = []
    points: list = []
    from shapely import points as make_points

    for d, i, j in pairs:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        hi, hd = inv[i][2], det[j][1]
        rows.append(
            [
                epoch,
                "matched",
                det[j][0],
                inv[i][0],
                inv[i][1],
                d,
                hd,
                hi,
                None if hi is None else hd - hi,
                None,
            ]
        )
        points.append(inv_xy[i])
    for i, r in enumerate(inv):
        if i not in used_i:
            rows.append(
                [
                    epoch,
                    "not_detected",
                    None,
                    r[0],
                    r[1],
                    None,
                    None,
                    r[2],
                    None,
                    None if r[2] is None else r[2] >= min_visible_m,
                ]
            )
            points.append(inv_xy[i])
    for j, r in enumerate(det):
        if j not in used_j and r[1] >= tall_m:
            rows.append([epoch, "not_in_inventory", r[0], None, None, None, r[1], None, None, None])
            points.append(det_xy[j])
    if rows:
        geoms = ewkb_hex(np.asarray(make_points(np.array(points))))
        copy_rows(
            conn, "msip.tree_match", COLUMNS, ([*row, g, run_id] for row, g in zip(rows, geoms, strict=False))
        )
    summary.matched = len(used_i)
    summary.not_detected = len(inv) - len(used_i)
    summary.not_in_inventory = sum(1 for row in rows if row[1] == "not_in_inventory")
    return summary
