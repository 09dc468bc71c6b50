"""One LAS/LAZ file as one load run: its chunks streamed, cleaned, stored as patches and spilled by tile.

Counting: rows_in = points read; loaded = points stored in patches; rejected = points never
stored (absurd Z, outside the extent), one quarantine record per file and reason with the
count and examples (see `pipelines.lidar.load`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import numpy as np

from msip.core.db import one_row
from msip.core.errors import MsipError
from msip.core.progress import progress_bar
from msip.core.rasters.write_errors import write_error
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.lidar.algorithms.canopy import CLASSES, NON_CANOPY_CLASSES, RULE_TEXT, canopy_rule
from pipelines.lidar.engine import LidarEngine
from pipelines.lidar.ingest import ChunkPool, chunk_jobs
from pipelines.lidar.las.clean import Cleaner, Rejected
from pipelines.lidar.las.reader import LasInfo
from pipelines.lidar.params import (
    LEGACY_STANDARD_CLASSES,
    NOISE_CLASSES,
    STANDARD_CLASSES,
    LidarParams,
)
from pipelines.lidar.patches import POINT_DTYPE, PatchWriter, patch_cell_m
from pipelines.lidar.plan import KIND, FilePlan
from pipelines.lidar.spill import FileSpill
from pipelines.readers.validate import Extent

_FIELD = {"z": "Z", "extent": "X,Y", "coords": "X,Y"}


def cleaner_for(plan: FilePlan, extent: Extent | None, params: LidarParams) -> Cleaner:
    """The point cleaner of one file: its CRS placement, the extent and the plausible Z range."""
    return Cleaner(plan.usable_placement, extent, params.z_min_m, params.z_max_m)


def load_file(
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
    """Load one file as its own run (resumable by checksum): replace its earlier patches, ingest, count."""
    run_params = params.file_params() | {
        "crs": plan.usable_placement.crs_label,
        "crs_source": plan.usable_placement.source,
        "extent": extent.describe() if extent else "none",
    }

    def body(run: LoadRun) -> None:
        retired = _retire_previous(run, epoch, plan.path.name)
        cell = _patch_cell(plan, params)
        with PatchWriter(
            run.conn, epoch=epoch, source_file=plan.path.name, run_id=run.run_id, cell_m=cell
        ) as w:
            ingest_file(
                plan,
                spill,
                engine=engine,
                cleaner=cleaner_for(plan, extent, params),
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
    n = one_row(run.conn.execute(
        "SELECT coalesce(sum(PC_NumPoints(pa)), 0) FROM msip.lidar_patch "
        "WHERE epoch = %s AND source_file = %s",
        (epoch, name),
    ))[0]
    if n:
        run.conn.execute(
            "DELETE FROM msip.lidar_patch WHERE epoch = %s AND source_file = %s", (epoch, name)
        )
        run.note(f"replaced {n} points of an earlier load of {name} for {epoch}")
    return int(n)


def _patch_cell(plan: FilePlan, params: LidarParams) -> float:
    info = plan.usable_info
    xs = np.array([info.mins[0], info.maxs[0]])
    ys = np.array([info.mins[1], info.maxs[1]])
    x, y, _ = plan.usable_placement.to_storage(xs, ys, np.zeros(2))
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


def ingest_file(
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
    info = plan.usable_info
    rejected = Rejected()
    classes = np.zeros(256, dtype=np.int64)
    withheld = overlap = 0
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
        keep_points=spill.keep_points and writer is not None,
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
            overlap += done.overlap
            spill.merge(done.tiles)
            if writer is not None:
                writer.write(done.copy_data, done.points, done.patches)
            bar.advance(done.read)
        class_counts = {int(c): int(n) for c, n in enumerate(classes) if n}
        facts = {
            "name": info.name,
            "read": read,
            "kept": int(classes.sum()),
            "has_ground_class": bool(classes[2] > 0),
            "classes": class_counts,
            "canopy_rule": canopy_rule(class_counts),
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
    _class_notes(run, info, class_counts, withheld, overlap)
    _format_notes(run, info)


def _format_notes(run: LoadRun, info: LasInfo) -> None:
    """Say what of the file's point format is not stored (extra bytes, colours) and COPC."""
    if info.copc:
        run.note(f"{info.name}: COPC (cloud-optimised LAZ), read as ordinary LAZ in file order")
    if info.extra_dims:
        vlrs = f" from {info.extra_bytes_vlrs} Extra Bytes VLRs" if info.extra_bytes_vlrs > 1 else ""
        run.note(
            f"{info.name}: extra bytes {', '.join(info.extra_dims)}{vlrs} not stored (the point "
            f"schema holds {', '.join(POINT_DTYPE.names or ())}); keep the source file for them"
        )
    if info.colours:
        run.note(f"{info.name}: {' and '.join(info.colours)} colours not stored (not in the point schema)")


def _class_notes(
    run: LoadRun, info: LasInfo, classes: dict[int, int], withheld: int, overlap: int
) -> None:
    known = STANDARD_CLASSES if info.point_format >= 6 else LEGACY_STANDARD_CLASSES
    odd = {c: n for c, n in classes.items() if c not in known}
    if odd:
        listed = ", ".join(f"{c} ({n} points)" for c, n in sorted(odd.items()))
        run.note(
            f"{info.name}: classes {listed} are not standard ASPRS classes for "
            f"LAS {info.version}; stored as they are; in the rasters they are not ground "
            "(and count as canopy only in a file without vegetation classes 3–5)"
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
    if overlap:
        how = "flagged 'overlap'" if info.point_format >= 6 else "of class 12 (overlap)"
        run.note(f"{info.name}: {overlap} points {how} stored but left out of the rasters")
    rule = canopy_rule(classes)
    if rule != CLASSES and any(c not in NON_CANOPY_CLASSES for c in classes):
        run.note(f"{info.name}: canopy (CHM) rule — {RULE_TEXT[rule]}")
    if not classes.get(2):
        run.note(f"{info.name}: no ground class (2) in the file; ground is classified with SMRF")
