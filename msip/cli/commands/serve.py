"""`msip serve`: the OGC API and the web map (the server itself lives in msip.api.server)."""

from __future__ import annotations

import click

from msip.cli.lazy import import_command_module
from msip.core.errors import MsipError


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
