"""`msip run living-conditions`: the indicator grid of living conditions (population, greenery, heat, …)."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, EXTENT, area_of, force_option, table_options
from processing.living.params import PARAMETERS


@click.command("living-conditions")
@click.option(
    "--epoch",
    type=EPOCH,
    default=None,
    help="Building snapshot (analysis date), YYYY-MM-DD [default: the latest]; rasters and inventories "
    "are taken at their latest epoch on or before it.",
)
@click.option(
    "--bbox",
    type=EXTENT,
    default=None,
    help="Area minx,miny,maxx,maxy in EPSG:2180 [default: the extent of the buildings].",
)
@table_options(PARAMETERS)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes [default: CPU count].",
)
@force_option
def command(epoch, bbox, workers: int | None, force: bool, **params) -> None:
    """Per grid cell: residents, canopy %, biologically active %, building coverage, mean T_air, residents
    meeting 3-30-300, trees per 100 residents, advertising density and zoning-indicator compliance.
    Results: msip.living_conditions_cell (latest per cell), msip.living_conditions_zone."""
    from processing.living.analysis import ANALYSIS

    values = {**params, "epoch": epoch, "bbox": area_of(bbox)}
    click.echo(ANALYSIS.run_values(values, force=force, workers=workers).summary())
