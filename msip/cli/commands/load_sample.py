"""`msip load sample`: load the whole sample world through every pipeline, in dependency order.

What is loaded comes from the world's manifest (`msip.sample_world.load.load_plan`): every epoch
and every kind it lists, the small template and the three-epoch district alike. Each step is an
ordinary loader call, so a rerun is a series of 'unchanged' no-ops.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any, Protocol

import click

if TYPE_CHECKING:
    from msip.sample_world.load import LoadStep

SIZE_CHOICES = ("small", "medium", "large", "district")


class _Loaded(Protocol):
    """What a loader returns (a LoadReport, or a LidarLoad with one per file): it sums itself up."""

    def summary(self) -> str: ...


_Call = Callable[[tuple[Path, ...], date | None, str | None], _Loaded | list[_Loaded] | tuple[_Loaded, ...]]


def _loaders() -> dict[str, _Call]:
    """Loader name (as in the load plan) → call(paths, epoch, url)."""
    from pipelines import lidar
    from pipelines.addresses.load import load_addresses
    from pipelines.base_layers import load as base_layers
    from pipelines.geosites.load import load_geosites
    from pipelines.inventory import ads, trees
    from pipelines.orthophoto import load as orthophoto
    from pipelines.zoning import load as zoning

    def dated(epoch: date | None) -> date:
        assert epoch is not None, "the load plan dates every survey"
        return epoch

    return {
        "buildings": lambda p, e, url: base_layers.load_buildings(p[0], epoch=e, url=url),
        "green_spaces": lambda p, e, url: base_layers.load_green_spaces(p[0], epoch=e, url=url),
        "walk_network": lambda p, e, url: base_layers.load_walk_network(p[0], epoch=e, url=url),
        "zoning": lambda p, e, url: zoning.load_zoning(p[0], url=url),
        "trees": lambda p, e, url: trees.load_trees(p[0], epoch=e, url=url),
        "landscape_zones": lambda p, e, url: ads.load_landscape_zones(p[0], epoch=e, url=url),
        "ads": lambda p, e, url: ads.load_ads(p[0], epoch=e, url=url),
        "orthophoto": lambda p, e, url: orthophoto.load_orthophoto(list(p), epoch=dated(e), url=url),
        "lidar": lambda p, e, url: lidar.load_lidar(list(p), epoch=dated(e), url=url, copc=True),
        "geosites": lambda p, e, url: load_geosites(p[0], url=url),
        "addresses": lambda p, e, url: load_addresses(p[0], url=url),
    }


def load_sample_world(sample_dir: Path, *, url: str | None = None,
                      timings: list[tuple[str, float]] | None = None, lanes: int | None = None) -> Iterator[str]:
    """Load every file the manifest of the sample world in `sample_dir` lists; yields one summary line per load.

    Stops at the first refused file (an MsipError), which the caller reports. `timings`, when
    given, receives (label, wall seconds) per step. With `lanes` = 2 (see `default_lanes`) the
    orthophoto epochs load in a second process while this one loads the rest (the LiDAR epochs
    above all: no loader reads the orthophoto); lines and timings keep the plan's order.
    """
    from msip.sample_world.load import load_plan

    plan = load_plan(sample_dir)
    lanes = default_lanes(len(plan.epochs)) if lanes is None else lanes
    jobs: list[_Job] = []
    for step in plan.steps:
        # the LiDAR load writes its epoch's COPC itself, from the points it holds (cheaper than a
        # second lane reading them back from the database)
        jobs.append(_Job(step.label, step.loader == "orthophoto", _load_step, (step, url)))
    for label, lines, seconds in _in_lanes(jobs, lanes):
        if timings is not None:
            timings.append((label, seconds))
        yield from lines


def _load_step(step: LoadStep, url: str | None) -> list[str]:
    """One step of the load plan: its loader's summary lines (also in the second lane's process)."""
    result = _loaders()[step.loader](step.paths, step.epoch, url)
    reports = result if isinstance(result, list | tuple) else [result]
    return [f"[{step.label}] {report.summary()}" for report in reports]


def default_lanes(n_epochs: int) -> int:
    """2 for worlds of three or more epochs (the district) on a machine with two or more cores, else 1:
    the second lane's process costs ~2 s to start, more than it saves on the small world."""
    return 2 if n_epochs >= 3 and (os.cpu_count() or 1) >= 2 else 1


@dataclass(frozen=True)
class _Job:
    """One step of a sample run: its label, whether it may go to the second lane, and the call
    (a module-level function and its arguments, so that it pickles) returning its summary lines."""

    label: str
    second: bool
    fn: Callable[..., list[str]]
    args: tuple[Any, ...]
    after: int | None = None
    """Index of a job of this process that must be done before this one starts (the LiDAR load before
    its epoch's COPC)."""


def _timed(fn: Callable[..., list[str]], *args: Any) -> tuple[list[str], float]:
    start = perf_counter()
    return fn(*args), perf_counter() - start


