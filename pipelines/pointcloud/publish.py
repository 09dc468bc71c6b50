"""`publish_epoch_copc`: the stored points of one LiDAR epoch as a COPC file, recorded and catalogued.

One load run of kind 'lidar_copc' per write. Its checksum is made from what the epoch's points
came from: each source run's file checksum, parameters and point count (a file added, changed
or loaded with other parameters changes it; the same files loaded again, e.g. after an
interrupted load, do not), so publishing an unchanged epoch again answers 'unchanged' without
reading a point. rows_in = points of the epoch's patches = points written (nothing is refused:
the patches were validated when loaded). The LiDAR load hands over the points it has just stored
(`kept`, per file run), so only runs it did not store now are read back from msip.lidar_patch;
every run counts exactly the points its patches hold (its `rows_loaded`), else it is read back
(a patch at a time, into a work file): no point array of the whole epoch is ever held, the writer
streams the files within its memory budget (pipelines.pointcloud.copc). The file is written
beside its final name and renamed inside the run (journalled like a raster), so a failed run
leaves the previous file and its catalogue row as they were.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import psycopg

from msip.core.db import connect, one_row
from msip.core.errors import ValidationError
from msip.core.rasters.journal import note_write
from msip.core.runs import LoadReport, LoadRun, run_load
from msip.core.settings import get_settings
from pipelines.lidar.patches import POINT_DTYPE
from pipelines.pointcloud.buckets import PointSource
from pipelines.pointcloud.copc import write_copc
from pipelines.pointcloud.octree import LEAF_POINTS
from pipelines.pointcloud.stored import iter_epoch_points

KIND = "lidar_copc"
FORMAT_VERSION = "copc-1"


def copc_path(epoch: date) -> Path:
    """Where the COPC file of `epoch` lives: $MSIP_DATA_DIR/pointclouds/<epoch>/lidar_<epoch>.copc.laz."""
    return get_settings().data_dir / "pointclouds" / epoch.isoformat() / f"lidar_{epoch.isoformat()}.copc.laz"


def source_runs(url: str | None, epoch: date) -> list[int]:
    """The load runs whose patches hold the points of `epoch` (sorted; empty: no points)."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT load_run_id FROM msip.lidar_patch WHERE epoch = %s ORDER BY 1", (epoch,)
        ).fetchall()
    return [int(r[0]) for r in rows]


