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
from typing import Any

from msip.core.progress import progress_bar
from msip.core.settings import get_settings


def default_workers(n_items: int) -> int:
    """Worker processes for `n_items` tiles: the CPU count, never more than there are items."""
    return max(1, min(os.cpu_count() or 1, n_items))


def map_tiles(
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int | None = None,
    progress_desc: str,
    pool=None,
) -> list:
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
            results = []
            for item in items:
                results.append(fn(item))
                bar.advance(1)
            return results
        return _on_local_processes(fn, items, workers, bar, pool)


def _on_local_processes(fn: Callable, items: list, workers: int, bar, pool=None) -> list:
    import dask
    from dask.callbacks import Callback

    tasks = [dask.delayed(fn, pure=False)(item) for item in items]
    keys = {task.key for task in tasks}

    class _Advance(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            if key in keys:
                bar.advance(1)

    with _Advance():
        return list(dask.compute(*tasks, scheduler="processes", num_workers=workers, pool=pool))


def _on_cluster(fn: Callable, items: list, address: str, bar) -> list:
    from distributed import Client, as_completed

    with Client(address, set_as_default=False) as client:
        futures = client.map(fn, items, pure=False)
        for _ in as_completed(futures, loop=client.loop):  # no default client: name its loop
            bar.advance(1)
        return client.gather(futures)
