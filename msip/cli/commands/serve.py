"""`msip serve` and `msip api-key`: serving the OGC API and the web map (the server itself lives
in msip.api.server), and the API keys that start processes and manage jobs (msip.core.access)."""

from __future__ import annotations

import click

from msip.cli.lazy import import_command_module
from msip.core.errors import MsipError
from msip.core.settings import get_settings

SCOPE_CHOICE = click.Choice(["execute", "jobs"])


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the OGC API and the web map."""
    server = import_command_module("msip.api.server", "serve")
    if server is None:
        raise MsipError("the API server is not available in this version of MSIP")
    server.serve(host=host, port=port, workers=workers)


@click.group("api-key")
def api_key() -> None:
    """Manage API keys (stored hashed in msip.api_key; reading the API needs none)."""


@api_key.command("create")
@click.argument("name")
@click.option("--scope", "scopes", type=SCOPE_CHOICE, multiple=True, required=True,
              help="What the key may do: execute (start processes), jobs (list, read, delete "
              "its own jobs); repeatable.")
@click.option("--rate-per-min", type=click.IntRange(1, 100_000), default=None,
              help="Most process executions per minute for this key [default: MSIP_API_RATE_PER_MIN].")
def create(name: str, scopes: tuple[str, ...], rate_per_min: int | None) -> None:
    """Create a key for NAME and print it once (only its hash is kept)."""
    from msip.core.access.api_keys import create_key
    from msip.core.db import connect

    with connect(get_settings().database_url) as conn:
        key, record = create_key(conn, name, scopes, rate_per_min=rate_per_min)
    click.echo(key)
    click.echo(
        f"key {record.id} for {name!r}, scopes {', '.join(record.scopes)}: send it as "
        "'Authorization: Bearer <key>'; it is not shown again",
        err=True,
    )


@api_key.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked keys.")
def list_(include_revoked: bool) -> None:
    """List keys: id, name, scopes, rate limit, created, revoked (never the keys themselves)."""
    from msip.core.access.api_keys import list_keys
    from msip.core.db import connect

    with connect(get_settings().database_url) as conn:
        keys = list_keys(conn, include_revoked=include_revoked)
    for k in keys:
        rate = "default" if k.rate_per_min is None else f"{k.rate_per_min}/min"
        created = k.created.isoformat(timespec="seconds") if k.created else ""
        revoked = f"revoked {k.revoked.isoformat(timespec='seconds')}" if k.revoked else "active"
        click.echo(f"{k.id}\t{k.name}\t{','.join(k.scopes)}\t{rate}\t{created}\t{revoked}")
    if not keys:
        click.echo("no API keys; create one with `msip api-key create NAME --scope execute`", err=True)


@api_key.command("revoke")
@click.argument("name_or_id")
def revoke(name_or_id: str) -> None:
    """Revoke the active key NAME_OR_ID; requests with it are refused from now on."""
    from msip.core.access.api_keys import revoke_key
    from msip.core.db import connect

    with connect(get_settings().database_url) as conn:
        record = revoke_key(conn, name_or_id)
    click.echo(f"revoked key {record.id} ({record.name})")
