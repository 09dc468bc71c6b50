"""Green-space access per residential building: the 3-30-300 rule and the art. 13f u.p.z.p. standard.

Per residential building of a snapshot (defaults and ranges in `PARAMETERS`):

* **3** – ``trees_15m``: inventory trees valid on the analysis date plus LiDAR-detected trees
  with no inventory trunk within ``dedup_distance_m`` (3 m), whose trunk/apex lies within
  ``tree_radius_m`` (15 m) of the building outline — the proxy for "three trees visible from
  home". Met when ≥ ``min_trees`` (3); unknown (NULL) below that where no tree data covers the
  building: its centroid outside the inventory's convex hull and CHM data in under half of the
  ``tree_radius_m`` circle around it.
* **30** – ``canopy_pct`` = 100 × CHM cells ≥ ``canopy_min_height_m`` (2 m) / CHM cells with
  data, in the circle of ``canopy_radius_m`` (250 m) around the centroid. Met when
  ≥ ``min_canopy_pct`` (30 %); unknown (NULL) without a CHM.
* **300** – ``park_distance_m``: walk from the centroid (straight to the nearest walk edge, then
  along the pgRouting network) to the nearest public green space ≥ ``park_min_area_ha``
  (0.5 ha), reached at any network point within ``entrance_tolerance_m`` (20 m) of its
  outline. Met when ≤ ``park_max_distance_m`` (300 m); minutes at ``walk_speed_kmh`` (4.8).
  Unknown (NULL), as art. 13f, for a building beyond the network's snap limit or when no green
  spaces are loaded.
* **art. 13f** – green: public green spaces reached (same walk) within
  ``green_total_distance_m`` (1500 m) total ≥ ``green_total_ha`` (3 ha) *and* one of
  ≥ ``large_park_ha`` (20 ha) within ``large_park_distance_m`` (3000 m); school: a building of
  kind 'school' reached within ``school_distance_m`` (1500 m), tested only when schools exist.

Green spaces with public_access NULL count as public. Shares are weighted by population (of the
residents whose flag is known: unknown is not counted as not met), per
district (``district`` = 'grid' cells of ``district_cell_m`` aligned to EPSG:2180 multiples, or
'zone' = the current zoning zone holding the centroid) and for the whole analysed area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from msip.core.runs import LoadReport, LoadRun
from processing.contract import Analysis, Outcome, Resolved, ResultTable
from processing.green_access import network
from processing.green_access.canopy import canopy_shares, tree_data_covers
from processing.green_access.db import (
    context_area,
    inventory_hull,
    stage_buildings,
    stage_targets,
    store_values,
    tree_counts,
    write_districts,
    write_results,
)
from processing.green_access.inputs import Inputs, resolve_inputs
from processing.green_access.params import DISTRICTS, PARAMETERS, GreenAccessParams, defaults

__all__ = [
    "ANALYSIS",
    "DISTRICTS",
    "NAME",
    "PARAMETERS",
    "GreenAccessParams",
    "GreenAccessRequest",
    "GreenAccessResult",
    "defaults",
    "run_green_access",
]

NAME = "green-access"


@dataclass
class GreenAccessResult:
    """What a run did: its report (status, run id, counts), the epochs read, the totals and a checksum."""

    report: LoadReport
    epochs: dict
    totals: dict | None
    checksum: str | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready summary (the OGC process output)."""
        return {
            "run_id": self.report.run_id,
            "status": self.report.status,
            "epochs": self.epochs,
            "totals": self.totals,
            "checksum": self.checksum,
            "notes": self.report.notes or self.notes,
        }

    def summary(self) -> str:
        lines = [self.report.summary()]
        t = self.totals
        if t and t["population"]:
            known = t.get("population_known") or {}

            def pct(k):
                if t[k] is None:
                    return "unknown (no data)"
                share = known.get(k, t["population"]) / t["population"]
                return f"{t[k]:.1f} %" + ("" if share >= 1 else f" of the {100 * share:.0f} % of residents with data")

            lines.append(
                f"  residents: {t['population']} in {t['buildings']} buildings; meeting 3: {pct('pct_3')}, "
                f"30: {pct('pct_30')}, 300: {pct('pct_300')}, 3-30-300: {pct('pct_3_30_300')}; "
                f"art. 13f green: {pct('pct_13f_green')}, school: {pct('pct_13f_school')}, all: {pct('pct_13f')}"
            )
        lines.append(f"  checksum of the results: {self.checksum}")
        return "\n".join(lines)


