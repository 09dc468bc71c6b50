"""`msip run terrain-change`: DEM of difference with a level of detection, cut/fill volumes, time series."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, EXTENT, area_of, table_options
from processing.terrain.params import PARAMETERS


@click.command("terrain-change")
@click.option("--epoch", "epochs", type=EPOCH, multiple=True,
              help="An epoch to compare (repeat; consecutive ones are paired) [default: every epoch with a DTM].")
@click.option("--bbox", type=EXTENT, default=None,
              help="Area: minx,miny,maxx,maxy in EPSG:2180 or an extent name [default: where all epochs have a DTM].")
@table_options(PARAMETERS)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Parallel worker processes [default: CPU count].")
@click.option("--force", is_flag=True, help="Recompute even if the same inputs and parameters were analysed before.")
def command(epochs, bbox, workers: int | None, force: bool, **params) -> None:
    """Terrain change between LiDAR epochs: DoD (raster terrain_dod), LoD95 from each survey's point density and
    roughness, change regions and cut/fill volumes per watched area (docs/terrain-change.md)."""
    from processing.terrain.analysis import ANALYSIS

    values = {**params, "epochs": list(epochs) or None, "bbox": area_of(bbox)}
    click.echo(ANALYSIS.run_values(values, force=force, workers=workers).summary())
