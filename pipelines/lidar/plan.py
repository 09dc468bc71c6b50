"""The input files of a LiDAR load, inspected before any point is read: header, checksum, CRS, extent, duplicates.

A file that cannot be used gets a `refusal` (the reason) and is recorded as a failed load
run by `record_refusal`; the other files still load.
"""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from msip.core.checksums import file_sha256
from msip.core.errors import MsipError, SourceReadError, ValidationError
from msip.core.extents import extent_fix
from msip.core.runs import LoadRun, run_load
from pipelines.lidar.engine import LidarEngine
from pipelines.lidar.las.lascrs import Placement, place
from pipelines.lidar.las.reader import LasInfo
from pipelines.lidar.params import LidarParams
from pipelines.readers.validate import Extent

#: The load-run kind of one LAS/LAZ file.
KIND = "lidar"


@dataclass
class FilePlan:
    """One input file: its header, checksum and how it reaches EPSG:2180 (or why it cannot)."""

    path: Path
    sha256: str
    info: LasInfo | None = None
    placement: Placement | None = None
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def usable_info(self) -> LasInfo:
        """`info` of a file that was not refused (`plan_file` sets it unless it refuses)."""
        assert self.info is not None, f"{self.path.name} was refused: {self.refusal}"
        return self.info

    @property
    def usable_placement(self) -> Placement:
        """`placement` of a file that was not refused (`plan_file` sets it unless it refuses)."""
        assert self.placement is not None, f"{self.path.name} was refused: {self.refusal}"
        return self.placement


def plan_file(path: Path, engine: LidarEngine, crs: int | None, extent: Extent | None) -> FilePlan:
    """Checksum, header and CRS placement of one file, checked against `extent`; a refusal instead of raising."""
    plan = FilePlan(path, file_sha256(path))
    try:
        plan.info, header = engine.inspect(path)
        if plan.info.point_count == 0:
            raise SourceReadError(
                f"{path.name} holds no points (its header announces 0); nothing to load — "
                "check the export that produced it"
            )
        plan.placement = place(plan.info, header, crs)
        plan.notes += plan.placement.notes
        if extent is not None:
            _check_extent(plan.info, plan.placement, extent)
    except MsipError as exc:
        plan.refusal = str(exc)
    return plan


def _check_extent(info: LasInfo, placement: Placement, extent: Extent) -> None:
    xs = np.array([info.mins[0], info.maxs[0], info.mins[0], info.maxs[0]])
    ys = np.array([info.mins[1], info.mins[1], info.maxs[1], info.maxs[1]])
    x, y, _ = placement.to_storage(xs, ys, np.zeros(4))
    if (
        x.max() < extent.minx
        or x.min() > extent.maxx
        or y.max() < extent.miny
        or y.min() > extent.maxy
    ):
        raise ValidationError(
            f"{info.name}: its points (E {x.min():.0f}–{x.max():.0f}, "
            f"N {y.min():.0f}–{y.max():.0f} in EPSG:2180, "
            f"CRS {placement.crs_label} from {placement.source}) "
            f"lie outside {extent.describe()}; "
            + extent_fix(x, y, extent, crs_fix="check the CRS (--crs)")
        )


def flag_duplicates_and_mixed_crs(plans: list[FilePlan]) -> None:
    """Refuse repeated content or repeated names (patches are kept per epoch and file name)."""
    seen: dict[str, Path] = {}
    names: dict[str, Path] = {}
    for p in plans:
        if p.refusal:
            continue
        if p.sha256 in seen:
            p.refusal = (
                f"{p.path.name} has the same content as {seen[p.sha256]} (same SHA-256); "
                "loaded once"
            )
        elif p.path.name in names:
            p.refusal = (
                f"{p.path} has the same file name as {names[p.path.name]} in this load; the tiles "
                "of one survey need unique names — load other variants as another epoch"
            )
        else:
            seen[p.sha256] = p.path
            names[p.path.name] = p.path
    labels = Counter(p.usable_placement.crs_label for p in plans if not p.refusal)
    if len(labels) > 1:
        common = labels.most_common(1)[0][0]
        for p in plans:
            if not p.refusal and p.usable_placement.crs_label != common:
                p.notes.append(
                    f"{p.path.name}: CRS {p.usable_placement.crs_label} ({p.usable_placement.source}) "
                    "differs from "
                    f"the other files ({common}); its points were transformed to EPSG:2180 "
                    "like all others"
                )


def record_refusal(plan: FilePlan, epoch: date, params: LidarParams, url: str | None) -> None:
    """Record a refused file as a failed load run (its reason as the run's message)."""
    def body(run: LoadRun) -> None:
        raise MsipError(plan.refusal)

    # The refusal is recorded as a failed run and reported by the caller.
    with suppress(MsipError):
        run_load(
            KIND,
            plan.path,
            epoch=epoch,
            body=body,
            params=params.file_params(),
            url=url,
            force=True,
            sha256=plan.sha256,
        )
