"""`msip load sample`: load the whole sample world through every pipeline, in dependency order.

What is loaded comes from the world's manifest (`msip.sample_world.load.load_plan`): every epoch
and every kind it lists, the small template and the three-epoch district alike. Each step is an
ordinary loader call, so a rerun is a series of 'unchanged' no-ops.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

from msip.cli.lanes import Done, Job

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
                      timings: list[Done] | None = None, lanes: int | None = None) -> Iterator[str]:
    """Load every file the manifest of the sample world in `sample_dir` lists; yields one summary line per load.

    Stops at the first refused file (an MsipError), which the caller reports. `timings`, when
    given, receives each step's `Done` (wall seconds, start and end). With `lanes` = 2 (see
    `default_lanes`) the loads run in two lanes (msip.cli.lanes), each once the loads it needs are
    done; lines and timings keep the plan's order.
    """
    return sample_run(sample_dir, url=url, timings=timings, lanes=lanes, analyses=False)


def sample_run(sample_dir: Path, *, url: str | None = None, timings: list[Done] | None = None,
               lanes: int | None = None, loads: bool = True, analyses: bool = True,
               say_not_loaded: bool = False) -> Iterator[str]:
    """Load the sample world and/or run its analyses (`load_sample_world`, `run_sample_analyses`) as one
    schedule: with both, an epoch's analyses start as soon as the loads they read are done, while
    later epochs still load. Lines come in the plan's order (every load, with `say_not_loaded` the
    `not_loaded` lines, then every analysis); `timings` receives each step's `Done` in that order."""
    from msip.cli.lanes import run_jobs
    from msip.sample_world.load import load_plan

    plan = load_plan(sample_dir)
    lanes = default_lanes(len(plan.epochs)) if lanes is None else lanes
    jobs = sample_jobs(sample_dir, url, loads=loads, analyses=analyses)
    n_loads = sum(1 for job in jobs if job.fn is _load_step)
    for k, done in enumerate(run_jobs(jobs, lanes)):
        if timings is not None:
            timings.append(done)
        yield from done.lines
        if say_not_loaded and k == n_loads - 1:
            yield from not_loaded(sample_dir)


#: Estimated wall seconds of a step on the district (by loader or analysis), for the lanes' priorities.
_COST_S = {"lidar": 80.0, "orthophoto": 25.0, "terrain-change": 60.0, "change": 30.0, "living-conditions": 10.0,
           "heat-island": 10.0, "green-access": 10.0}


def sample_jobs(sample_dir: Path, url: str | None, *, loads: bool = True, analyses: bool = True) -> list[Job]:
    """The steps of a sample run in the plan's order, each with the steps whose results it reads (`needs`).

    The vector loads form one chain (the plan orders them: buildings before what refers to them);
    an epoch's orthophoto and LiDAR need the vector loads before them; every analysis needs every
    vector load, and the tile loads of the epochs it reads: heat island, green access and living
    conditions (which also reads the other two) their epoch's, change its two epochs', terrain
    change every LiDAR survey. The LiDAR loads run one at a time (group "lidar": each has its own
    pool of readers and holds its epoch's points), in this process's lane: they are the longest chain
    (msip.cli.lanes gives its second lane a lower priority).
    """
    from msip.sample_world.load import load_plan

    plan = load_plan(sample_dir)
    jobs: list[Job] = []
    vectors: list[str] = []
    tiles: dict[date | None, list[str]] = {}
    for step in plan.steps:
        if step.loader in ("orthophoto", "lidar"):
            tiles.setdefault(step.epoch, []).append(step.label)
            needs = frozenset(vectors)
        else:
            needs = frozenset(vectors[-1:])
            vectors.append(step.label)
        if loads:
            is_lidar = step.loader == "lidar"
            jobs.append(Job(step.label, _load_step, (step, url), needs, _COST_S.get(step.loader, 1.0),
                            "lidar" if is_lidar else None, here=is_lidar))
    if not analyses:
        return jobs
    base = frozenset(vectors)

    def job(label: str, name: str, values: dict[str, Any], needs: frozenset[str]) -> Job:
        return Job(label, _analyse_step, (label, name, values, url), base | needs, _COST_S.get(name, 1.0))

    rules = plan.ad_rules or Path(sample_dir) / "ads/zasady_reklamowe.yaml"
    jobs += [job("advertising rules", "ad-rules", {"path": rules}, frozenset()),
             job("ad-compliance", "ad-compliance", {}, frozenset({"advertising rules"}))]
    for older, newer in zip(plan.epochs, plan.epochs[1:], strict=False):
        label = "change" if len(plan.epochs) == 2 else f"change {older.year}→{newer.year}"
        jobs.append(job(label, "change", {"epoch_from": older, "epoch_to": newer},
                        frozenset(tiles.get(older, []) + tiles.get(newer, []))))
    for epoch in plan.epochs:
        read = frozenset(tiles.get(epoch, []))
        heat, green = f"heat-island {epoch.year}", f"green-access {epoch.year}"
        jobs += [job(f"{name} {epoch.year}", name, {"epoch": epoch, **plan.analysis_params.get(name, {})},
                     read | ({heat, green} if name == "living-conditions" else frozenset()))
                 for name in ("heat-island", "green-access", "living-conditions")]
    if len(plan.epochs) >= 2:  # every epoch of the world has a LiDAR survey
        lidar = frozenset(j.label for j in jobs if j.group == "lidar")
        jobs.append(job("terrain-change", "terrain-change", {"url": url}, lidar))
    return jobs


def _load_step(step: LoadStep, url: str | None) -> list[str]:
    """One step of the load plan: its loader's summary lines (also in the second lane's process)."""
    result = _loaders()[step.loader](step.paths, step.epoch, url)
    reports = result if isinstance(result, list | tuple) else [result]
    return [f"[{step.label}] {report.summary()}" for report in reports]


def default_lanes(n_epochs: int) -> int:
    """2 for worlds of three or more epochs (the district) on a machine with two or more cores, else 1:
    the second lane's process costs ~2 s to start, more than it saves on the small world."""
    return 2 if n_epochs >= 3 and (os.cpu_count() or 1) >= 2 else 1


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
                        timings: list[Done] | None = None,
                        lanes: int | None = None) -> Iterator[str]:
    """Load the sample rule set, then run every analysis with its defaults; yields one summary line per run.

    Each analysis is driven through its `processing.contract.Analysis` (`run_values`), as
    `msip run` and the OGC processes drive it; inputs come before what reads them. The change
    analysis runs once per pair of consecutive epochs of the world (2019→2022, 2022→2025 …); the
    heat island, green access and living conditions run once per epoch, oldest first (each on that
    epoch's rasters and building snapshot; living conditions reads the other two), so every indicator
    has a trend (issue 19) and the newest epoch's results are the current ones. Terrain change, with
    two or more epochs, compares all of them in one run.

    With `lanes` = 2 (see `default_lanes`) they run in two lanes (msip.cli.lanes), living
    conditions after its epoch's heat island and green access; lines and timings keep the order above.
    """
    return sample_run(sample_dir, url=url, timings=timings, lanes=lanes, loads=False)


def _analyse_step(label: str, name: str, values: dict[str, Any], url: str | None) -> list[str]:
    """One analysis step of a sample run: its summary lines, each prefixed with the step's label."""
    return [f"[{label}] {line}" for line in _analyse(name, values, url)]


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
