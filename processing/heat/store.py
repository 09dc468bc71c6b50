"""Writing a heat-island run: HM and T_air COGs (catalogued), hot spots and per-building/zone/cell rows.

Everything goes through the analysis run's transaction (`run.conn`); the COGs are named after
the run, so a failed run leaves no catalogue row and its files are removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import psycopg

from msip.core.db import one_row
from msip.core.runs import LoadRun
from processing.heat.inputs import Building, HeatSources, Zone
from processing.heat.outputs import (
    HeatRasters,
    ZoneStats,
    cell_stats,
    hot_spots,
    hot_threshold,
    polygon_stats,
)
from processing.heat.params import HeatParams

#: nodata of the float32 COGs.
COG_NODATA = -9999.0
RASTER_KINDS = {"heat_hm": "HM: heat-mitigation index (0-1)", "heat_tair": "T_air: air temperature, degC"}


def write_rasters(
    run: LoadRun, rasters: HeatRasters, sources: HeatSources, params: HeatParams
) -> dict[str, tuple[Path, int]]:
    """Write and catalogue the HM and T_air COGs; {kind: (path, asset_id)}."""
    from msip.core.rasters.store import catalogue, raster_dir, write_cog

    paths: dict[str, Path] = {}
    try:
        for kind, data in (("heat_hm", rasters.hm), ("heat_tair", rasters.t_air)):
            path = raster_dir(kind, sources.epoch) / f"{kind}_{params.mode}_run{run.run_id}.tif"
            paths[kind] = path
            arr = np.where(np.isfinite(data), data, COG_NODATA).astype(np.float32)
            write_cog(path, arr, transform=rasters.grid.transform, nodata=COG_NODATA,
                      band_descriptions=[f"{RASTER_KINDS[kind]} ({params.mode})"], predictor=3)
        return {kind: (path, catalogue(run.conn, kind=kind, epoch=sources.epoch, path=path,
                                       load_run_id=run.run_id)) for kind, path in paths.items()}
    except BaseException:
        for path in paths.values():
            path.unlink(missing_ok=True)
        raise


def _ewkb(geom) -> str:
    from msip.core.copy import ewkb_hex

    return ewkb_hex([geom])[0]


def _multi(wkb_bytes: bytes):
    from shapely import wkb
    from shapely.geometry import MultiPolygon, Polygon

    g = wkb.loads(wkb_bytes)
    # building and zone outlines are polygons or multipolygons
    return g if g.geom_type == "MultiPolygon" else MultiPolygon([cast(Polygon, g)])


def _stats_tuple(s: ZoneStats) -> tuple:
    return (s.cells, s.t_air_mean_c, s.t_air_max_c, s.hm_mean, s.hot_share_pct)


_STATS_COLUMNS = ["cells", "t_air_mean_c", "t_air_max_c", "hm_mean", "hot_share_pct"]


def store_results(run: LoadRun, rasters: HeatRasters, sources: HeatSources, params: HeatParams,
                  buildings: list[Building], zones: list[Zone]) -> None:
    """All outputs of one run; counts every building, zone, statistics cell and hot spot."""
    from msip.core.copy import copy_rows

    written = write_rasters(run, rasters, sources, params)
    try:
        _store_rows(run, rasters, sources, params, buildings, zones, copy_rows)
    except BaseException:
        for path, _ in written.values():
            Path(path).unlink(missing_ok=True)
        raise
    run.note(f"COGs {', '.join(f'{k} asset {a}' for k, (_, a) in written.items())}")


def _store_rows(run: LoadRun, rasters: HeatRasters, sources: HeatSources, params: HeatParams,
                buildings: list[Building], zones: list[Zone], copy_rows) -> None:
    grid, t_air, hm = rasters.grid, rasters.t_air, rasters.hm
    if not np.isfinite(t_air).any():
        from msip.core.errors import ValidationError

        raise ValidationError(
            f"no model cell has data in {list(grid.bounds)} for {sources.epoch}; the rasters "
            f"{', '.join(sources.rasters)} do not cover it — choose a bbox inside the surveyed area")
    base = (sources.epoch, params.mode)
    threshold = hot_threshold(t_air, params.hotspot_percentile)
    hot = (np.isfinite(t_air) & (t_air >= threshold)).astype(np.float64)
    spots = hot_spots(t_air, hm, grid, threshold)
    run.count_in(len(spots))
    copy_rows(run.conn, "msip.heat_hotspot",
              ["load_run_id", "epoch", "mode", "percentile", "threshold_c", "cells", "area_m2",
               "t_air_mean_c", "t_air_max_c", "hm_mean", "geom"],
              ((run.run_id, *base, params.hotspot_percentile, threshold, s["cells"], s["area_m2"],
                s["t_air_mean_c"], s["t_air_max_c"], s["hm_mean"], _ewkb(s["geom"])) for s in spots))
    run.loaded(inserted=len(spots))

    b_stats = polygon_stats([b.wkb for b in buildings], grid, t_air, hm, hot, point_fallback=True)
    rows = []
    run.count_in(len(buildings))
    for b, s in zip(buildings, b_stats, strict=False):
        if s is None:
            run.reject(None, f"building {b.source_id} (building_pk {b.pk}): no model cell with data under it "
                       f"(outside {list(grid.bounds)} or not covered by the {sources.epoch} rasters); "
                       "extend the bbox to cover it", source_id=b.source_id, field="geom")
            continue
        rows.append((run.run_id, b.pk, b.source_id, sources.building_epoch, *base, *_stats_tuple(s),
                     s.sampled_at_point, _ewkb(_multi(b.wkb))))
    copy_rows(run.conn, "msip.heat_building_stats",
              ["load_run_id", "building_pk", "source_id", "building_epoch", "epoch", "mode",
               *_STATS_COLUMNS, "sampled_at_point", "geom"], rows)
    run.loaded(inserted=len(rows))

    z_stats = polygon_stats([z.wkb for z in zones], grid, t_air, hm, hot, point_fallback=True)
    rows = []
    run.count_in(len(zones))
    for z, s in zip(zones, z_stats, strict=False):
        if s is None:
            run.reject(None, f"zoning zone {z.designation or z.symbol} (zone_pk {z.pk}): no model cell with "
                       f"data in it (outside {list(grid.bounds)}); extend the bbox to cover it",
                       source_id=str(z.pk), field="geom")
            continue
        rows.append((run.run_id, z.pk, z.symbol, z.designation, *base, *_stats_tuple(s), _ewkb(_multi(z.wkb))))
    copy_rows(run.conn, "msip.heat_zone_stats",
              ["load_run_id", "zone_pk", "symbol", "designation", "epoch", "mode", *_STATS_COLUMNS, "geom"], rows)
    run.loaded(inserted=len(rows))

    from shapely.geometry import box

    cells = cell_stats(grid, params.stats_cell_m, t_air, hm, hot)
    run.count_in(len(cells))
    copy_rows(run.conn, "msip.heat_cell_stats",
              ["load_run_id", "cell_id", "cell_size_m", "epoch", "mode", "valid_share_pct", *_STATS_COLUMNS,
               "geom"],
              ((run.run_id, cid, params.stats_cell_m, *base, share, *_stats_tuple(s), _ewkb(box(*bounds)))
               for cid, bounds, share, s in cells))
    run.loaded(inserted=len(cells))
    valid = np.isfinite(t_air)
    run.note(f"{params.mode}: {int(valid.sum())} cells of {grid.cell:g} m, T_air {np.nanmin(t_air):.2f}–"
             f"{np.nanmax(t_air):.2f} °C (mean {np.nanmean(t_air):.2f}); {len(spots)} hot spots ≥ "
             f"{threshold:.2f} °C (P{params.hotspot_percentile:g})")


def run_outputs(conn: psycopg.Connection, run_id: int) -> dict:
    """What a run produced, for the OGC process and the CLI: rasters, hot spots, zone and building means."""
    params = conn.execute("SELECT params, epoch FROM msip.load_run WHERE run_id = %s", (run_id,)).fetchone()
    assets = conn.execute(
        "SELECT kind, asset_id, sha256 FROM msip.raster_asset WHERE load_run_id = %s ORDER BY kind", (run_id,)
    ).fetchall()
    spots = one_row(conn.execute(
        "SELECT count(*), coalesce(sum(area_m2), 0), max(threshold_c), max(t_air_max_c) "
        "FROM msip.heat_hotspot WHERE load_run_id = %s", (run_id,)))
    buildings = one_row(conn.execute(
        "SELECT count(*), avg(t_air_mean_c), max(t_air_mean_c) FROM msip.heat_building_stats "
        "WHERE load_run_id = %s", (run_id,)))
    zones = conn.execute(
        "SELECT zone_pk, symbol, designation, round(t_air_mean_c::numeric, 3)::float8, "
        "round(hm_mean::numeric, 4)::float8, round(hot_share_pct::numeric, 2)::float8 "
        "FROM msip.heat_zone_stats WHERE load_run_id = %s ORDER BY t_air_mean_c DESC, zone_pk", (run_id,)).fetchall()
    p = params[0] if params else {}
    return {
        "run_id": run_id,
        "epoch": str(params[1]) if params else None,
        "mode": p.get("mode"),
        "rasters": {k: {"asset_id": a, "sha256": s} for k, a, s in assets},
        "hotspots": {"count": spots[0], "area_m2": round(float(spots[1]), 1),
                     "threshold_c": spots[2], "t_air_max_c": spots[3]},
        "buildings": {"count": buildings[0], "t_air_mean_c": buildings[1], "t_air_max_c": buildings[2]},
        "zones": [{"zone_pk": z[0], "symbol": z[1], "designation": z[2], "t_air_mean_c": z[3],
                   "hm_mean": z[4], "hot_share_pct": z[5]} for z in zones],
    }
