"""`msip run green-access`: the 3-30-300 rule and art. 13f access per residential building."""

from __future__ import annotations

import math

import click

from msip.cli.options import EPOCH, EXTENT, force_option
from processing.green_access.params import DISTRICTS, LIMITS, defaults


def _threshold_options(fn):
    """One option per numeric parameter, with its range, unit and default from processing.green_access.params."""
    values = defaults()
    for name, lim in reversed(LIMITS.items()):
        kind = (
            click.IntRange(int(lim.minimum), int(lim.maximum))
            if isinstance(values[name], int)
            else click.FloatRange(lim.minimum, lim.maximum)
        )
        fn = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=kind,
            default=values[name],
            show_default=True,
            help=f"{lim.en} ({lim.unit}).",
        )(fn)
    return fn


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
@click.option(
    "--district",
    type=click.Choice(DISTRICTS),
    default=defaults()["district"],
    show_default=True,
    help="Summary districts: grid cells (--district-cell-m) or the zoning zones.",
)
@_threshold_options
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for the canopy tiles [default: CPU count].",
)
@force_option
def command(epoch, bbox, district: str, workers: int | None, force: bool, **thresholds) -> None:
    """Per residential building: trees within 15 m (3), canopy cover around it (30), walk to a public
    park ≥ 0.5 ha (300), and the art. 13f u.p.z.p. green and school standards; shares of residents per
    district. Results: msip.greenspace_access (per building), msip.greenspace_access_district_current."""
    from processing.green_access.analysis import GreenAccessParams, run_green_access

    area = None
    if bbox is not None and math.isfinite(bbox.minx):
        area = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
    params = GreenAccessParams(epoch=epoch, bbox=area, district=district, **thresholds)
    click.echo(run_green_access(params, force=force, workers=workers).summary())
