"""`msip db …`: the project-local PostgreSQL cluster, the schema migrations, dumps and restores."""

from __future__ import annotations

from pathlib import Path

import click

from msip.core.settings import get_settings


@click.group("db")
def db() -> None:
    """Manage the project-local database cluster (under $MSIP_HOME) and migrations."""


@db.command()
def start() -> None:
    """Start the local cluster (creating it on first use) and apply pending migrations."""
    from msip.core import cluster
    from msip.core.migrate import migrate

    settings = get_settings()
    _require_local(settings, "start")
    st = cluster.start(settings)
    applied = migrate(settings.database_url)
    click.echo(st.describe())
    click.echo(f"migrations applied: {', '.join(applied)}" if applied else "migrations: up to date")


@db.command()
def stop() -> None:
    """Stop the project's own cluster (other PostgreSQL servers are not touched)."""
    from msip.core import cluster

    settings = get_settings()
    _require_local(settings, "stop")
    click.echo("stopped" if cluster.stop(settings) else "already stopped")


@db.command()
def status() -> None:
    """Say whether the local cluster runs, and its URL. Exit code 3 when stopped."""
    from msip.core import cluster

    settings = get_settings()
    if not settings.uses_local_cluster:
        from msip.core.db import connect, redact

        with connect(settings.database_url) as conn:
            row = conn.execute("SELECT postgis_full_version()").fetchone()
            assert row is not None  # one row always
            version = row[0].split()[1]
        click.echo(f"external database reachable ({redact(settings.database_url)}), PostGIS {version}")
        return
    st = cluster.status(settings)
    click.echo(st.describe())
    if not st.running:
        raise SystemExit(3)


@db.command()
def url() -> None:
    """Print the database URL (as msip_owner) for psql, QGIS or ogr2ogr."""
    click.echo(get_settings().database_url)


@db.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(yes: bool) -> None:
    """Delete the local cluster and all its data, then start an empty one with the schema."""
    from msip.core import cluster
    from msip.core.migrate import migrate

    settings = get_settings()
    _require_local(settings, "reset")
    if not yes:
        click.confirm(f"Delete every table and row in {settings.pg_data}?", abort=True)
    cluster.reset(settings)
    migrate(settings.database_url)
    click.echo("the local cluster was recreated; load data again with `msip load sample`")


@db.command()
def migrate() -> None:
    """Apply the migrations in sql/ that the database has not seen yet (re-running is a no-op)."""
    from msip.core.migrate import migrate as apply

    applied = apply(get_settings().database_url)
    click.echo(f"applied: {', '.join(applied)}" if applied else "up to date: nothing to apply")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def dump(file: Path) -> None:
    """Write a pg_dump custom-format backup of the database (MSIP_DATABASE_URL or the local one) to FILE."""
    from msip.core.backup import dump_database
    from msip.core.db import connect, redact

    settings = get_settings()
    with connect(settings.database_url) as conn:  # one clear error when the database is down
        conn.execute("SELECT 1")
    size = dump_database(settings.database_url, file)
    click.echo(f"dumped {redact(settings.database_url)} to {file} ({size / 1e6:.1f} MB)")
    click.echo(f"the dump has no raster files: back up {settings.data_dir / 'rasters'} as well")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Drop the database first if it exists (every row in it is lost).")
def restore(file: Path, replace: bool) -> None:
    """Recreate the database on the local cluster (roles, extensions) and restore FILE into it."""
    from msip.core.backup import is_local, restore_database
    from msip.core.db import conninfo_params
    from msip.core.errors import ConfigError

    settings = get_settings()
    if not is_local(settings, settings.database_url):
        raise ConfigError(
            "MSIP_DATABASE_URL points at a database outside the project-local cluster; restore it as its "
            "administrator with pg_restore (see docs/operations.md), or unset MSIP_DATABASE_URL"
        )
    dbname = conninfo_params(settings.database_url).get("dbname", "msip")
    report = restore_database(settings, file, dbname, replace=replace)
    click.echo(report.summary())


def _require_local(settings, action: str) -> None:
    from msip.core.errors import ConfigError

    if not settings.uses_local_cluster:
        raise ConfigError(
            f"MSIP_DATABASE_URL points at an external database; `msip db {action}` only manages the "
            "project-local cluster. Unset MSIP_DATABASE_URL to use it"
        )
