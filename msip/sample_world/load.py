"""What to load of a generated sample world, read from its ``manifest.json``: the load plan.

Every size (the small template, the three-epoch ``district``) lists its files with a kind and an
epoch; the plan turns that list into ordered load steps (base layers and plans first, then the
inventories, then the rasters), one per kind and epoch, so the CLI never hard-codes file names or
epochs. The plan is data only: this package sits beside ``pipelines`` in the loaders layer and
must not call them; ``msip load sample`` maps each step's ``loader`` to its pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .manifest import load_manifest
from .world.district import climate as district_climate

#: Manifest kind → loader, in load order (buildings before what refers to them, rasters last).
#: Tile kinds (orthophoto, LiDAR) are loaded per epoch as one delivery: the folder of their tiles.
LOADERS: dict[str, str] = {
    "buildings": "buildings",
    "green_spaces": "green_spaces",
    "streets": "walk_network",
    "zoning_plan_general": "zoning",
    "zoning_plan": "zoning",
    "tree_inventory": "trees",
    "landscape_zones": "landscape_zones",
    "ad_inventory": "ads",
    "orthophoto": "orthophoto",
    "lidar_classified": "lidar",
    "addresses": "addresses",
    "geosites": "geosites",
}
#: Kinds deliberately not loaded: ground truth (for scoring), the unclassified LiDAR variant
#: (the same survey as the classified one), the rule set (loaded before the analyses) and layers
#: MSIP has no loader for yet.
NOT_LOADED: dict[str, str] = {
    "lidar_unclassified": "the same survey as the classified LiDAR",
    "ad_rules": "loaded with the analyses (msip load ad-rules)",
    "railways": "no railway loader yet",
}
#: Kinds without an epoch of their own that belong to a dated snapshot: loaded as the first epoch.
_FIRST_EPOCH_KINDS = {"green_spaces", "streets", "landscape_zones"}
_TILE_KINDS = {"orthophoto", "lidar_classified"}
_LABELS = {"streets": "walking network", "zoning_plan_general": "plan ogólny", "zoning_plan": "zoning plan",
           "tree_inventory": "trees", "ad_inventory": "ads", "lidar_classified": "lidar"}


@dataclass(frozen=True)
class LoadStep:
    """One load: a label for the summary line, the loader to call, its inputs and the survey epoch."""

    label: str
    loader: str
    paths: tuple[Path, ...]
    epoch: date | None


@dataclass(frozen=True)
class SamplePlan:
    """The load steps of one sample world, its epochs (oldest first) and the rule-set file."""

    steps: list[LoadStep]
    epochs: list[date]
    ad_rules: Path | None
    skipped: list[str]
    """'kind (n files: why)' for every listed kind, other than ground truth, that the plan does not load."""
    analysis_params: dict[str, dict[str, float]] = field(default_factory=dict)
    """Parameters the demo's analyses run with on this world (by analysis name), over their defaults."""


def load_plan(sample_dir: Path | str) -> SamplePlan:
    """The plan for the sample world in `sample_dir` (raises ManifestNotFoundError without a manifest)."""
    root = Path(sample_dir)
    manifest = load_manifest(root)
    epochs = sorted(date.fromisoformat(e) for e in manifest["epochs"])
    files: list[dict[str, Any]] = manifest["files"]
    order = list(LOADERS)
    groups: dict[tuple[int, str, str], list[Path]] = {}
    skipped: dict[str, int] = {}
    ad_rules = None
    for f in files:
        kind = f["kind"]
        if kind == "ad_rules":
            ad_rules = root / f["path"]
        if kind not in LOADERS:
            if not kind.startswith("truth") and kind != "ad_rules":
                skipped[kind] = skipped.get(kind, 0) + 1
            continue
        path = root / f["path"]
        if kind in _TILE_KINDS:
            path = path.parent
        key = (order.index(kind), f.get("epoch") or "", kind)
        if path not in groups.setdefault(key, []):
            groups[key].append(path)
    steps: list[LoadStep] = []
    for (_, epoch_text, kind), paths in sorted(groups.items()):
        epoch = date.fromisoformat(epoch_text) if epoch_text else None
        if epoch is None and kind in _FIRST_EPOCH_KINDS:
            epoch = epochs[0]
        batches = [tuple(paths)] if kind in _TILE_KINDS else [(p,) for p in sorted(paths)]
        for batch in batches:
            label = _label(kind, epoch, batch[0], dated=bool(epoch_text), single=len(batches) == 1)
            steps.append(LoadStep(label, LOADERS[kind], batch, epoch))
    why = [f"{kind} ({n} file{'s' if n > 1 else ''}: {NOT_LOADED.get(kind, 'no loader for this kind')})"
           for kind, n in sorted(skipped.items())]
    params = district_climate.ANALYSIS_PARAMS if manifest.get("size") == "district" else {}
    return SamplePlan(steps, epochs, ad_rules, why, params)


def _label(kind: str, epoch: date | None, path: Path, *, dated: bool, single: bool) -> str:
    """'buildings 2024', 'green spaces', 'zoning plan plan_miejscowy_1.gml' …"""
    label = _LABELS.get(kind, kind.replace("_", " "))
    if dated and epoch is not None:
        label = f"{label} {epoch.year}"
    if not single:
        label = f"{label} {path.name}"
    return label
