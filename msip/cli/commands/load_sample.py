"""`msip load sample`: load the whole sample world through every pipeline, in dependency order.

What is loaded comes from the world's manifest (`msip.sample_world.load.load_plan`): every epoch
and every kind it lists, the small template and the three-epoch district alike. Each step is an
ordinary loader call, so a rerun is a series of 'unchanged' no-ops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Protocol

import click

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
    from pipelines.pointcloud.publish import publish_epoch_copc
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
        "lidar": lambda p, e, url: (lidar.load_lidar(list(p), epoch=dated(e), url=url),
                                    publish_epoch_copc(dated(e), url=url)),
        "geosites": lambda p, e, url: load_geosites(p[0], url=url),
        "addresses": lambda p, e, url: load_addresses(p[0], url=url),
    }


def load_sample_world(sample_dir: Path, *, url: str | None = None,
                      timings: list[tuple[str, float]] | None = None) -> Iterator[str]:
    """Load every file the manifest of the sample world in `sample_dir` lists; yields one summary line per load.

    Stops at the first refused file (an MsipError), which the caller reports. `timings`, when
    given, receives (label, wall seconds) per step.
    """
    from time import perf_counter

    from msip.sample_world.load import load_plan

    plan = load_plan(sample_dir)
    loaders = _loaders()
    for step in plan.steps:
        start = perf_counter()
        result = loaders[step.loader](step.paths, step.epoch, url)
        if timings is not None:
            timings.append((step.label, perf_counter() - start))
        reports = result if isinstance(result, list | tuple) else [result]
        for report in reports:
            yield f"[{step.label}] {report.summary()}"


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
                        timings: list[tuple[str, float]] | None = None) -> Iterator[str]:
    """Load the sample rule set, then run every analysis with its defaults; yields one summary line per run.

    Each analysis is driven through its `processing.contract.Analysis` (`run_values`), as
    `msip run` and the OGC processes drive it; inputs come before what reads them. The change
    analysis runs once per pair of consecutive epochs of the world (2019→2022, 2022→2025 …); the
    heat island, green access and living conditions run once per epoch, oldest first (each on that
    epoch's rasters and building snapshot), so every indicator has a trend (issue 19) and the
    newest epoch's results are the current ones. Terrain change, with two or more epochs, compares
    all of them in one run.
    """
    from time import perf_counter

    from msip.sample_world.load import load_plan
    from pipelines.ad_rules.load import load_ad_rules
    from processing.advertising.analysis import ANALYSIS as AD_COMPLIANCE
    from processing.change.analysis import ANALYSIS as CHANGE
    from processing.green_access.analysis import ANALYSIS as GREEN_ACCESS
    from processing.heat.analysis import ANALYSIS as HEAT_ISLAND
    from processing.living.analysis import ANALYSIS as LIVING_CONDITIONS
    from processing.terrain.analysis import ANALYSIS as TERRAIN

    plan = load_plan(sample_dir)
    rules = plan.ad_rules or Path(sample_dir) / "ads/zasady_reklamowe.yaml"
    runs: list[tuple[str, Callable[[], _Loaded]]] = [
        ("advertising rules", lambda: load_ad_rules(rules, url=url)),
        (AD_COMPLIANCE.name, lambda: AD_COMPLIANCE.run_values({}, url=url)),
    ]
    for older, newer in zip(plan.epochs, plan.epochs[1:], strict=False):
        label = CHANGE.name if len(plan.epochs) == 2 else f"{CHANGE.name} {older.year}→{newer.year}"
        runs.append((label, partial(CHANGE.run_values, {"epoch_from": older, "epoch_to": newer}, url=url)))
    for epoch in plan.epochs:
        runs += [(f"{a.name} {epoch.year}",
                  partial(a.run_values, {"epoch": epoch, **plan.analysis_params.get(a.name, {})}, url=url))
                 for a in (HEAT_ISLAND, GREEN_ACCESS, LIVING_CONDITIONS)]
    if len(plan.epochs) >= 2:  # every epoch of the world has a LiDAR survey
        runs.append((TERRAIN.name, partial(TERRAIN.run_values, {"url": url}, url=url)))
    for label, call in runs:
        start = perf_counter()
        summary = call().summary()
        if timings is not None:
            timings.append((label, perf_counter() - start))
        yield f"[{label}] {summary}"