def _in_lanes(jobs: list[_Job], lanes: int) -> Iterator[tuple[str, list[str], float]]:
    """Run `jobs`, those marked `second` in one child process (in their order, each once the job it
    comes `after` is done) when `lanes` ≥ 2, the others here (in their order, without waiting for the
    child); yields (label, lines, wall seconds) in the jobs' order as soon as each and all before it
    are done. The child is spawned, not forked (this process holds database connections and threads);
    an error in it is raised here."""
    pool = None
    waiting: list[int] = []
    if lanes >= 2 and any(job.second for job in jobs):
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        waiting = [i for i, job in enumerate(jobs) if job.second]
    futures: dict[int, Future[tuple[list[str], float]]] = {}
    done: dict[int, tuple[list[str], float]] = {}
    finished: set[int] = set()

    def submit_ready() -> None:
        while pool is not None and waiting and jobs[waiting[0]].after in (None, *finished):
            i = waiting.pop(0)
            futures[i] = pool.submit(_timed, jobs[i].fn, *jobs[i].args)

    emitted = 0
    try:
        submit_ready()
        for i, job in enumerate(jobs):
            if i in waiting or i in futures:
                continue
            done[i] = _timed(job.fn, *job.args)
            finished.add(i)
            submit_ready()
            while emitted < len(jobs) and (emitted in done or (emitted in futures and futures[emitted].done())):
                lines, seconds = done.pop(emitted) if emitted in done else futures[emitted].result()
                yield jobs[emitted].label, lines, seconds
                emitted += 1
        for k in range(emitted, len(jobs)):
            lines, seconds = done.pop(k) if k in done else futures[k].result()
            yield jobs[k].label, lines, seconds
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def not_loaded(sample_dir: Path) -> list[str]:
    """One line per kind of file the manifest lists but `load_sample_world` does not load, saying why."""
    from msip.sample_world.load import load_plan

    return [f"[not loaded] {why}" for why in load_plan(sample_dir).skipped]


@click.command("sample")
@click.argument("sample_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--size", type=click.Choice(SIZE_CHOICES), default="district", show_default=True,
              help="Which generated world to load when SAMPLE_DIR is not given.")
@click.option("--seed", type=int, default=42, show_default=True, help="Its seed (with --size).")
def sample_world(sample_dir: Path | None, size: str, seed: int) -> None:
    """Load the sample world (default: the one `msip sample --size SIZE` made) through every pipeline."""
    from msip.cli.commands.sample import default_sample_dir

    sample_dir = sample_dir or default_sample_dir(size, seed)
    for line in chain(load_sample_world(sample_dir), not_loaded(sample_dir)):
        click.echo(line)


def run_sample_analyses(sample_dir: Path, *, url: str | None = None,
                        timings: list[tuple[str, float]] | None = None,
                        lanes: int | None = None) -> Iterator[str]:
    """Load the sample rule set, then run every analysis with its defaults; yields one summary line per run.

    Each analysis is driven through its `processing.contract.Analysis` (`run_values`), as
    `msip run` and the OGC processes drive it; inputs come before what reads them. The change
    analysis runs once per pair of consecutive epochs of the world (2019→2022, 2022→2025 …); the
    heat island, green access and living conditions run once per epoch, oldest first (each on that
    epoch's rasters and building snapshot; living conditions reads the other two), so every indicator
    has a trend (issue 19) and the newest epoch's results are the current ones. Terrain change, with
    two or more epochs, compares all of them in one run.

    With `lanes` = 2 (see `default_lanes`) the rule set, ad compliance, change and terrain change —
    which read none of the per-epoch results — run in a second process while this one runs the
    per-epoch analyses; lines and timings keep the order above.
    """
    from msip.sample_world.load import load_plan

    plan = load_plan(sample_dir)
    lanes = default_lanes(len(plan.epochs)) if lanes is None else lanes
    rules = plan.ad_rules or Path(sample_dir) / "ads/zasady_reklamowe.yaml"
    jobs = [_Job("advertising rules", True, _analyse, ("ad-rules", {"path": rules}, url)),
            _Job("ad-compliance", True, _analyse, ("ad-compliance", {}, url))]
    for older, newer in zip(plan.epochs, plan.epochs[1:], strict=False):
        label = "change" if len(plan.epochs) == 2 else f"change {older.year}→{newer.year}"
        jobs.append(_Job(label, True, _analyse, ("change", {"epoch_from": older, "epoch_to": newer}, url)))
    for epoch in plan.epochs:
        jobs += [_Job(f"{name} {epoch.year}", False, _analyse,
                      (name, {"epoch": epoch, **plan.analysis_params.get(name, {})}, url))
                 for name in ("heat-island", "green-access", "living-conditions")]
    if len(plan.epochs) >= 2:  # every epoch of the world has a LiDAR survey
        jobs.append(_Job("terrain-change", True, _analyse, ("terrain-change", {"url": url}, url)))
    for label, lines, seconds in _in_lanes(jobs, lanes):
        if timings is not None:
            timings.append((label, seconds))
        yield from (f"[{label}] {line}" for line in lines)


def _analyse(name: str, values: dict[str, Any], url: str | None) -> list[str]:
    """One run of `run_sample_analyses` by name (the rule set: "ad-rules"): its summary line."""
    from pipelines.ad_rules.load import load_ad_rules
    from processing.advertising.analysis import ANALYSIS as AD_COMPLIANCE
    from processing.change.analysis import ANALYSIS as CHANGE
    from processing.green_access.analysis import ANALYSIS as GREEN_ACCESS
    from processing.heat.analysis import ANALYSIS as HEAT_ISLAND
    from processing.living.analysis import ANALYSIS as LIVING_CONDITIONS
    from processing.terrain.analysis import ANALYSIS as TERRAIN

    if name == "ad-rules":
        return [load_ad_rules(values["path"], url=url).summary()]
    analyses = {a.name: a for a in (AD_COMPLIANCE, CHANGE, GREEN_ACCESS, HEAT_ISLAND, LIVING_CONDITIONS, TERRAIN)}
    return [analyses[name].run_values(values, url=url).summary()]
