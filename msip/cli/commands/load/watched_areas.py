"""`msip load watched-areas`: areas whose terrain change is monitored (msip.terrain_watched_area)."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, force_option


@click.command("watched-areas")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crs_option
@click.option("--layer", default=None, help="Layer of a GPKG (default: the only one).")
@force_option
def watched_areas(files: tuple[Path, ...], crs: int | None, layer: str | None, force: bool) -> None:
    """Load polygons with a name (name/nazwa/id) from .geojson, .gpkg or .shp; a name loaded again is replaced."""
    from pipelines.watched_areas.load import load_watched_areas

    for path in files:
        click.echo(load_watched_areas(path, crs=crs, layer=layer, force=force).summary())
