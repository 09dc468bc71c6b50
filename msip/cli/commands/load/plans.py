"""`msip load zoning` and `msip load base`: zoning plans (APP GML, zone tables) and the base layers."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import EXTENT, crs_option, epoch_option, extent_option, force_option

_on_invalid = click.option(
    "--on-invalid",
    type=click.Choice(["repair", "reject"]),
    default="repair",
    show_default=True,
    help="Invalid polygons (self-intersections): repair them with a note, or quarantine the row.",
)


@click.command("zoning")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--validate",
    is_flag=True,
    help="First validate APP GML against the official XSD, offline (the output says what is and "
    "is not checked); a file with schema errors is refused.",
)
@click.option(
    "--schema-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with the APP XSDs [default: $MSIP_APP_SCHEMA_DIR, else ../shared/data/zoning].",
)
@_on_invalid
@click.option(
    "--extent",
    type=EXTENT,
    default="poland",
    show_default=True,
    help="Where plans must lie: poland, kielce or minx,miny,maxx,maxy in EPSG:2180.",
)
@crs_option
@click.option(
    "--layer",
    default=None,
    help="Layer of a GPKG of zones (default: zones, strefy, tereny or the only one).",
)
@force_option
def zoning(
    files: tuple[Path, ...],
    validate: bool,
    schema_dir: Path | None,
    on_invalid: str,
    extent,
    crs: int | None,
    layer: str | None,
    force: bool,
) -> None:
    """Load APP GML files (acts, documents, zones) or zone tables (.gpkg/.geojson/.shp), acts first."""
    from msip.core.errors import ValidationError
    from pipelines.zoning.app_schema import validate_app_gml
    from pipelines.zoning.load import acts_first, load_zoning

    for path in acts_first(list(files)):
        if validate and path.suffix.lower() in (".gml", ".xml"):
            checked = validate_app_gml(path, schema_dir=schema_dir)
            click.echo(checked.summary())
            if not checked.ok:
                raise ValidationError(
                    f"{path.name}: refused, {checked.error_count} schema errors (first: "
                    f"{checked.errors[0]}); fix the file, or load it without --validate"
                )
        report = load_zoning(
            path, extent=extent, on_invalid=on_invalid, crs=crs, layer=layer, force=force
        )
        click.echo(report.summary())


@click.command("base")
@click.option(
    "--buildings",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Building footprints (.gpkg/.geojson/.shp): building_id, kind, residential, storeys, height_m, population.",
)
@click.option(
    "--parks",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Green spaces: park_id, name, kind, public_access.",
)
@click.option(
    "--streets",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Street and path centrelines: street_id, name, road_class, width_m (split at intersections).",
)
@click.option(
    "--osm",
    "osm_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An OpenStreetMap .osm.pbf: loads all three layers from it (instead of the files above).",
)
@epoch_option
@extent_option
@crs_option
@_on_invalid
@force_option
def base(
    buildings: Path | None,
    parks: Path | None,
    streets: Path | None,
    osm_file: Path | None,
    epoch,
    extent,
    crs: int | None,
    on_invalid: str,
    force: bool,
) -> None:
    """Load buildings, green spaces and the pedestrian network; each layer is its own load run."""
    from pipelines.base_layers.load import load_buildings, load_green_spaces, load_walk_network
    from pipelines.base_layers.osm import load_osm

    files = [buildings, parks, streets]
    if osm_file is not None and any(files):
        raise click.UsageError("give either --osm or --buildings/--parks/--streets, not both")
    if osm_file is None and not any(files):
        raise click.UsageError("nothing to load: give --buildings, --parks, --streets or --osm")
    if osm_file is not None:
        reports = load_osm(osm_file, epoch=epoch, extent=extent, on_invalid=on_invalid, force=force)
    else:
        common = {"epoch": epoch, "extent": extent, "crs": crs, "force": force}
        reports = [
            *([load_buildings(buildings, on_invalid=on_invalid, **common)] if buildings else []),
            *([load_green_spaces(parks, on_invalid=on_invalid, **common)] if parks else []),
            *([load_walk_network(streets, **common)] if streets else []),
        ]
    for report in reports:
        click.echo(report.summary())