@dataclass(frozen=True)
class GreenAccessRequest:
    """One run: the parameters (epoch and bbox among them) and the worker count of the canopy tiles."""

    params: GreenAccessParams
    workers: int | None = None


def _request(values: dict, *, workers: int | None = None) -> GreenAccessRequest:
    names = ("epoch", "bbox", *PARAMETERS.names())
    return GreenAccessRequest(GreenAccessParams(**{n: values[n] for n in names if n in values}), workers)


def _resolve(conn, request: GreenAccessRequest) -> Resolved:
    inputs = resolve_inputs(conn, request.params.epoch)
    return Resolved(request.params.record(inputs.epoch), inputs.input_run_ids, inputs.epoch, state=inputs)


def _run(run: LoadRun, request: GreenAccessRequest, resolved: Resolved) -> None:
    _compute(run, request.params, resolved.record, resolved.state, request.workers)


def _finish(conn, outcome: Outcome) -> GreenAccessResult:
    inputs = outcome.resolved.state
    totals = _totals(conn, outcome.report.run_id)
    return GreenAccessResult(outcome.report, inputs.describe(), totals, outcome.checksum, list(inputs.notes))


#: What a run's checksum covers: per-building results and district shares (ids and run numbers left out).
CHECKSUM = (
    ResultTable(
        "msip.greenspace_access_result",
        ("building_id", "population", "district_id", "trees_15m", "trees_inventory_15m", "trees_lidar_15m",
         "canopy_pct", "canopy_data_pct", "snap_m", "park_distance_m", "park_id", "green_1500m_ha",
         "park_20ha_distance_m", "school_distance_m", "meets_3", "meets_30", "meets_300", "meets_13f",
         "ST_AsEWKB(geom)"),
        "building_id",
    ),
    ResultTable(
        "msip.greenspace_access_district",
        ("district_kind", "district_id", "buildings", "population", "pct_3", "pct_30", "pct_300", "pct_13f",
         "median_park_distance_m"),
        "district_kind, district_id",
    ),
)
ANALYSIS: Analysis[GreenAccessResult] = Analysis(NAME, PARAMETERS, _request, _resolve, _run, _finish, CHECKSUM)


def run_green_access(
    params: GreenAccessParams | None = None,
    *,
    url: str | None = None,
    force: bool = False,
    workers: int | None = None,
) -> GreenAccessResult:
    """Compute green access for the residential buildings of a snapshot and store it (one analysis run).

    Results go to msip.greenspace_access_result (per building) and msip.greenspace_access_district;
    the same inputs and parameters again are 'unchanged' (the stored run is reported).
    """
    return ANALYSIS.run(GreenAccessRequest(params or GreenAccessParams(), workers), url=url, force=force)


