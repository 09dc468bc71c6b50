"""`msip run heat-island`: the urban cooling model (InVEST UCM) on MSIP's layers, stored in msip.heat_*."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, EXTENT, area_of, force_option, table_options
from processing.heat.params import PARAMETERS


@click.command("heat-island")
@table_options(PARAMETERS, ["mode"])
@click.option("--epoch", type=EPOCH, default=None,
              help="Survey date of the rasters [default: the latest with every raster the mode needs].")
@click.option("--bbox", type=EXTENT, default=None,
              help="Area: minx,miny,maxx,maxy in EPSG:2180 [default: the rasters' common extent].")
@table_options(PARAMETERS, [p.name for p in PARAMETERS if p.name != "mode"])
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Parallel worker processes [default: CPU count; MSIP_DASK_SCHEDULER uses a cluster].")
@force_option
def command(epoch, bbox, workers: int | None, force: bool, **params) -> None:
    """Heat mitigation (HM) and air temperature (T_air) COGs, hot spots, and mean T_air per building,
    zoning zone and grid cell (see processing/heat/analysis.py and the README for the formulas)."""
    from processing.heat.analysis import ANALYSIS

    report = ANALYSIS.run_values({**params, "epoch": epoch, "bbox": area_of(bbox)}, force=force, workers=workers)
    click.echo(report.summary())
