"""`msip run living-conditions`: the indicator grid of living conditions (population, greenery, heat, …)."""

from __future__ import annotations

import math

import click

from msip.cli.options import EPOCH, EXTENT, force_option
from processing.living.params import CHOICES, LIMITS, defaults


def _numeric_options(fn):
    """One option per numeric parameter, range, unit and default from processing.living.params."""
    values = defaults()
    for name, lim in reversed(LIMITS.items()):
        fn = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=click.FloatRange(lim.minimum, lim.maximum),
            default=values[name],
            show_default=True,
            help=f"{lim.en} ({lim.unit}).",
        )(fn)
    return fn


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
@click.option(
    "--cell",
    "cell_m",
    type=click.Choice([str(v) for v in CHOICES["cell_m"][0]]),
    default=str(defaults()["cell_m"]),
    show_default=True,
    help="Grid cell size, m.",
)
@click.option(
    "--grid",
    "grid_epsg",
    type=click.Choice([str(v) for v in CHOICES["grid_epsg"][0]]),
    default=str(defaults()["grid_epsg"]),
    show_default=True,
    help=CHOICES["grid_epsg"][1] + ".",
)
@click.option(
    "--heat-mode",
    type=click.Choice(CHOICES["heat_mode"][0]),
    default=defaults()["heat_mode"],
    show_default=True,
    help=CHOICES["heat_mode"][1] + ".",
)
@_numeric_options
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes [default: CPU count].",
)
@force_option
def command(
    epoch,
    bbox,
    cell_m: str,
    grid_epsg: str,
    heat_mode: str,
    workers: int | None,
    force: bool,
    **numbers,
) -> None:
    """Per grid cell: residents, canopy %, biologically active %, building coverage, mean T_air, residents
    meeting 3-30-300, trees per 100 residents, advertising density and zoning-indicator compliance.
    Results: msip.living_conditions_cell (latest per cell), msip.living_conditions_zone."""
    from processing.living.analysis import LivingParams, run_living_conditions

    area = None
    if bbox is not None and math.isfinite(bbox.minx):
        area = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
    params = LivingParams(
        epoch=epoch,
        bbox=area,
        cell_m=int(cell_m),
        grid_epsg=int(grid_epsg),
        heat_mode=heat_mode,
        **numbers,
    )
    click.echo(run_living_conditions(params, force=force, workers=workers).summary())
