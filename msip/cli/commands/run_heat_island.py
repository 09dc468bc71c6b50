"""`msip run heat-island`: the urban cooling model (InVEST UCM) on MSIP's layers, stored in msip.heat_*."""

from __future__ import annotations

import math

import click

from msip.cli.options import EPOCH, EXTENT, force_option
from processing.heat.params import MODES, PARAMETERS, STATS_CELL_SIZES_M


def _model_options(fn):
    """One --option per model parameter of processing.heat.params.PARAMETERS (default, range, unit)."""
    for name, (default, lo, hi, unit, help_en, _) in reversed(PARAMETERS.items()):
        unit_text = f", {unit}" if unit else ""
        fn = click.option(f"--{name.replace('_', '-')}", name, type=click.FloatRange(lo, hi), default=default,
                          show_default=True, help=f"{help_en}{unit_text}.")(fn)
    return fn


@click.command("heat-island")
@click.option("--mode", type=click.Choice(MODES), default="day", show_default=True,
              help="day: CC from shade, albedo and evapotranspiration; night: CC = 1 − building intensity.")
@click.option("--epoch", type=EPOCH, default=None,
              help="Survey date of the rasters [default: the latest with every raster the mode needs].")
@click.option("--bbox", type=EXTENT, default=None,
              help="Area: minx,miny,maxx,maxy in EPSG:2180 [default: the rasters' common extent].")
@click.option("--t-ref", "t_ref_c", type=click.FloatRange(-40, 60), default=None,
              help="Reference air temperature T_ref, °C [default: 24 by day, 14 at night].")
@click.option("--stats-cell", "stats_cell_m", type=click.Choice([str(s) for s in STATS_CELL_SIZES_M]),
              default="100", show_default=True, help="Side of the statistics grid cells, m.")
@_model_options
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Parallel worker processes [default: CPU count; MSIP_DASK_SCHEDULER uses a cluster].")
@force_option
def command(mode: str, epoch, bbox, t_ref_c: float | None, stats_cell_m: str, workers: int | None,
            force: bool, **model: float) -> None:
    """Heat mitigation (HM) and air temperature (T_air) COGs, hot spots, and mean T_air per building,
    zoning zone and grid cell (see processing/heat/analysis.py and the README for the formulas)."""
    from processing.heat.analysis import run_heat_island
    from processing.heat.params import HeatParams

    params = HeatParams(mode=mode, t_ref_c=t_ref_c, stats_cell_m=int(stats_cell_m), **model)
    area = None
    if bbox is not None and math.isfinite(bbox.minx):
        area = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
    report = run_heat_island(epoch=epoch, bbox=area, params=params, workers=workers, force=force)
    click.echo(report.summary())
