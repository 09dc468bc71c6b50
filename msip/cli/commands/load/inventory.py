"""`msip load trees` and `msip load ads`: inventories (and landscape zones) into PostGIS with history."""

from __future__ import annotations

from pathlib import Path

import click

from msip.cli.options import crs_option, epoch_option, extent_option, force_option

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

mapping_option = click.option(
    "--mapping", type=_FILE, default=None,
    help="YAML file 'field: source column' overriding the column-name matching, e.g. 'height_m: WYS'.")
dataset_option = click.option(
    "--dataset", default=None,
    help="History key: versions of one dataset replace each other [default: file name without its date].")
layer_option = click.option("--layer", default=None, help="Layer to read from a file with several.")


@click.command("trees")
@click.argument("file", type=_FILE)
@epoch_option
@crs_option
@extent_option
@mapping_option
@dataset_option
@layer_option
@force_option
def trees(file: Path, epoch, crs, extent, mapping, dataset, layer, force) -> None:
    """Load a tree inventory (CSV, GeoJSON, GPKG, SHP, or OpenStreetMap .osm.pbf) into msip.tree.

    Fields are matched from Polish or English names (gatunek/species, obwód pnia/trunk_circumference_cm,
    wysokość/height_m …); positions come from the geometry or x/y, lon/lat columns. From an
    .osm.pbf: its natural=tree nodes (species, species:pl, genus, height, circumference in metres,
    diameter_crown). A later version of the same dataset updates changed trees and retires
    missing ones, keeping history.
    """
    from pipelines.inventory.trees import load_trees

    report = load_trees(file, epoch=epoch, crs=crs, extent=extent, mapping=mapping, dataset=dataset,
                        layer=layer, force=force)
    click.echo(report.summary())


@click.command("ads")
@click.argument("file", type=_FILE, required=False)
@click.option("--landscape-zones", "zones", type=_FILE, default=None,
              help="Also (or only) load landscape zone polygons A–D (GPKG, GeoJSON, SHP) into msip.landscape_zone.")
@click.option("--zones-mapping", type=_FILE, default=None,
              help="YAML mapping for the zones file, e.g. 'zone_code: KLASA'.")
@click.option("--on-invalid", type=click.Choice(["repair", "reject"]), default="repair", show_default=True,
              help="Invalid zone polygons (e.g. self-intersecting): repair with make_valid, or refuse the row.")
@epoch_option
@crs_option
@extent_option
@mapping_option
@dataset_option
@layer_option
@force_option
def ads(file: Path | None, zones: Path | None, zones_mapping, on_invalid, epoch, crs, extent, mapping, dataset,
        layer, force) -> None:
    """Load advertising carriers (nośniki reklamowe) into msip.advertisement, and/or landscape zones.

    FILE may be an OpenStreetMap .osm.pbf (its advertising=* features). For data elsewhere in
    Poland pass --extent poland (or none) or a bbox; data outside Poland are always refused.
    """
    if file is None and zones is None:
        raise click.UsageError("give an advertising FILE, --landscape-zones ZONES, or both")
    from pipelines.inventory.ads import load_ads, load_landscape_zones

    if zones is not None:
        report = load_landscape_zones(zones, epoch=epoch, crs=crs, extent=extent, mapping=zones_mapping,
                                      on_invalid=on_invalid, force=force)
        click.echo(report.summary())
    if file is not None:
        report = load_ads(file, epoch=epoch, crs=crs, extent=extent, mapping=mapping, dataset=dataset,
                          layer=layer, force=force)
        click.echo(report.summary())
