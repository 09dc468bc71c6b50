"""The `msip` command line: a thin layer that parses options and calls the library.

Commands import their heavy libraries lazily so `msip --help` is instant. Errors an operator
can fix (MsipError) print as one line and exit 1; `-v` adds the traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from msip.core.errors import MsipError

#: `msip load <name>` and `msip run <name>` commands: name → "module:attribute".
LOAD_COMMANDS = {
    "trees": "msip.cli.commands.load_inventory:trees",
    "ads": "msip.cli.commands.load_inventory:ads",
    "zoning": "msip.cli.commands.load_plans:zoning",
    "base": "msip.cli.commands.load_plans:base",
    "orthophoto": "msip.cli.commands.load_orthophoto:orthophoto",
    "lidar": "msip.cli.commands.load_lidar:lidar",
    "ad-rules": "msip.cli.commands.load_ad_rules:ad_rules",
    "sample": "msip.cli.commands.load_sample:sample_world",
}
RUN_COMMANDS = {
    "heat-island": "msip.cli.commands.run_heat_island:command",
    "green-access": "msip.cli.commands.run_green_access:command",
    "ad-compliance": "msip.cli.commands.run_ad_compliance:command",
    "change": "msip.cli.commands.run_change:command",
    "living-conditions": "msip.cli.commands.run_living_conditions:command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used (or listed with --help)."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError):
                return _not_available(name)
        return super().get_command(ctx, name)


def _not_available(name: str) -> click.Command:
    @click.command(name, help="(not available in this version)")
    def cmd():
        raise MsipError(f"`{name}` is not available in this version of MSIP")

    return cmd


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


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the OGC API and the web map."""
    try:
        server = importlib.import_module("msip.api.server")
    except ImportError:
        raise MsipError("the API server is not available in this version of MSIP") from None
    server.serve(host=host, port=port, workers=workers)


def _register() -> None:
    from msip.cli.commands import db
    from msip.cli.commands import demo
    from msip.cli.commands import sample

    cli.add_command(db.db)
    cli.add_command(sample.sample)
    cli.add_command(demo.demo)


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
