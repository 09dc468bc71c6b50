"""`msip load lidar`: LAS/LAZ files of one survey → point patches, DTM/DSM/nDSM/CHM and trees."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, epoch_option, extent_option, force_option


@click.command("lidar")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@epoch_option
@crs_option
@extent_option
@click.option(
    "--resolution",
    type=click.FloatRange(0.05, 10),
    default=0.5,
    show_default=True,
    help="Pixel size of DTM/DSM/nDSM/CHM, m.",
)
@click.option(
    "--smrf-cell",
    type=click.FloatRange(0.1, 10),
    default=1.0,
    show_default=True,
    help="SMRF cell size, m (ground classification of unclassified files).",
)
@click.option(
    "--smrf-slope",
    type=click.FloatRange(0, 10),
    default=0.15,
    show_default=True,
    help="SMRF slope threshold (rise/run).",
)
@click.option(
    "--smrf-window",
    type=click.FloatRange(1, 200),
    default=18.0,
    show_default=True,
    help="SMRF largest window radius, m.",
)
@click.option(
    "--smrf-threshold",
    type=click.FloatRange(0.01, 10),
    default=0.5,
    show_default=True,
    help="SMRF elevation threshold, m.",
)
@click.option(
    "--smrf-scalar",
    type=click.FloatRange(0, 10),
    default=1.25,
    show_default=True,
    help="SMRF slope scaling factor.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes that decode, clean and store each file's chunks, then process the "
    "tiles [default: CPU count; 1 = everything in this process].",
)
@click.option("--copc/--no-copc", default=True, show_default=True,
              help="Then write the epoch's streamable point cloud (COPC) from the stored points.")
@force_option
def lidar(
    paths: tuple[Path, ...],
    epoch,
    crs: int | None,
    extent,
    resolution: float,
    smrf_cell: float,
    smrf_slope: float,
    smrf_window: float,
    smrf_threshold: float,
    smrf_scalar: float,
    workers: int | None,
    copc: bool,
    force: bool,
) -> None:
    """Load LAS 1.2–1.4 / LAZ files or folders of one survey; unusable files are refused."""
    from msip.core.errors import ConfigError, MsipError
    from pipelines.lidar import LidarParams, SmrfParams, load_lidar

    if epoch is None:
        raise ConfigError(
            "--epoch is required: the date of the survey flight, e.g. --epoch 2024-06-15"
        )
    smrf = SmrfParams(
        cell_m=smrf_cell,
        slope=smrf_slope,
        window_m=smrf_window,
        threshold_m=smrf_threshold,
        scalar=smrf_scalar,
    )
    params = LidarParams(resolution_m=resolution, smrf=smrf)
    result = load_lidar(
        list(paths),
        epoch=epoch,
        crs=crs,
        extent=extent,
        params=params,
        workers=workers,
        force=force,
        copc=copc,
    )
    click.echo(result.summary())
    refused, total = len(result.refused), len(result.refused) + len(result.reports)
    if refused == total:
        raise MsipError(
            f"{refused} LiDAR file{'s' if refused > 1 else ''} refused (reasons above); "
            "nothing was loaded"
        )
    if refused:
        raise MsipError(
            f"{refused} of {total} LiDAR files refused (reasons above); the others were loaded"
        )
