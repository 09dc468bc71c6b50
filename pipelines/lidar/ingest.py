"""Ingesting one file chunk by chunk, in this process or in several worker processes at once.

A file is cut into runs of `chunk_points` points (`chunk_jobs`); each run is decoded (LAZ
entered through its chunk table), cleaned, turned into the COPY text of its patches and
spilled by tile in `ingest_chunk`. `ChunkPool` runs these jobs either here (one worker) or
in N spawned processes, and hands the results back **in file order**: the loader's process
only merges counts and passes the patch bytes to the one COPY of the file's transaction, so
the file still commits all or nothing, and N workers store exactly the patches and spill
exactly the records one worker does.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np

from msip.core.errors import MsipError
from pipelines.lidar.engine import get_engine
from pipelines.lidar.las.clean import Cleaner, Rejected
from pipelines.lidar.patches import PatchSpec, copy_text_with_points
from pipelines.lidar.spill import FileSpill, TileGrid, TileStats

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


@dataclass(frozen=True)
class ChunkJob:
    """Points `start` … `start + count - 1` of one file and what to do with them (picklable)."""

    path: Path
    part: int
    """The chunk's number in the file (names its spill records)."""
    start: int
    count: int
    engine: str
    cleaner: Cleaner
    spill_folder: Path
    file_index: int
    grid: TileGrid
    patches: PatchSpec | None
    """None: spill only (the file's points are already stored)."""
    threads: bool = True
    """Decode with several threads (one worker) or one (a worker per core)."""
    keep_points: bool = False
    """Also keep the stored points in the spill folder (`FileSpill.write_points`), for the COPC."""


@dataclass
class ChunkDone:
    """What one chunk gave: counts, the COPY text of its patches and its tiles' stats."""

    part: int
    read: int
    copy_data: bytes
    points: int
    patches: int
    rejected: Rejected
    classes: np.ndarray
    """Stored points per class code (256 counts)."""
    withheld: int
    overlap: int
    tiles: dict[tuple[int, int], TileStats]


def chunk_jobs(path: Path, point_count: int, chunk_points: int, **common) -> list[ChunkJob]:
    """The jobs covering all `point_count` points of `path`, `chunk_points` at a time."""
    return [
        ChunkJob(path, part, start, min(chunk_points, point_count - start), **common)
        for part, start in enumerate(range(0, point_count, chunk_points))
    ]


def ingest_chunk(job: ChunkJob) -> ChunkDone:
    """Decode, clean, encode as patches and spill one chunk (runs in a worker process)."""
    chunk = get_engine(job.engine).read_range(job.path, job.start, job.count, threads=job.threads)
    rejected = Rejected()
    kept = job.cleaner.clean(chunk, job.start, rejected)
    spill = FileSpill(job.spill_folder, job.file_index, job.grid)
    data, points, patches = b"", 0, 0
    if job.patches:
        data, patches, stored = copy_text_with_points(kept, job.patches)
        points = len(stored)
        if job.keep_points:  # in patch order: the COPC gets the same points in the same order either way
            spill.write_points(stored, job.part)
    spill.write(kept, part=job.part)
    return ChunkDone(
        part=job.part,
        read=len(chunk),
        copy_data=data,
        points=points,
        patches=patches,
        rejected=rejected,
        classes=np.bincount(kept.classification, minlength=256),
        withheld=int(kept.withheld.sum()),
        overlap=int(kept.overlap_mask.sum()),
        tiles=spill.tiles,
    )


def _follow_parent(parent_pid: int) -> None:
    """End this worker when the loader is gone (SIGKILL): spawned workers would wait forever."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="follow loader", daemon=True).start()


@dataclass(frozen=True)
class WithEnv:
    """`fn` run in a worker with the loader's MSIP_* environment of when it was wrapped.

    Workers started earlier inherited the environment of that moment; a later load run sets
    its own (e.g. MSIP_RASTER_JOURNAL, where raster writes are journalled), which a reused
    worker must see.
    """

    fn: Callable
    env: tuple[tuple[str, str], ...]

    def __call__(self, item):
        now = dict(self.env)
        for key in [k for k in os.environ if k.startswith("MSIP_") and k not in now]:
            del os.environ[key]
        os.environ.update(now)
        return self.fn(item)


def with_current_env(fn: Callable) -> WithEnv:
    """Wrap `fn` so reused workers run it with this process's current MSIP_* variables."""
    return WithEnv(
        fn, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("MSIP_")))
    )


class ChunkPool:
    """Runs chunk jobs with `workers` processes (started on first need), results in job order.

    One worker runs the jobs in this process. More start that many spawned processes (not
    forked: the loader holds database connections and a COPY thread) and keep at most
    `workers + 1` jobs in flight, so memory stays bounded whatever the file size.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None

    @property
    def parallel(self) -> bool:
        return self.workers > 1

    def run(self, jobs: Iterable[ChunkJob]) -> Iterator[ChunkDone]:
        """ChunkDone of every job, in order; a job's error is raised when its turn comes.

        Jobs are taken from `jobs` only as results are handed back (at most `workers + 1`
        ahead), so a lazy iterable is never read far ahead.
        """
        todo = iter(jobs)
        first = list(islice(todo, 2))
        if not self.parallel or len(first) < 2:
            for job in chain(first, todo):
                yield ingest_chunk(job)
            return
        from concurrent.futures.process import BrokenProcessPool

        name = first[0].path.name
        todo = chain(first, todo)
        executor = self._start()
        pending: deque = deque()
        try:
            for job in todo:
                pending.append(executor.submit(ingest_chunk, job))
                if len(pending) > self.workers:
                    break
            while pending:
                try:
                    done = pending.popleft().result()
                except BrokenProcessPool:
                    executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = None
                    raise MsipError(
                        f"a LiDAR worker process died while reading {name} (out of memory or "
                        "killed); nothing of the file was stored — load it again, with "
                        "--workers 1 if memory is short"
                    ) from None
                next_job = next(todo, None)
                if next_job is not None:
                    pending.append(executor.submit(ingest_chunk, next_job))
                yield done
        finally:
            for f in pending:
                f.cancel()

    def _start(self):
        if self._executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_follow_parent,
                initargs=(os.getpid(),),
            )
        return self._executor

    def executor_for(self, workers: int | None):
        """The started worker processes when there are exactly `workers` of them, else None.

        Lets the tile stage reuse processes whose imports are done instead of starting more;
        wrap its function in `with_current_env`.
        """
        n = workers or os.cpu_count() or 1
        return self._executor if self._executor is not None and n == self.workers else None

    def close(self) -> None:
        """Stop the worker processes (jobs not started are dropped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
