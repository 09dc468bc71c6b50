"""`msip load orthophoto`: load an orthophoto delivery (GeoTIFF tiles) as COGs, NDVI and brightness."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, epoch_option, extent_option, force_option


@click.command("orthophoto")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@epoch_option
@click.option(
    "--bands",
    default=None,
    metavar="R,G,B,NIR",
    help="Band roles in file order (R, G, B, NIR, A = alpha, X = ignore), e.g. R,G,B,NIR or NIR,R,G. "
    "Default: the tiles' colour interpretation / band descriptions.",
)
@crs_option
@extent_option
@click.option(
    "--display/--no-display",
    default=True,
    show_default=True,
    help="Also write JPEG RGB display copies (kind orthophoto_rgb).",
)
@click.option(
    "--compress",
    type=click.Choice(["DEFLATE", "ZSTD"], case_sensitive=False),
    default="DEFLATE",
    show_default=True,
    help="Lossless compression of the analysis COGs.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel worker processes [default: CPU count].",
)
@force_option
def orthophoto(
    paths: tuple[Path, ...],
    epoch,
    bands: str | None,
    crs: int | None,
    extent,
    display: bool,
    compress: str,
    workers: int | None,
    force: bool,
) -> None:
    """Load orthophoto tiles (files or folders) of one epoch; problem tiles are reported, not fatal
    (but a delivery of which no tile could be used is refused: a failed run, exit 1)."""
    from msip.core.errors import ConfigError
    from pipelines.orthophoto.load import load_orthophoto

    if epoch is None:
        raise ConfigError(
            "--epoch is required: the date the photos were taken, e.g. --epoch 2024-06-15"
        )
    report = load_orthophoto(
        list(paths),
        epoch=epoch,
        bands=bands,
        crs=crs,
        extent=extent,
        display=display,
        compress=compress,
        workers=workers,
        force=force,
    )
    click.echo(report.summary())
