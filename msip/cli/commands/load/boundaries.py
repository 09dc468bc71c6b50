"""`msip load boundaries`: administrative boundaries (PRG) into msip.admin_boundary."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, force_option


@click.command("boundaries")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--level",
    type=click.Choice(["country", "voivodeship", "county", "commune"]),
    default=None,
    help="Level of every unit in the files [default: from the TERYT length: 2 voivodeship, 4 county, 7 commune].",
)
@click.option(
    "--on-invalid",
    type=click.Choice(["repair", "reject"]),
    default="repair",
    show_default=True,
    help="Invalid polygons (self-intersections): repair them with a note, or quarantine the unit.",
)
@crs_option
@click.option("--layer", default=None, help="Layer of a GPKG (default: the only one).")
@force_option
def boundaries(
    files: tuple[Path, ...], level: str | None, on_invalid: str, crs: int | None, layer: str | None, force: bool
) -> None:
    """Load boundaries (.geojson/.json, .gpkg, .shp, .gml) with TERYT codes (JPT_KOD_JE) and names (JPT_NAZWA_)."""
    from pipelines.boundaries.load import load_boundaries

    for path in files:
        report = load_boundaries(path, level=level, on_invalid=on_invalid, crs=crs, layer=layer, force=force)
        click.echo(report.summary())
