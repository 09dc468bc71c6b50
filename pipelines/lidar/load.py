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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from msip.core.errors import MsipError, SourceReadError, StoreWriteError, ValidationError
from msip.core.progress import progress_bar
from msip.core.settings import get_settings
from pipelines.lidar.las.clean import Cleaner, Rejected
from pipelines.lidar.derive import derive_epoch, derived_sha256, is_derived
from pipelines.lidar.engine import LidarEngine, get_engine
from pipelines.lidar.ingest import ChunkPool, chunk_jobs
from pipelines.lidar.las.lascrs import Placement, place
from pipelines.lidar.params import (
    LEGACY_STANDARD_CLASSES,
    NOISE_CLASSES,
    STANDARD_CLASSES,
    LidarParams,
)
from pipelines.lidar.patches import PatchWriter, patch_cell_m
from pipelines.lidar.las.reader import LasInfo, discover
from pipelines.lidar.spill import FileSpill, TileGrid
from msip.core.rasters.write_errors import write_error
from msip.core.checksums import file_sha256
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.readers.validate import EXTENTS, Extent

KIND = "lidar"
_FIELD = {"z": "Z", "extent": "X,Y", "coords": "X,Y"}


@dataclass
class FilePlan:
    """One input file: its header, checksum and how it reaches EPSG:2180 (or why it cannot)."""

    path: Path
    sha256: str
    info: LasInfo | None = None
    placement: Placement | None = None
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class LidarLoad:
    """The outcome of `load_lidar`: one report per loaded file, the derived run, and refusals."""

    epoch: date
    reports: list[LoadReport] = field(default_factory=list)
    derived: LoadReport | None = None
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def summary(self) -> str:
        lines = [r.summary() for r in self.reports]
        if self.derived is not None:
            lines.append(f"rasters and trees of {self.epoch} — {self.derived.summary()}")
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
    plans = [_plan(f, engine, crs, extent) for f in discover(paths)]
    _flag_duplicates_and_mixed_crs(plans)
    for p in plans:
        if p.refusal:
            _record_refusal(p, epoch, params, url)
            result.refused.append((p.path.name, p.refusal))
    usable = [p for p in plans if not p.refusal]
    if not usable:
        return result
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
) -> list[tuple[FilePlan, FileSpill, LoadReport]]:
    """Load every usable file (one run each); spill all that the rasters must be rebuilt from."""
    loaded: list[tuple[FilePlan, FileSpill, LoadReport]] = []
    for index, plan in enumerate(usable):
        spill = FileSpill(work / plan.sha256[:16], index, grid)
        try:
            report = _load_file(
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
                _ingest(
                    plan,
                    spill,
                    engine=engine,
                    cleaner=_cleaner(plan, extent, params),
                    params=params,
                    pool=pool,
                    run=None,
                )
    return loaded


def _plan(path: Path, engine: LidarEngine, crs: int | None, extent: Extent | None) -> FilePlan:
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
            _check_extent(plan, extent)
    except MsipError as exc:
        plan.refusal = str(exc)
    return plan


def _check_extent(plan: FilePlan, extent: Extent) -> None:
    info = plan.info
    xs = np.array([info.mins[0], info.maxs[0], info.mins[0], info.maxs[0]])
    ys = np.array([info.mins[1], info.mins[1], info.maxs[1], info.maxs[1]])
    x, y, _ = plan.placement.to_storage(xs, ys, np.zeros(4))
    if (
        x.max() < extent.minx
        or x.min() > extent.maxx
        or y.max() < extent.miny
        or y.min() > extent.maxy
    ):
        raise ValidationError(
            f"{info.name}: its points (E {x.min():.0f}–{x.max():.0f}, "
            f"N {y.min():.0f}–{y.max():.0f} in EPSG:2180, "
            f"CRS {plan.placement.crs_label} from {plan.placement.source}) "
            f"lie outside {extent.describe()}; "
            "pass --extent poland, --extent none or a bbox if the survey is elsewhere, "
            "or check the CRS"
        )


def _flag_duplicates_and_mixed_crs(plans: list[FilePlan]) -> None:
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
    labels = Counter(p.placement.crs_label for p in plans if not p.refusal)
    if len(labels) > 1:
        common = labels.most_common(1)[0][0]
        for p in plans:
            if not p.refusal and p.placement.crs_label != common:
                p.notes.append(
                    f"{p.path.name}: CRS {p.placement.crs_label} ({p.placement.source}) "
                    "differs from "
                    f"the other files ({common}); its points were transformed to EPSG:2180 "
                    "like all others"
                )


def _record_refusal(plan: FilePlan, epoch: date, params: LidarParams, url: str | None) -> None:
    def body(run: LoadRun) -> None:
        raise MsipError(plan.refusal)

    try:
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
    except MsipError:
        pass  # recorded as a failed run; the refusal is reported by the caller


def _cleaner(plan: FilePlan, extent: Extent | None, params: LidarParams) -> Cleaner:
    return Cleaner(plan.placement, extent, params.z_min_m, params.z_max_m)


def _load_file(
    plan: FilePlan,
    spill: FileSpill,
    *,
    engine: LidarEngine,
    epoch: date,
    extent: Extent | None,
    params: LidarParams,
    pool: ChunkPool,
    url: str | None,
    force: bool,
) -> LoadReport:
    run_params = params.file_params() | {
        "crs": plan.placement.crs_label,
        "crs_source": plan.placement.source,
        "extent": extent.describe() if extent else "none",
    }

    def body(run: LoadRun) -> None:
        retired = _retire_previous(run, epoch, plan.path.name)
        cell = _patch_cell(plan, params)
        with PatchWriter(
            run.conn, epoch=epoch, source_file=plan.path.name, run_id=run.run_id, cell_m=cell
        ) as w:
            _ingest(
                plan,
                spill,
                engine=engine,
                cleaner=_cleaner(plan, extent, params),
                params=params,
                pool=pool,
                run=run,
                writer=w,
            )
        run.loaded(inserted=w.points, retired=retired)
        run.note(f"{w.points} points stored in {w.patches} patches ({cell:g} m cells)")

    return run_load(
        KIND,
        plan.path,
        epoch=epoch,
        body=body,
        params=run_params,
        url=url,
        force=force,
        sha256=plan.sha256,
    )


def _retire_previous(run: LoadRun, epoch: date, name: str) -> int:
    """Delete patches of an earlier load of a file of this name and epoch; returns their points."""
    n = run.conn.execute(
        "SELECT coalesce(sum(PC_NumPoints(pa)), 0) FROM msip.lidar_patch "
        "WHERE epoch = %s AND source_file = %s",
        (epoch, name),
    ).fetchone()[0]
    if n:
        run.conn.execute(
            "DELETE FROM msip.lidar_patch WHERE epoch = %s AND source_file = %s", (epoch, name)
        )
        run.note(f"replaced {n} points of an earlier load of {name} for {epoch}")
    return int(n)


def _patch_cell(plan: FilePlan, params: LidarParams) -> float:
    info = plan.info
    xs = np.array([info.mins[0], info.maxs[0]])
    ys = np.array([info.mins[1], info.maxs[1]])
    x, y, _ = plan.placement.to_storage(xs, ys, np.zeros(2))
    area = abs(float(x[1] - x[0]) * float(y[1] - y[0]))
    return patch_cell_m(info.point_count, area, params.patch_points)


@contextmanager
def _spill_errors(spill: FileSpill) -> Iterator[None]:
    """Turn a failed write of the tile spill (full disk, a file in the way …) into a clear error
    and remove the half-written spill, which no later run could use."""
    try:
        yield
    except MsipError:
        raise  # already says what is wrong (e.g. SourceReadError, an OSError, for a truncated file)
    except OSError as exc:
        error = write_error(spill.folder, exc, what="LiDAR work file under")  # before freeing space
        shutil.rmtree(spill.folder, ignore_errors=True)
        raise error from None


def _ingest(
    plan: FilePlan,
    spill: FileSpill,
    *,
    engine: LidarEngine,
    cleaner: Cleaner,
    params: LidarParams,
    pool: ChunkPool,
    run: LoadRun | None,
    writer: PatchWriter | None = None,
) -> None:
    """Stream one file: clean each chunk, store it as patches (when `writer`), spill it by tile.

    Chunks are decoded, cleaned, encoded and spilled by `pool` (several processes at once when
    it has several workers); their results arrive in file order, so counts, quarantine
    examples and patches are the same whatever the number of workers.
    """
    info = plan.info
    rejected = Rejected()
    classes = np.zeros(256, dtype=np.int64)
    withheld = 0
    read = 0
    jobs = chunk_jobs(
        info.path,
        info.point_count,
        params.chunk_points,
        engine=engine.name,
        cleaner=cleaner,
        spill_folder=spill.folder,
        file_index=spill.file_index,
        grid=spill.grid,
        patches=None if writer is None else writer.spec,
        threads=not pool.parallel,
    )
    with progress_bar(info.name, total=info.point_count) as bar, _spill_errors(spill):
        spill.start()
        for done in pool.run(jobs):
            if run is not None:
                run.count_in(done.read)
            read += done.read
            rejected.merge(done.rejected)
            classes += done.classes
            withheld += done.withheld
            spill.merge(done.tiles)
            if writer is not None:
                writer.write(done.copy_data, done.points, done.patches)
            bar.advance(done.read)
        facts = {
            "name": info.name,
            "read": read,
            "kept": int(classes.sum()),
            "has_ground_class": bool(classes[2] > 0),
            "classes": {int(c): int(n) for c, n in enumerate(classes) if n},
        }
        spill.finish(facts)
    if run is None:
        return
    reasons = cleaner.reasons()
    for code, n in rejected.counts.items():
        first = rejected.first_index[code]
        run.reject(
            first,
            f"{info.name} row {first}: {n} points with {reasons[code]}",
            field=_FIELD[code],
            raw={"file": info.name, "count": n, "examples": rejected.examples[code]},
            count=n,
        )
    for note in plan.notes:
        run.note(note)
    _class_notes(run, info, facts["classes"], withheld)


def _class_notes(run: LoadRun, info: LasInfo, classes: dict[int, int], withheld: int) -> None:
    known = STANDARD_CLASSES if info.point_format >= 6 else LEGACY_STANDARD_CLASSES
    odd = {c: n for c, n in classes.items() if c not in known}
    if odd:
        listed = ", ".join(f"{c} ({n} points)" for c, n in sorted(odd.items()))
        run.note(
            f"{info.name}: classes {listed} are not standard ASPRS classes for "
            f"LAS {info.version}; stored as "
            "they are and treated as non-ground objects in the rasters"
        )
    noise = sum(n for c, n in classes.items() if c in NOISE_CLASSES)
    if noise:
        run.note(
            f"{info.name}: {noise} noise points (classes 7, 18) stored but left out of the rasters"
        )
    if withheld:
        run.note(
            f"{info.name}: {withheld} points flagged 'withheld' stored but left out of the rasters"
        )
    if not classes.get(2):
        run.note(f"{info.name}: no ground class (2) in the file; ground is classified with SMRF")
