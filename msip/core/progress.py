"""Progress bars for long work (rich), quiet when output is not a terminal or MSIP_PROGRESS=0."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class _Bar:
    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: float = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def describe(self, text: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)


def enabled() -> bool:
    return os.environ.get("MSIP_PROGRESS", "1") != "0" and sys.stderr.isatty()


@contextmanager
def progress_bar(description: str, total: float | None) -> Iterator[_Bar]:
    """A bar with `advance(n)`; a no-op object when progress display is off."""
    if not enabled():
        yield _Bar(None, None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as progress:
        yield _Bar(progress, progress.add_task(description, total=total))
