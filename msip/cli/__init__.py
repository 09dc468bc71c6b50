"""The `msip` command line: a thin layer that parses options and calls the library.

Commands import their heavy libraries lazily so `msip --help` is instant. Errors an operator
can fix (MsipError) print as one line and exit 1; `-v` adds the traceback.
"""

from __future__ import annotations

import sys

import click

from msip.cli.lazy import LazyGroup
from msip.core.errors import MsipError

#: `msip load <name>` and `msip run <name>` commands: name → "module:attribute".
LOAD_COMMANDS = {
    "trees": "msip.cli.commands.load.inventory:trees",
    "ads": "msip.cli.commands.load.inventory:ads",
    "zoning": "msip.cli.commands.load.plans:zoning",
    "boundaries": "msip.cli.commands.load.boundaries:boundaries",
    "addresses": "msip.cli.commands.load.addresses:addresses",
    "base": "msip.cli.commands.load.plans:base",
    "orthophoto": "msip.cli.commands.load.orthophoto:orthophoto",
    "lidar": "msip.cli.commands.load.lidar:lidar",
    "copc": "msip.cli.commands.load.pointcloud:copc",
    "geosites": "msip.cli.commands.load.pointcloud:geosites",
    "ad-rules": "msip.cli.commands.load.ad_rules:ad_rules",
    "sample": "msip.cli.commands.load_sample:sample_world",
    "watched-areas": "msip.cli.commands.load.watched_areas:watched_areas",
}
RUN_COMMANDS = {
    "heat-island": "msip.cli.commands.run.heat_island:command",
    "green-access": "msip.cli.commands.run.green_access:command",
    "ad-compliance": "msip.cli.commands.run.ad_compliance:command",
    "change": "msip.cli.commands.run.change:command",
    "living-conditions": "msip.cli.commands.run.living_conditions:command",
    "terrain-change": "msip.cli.commands.run.terrain_change:command",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="msip")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """MSIP — municipal spatial information system (PostGIS + OGC API) for a Polish city."""
    ctx.obj = {"verbose": verbose}


@cli.group("load", cls=LazyGroup, lazy=LOAD_COMMANDS)
def load_group() -> None:
    """Load source data (inventories, plans, base layers, orthophotos, LiDAR) into PostGIS."""


@cli.group("run", cls=LazyGroup, lazy=RUN_COMMANDS)
def run_group() -> None:
    """Run a spatial analysis and store its results."""


def _register() -> None:
    from msip.cli.commands import api_key, db, demo, export, sample, serve

    cli.add_command(api_key.api_key)
    cli.add_command(db.db)
    cli.add_command(export.export)
    cli.add_command(sample.sample)
    cli.add_command(demo.demo)
    cli.add_command(serve.serve)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: one-line errors, exit 1 (2 for usage errors)."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="msip", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except MsipError as exc:
        if verbose:
            raise
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; nothing half-done was committed", err=True)
        sys.exit(130)
