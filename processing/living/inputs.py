"""What a living-conditions run reads, and the point-based indicators per cell (people, trees, ads, 3-30-300).

The analysis date is the building snapshot's epoch (default the latest); the CHM, NDVI mosaic,
LiDAR trees and heat-island T_air are taken at their latest epoch on or before it (else the
earliest, with a note). Inventory trees and advertising carriers are those valid on that
date; zones are the current zoning zones; 3-30-300 shares come from the newest green-access
result of each building of the snapshot (run `msip run green-access` first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import psycopg
import shapely

from msip.core.db import one_row
from msip.core.errors import MsipError
from processing.epochs import building_epoch, pick_epoch

#: The newest green-access result of each building of the snapshot %(e)s. Not the is_current view:
#: a run on a newer snapshot retires the results of the same building ids, and a run on an older
#: epoch (the demo's trends, issue 19) must still read the results computed for its own buildings.
GREEN_OF_EPOCH = (
    "(SELECT DISTINCT ON (g.building_pk) g.* FROM msip.greenspace_access_result g "
    "JOIN msip.building gb USING (building_pk) WHERE gb.epoch IS NOT DISTINCT FROM %(e)s "
    "ORDER BY g.building_pk, g.load_run_id DESC)"
)


@dataclass
class LivingInputs:
    """Epochs and rasters a run reads, the load runs behind them and remarks for the summary."""

    epoch: date | None
    chm: str | None = None
    ndvi: str | None = None
    tair: str | None = None
    detected_epoch: date | None = None
    input_run_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _raster(conn, kind: str, epoch: date | None, *, mosaic: bool, like: str | None = None) -> tuple:
    """(path, epoch, load_run_id, note) of the raster of `kind` to use, or Nones."""
    rows = conn.execute(
        "SELECT DISTINCT epoch FROM msip.raster_asset WHERE kind = %s AND is_mosaic = %s "
        "AND (%s::text IS NULL OR band_descriptions[1] LIKE %s)",
        (kind, mosaic, like, like),
    ).fetchall()
    chosen, note = pick_epoch([r[0] for r in rows], epoch)
    if chosen is None:
        return None, None, None, None
    path, run_id = conn.execute(
        "SELECT path, load_run_id FROM msip.raster_asset WHERE kind = %s AND is_mosaic = %s AND epoch = %s "
        "AND (%s::text IS NULL OR band_descriptions[1] LIKE %s) ORDER BY asset_id DESC LIMIT 1",
        (kind, mosaic, chosen, like, like),
    ).fetchone()
    return path, chosen, run_id, note


def resolve(conn: psycopg.Connection, epoch: date | None, heat_mode: str) -> LivingInputs:
    """The inputs of a run on the building snapshot `epoch` (None = latest); raises when unusable."""
    epochs = [r[0] for r in conn.execute("SELECT DISTINCT epoch FROM msip.building")]
    if not epochs:
        raise MsipError(
            "no buildings are loaded; load them first with `msip load base buildings.gpkg`"
        )
    epoch = building_epoch(epochs, epoch)
    inputs = LivingInputs(epoch)
    runs = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT load_run_id FROM msip.building WHERE epoch IS NOT DISTINCT FROM %s",
            (epoch,),
        )
    }
    for attr, kind, mosaic, like, missing in (
        (
            "chm",
            "chm",
            True,
            None,
            "canopy and the CHM fallback of biologically active surface are unknown",
        ),
        ("ndvi", "ndvi", True, None, "biologically active surface falls back to CHM canopy"),
        (
            "tair",
            "heat_tair",
            False,
            f"%({heat_mode})%",
            f"mean T_air is null: run `msip run heat-island` ({heat_mode}) first",
        ),
    ):
        path, _, run_id, note = _raster(conn, kind, epoch, mosaic=mosaic, like=like)
        setattr(inputs, attr, path)
        if path is None:
            inputs.notes.append(f"no {kind} raster: {missing}")
        else:
            runs.add(run_id)
            if note:
                inputs.notes.append(f"{kind}: {note}")
    inputs.detected_epoch, note = pick_epoch(
        [r[0] for r in conn.execute("SELECT DISTINCT epoch FROM msip.tree_detected")], epoch
    )
    if note:
        inputs.notes.append(f"LiDAR-detected trees: {note}")
    runs |= {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT load_run_id FROM msip.tree t WHERE t.valid_from <= %(e)s AND (t.valid_to IS NULL OR "
            "t.valid_to > %(e)s) UNION SELECT DISTINCT load_run_id FROM msip.tree_detected WHERE epoch = %(d)s "
            "UNION SELECT DISTINCT load_run_id FROM msip.advertisement a WHERE a.valid_from <= %(e)s AND "
            "(a.valid_to IS NULL OR a.valid_to > %(e)s) "
            "UNION SELECT DISTINCT load_run_id FROM msip.zoning_zone_current "
            f"UNION SELECT DISTINCT r.load_run_id FROM {GREEN_OF_EPOCH} r",
            {"e": epoch, "d": inputs.detected_epoch},
        )
    }
    if not one_row(conn.execute(
        f"SELECT EXISTS (SELECT 1 FROM {GREEN_OF_EPOCH} r)",
        {"e": epoch},
    ))[0]:
        inputs.notes.append(
            "no green-access results for this building snapshot: 3-30-300 shares are null; "
            "run `msip run green-access` first"
        )
    inputs.input_run_ids = sorted(r for r in runs if r is not None)
    return inputs


@dataclass
class PointIndicators:
    """Per cell (arrays indexed by cell number): residents, buildings, 3-30-300 residents, trees, ads."""

    population: np.ndarray
    buildings: np.ndarray
    pop_known: np.ndarray  # (cells, 4): residents whose 3, 30, 300, all-three flag is known (not NULL)
    pop_meets: np.ndarray  # (cells, 4): residents meeting 3, 30, 300, all three
    trees: np.ndarray
    ads: np.ndarray


def point_indicators(
    conn: psycopg.Connection, grid, inputs: LivingInputs, area: bytes, dedup_m: float
) -> PointIndicators:
    """Residents (building centroids), green-access shares, trees (inventory ∪ LiDAR-only) and carriers per cell."""
    from processing.green_access.db import tree_points

    n = len(grid)
    rows = conn.execute(
        "SELECT ST_X(c), ST_Y(c), b.population, r.building_pk IS NOT NULL, r.meets_3, r.meets_30, r.meets_300, "
        "r.meets_3_30_300 "
        "FROM (SELECT *, ST_Centroid(geom) AS c FROM msip.building WHERE residential "
        "      AND epoch IS NOT DISTINCT FROM %(e)s AND geom && ST_GeomFromWKB(%(area)s, 2180)) b "
        f"LEFT JOIN {GREEN_OF_EPOCH} r USING (building_pk)",
        {"e": inputs.epoch, "area": area},
    ).fetchall()
    a = np.array(rows, dtype="float64").reshape(-1, 8)
    cell = grid.index_of(a[:, 0], a[:, 1])
    keep = cell >= 0
    cell, a = cell[keep], a[keep]
    pop = a[:, 2]
    population = np.bincount(cell, weights=pop, minlength=n)
    # A NULL flag (no result, or unknown for lack of data) counts neither as met nor as not met.
    known = ~np.isnan(a[:, 4:8])
    flags = np.nan_to_num(a[:, 4:8], nan=0.0)
    pop_known = np.stack([np.bincount(cell, weights=pop * known[:, k], minlength=n) for k in range(4)], axis=1)
    meets = np.stack([np.bincount(cell, weights=pop * flags[:, k], minlength=n) for k in range(4)], axis=1)
    buildings = np.bincount(cell, minlength=n)
    inventory, detected = tree_points(
        conn, epoch=inputs.epoch, detected_epoch=inputs.detected_epoch, area=area, dedup_m=dedup_m
    )
    trees = np.zeros(n, dtype=np.int64)
    for pts in (inventory, detected):
        if len(pts):
            c = grid.index_of(shapely.get_x(pts), shapely.get_y(pts))
            trees += np.bincount(c[c >= 0], minlength=n)
    ads = conn.execute(
        "SELECT ST_X(geom), ST_Y(geom) FROM msip.advertisement a WHERE ((%(e)s::date IS NULL AND a.valid_to IS NULL) "
        "OR (a.valid_from <= %(e)s AND (a.valid_to IS NULL OR a.valid_to > %(e)s))) "
        "AND geom && ST_GeomFromWKB(%(a)s, 2180)",
        {"e": inputs.epoch, "a": area},
    ).fetchall()
    ad_cells = (
        grid.index_of(*np.array(ads, dtype="float64").reshape(-1, 2).T)
        if ads
        else np.array([], dtype=int)
    )
    return PointIndicators(
        population,
        buildings,
        pop_known,
        meets,
        trees,
        np.bincount(ad_cells[ad_cells >= 0], minlength=n),
    )
