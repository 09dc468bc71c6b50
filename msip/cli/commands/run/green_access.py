"""`msip run green-access`: the 3-30-300 rule and art. 13f access per residential building."""

from __future__ import annotations

import click

from msip.cli.options import EPOCH, EXTENT, area_of, force_option, table_options
from processing.green_access.params import PARAMETERS


@click.command("green-access")
@click.option(
    "--epoch",
    type=EPOCH,
    default=None,
    help="Building snapshot to analyse, YYYY-MM-DD [default: the latest]; other layers are taken at "
    "their latest epoch on or before it.",
)
@click.option(
    "--bbox",
    type=EXTENT,
    default=None,
    help="Only buildings whose centroid is inside minx,miny,maxx,maxy (EPSG:2180) [default: all].",
)
@table_options(PARAMETERS)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for the canopy tiles [default: CPU count].",
)
@force_option
def command(epoch, bbox, workers: int | None, force: bool, **params) -> None:
    """Per residential building: trees within 15 m (3), canopy cover around it (30), walk to a public
    park ≥ 0.5 ha (300), and the art. 13f u.p.z.p. green and school standards; shares of residents per
    district. Results: msip.greenspace_access (per building), msip.greenspace_access_district_current."""
    from processing.green_access.analysis import ANALYSIS

    values = {**params, "epoch": epoch, "bbox": area_of(bbox)}
    click.echo(ANALYSIS.run_values(values, force=force, workers=workers).summary())
