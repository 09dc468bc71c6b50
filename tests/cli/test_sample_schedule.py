"""What each step of a sample run waits for (msip.cli.commands.load_sample.sample_jobs), on the manifest of a
three-epoch world: an epoch's analyses need that epoch's orthophoto and LiDAR (and every vector load),
living conditions also its heat island and green access, change its two epochs, terrain change every
LiDAR survey; the LiDAR loads share one group; the plan's order respects every need (one lane runs it)."""

from __future__ import annotations

import json
from pathlib import Path

from msip.cli.commands.load_sample import sample_jobs

EPOCHS = ("2019-06-15", "2022-06-15", "2025-06-15")


def _world(root: Path) -> Path:
    files = [{"path": "base/streets.gpkg", "kind": "streets"}, {"path": "addresses/prg.gml", "kind": "addresses"},
             {"path": "ads/zasady.yaml", "kind": "ad_rules"}]
    for e in EPOCHS:
        files += [{"path": f"base/buildings_{e}.gpkg", "kind": "buildings", "epoch": e},
                  {"path": f"trees_{e}.csv", "kind": "tree_inventory", "epoch": e},
                  {"path": f"ortho/{e}/t_0_0.tif", "kind": "orthophoto", "epoch": e},
                  {"path": f"lidar/{e}/t_0_0.laz", "kind": "lidar_classified", "epoch": e}]
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"epochs": list(EPOCHS), "files": files}), encoding="utf-8")
    return root


def test_each_step_waits_for_what_it_reads(tmp_path: Path) -> None:
    jobs = {job.label: job for job in sample_jobs(_world(tmp_path / "w"), None)}
    vectors = {"buildings 2019", "buildings 2022", "buildings 2025", "walking network", "trees 2019",
               "trees 2022", "trees 2025", "addresses"}
    assert vectors <= set(jobs)
    assert jobs["living-conditions 2022"].needs == vectors | {
        "orthophoto 2022", "lidar 2022", "heat-island 2022", "green-access 2022"}
    assert jobs["heat-island 2019"].needs == jobs["green-access 2019"].needs == vectors | {
        "orthophoto 2019", "lidar 2019"}
    assert jobs["change 2022→2025"].needs == vectors | {"orthophoto 2022", "lidar 2022", "orthophoto 2025",
                                                        "lidar 2025"}
    assert jobs["terrain-change"].needs == vectors | {"lidar 2019", "lidar 2022", "lidar 2025"}
    assert jobs["ad-compliance"].needs == vectors | {"advertising rules"}
    assert jobs["lidar 2025"].needs <= vectors and "addresses" not in jobs["lidar 2025"].needs
    lidar = {"lidar 2019", "lidar 2022", "lidar 2025"}
    assert {label for label, job in jobs.items() if job.group == "lidar"} == lidar
    assert {label for label, job in jobs.items() if job.here} == lidar  # the critical chain, in this process


def test_the_plan_order_respects_every_need(tmp_path: Path) -> None:
    jobs = sample_jobs(_world(tmp_path / "w"), None)
    seen: set[str] = set()
    for job in jobs:
        assert job.needs <= seen, (job.label, job.needs - seen)
        seen.add(job.label)
    loads_only = sample_jobs(tmp_path / "w", None, analyses=False)
    assert [job.label for job in loads_only] == [job.label for job in jobs[:len(loads_only)]]
