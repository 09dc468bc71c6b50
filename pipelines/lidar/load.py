"""`load_lidar`: LAS/LAZ files of one survey → patches per file, then the epoch's rasters and trees.

Each file is its own load run (resumable per file checksum: a file already loaded with the
same parameters is 'unchanged'); files that cannot be used are refused with the reason and
recorded as failed runs, and the others still load. Then one derived run builds DTM, DSM,
nDSM and CHM tiles (with buffers, in parallel) and the detected trees from all given files.

Counting: rows_in = points read; loaded = points stored in patches (noise classes 7/18 and
statistical outliers included, flagged by their class / left out of rasters only); rejected
= points never stored (absurd Z, outside the extent), one quarantine record per file and
reason with the count and examples.
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from msip.core.errors import MsipError, StoreWriteError
from msip.core.runs import LoadReport
from msip.core.settings import get_settings
from pipelines.lidar.derive import derive_epoch, derived_sha256, is_derived
from pipelines.lidar.engine import LidarEngine, get_engine
from pipelines.lidar.file_load import cleaner_for, ingest_file, load_file
from pipelines.lidar.ingest import ChunkPool
from pipelines.lidar.las.reader import discover
from pipelines.lidar.params import LidarParams
from pipelines.lidar.plan import FilePlan, flag_duplicates_and_mixed_crs, plan_file, record_refusal
from pipelines.lidar.spill import FileSpill, TileGrid
from pipelines.pointcloud.publish import publish_epoch_copc
from pipelines.readers.validate import EXTENTS, Extent


@dataclass
class LidarLoad:
    """The outcome of `load_lidar`: one report per loaded file, the derived run, and refusals."""

    epoch: date
    reports: list[LoadReport] = field(default_factory=list)
    derived: LoadReport | None = None
    copc: LoadReport | None = None
    """The COPC run (`load_lidar(copc=True)`)."""
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        lines = [r.summary() for r in self.reports]
        if self.derived is not None:
            lines.append(f"rasters and trees of {self.epoch} — {self.derived.summary()}")
        if self.copc is not None:
            lines.append(self.copc.summary())
        lines += [f"refused {name}: {why}" for name, why in self.refused]
        return "\n".join(lines)


def load_lidar(
    paths: list[Path | str],
    *,
    epoch: date,
    crs: int | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    params: LidarParams | None = None,
    url: str | None = None,
    force: bool = False,
    workers: int | None = None,
    read_workers: int | None = None,
    copc: bool = False,
) -> LidarLoad:
    """Load LAS/LAZ files (or folders) of one survey `epoch` into PostGIS and the raster store.

    Parameters
    ----------
    paths : files and/or folders (searched recursively for .las/.laz).
    epoch : survey date.
    crs : EPSG code for files that state no CRS (a CRS the file states always wins).
    extent : where points must lie (EPSG:2180); None accepts any place in Poland's CRS area.
    params : LidarParams (resolution, SMRF, tiles, cleaning, trees); defaults documented there.
    force : reload even files loaded before with the same checksum and parameters.
    workers : tile worker processes (default: CPU count; 1 runs the tiles in this process).
    read_workers : processes decoding, cleaning, encoding and spilling the chunks of a file
        (default: as many as `workers`; 1 = this process). More processes cost ~15 % more CPU
        (results cross a pipe, decoding runs single-threaded in each) but keep every core busy.
    copc : then write the epoch's COPC file (`publish_epoch_copc`, its own run, after the
        rasters), from the points this load has just stored where it can (no read-back).

    Raises SourceReadError when a path does not exist or is not LAS/LAZ; files that cannot be
    used are refused (listed in `LidarLoad.refused`, recorded as failed load runs) and the rest
    load. Files already loaded (same checksum and parameters) are 'unchanged'; their points are
    read again only when the rasters must be rebuilt (e.g. a neighbour file is new).
    """
    params = params or LidarParams()
    if extent is not None and not math.isfinite(extent.minx):
        extent = None  # 'none': no extent check
    engine = get_engine(params.engine)
    result = LidarLoad(epoch)
    plans = [plan_file(f, engine, crs, extent) for f in discover(paths)]
    flag_duplicates_and_mixed_crs(plans)
    for p in plans:
        if p.refusal:
            record_refusal(p, epoch, params, url)
            result.refused.append((p.path.name, p.refusal))
    usable = [p for p in plans if not p.refusal]
    if not usable:
        return result
    assert params.tile_m is not None  # LidarParams.__post_init__ sets the default size
    grid = TileGrid(params.tile_m, params.buffer_m)
    token = derived_sha256([p.sha256 for p in usable])[:16]
    work = get_settings().data_dir / "work" / "lidar" / f"{epoch}_{token}"
    if read_workers is None:
        read_workers = workers or os.cpu_count() or 1
    with ChunkPool(read_workers) as pool:
        loaded = _ingest_all(
            usable,
            result,
            work,
            grid,
            pool,
            engine=engine,
            epoch=epoch,
            extent=extent,
            params=params,
            url=url,
            force=force,
            keep_points=copc,
        )
        if not loaded:
            return result
        source = Path(paths[0]) if len(paths) == 1 else loaded[0][0].path
        result.derived = derive_epoch(
            [s for _, s, _ in loaded],
            grid=grid,
            epoch=epoch,
            params=params,
            file_shas=[plan.sha256 for plan, _, _ in loaded],
            source_path=source,
            url=url,
            force=force,
            workers=workers,
            extent_label=extent.describe() if extent else "none",
            pool=pool.executor_for(workers),
        )
    try:
        if copc:
            kept = {r.run_id: s.points_files() for _, s, r in loaded if r.status == "succeeded" and r.run_id}
            result.copc = publish_epoch_copc(epoch, url=url, force=force, workers=workers, kept=kept)
    finally:  # the rasters are committed: a failed COPC is written again from the store, not from these
        shutil.rmtree(work, ignore_errors=True)
    return result


def _ingest_all(
    usable: list[FilePlan],
    result: LidarLoad,
    work: Path,
    grid: TileGrid,
    pool: ChunkPool,
    *,
    engine: LidarEngine,
    epoch: date,
    extent: Extent | None,
    params: LidarParams,
    url: str | None,
    force: bool,
    keep_points: bool,
) -> list[tuple[FilePlan, FileSpill, LoadReport]]:
    """Load every usable file (one run each); spill all that the rasters must be rebuilt from."""
    loaded: list[tuple[FilePlan, FileSpill, LoadReport]] = []
    for index, plan in enumerate(usable):
        spill = FileSpill(work / plan.sha256[:16], index, grid, keep_points=keep_points)
        try:
            report = load_file(
                plan,
                spill,
                engine=engine,
                epoch=epoch,
                extent=extent,
                params=params,
                pool=pool,
                url=url,
                force=force,
            )
        except StoreWriteError:
            raise  # not this file's fault: no other file could be stored either
        except MsipError as exc:
            result.refused.append((plan.path.name, str(exc)))
            continue
        result.reports.append(report)
        loaded.append((plan, spill, report))
    if not loaded:
        return loaded
    extent_label = extent.describe() if extent else "none"
    shas = [plan.sha256 for plan, _, _ in loaded]
    if force or not is_derived(url, shas, epoch=epoch, params=params, extent_label=extent_label):
        for plan, spill, report in loaded:
            if report.status == "unchanged" and not spill.load_done():
                ingest_file(
                    plan,
                    spill,
                    engine=engine,
                    cleaner=cleaner_for(plan, extent, params),
                    params=params,
                    pool=pool,
                    run=None,
                )
    return loaded