def _compute(
    run: LoadRun, params: GreenAccessParams, record: dict, inputs: Inputs, workers: int | None
) -> None:
    conn = run.conn
    for note in inputs.notes:
        run.note(note)
    n = stage_buildings(conn, inputs.epoch, params.bbox)
    run.count_in(n)
    if n == 0:
        run.note("no residential buildings in the area: nothing to compute")
        return
    margin = params.search_m + params.entrance_tolerance_m + params.max_snap_m
    area = context_area(conn, margin) if params.bbox else None
    edges = network.load_edges(conn, epoch=inputs.network_epoch, area_wkb=area)
    conn.execute("INSERT INTO net_home SELECT building_pk, centroid FROM ga_building")
    snapped = network.snap_homes(conn, max_snap_m=params.max_snap_m)
    if snapped < n:
        run.note(
            f"{n - snapped} of {n} buildings are farther than {params.max_snap_m:g} m from the walking "
            "network: no walking distances for them (300 and art. 13f unknown)"
        )
    greens, unknown, schools = stage_targets(conn, inputs, area)
    if unknown:
        run.note(f"{unknown} green spaces do not say whether they are public: counted as public")
    _, far = network.attach_targets(
        conn, tolerance_m=params.entrance_tolerance_m, max_snap_m=params.max_snap_m
    )
    if far:
        run.note(
            f"{far} green spaces or schools have no walk edge within {params.entrance_tolerance_m:g} m: "
            "entered from their nearest edge (reach = its distance + the tolerance)"
        )
    network.build_graph(conn)
    run.note(
        f"{n} buildings ({snapped} on the network of {edges} edges), {greens} public green spaces, "
        f"{schools} schools"
    )
    values = _distances(conn, params, schools > 0)
    trees, inv, lidar = tree_counts(
        conn,
        inputs,
        context_area(conn, params.tree_radius_m + params.dedup_distance_m),
        radius_m=params.tree_radius_m,
        dedup_m=params.dedup_distance_m,
    )
    run.note(
        f"trees near the buildings: {inv} from the inventory, {lidar} more detected by LiDAR only"
    )
    pks, xy = _centroids(conn)
    if inputs.chm_path:
        canopy, data = canopy_shares(
            inputs.chm_path,
            xy,
            radius_m=params.canopy_radius_m,
            min_height_m=params.canopy_min_height_m,
            workers=workers,
        )
    else:
        canopy, data = np.full(len(pks), np.nan), np.zeros(len(pks))
    known = tree_data_covers(inventory_hull(conn, inputs.epoch), inputs.chm_path, xy,
                             radius_m=params.tree_radius_m, workers=workers)
    if not known.all():
        run.note(f"{int((~known).sum())} of {n} buildings lie outside the tree inventory and the LiDAR survey: "
                 f"3 is unknown there unless {params.min_trees} trees were found anyway")
    store_values(
        conn,
        (
            (pk, *values.get(pk, (None,) * 6), _num(c), _num(d), *trees[pk], bool(k))
            for pk, c, d, k in zip(pks, canopy, data, known, strict=True)
        ),
    )
    written = write_results(conn, run.run_id, record, has_schools=schools > 0, has_greens=inputs.has_green_spaces)
    write_districts(conn, run.run_id, record, has_schools=schools > 0)
    run.loaded(inserted=written)


def _distances(conn, params: GreenAccessParams, has_schools: bool) -> dict[int, tuple]:
    """{building_pk: (snap_m, park tgt_id, park_m, green m² within reach, 20 ha park m, school m)}."""
    search = params.search_m
    park = network.nearest_target(
        conn, "green", min_area_m2=params.park_min_area_ha * 1e4, max_m=search
    )
    large = network.nearest_target(
        conn, "green", min_area_m2=params.large_park_ha * 1e4, max_m=search
    )
    school = network.nearest_target(conn, "school", max_m=search) if has_schools else {}
    green = network.area_within(conn, "green", max_m=params.green_total_distance_m)
    out = {}
    for owner, snap in conn.execute("SELECT owner, snap_m FROM net_home_node ORDER BY owner"):
        p = park.get(owner)
        out[owner] = (
            snap,
            p[0] if p else None,
            p[1] if p else None,
            green.get(owner, (0, 0.0))[1],
            large[owner][1] if owner in large else None,
            school[owner][1] if owner in school else None,
        )
    return out


def _centroids(conn) -> tuple[list[int], np.ndarray]:
    rows = conn.execute(
        "SELECT building_pk, ST_X(centroid), ST_Y(centroid) FROM ga_building ORDER BY building_pk"
    ).fetchall()
    return [r[0] for r in rows], np.array([(r[1], r[2]) for r in rows], dtype="float64").reshape(
        -1, 2
    )


def _num(v: float) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _totals(conn, run_id: int | None) -> dict | None:
    """The whole-area row of msip.greenspace_access_district for a run, with `population_known`: per share,
    the residents whose flag is known (the share's denominator)."""
    cur = conn.execute(
        "SELECT buildings, population, pct_3, pct_30, pct_300, pct_3_30_300, pct_13f_green, pct_13f_school, pct_13f, "
        "median_park_distance_m FROM msip.greenspace_access_district WHERE load_run_id = %s AND district_kind = 'all'",
        (run_id,),
    )
    row = cur.fetchone()
    if not row:
        return None
    totals = dict(zip([d.name for d in cur.description], row, strict=True))
    flags = ("3", "30", "300", "3_30_300", "13f_green", "13f_school", "13f")
    known = conn.execute(
        "SELECT " + ", ".join(f"coalesce(sum(population) FILTER (WHERE meets_{f} IS NOT NULL), 0)" for f in flags)
        + " FROM msip.greenspace_access_result WHERE load_run_id = %s",
        (run_id,),
    ).fetchone()
    totals["population_known"] = {f"pct_{f}": int(n) for f, n in zip(flags, known, strict=True)}
    return totals
