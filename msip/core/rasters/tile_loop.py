"""The shared tile-parallel loop: one function over many tiles, on Dask, with a progress bar.

`map_tiles` runs on Dask's local *processes* scheduler by default, or on an existing Dask
cluster when `MSIP_DASK_SCHEDULER` (settings.dask_scheduler) names one. Memory stays bounded
because at most `workers` tiles are in flight at a time (one per worker process); each task
should read its own tile from disk and return something small (paths, numbers, messages),
never whole arrays. Re-exported by `msip.core.rasters.store`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, Protocol

from msip.core.progress import progress_bar
from msip.core.settings import get_settings


class _Bar(Protocol):
    """The progress bar of `msip.core.progress.progress_bar`, as far as this loop uses it."""

    def advance(self, n: float = 1) -> None: ...


def default_workers(n_items: int) -> int:
    """Worker processes for `n_items` tiles: the CPU count, never more than there are items."""
    return max(1, min(os.cpu_count() or 1, n_items))


def map_tiles(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int | None = None,
    progress_desc: str,
    pool: Executor | None = None,
) -> list[Any]:
    """Apply `fn` to every item in parallel and return the results in the order of `items`.

    Parameters
    ----------
    fn
        A module-level (picklable) function of one item. Expected per-tile problems should be
        *returned* (e.g. a result object with a `reason`), not raised: an exception in any
        task aborts the whole map and is re-raised here.
    items
        Small, picklable descriptions of the work (paths, tuples, dataclasses).
    workers
        Worker processes; default `default_workers(len(items))`. 1 (or a single item) runs
        in this process, which is what tests and debuggers want.
    progress_desc
        Label of the progress bar (shown on a terminal only).
    pool
        An existing `concurrent.futures` process pool to run on instead of starting one (e.g.
        the LiDAR loader's workers, whose imports are already done); local scheduler only.
    """
    items = list(items)
    if not items:
        return []
    workers = workers or default_workers(len(items))
    scheduler = get_settings().dask_scheduler
    with progress_bar(progress_desc, total=len(items)) as bar:
        if scheduler:
            return _on_cluster(fn, items, scheduler, bar)
        if workers == 1 or len(items) == 1:
            results: list[Any] = []
            for item in items:
                results.append(fn(item))
                bar.advance(1)
            return results
        return _on_local_processes(fn, items, workers, bar, pool)


def _on_local_processes(
    fn: Callable[[Any], Any], items: list[Any], workers: int, bar: _Bar, pool: Executor | None = None
) -> list[Any]:
    import dask
    from dask.callbacks import Callback

    tasks = [dask.delayed(fn, pure=False)(item) for item in items]
    keys = {task.key for task in tasks}

    class _Advance(Callback):
        def _posttask(
            self, key: object, result: object, dsk: object, state: object, worker_id: object
        ) -> None:
            if key in keys:
                bar.advance(1)

    # dask's Callback.__init__ and dask.compute are unannotated.
    with _Advance():  # type: ignore[no-untyped-call]
        results = dask.compute(*tasks, scheduler="processes", num_workers=workers, pool=pool)  # type: ignore[no-untyped-call]
        return list(results)


def _on_cluster(fn: Callable[[Any], Any], items: list[Any], address: str, bar: _Bar) -> list[Any]:
    from distributed import Client, as_completed

    # distributed's Client.__init__ and as_completed.__init__ are unannotated.
    with Client(address, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        futures = client.map(fn, items, pure=False)
        # No default client: name its loop.
        for _ in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            bar.advance(1)
        results: list[Any] = client.gather(futures)
        return results