def _sources_digest(url: str | None, epoch: date, runs: list[int]) -> str:
    """SHA-256 of the format version, the epoch and, per source run, its file checksum, parameters and points."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT source_sha256, coalesce(params::text, ''), rows_loaded FROM msip.load_run "
            "WHERE run_id = ANY(%s) ORDER BY 1, 2, 3", (runs,)).fetchall()
    return hashlib.sha256(f"{FORMAT_VERSION}:{epoch}:{rows}".encode()).hexdigest()


def _kept_files(files: list[Path], expected: int) -> list[Path] | None:
    """The files the LiDAR load kept for one run, or None when they do not hold exactly `expected` points."""
    sizes = [f.stat().st_size for f in files]
    if sum(sizes) != expected * POINT_DTYPE.itemsize or any(size % POINT_DTYPE.itemsize for size in sizes):
        return None
    return files


def gather_points(
    conn: psycopg.Connection, epoch: date, runs: list[int], kept: Mapping[int, list[Path]], spool: Path
) -> tuple[PointSource, int]:
    """(The stored points of `epoch` from its source `runs`, how many were read back from msip.lidar_patch).

    A run whose points the caller `kept` (files of POINT_DTYPE records in patch order) is taken
    from them when they hold exactly the points the run stored; every other run is read from its
    patches, a patch at a time, into a file under `spool`. Runs in id order, each in patch order:
    the same points in the same order (so the same COPC file) whichever way each run's points came;
    nothing is held in memory but a patch.
    """
    stored: dict[int, int] = dict(conn.execute(
        "SELECT run_id, rows_loaded FROM msip.load_run WHERE run_id = ANY(%s)", (runs,)).fetchall())
    parts: list[Path] = []
    read_back = 0
    for r in sorted(runs):
        files = _kept_files(kept[r], int(stored.get(r) or 0)) if kept.get(r) else None
        if files is None:
            spool.mkdir(parents=True, exist_ok=True)
            files = [spool / f"run{r}.pts"]
            with open(files[0], "wb") as f:
                for pts in iter_epoch_points(conn, epoch, runs=[r]):
                    pts.tofile(f)
                    read_back += len(pts)
        parts.extend(files)
    return PointSource(parts), read_back


def publish_epoch_copc(
    epoch: date, *, url: str | None = None, force: bool = False, leaf_points: int = LEAF_POINTS,
    workers: int | None = None, kept: Mapping[int, list[Path]] | None = None, memory_mb: float | None = None,
) -> LoadReport:
    """Write (or keep) the COPC file of `epoch` from its stored points and catalogue it.

    `workers`: threads compressing the octree nodes (default: the CPU count).
    `memory_mb`: memory for the points being placed (default MSIP_COPC_MEMORY_MB, else 1024 MB): an
    epoch of any size is written bucket by bucket through work files under $MSIP_DATA_DIR/work/copc/<epoch>,
    removed afterwards whether the run succeeds or fails (and, after a killed run, by the next one).
    `kept`: load run id → files holding the points that run has just stored (POINT_DTYPE
    records, as `pipelines.lidar` keeps them), read instead of that run's patches.
    Raises ValidationError when the epoch has no stored points (load it with `msip load lidar`).
    """
    runs = source_runs(url, epoch)
    if not runs:
        raise ValidationError(
            f"no LiDAR points are stored for epoch {epoch}; load them first with "
            f"`msip load lidar PATH --epoch {epoch}`"
        )
    digest = _sources_digest(url, epoch, runs)
    path = copc_path(epoch)

    def body(run: LoadRun) -> None:
        # One work folder per epoch: what a killed run left there goes when the epoch is written again.
        work = get_settings().data_dir / "work" / "copc" / epoch.isoformat()
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            _write(run, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _write(run: LoadRun, tmp: Path) -> None:
        points, read_back = gather_points(run.conn, epoch, runs, kept or {}, tmp)
        # The lidar runs counted what they stored: a cheap cross-check that no patch was misread.
        expected = one_row(run.conn.execute(
            "SELECT coalesce(sum(rows_loaded), 0) FROM msip.load_run WHERE run_id = ANY(%s)", (runs,)
        ))[0]
        if len(points) != expected:
            raise ValidationError(
                f"gathered {len(points)} points of {epoch} ({read_back} read from msip.lidar_patch), "
                f"but its load runs {runs} "
                f"stored {expected}; check the patches with `SELECT sum(PC_NumPoints(pa)) …`"
            )
        run.count_in(len(points))
        out = path.with_name(f".{path.name}.run{run.run_id}.tmp")
        out.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(out.parent, 0o755)
        note_write(path, out)
        summary = write_copc(points, out, leaf_points=leaf_points, workers=workers, memory_mb=memory_mb, work_dir=tmp)
        os.chmod(out, 0o644)
        os.replace(out, path)
        replaced = run.conn.execute("DELETE FROM msip.pointcloud_asset WHERE epoch = %s", (epoch,)).rowcount
        run.conn.execute(
            "INSERT INTO msip.pointcloud_asset (epoch, path, point_count, node_count, levels, bytes, "
            "z_min_m, z_max_m, source_runs, footprint, load_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "ST_MakeEnvelope(%s, %s, %s, %s, 2180), %s)",
            (epoch, str(path), summary.points, summary.nodes, summary.levels, summary.bytes,
             summary.mins_m[2], summary.maxs_m[2], runs, summary.mins_m[0], summary.mins_m[1],
             summary.maxs_m[0], summary.maxs_m[1], run.run_id),
        )
        run.loaded(inserted=summary.points)
        run.note(
            f"{summary.points} points of {epoch} in a COPC file of {summary.nodes} octree nodes, "
            f"{summary.levels} levels, {summary.bytes / 1e6:.1f} MB"
            + (" (replaced the previous file)" if replaced else "")
            + (f"; {read_back} of them read back from msip.lidar_patch" if read_back else "")
        )

    return run_load(KIND, path, epoch=epoch, body=body, params={"format": FORMAT_VERSION,
                    "leaf_points": leaf_points}, url=url, force=force, sha256=digest, unit="points")
