"""`msip load sample`: load the whole sample world through every pipeline, in dependency order.

Each step is an ordinary loader call, so a rerun is a series of 'unchanged' no-ops.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Protocol

import click

EPOCH1, EPOCH2 = date(2024, 6, 15), date(2025, 6, 15)


class _Loaded(Protocol):
    """What a loader returns (a LoadReport, or a LidarLoad with one per file): it sums itself up."""

    def summary(self) -> str: ...


def _steps(
    d: Path,
) -> list[tuple[str, Callable[[str | None], _Loaded | list[_Loaded] | tuple[_Loaded, ...]]]]:
    """(label, call) per load, in order: base layers and plans, inventories, rasters."""
    from pipelines import lidar
    from pipelines.base_layers import load as base_layers
    from pipelines.inventory import ads, trees
    from pipelines.orthophoto import load as orthophoto
    from pipelines.pointcloud.publish import publish_epoch_copc
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
        ("point cloud 2024", lambda url: publish_epoch_copc(EPOCH1, url=url)),
        ("point cloud 2025", lambda url: publish_epoch_copc(EPOCH2, url=url)),
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


def run_sample_analyses(sample_dir: Path, *, url: str | None = None) -> Iterator[str]:
    """Load the sample rule set, then run every analysis with its defaults; yields one summary line per run.

    Each analysis is driven through its `processing.contract.Analysis` (`run_values`), as
    `msip run` and the OGC processes drive it; inputs come before what reads them.
    """
    from pipelines.ad_rules.load import load_ad_rules
    from processing.advertising.analysis import ANALYSIS as AD_COMPLIANCE
    from processing.change.analysis import ANALYSIS as CHANGE
    from processing.green_access.analysis import ANALYSIS as GREEN_ACCESS
    from processing.heat.analysis import ANALYSIS as HEAT_ISLAND
    from processing.living.analysis import ANALYSIS as LIVING_CONDITIONS

    yield f"[advertising rules] {load_ad_rules(Path(sample_dir) / 'ads/zasady_reklamowe.yaml', url=url).summary()}"
    for analysis in (AD_COMPLIANCE, CHANGE, HEAT_ISLAND, GREEN_ACCESS, LIVING_CONDITIONS):
        yield f"[{analysis.name}] {analysis.run_values({}, url=url).summary()}"
