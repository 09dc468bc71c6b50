"""`msip run change`: detect what changed between two survey epochs and store it in msip.change_event."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, EXTENT, area_of, table_options
from processing.change.params import PARAMETERS


@click.command("change")
@click.option(
    "--from",
    "epoch_from",
    type=EPOCH,
    default=None,
    help="Earlier epoch (survey date) [default: the epoch before --to].",
)
@click.option(
    "--to",
    "epoch_to",
    type=EPOCH,
    default=None,
    help="Later epoch [default: the latest with rasters].",
)
@click.option(
    "--bbox",
    type=EXTENT,
    default=None,
    help="Area: minx,miny,maxx,maxy in EPSG:2180 or an extent name (kielce) [default: where both epochs "
    "have rasters].",
)
@table_options(PARAMETERS)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel worker processes [default: CPU count].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Recompute even if the same inputs and parameters were analysed before.",
)
def command(epoch_from, epoch_to, bbox, workers: int | None, force: bool, **params) -> None:
    """New, raised and demolished buildings, canopy lost/gained, felled trees, crown NDVI decline,
    terrain changes and new carriers between two epochs (see processing/change/analysis.py for the methods)."""
    from processing.change.analysis import ANALYSIS

    values = {**params, "epoch_from": epoch_from, "epoch_to": epoch_to, "bbox": area_of(bbox)}
    click.echo(ANALYSIS.run_values(values, force=force, workers=workers).summary())
