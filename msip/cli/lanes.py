"""Run the steps of a sample run (loads and analyses) in two lanes, each as soon as the steps it needs are done.

A step (`Job`) names the steps it needs (`needs`, by label) and, optionally, a `group` of which only
one step may run at a time (the LiDAR loads: each already runs its own pool of readers, and two at
once would double the memory). With two lanes, this process runs one lane and a spawned child
process the other (the child is spawned, not forked: this process holds database connections and
threads); each free lane takes, of the steps whose inputs are done, the one with the longest chain
of estimated work still behind it (`cost_s` plus its longest dependent chain), so the long chains
start first and both cores stay busy. Steps marked `here` (the LiDAR loads: the critical chain) run
only in this process; the child runs at a lower priority, so they get the cores they ask for first.
With one lane the steps run in their given order (which must respect `needs`). Either way the results
come back in the given order, each as soon as it and all before it are done, and an error in either
lane is raised here once the other lane's running step ends.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from time import perf_counter
from typing import Any


@dataclass(frozen=True)
class Job:
    """One step: its label, the call (a module-level function and its arguments, so that it pickles)
    returning its summary lines, the labels of the steps it needs, its estimated seconds and its group."""

    label: str
    fn: Callable[..., list[str]]
    args: tuple[Any, ...]
    needs: frozenset[str] = frozenset()
    cost_s: float = 1.0
    group: str | None = None
    here: bool = False
    """Only in this process's lane: the steps of the longest chain (the LiDAR loads), whose own worker pools
    then get the cores before the second lane's process (which runs at a lower priority, `SECOND_LANE_NICE`)."""


@dataclass(frozen=True)
class Done:
    """A finished step: its label, summary lines, wall seconds, and when it started and ended (seconds
    after the run began); `cpu_s`: the CPU seconds of the process that ran it and of the processes it
    started and ended meanwhile (a loader's pool; not the database server's)."""

    label: str
    lines: list[str]
    seconds: float
    start_s: float
    end_s: float
    cpu_s: float = 0.0


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that ended (and were waited for)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn: Callable[..., list[str]], *args: Any) -> tuple[list[str], float, float]:
    """(fn's lines, wall seconds, CPU seconds)."""
    start, cpu = perf_counter(), _cpu_s()
    lines = fn(*args)
    return lines, perf_counter() - start, _cpu_s() - cpu


def ranks(jobs: list[Job]) -> list[float]:
    """Per job: its estimated seconds plus the longest chain of estimated seconds of the jobs needing it."""
    index = {job.label: i for i, job in enumerate(jobs)}
    dependents: list[list[int]] = [[] for _ in jobs]
    for i, job in enumerate(jobs):
        for label in job.needs:
            if label in index:
                dependents[index[label]].append(i)

    @cache
    def rank(i: int) -> float:
        return jobs[i].cost_s + max((rank(k) for k in dependents[i]), default=0.0)

    return [rank(i) for i in range(len(jobs))]


class _Board:
    """The shared state of the two lanes (guarded by one condition)."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.labels = {job.label for job in jobs}
        self.rank = ranks(jobs)
        self.pending = list(range(len(jobs)))
        self.running: set[int] = set()
        self.finished: set[str] = set()
        self.done: dict[int, Done] = {}
        self.error: BaseException | None = None
        self.stopped = False
        self.cond = threading.Condition()
        self.t0 = perf_counter()

    def ready(self, i: int) -> bool:
        job = self.jobs[i]
        if any(label in self.labels and label not in self.finished for label in job.needs):
            return False
        return job.group is None or all(self.jobs[r].group != job.group for r in self.running)

    def take(self, here: bool) -> int | None:
        """The next job for this process's lane (`here`) or the child's (marked running), None when there is
        none to run now; call under the lock."""
        if self.error is not None or self.stopped:
            return None
        ready = [i for i in self.pending if self.ready(i) and (here or not self.jobs[i].here)]
        if not ready:
            return None
        i = min(ready, key=lambda k: (-self.rank[k], k))
        self.pending.remove(i)
        self.running.add(i)
        return i

    def finish(self, i: int, result: tuple[list[str], float, float] | None, error: BaseException | None,
               start_s: float) -> None:
        with self.cond:
            self.running.discard(i)
            if error is not None:
                if self.error is None:
                    self.error = error
            else:
                assert result is not None
                lines, seconds, cpu_s = result
                self.done[i] = Done(self.jobs[i].label, lines, seconds, start_s, perf_counter() - self.t0, cpu_s)
                self.finished.add(self.jobs[i].label)
            self.cond.notify_all()

    def over(self) -> bool:
        """Nothing more will run (all done, or stopped by an error) and nothing is running."""
        return not self.running and (not self.pending or self.error is not None or self.stopped)


def run_jobs(jobs: list[Job], lanes: int) -> Iterator[Done]:
    """Run `jobs` in `lanes` (1 or 2) lanes as the module docstring says; yields each `Done` in the jobs' order."""
    if lanes < 2 or len(jobs) < 2:
        t0 = perf_counter()
        for job in jobs:
            start = perf_counter() - t0
            lines, seconds, cpu_s = _timed(job.fn, *job.args)
            yield Done(job.label, lines, seconds, start, perf_counter() - t0, cpu_s)
        return
    board = _Board(jobs)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_second_lane_priority)
    helper = threading.Thread(target=_child_lane, args=(board, pool), name="second-lane", daemon=True)
    helper.start()
    emitted = 0
    try:
        while True:
            with board.cond:
                while True:
                    ready_out = []
                    while emitted < len(jobs) and emitted in board.done:
                        ready_out.append(board.done.pop(emitted))
                        emitted += 1
                    if ready_out:
                        break
                    i = board.take(here=True)
                    if i is not None or board.over():
                        break
                    board.cond.wait()
            if ready_out:
                yield from ready_out
                continue
            if i is None:
                break
            start_s = perf_counter() - board.t0
            try:
                result = _timed(jobs[i].fn, *jobs[i].args)
            except BaseException as exc:  # noqa: BLE001 — raised below, once the other lane's step ends
                board.finish(i, None, exc, start_s)
            else:
                board.finish(i, result, None, start_s)
        if board.error is not None:
            raise board.error
    finally:
        with board.cond:
            board.stopped = True
            board.cond.notify_all()
        helper.join()
        pool.shutdown(wait=True, cancel_futures=True)


#: How much lower the second lane's process (and the pools it starts) runs than this one: steps of the
#: critical chain (`Job.here`) get both cores when their pools want them, the second lane the rest.
SECOND_LANE_NICE = 5


def _second_lane_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(SECOND_LANE_NICE)


def _child_lane(board: _Board, pool: ProcessPoolExecutor) -> None:
    """The second lane: take the next job, run it in the child process, record it; until nothing is left."""
    while True:
        with board.cond:
            while (i := board.take(here=False)) is None:
                if not board.pending or board.stopped or board.error is not None:
                    return
                board.cond.wait()
        start_s = perf_counter() - board.t0
        job = board.jobs[i]
        try:
            result = pool.submit(_timed, job.fn, *job.args).result()
        except BaseException as exc:  # noqa: BLE001 — handed to the first lane, which raises it
            board.finish(i, None, exc, start_s)
        else:
            board.finish(i, result, None, start_s)
