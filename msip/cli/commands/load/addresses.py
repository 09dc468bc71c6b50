"""`msip load addresses`: PRG address points (GML, models 2012 and 2021) into msip.address."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import EXTENT, force_option


@click.command("addresses")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--extent",
    type=EXTENT,
    default="poland",
    show_default=True,
    help="Where points must lie when no boundary of their unit is loaded: poland, kielce or "
    "minx,miny,maxx,maxy in EPSG:2180.",
)
@click.option(
    "--swap-axes",
    is_flag=True,
    help="Read positions in the other axis order than their srsName says (for exports known to write them wrongly).",
)
@force_option
def addresses(files: tuple[Path, ...], extent, swap_axes: bool, force: bool) -> None:
    """Load PRG address-point GML files; each point is checked to lie in its commune (load boundaries first)."""
    from pipelines.addresses.load import load_addresses

    for path in files:
        report = load_addresses(path, extent=extent, swap_axes=swap_axes, force=force)
        click.echo(report.summary())
