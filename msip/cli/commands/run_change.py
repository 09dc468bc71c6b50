"""`msip run change`: detect what changed between two survey epochs and store it in msip.change_event."""

from __future__ import annotations

import math

import click

from msip.cli.options import EPOCH, EXTENT


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
@click.option(
    "--building-dz",
    type=click.FloatRange(0.5, 50),
    default=2.5,
    show_default=True,
    help="Smallest built-surface height change that counts, m.",
)
@click.option(
    "--building-area",
    type=click.FloatRange(1, 10000),
    default=20.0,
    show_default=True,
    help="Smallest changed building area reported, m².",
)
@click.option(
    "--canopy-height",
    type=click.FloatRange(0.5, 10),
    default=2.0,
    show_default=True,
    help="CHM height from which a pixel is canopy, m.",
)
@click.option(
    "--canopy-area",
    type=click.FloatRange(1, 10000),
    default=10.0,
    show_default=True,
    help="Smallest canopy lost/gained area reported, m².",
)
@click.option(
    "--ndvi-decline",
    type=click.FloatRange(0.01, 1),
    default=0.10,
    show_default=True,
    help="Smallest fall of a crown's mean NDVI reported.",
)
@click.option(
    "--terrain-dz",
    type=click.FloatRange(0.05, 10),
    default=0.5,
    show_default=True,
    help="Smallest terrain (DTM) change that counts, m.",
)
@click.option(
    "--terrain-area",
    type=click.FloatRange(1, 100000),
    default=25.0,
    show_default=True,
    help="Smallest terrain change area reported, m².",
)
@click.option(
    "--tile",
    "tile_m",
    type=click.FloatRange(50, 5000),
    default=500.0,
    show_default=True,
    help="Side of a processing tile, m (a multiple of the raster pixel).",
)
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
def command(
    epoch_from,
    epoch_to,
    bbox,
    building_dz: float,
    building_area: float,
    canopy_height: float,
    canopy_area: float,
    ndvi_decline: float,
    terrain_dz: float,
    terrain_area: float,
    tile_m: float,
    workers: int | None,
    force: bool,
) -> None:
    """New, raised and demolished buildings, canopy lost/gained, felled trees, crown NDVI decline,
    terrain changes and new carriers between two epochs (see processing/change/analysis.py for the methods)."""
    from processing.change.analysis import run_change
    from processing.change.params import ChangeParams

    params = ChangeParams(
        building_min_dz_m=building_dz,
        building_min_area_m2=building_area,
        canopy_min_height_m=canopy_height,
        canopy_min_area_m2=canopy_area,
        ndvi_decline_min=ndvi_decline,
        terrain_min_dz_m=terrain_dz,
        terrain_min_area_m2=terrain_area,
        tile_m=tile_m,
    )
    area = None
    if bbox is not None and math.isfinite(bbox.minx):
        area = (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy)
    report = run_change(
        epoch_from, epoch_to, bbox=area, params=params, workers=workers, force=force
    )
    click.echo(report.summary())
