"""`msip load copc` (the streamable point cloud of a LiDAR epoch) and `msip load geosites` (geological sites)."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, epoch_option, force_option


@click.command("copc")
@epoch_option
@force_option
def copc(epoch, force: bool) -> None:
    """Write the COPC file of a LiDAR epoch from its stored points (also done by `msip load lidar`)."""
    from msip.core.errors import ConfigError
    from pipelines.pointcloud.publish import publish_epoch_copc

    if epoch is None:
        raise ConfigError("--epoch is required: the survey date whose points to publish, e.g. --epoch 2024-06-15")
    click.echo(publish_epoch_copc(epoch, force=force).summary())


@click.command("geosites")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@crs_option
@click.option("--layer", default=None, help="Layer of a GPKG (default: the only one).")
@force_option
def geosites(files: tuple[Path, ...], crs: int | None, layer: str | None, force: bool) -> None:
    """Load geological sites (.geojson, .gpkg): name, protection, description, outline, viewpoints."""
    from pipelines.geosites.load import load_geosites

    for path in files:
        click.echo(load_geosites(path, crs=crs, layer=layer, force=force).summary())
