"""`msip load sample`: load the whole sample world through every pipeline, in dependency order.

Each step is an ordinary loader call, so a rerun is a series of 'unchanged' no-ops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import click

EPOCH1, EPOCH2 = date(2024, 6, 15), date(2025, 6, 15)


def _steps(d: Path) -> list[tuple[str, Callable[[str | None], object]]]:
    """(label, call) per load, in order: base layers and plans, inventories, rasters."""
    from pipelines import lidar
    from pipelines.inventory import ads
    from pipelines.base_layers import load as base_layers
    from pipelines.orthophoto import load as orthophoto
    from pipelines.inventory import trees
    from pipelines.zoning import load as zoning

    lidar_load = lidar.load_lidar
    return [
        ("buildings 2024", lambda url: base_layers.load_buildings(d / "base/buildings.gpkg", epoch=EPOCH1, url=url)),
        ("buildings 2025", lambda url: base_layers.load_buildings(
            d / "base/buildings_2025-06-15.gpkg", epoch=EPOCH2, url=url)),
        ("green spaces", lambda url: base_layers.load_green_spaces(d / "base/parks.gpkg", epoch=EPOCH1, url=url)),
        ("walking network", lambda url: base_layers.load_walk_network(d / "base/streets.gpkg", epoch=EPOCH1, url=url)),
        ("zoning plan", lambda url: zoning.load_zoning(d / "zoning/plan_miejscowy.gml", url=url)),
        ("trees 2024", lambda url: trees.load_trees(d / "trees/inwentaryzacja_drzew_2024-06-15.csv",
                                                    epoch=EPOCH1, url=url)),
        ("trees 2025", lambda url: trees.load_trees(d / "trees/inwentaryzacja_drzew_2025-06-15.csv",
                                                    epoch=EPOCH2, url=url)),
        ("landscape zones", lambda url: ads.load_landscape_zones(d / "ads/strefy_krajobrazowe.gpkg",
                                                                         epoch=EPOCH1, url=url)),
        ("ads 2024", lambda url: ads.load_ads(d / "ads/nosniki_reklamowe.csv", epoch=EPOCH1, url=url)),
        ("ads 2025", lambda url: ads.load_ads(d / "ads/nosniki_reklamowe_2025-06-15.csv", epoch=EPOCH2, url=url)),
        ("orthophoto 2024", lambda url: orthophoto.load_orthophoto(
            [d / "orthophoto/2024-06-15"], epoch=EPOCH1, url=url)),
        ("orthophoto 2025", lambda url: orthophoto.load_orthophoto(
            [d / "orthophoto/2025-06-15"], epoch=EPOCH2, url=url)),
        ("lidar 2024", lambda url: lidar_load([d / "lidar/2024-06-15/classified"], epoch=EPOCH1, url=url)),
        ("lidar 2025", lambda url: lidar_load([d / "lidar/2025-06-15/classified"], epoch=EPOCH2, url=url)),
    ]


def load_sample_world(sample_dir: Path, *, url: str | None = None) -> Iterator[str]:
    """Load every file of the sample world in `sample_dir`; yields one summary line per load.

    Stops at the first refused file (an MsipError), which the caller reports.
    """
    for label, call in _steps(Path(sample_dir)):
        result = call(url)
        reports = result if isinstance(result, list | tuple) else [result]
        for report in reports:
            yield f"[{label}] {report.summary()}"


@click.command("sample")
@click.argument("sample_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
def sample_world(sample_dir: Path | None) -> None:
    """Load the sample world (default: the one `msip sample` made) through every pipeline."""
    from msip.cli.commands.sample import default_sample_dir

    for line in load_sample_world(sample_dir or default_sample_dir()):
        click.echo(line)


def _analysis_steps(d: Path) -> list[tuple[str, Callable[[str | None], object]]]:
    """(label, call) per analysis on the loaded sample world, inputs before what reads them."""
    from pipelines.ad_rules.load import load_ad_rules
    from processing.advertising.analysis import run_ad_compliance
    from processing.change.analysis import run_change
    from processing.green_access.analysis import run_green_access
    from processing.heat.analysis import run_heat_island
    from processing.living.analysis import run_living_conditions

    return [
        ("advertising rules", lambda url: load_ad_rules(d / "ads/zasady_reklamowe.yaml", url=url)),
        ("ad-compliance", lambda url: run_ad_compliance(url=url)),
        ("change", lambda url: run_change(url=url)),
        ("heat-island", lambda url: run_heat_island(url=url)),
        ("green-access", lambda url: run_green_access(url=url)),
        ("living-conditions", lambda url: run_living_conditions(url=url)),
    ]


def run_sample_analyses(sample_dir: Path, *, url: str | None = None) -> Iterator[str]:
    """Run every analysis on the loaded sample world; yields one summary line per run."""
    for label, call in _analysis_steps(Path(sample_dir)):
        yield f"[{label}] {call(url).summary()}"
