"""Lazily imported click commands: a missing command module is "not available", a broken one is an error.

Only a ModuleNotFoundError naming the command's own module means the command is absent from this
version; any other ImportError (a typo inside the module, a missing library) is a bug, surfaced as
a one-line MsipError whose traceback `msip -v` shows.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import click

from msip.core.errors import MsipError


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used (or listed with --help)."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, attr = self.lazy[name].split(":")
            module = import_command_module(module_name, name)
            if module is None:
                return not_available(name)
            command: click.Command = getattr(module, attr)
            return command
        return super().get_command(ctx, name)


def import_command_module(module_name: str, command: str) -> ModuleType | None:
    """The module of a command, or None when that module itself is absent from this version.

    Only a ModuleNotFoundError naming the command's own module means "not available"; any
    other ImportError (a broken import inside it, a missing library) is a bug to see: it
    surfaces as a one-line MsipError, with the original traceback under `-v`.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name == module_name:
            return None
        raise MsipError(f"`{command}` could not be loaded: {exc} (msip -v shows the traceback)") from exc


def not_available(name: str) -> click.Command:
    """A stand-in command for one whose module this version does not ship."""

    @click.command(name, help="(not available in this version)")
    def cmd() -> None:
        raise MsipError(f"`{name}` is not available in this version of MSIP")

    return cmd
