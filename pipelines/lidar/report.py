"""What a derived LiDAR run says it made the rasters of: ground, canopy rule per file, what was
left out (noise, withheld, overlap, outliers by height band) and tiles without rasters."""

from __future__ import annotations

from collections import defaultdict

from msip.core.runs import LoadRun
from pipelines.lidar.algorithms.canopy import RULE_TEXT
from pipelines.lidar.algorithms.outliers import band_labels
from pipelines.lidar.tiles import TileResult


def describe(run: LoadRun, facts: list[dict], results: list[TileResult]) -> None:
    """What the rasters were made of: ground, canopy rule per file, what was left out and why."""
    total = {
        k: sum(getattr(r, k) for r in results)
        for k in (
            "points",
            "noise",
            "withheld",
            "overlap",
            "outliers",
            "judged",
            "ground_classes",
            "water",
            "ground_smrf",
        )
    }
    water = f", {total['water']} water (class 9, part of the DTM)" if total["water"] else ""
    run.note(
        f"ground points: {total['ground_classes']} from ASPRS class 2{water}, "
        f"{total['ground_smrf']} by SMRF"
    )
    by_rule: dict[str, list[str]] = defaultdict(list)
    for f in facts:
        by_rule[str(f["canopy_rule"])].append(str(f.get("name", "")))
    for rule, names in sorted(by_rule.items()):
        run.note(f"canopy (CHM) rule for {', '.join(sorted(names))}: {RULE_TEXT[rule]}")
    bands: dict[str, int] = defaultdict(int)
    for r in results:
        for label, n in r.outlier_bands.items():
            bands[label] += n
    share = 100.0 * total["outliers"] / total["judged"] if total["judged"] else 0.0
    listed = ", ".join(f"{label}: {bands[label]}" for label in band_labels() if bands.get(label))
    run.note(
        f"statistical outliers: {total['outliers']} of {total['judged']} points ({share:.2f} %)"
        + (f"; by height above the DTM: {listed}" if listed else "")
    )
    run.note(
        f"left out of the rasters (kept in the patches): "
        f"{total['noise']} noise (classes 7, 18), {total['outliers']} statistical outliers, "
        f"{total['withheld']} withheld, {total['overlap']} overlap "
        f"({total['points']} points processed, tile buffers included)"
    )
    too_tall = sum(r.too_tall for r in results)
    if too_tall:
        run.note(
            f"{too_tall} canopy maxima taller than any tree (≥ tree_max_height_m) not taken for "
            "trees: masts, chimneys or roofs left unclassified?"
        )
    for r in results:
        if r.empty:
            run.note(r.empty)
