"""`msip export app <plan>`: a loaded zoning plan as an APP GML 2.0 dataset (art. 67a u.p.z.p.) with its drawing."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("export")
def export() -> None:
    """Export loaded data in the formats the law asks a city to publish."""


@export.command("app")
@click.argument("plan")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The .gml file to write (its drawing goes beside it as .png + .pgw) [default: stdout, no drawing].")
@click.option("--validate", is_flag=True,
              help="Validate the written file against planowaniePrzestrzenne_2_0.xsd, offline; schema errors exit 1.")
@click.option("--schema-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder with the APP XSDs [default: $MSIP_APP_SCHEMA_DIR, else ../shared/data/zoning].")
@click.option("--drawing/--no-drawing", default=True, show_default=True,
              help="Render the plan's drawing beside the file and reference it from the dataset.")
def app(plan: str, output: Path | None, validate: bool, schema_dir: Path | None, drawing: bool) -> None:
    """Write plan PLAN (its id in /collections/zoning_plans, 'przestrzenNazw/lokalnyId' or a unique lokalnyId)
    as APP GML 2.0: the act, its documents and zones, coordinates in the plan's CRS, northing first."""
    import tempfile

    from msip.core.errors import ValidationError
    from pipelines.app_export.export import export_app
    from pipelines.zoning.app_schema import validate_app_gml

    report, content = export_app(plan, output, drawing=drawing)
    if output is None:
        sys.stdout.buffer.write(content)
    else:
        click.echo(report.summary())
    if validate:
        with tempfile.TemporaryDirectory() as tmp:
            path = output or Path(tmp) / "plan.gml"
            if output is None:
                path.write_bytes(content)
            checked = validate_app_gml(path, schema_dir=schema_dir)
            click.echo(checked.summary(), err=output is None)
        if not checked.ok:
            raise ValidationError(f"{path.name}: {checked.error_count} schema errors (first: {checked.errors[0]}); "
                                  "the export is not valid APP 2.0, please report it")
