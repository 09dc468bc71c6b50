"""The derived run of an epoch: parallel tiles → catalogued COGs, mosaics, trees, inventory match.

Recorded as its own load_run (kind 'lidar_derived', checksum over the files' checksums and
the parameters), so loading the same files again with the same parameters is 'unchanged'.
Rows of this run are detected trees; the rasters are catalogued in msip.raster_asset.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.lidar.params import LidarParams
from pipelines.lidar.report import describe
from pipelines.lidar.spill import FileSpill, TileGrid
from pipelines.lidar.tiles import KINDS, TileResult, TileTask, process_tile, snap_out

TREE_COLUMNS = (
    "epoch",
    "tile",
    "height_m",
    "crown_area_m2",
    "crown_diameter_m",
    "ground_z_m",
    "geom",
    "crown",
    "load_run_id",
)


def derived_sha256(file_shas: list[str]) -> str:
    """Checksum of an epoch's inputs: the sorted checksums of its files."""
    return hashlib.sha256("\n".join(sorted(file_shas)).encode()).hexdigest()


def plan_tiles(
    spills: list[FileSpill],
    grid: TileGrid,
    params: LidarParams,
    epoch: date,
    *,
    readback: bool = False,
    url: str | None = None,
    own_files: tuple[str, ...] = (),
) -> list[TileTask]:
    """One task per tile holding core points, with the raster extent cropped to the data."""
    from msip.core.rasters.store import raster_dir

    parts: dict[tuple[int, int], list[str]] = defaultdict(list)
    extent: dict[tuple[int, int], list[float]] = {}
    for s in spills:
        for key, st in s.tiles.items():
            parts[key] += [str(f) for f in s.tile_paths(key)]
            if st.n:
                e = extent.setdefault(key, [np.inf, np.inf, -np.inf, -np.inf])
                e[:] = [
                    min(e[0], st.minx),
                    min(e[1], st.miny),
                    max(e[2], st.maxx),
                    max(e[3], st.maxy),
                ]
    rules = tuple(sorted((s.file_index, str(s.facts["canopy_rule"])) for s in spills))
    dirs = {k: raster_dir(k, epoch) for k in KINDS}
    res = params.resolution_m
    tasks = []
    for key in sorted(extent):
        core = grid.bounds(key)
        e = extent[key]
        out = (
            max(core[0], snap_out(e[0], res, False)),
            max(core[1], snap_out(e[1], res, False)),
            min(core[2], snap_out(e[2] + 1e-6, res, True)),
            min(core[3], snap_out(e[3] + 1e-6, res, True)),
        )
        name = grid.name(key)
        tasks.append(
            TileTask(
                name=name,
                origin=(core[0], core[1]),
                core=core,
                out_bounds=out,
                buffer_m=grid.buffer_m,
                parts=tuple(parts[key]),
                canopy_rules=rules,
                out_paths={k: str(dirs[k] / f"{k}_{name}.tif") for k in KINDS},
                params=params,
                epoch=str(epoch),
                readback=readback,
                db_url=url,
                own_files=own_files,
            )
        )
    return tasks


def _run_params(params: LidarParams, n_files: int, extent_label: str) -> dict:
    return params.derived_params() | {"files": n_files, "extent": extent_label}


def is_derived(
    url: str | None, file_shas: list[str], *, epoch: date, params: LidarParams, extent_label: str
) -> bool:
    """True when these files' rasters and trees were already derived with these parameters."""
    from msip.core.db import connect
    from msip.core.runs import previous_success

    with connect(url) as conn:
        return (
            previous_success(
                conn,
                "lidar_derived",
                derived_sha256(file_shas),
                epoch,
                _run_params(params, len(file_shas), extent_label),
            )
            is not None
        )


def derive_epoch(
    spills: list[FileSpill],
    *,
    grid: TileGrid,
    epoch: date,
    params: LidarParams,
    file_shas: list[str],
    source_path: Path,
    url: str | None,
    force: bool,
    workers: int | None,
    extent_label: str,
    pool=None,
) -> LoadReport:
    """Run (or skip as unchanged) the derived products of the given files' points for `epoch`.

    `pool`: worker processes to run the tiles on (the loader's, already started), or None.
    """
    sha = derived_sha256(file_shas)
    run_params = _run_params(params, len(file_shas), extent_label)

    def body(run: LoadRun) -> None:
        from msip.core.rasters.store import map_tiles

        own = tuple(sorted(s.facts.get("name", "") for s in spills))
        row = run.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM msip.lidar_patch WHERE epoch = %s "
            "AND NOT (source_file = ANY(%s)))",
            (epoch, list(own)),
        ).fetchone()
        assert row is not None  # EXISTS always answers
        others = row[0]
        tasks = plan_tiles(spills, grid, params, epoch, readback=others, url=url, own_files=own)
        if others:
            run.note(
                "points stored by earlier loads of this epoch were read around the new tiles "
                "(seamless edges)"
            )
        from pipelines.lidar.ingest import with_current_env

        results: list[TileResult] = map_tiles(
            process_tile if pool is None else with_current_env(process_tile),
            tasks,
            workers=workers,
            progress_desc=f"LiDAR tiles {epoch}",
            pool=pool,
        )
        _store(run, results, epoch, sha, params)
        describe(run, [s.facts for s in spills], results)

    return run_load(
        "lidar_derived",
        source_path,
        epoch=epoch,
        body=body,
        params=run_params,
        url=url,
        force=force,
        sha256=sha,
    )


def _store(
    run: LoadRun, results: list[TileResult], epoch: date, sha: str, params: LidarParams
) -> None:
    import shapely

    from msip.core.copy import copy_rows, ewkb_hex
    from msip.core.rasters.store import build_mosaic, catalogue, raster_dir
    from pipelines.lidar.match import match_inventory

    conn = run.conn
    for r in results:
        for kind, path in r.rasters.items():
            catalogue(
                conn,
                kind=kind,
                epoch=epoch,
                path=Path(path),
                load_run_id=run.run_id,
                source_sha256=sha,
            )
    names = [r.name for r in results]
    retired = conn.execute(
        "DELETE FROM msip.tree_detected WHERE epoch = %s AND tile = ANY(%s)", (epoch, names)
    ).rowcount
    trees = [(r.name, t) for r in results for t in r.trees]
    if trees:
        apex = ewkb_hex(shapely.points([(t.x, t.y) for _, t in trees]))
        crowns = [None if t.crown_wkb is None else shapely.from_wkb(t.crown_wkb) for _, t in trees]
        crown_hex = ewkb_hex(np.array(crowns, dtype=object))
        copy_rows(
            conn,
            "msip.tree_detected",
            TREE_COLUMNS,
            (
                (
                    epoch,
                    name,
                    round(t.height_m, 2),
                    round(t.crown_area_m2, 2),
                    round(t.crown_diameter_m, 2),
                    None if t.ground_z_m is None else round(t.ground_z_m, 2),
                    a,
                    c,
                    run.run_id,
                )
                for (name, t), a, c in zip(trees, apex, crown_hex, strict=False)
            ),
        )
    run.count_in(len(trees))
    run.loaded(inserted=len(trees), retired=retired)
    for kind in KINDS:
        paths = [
            Path(p)
            for (p,) in conn.execute(
                "SELECT path FROM msip.raster_asset "
                "WHERE kind = %s AND epoch = %s AND NOT is_mosaic "
                "ORDER BY path",
                (kind, epoch),
            )
        ]
        if paths:
            mosaic = build_mosaic(paths, raster_dir(kind, epoch) / f"{kind}_mosaic.vrt")
            catalogue(
                conn,
                kind=kind,
                epoch=epoch,
                path=mosaic,
                load_run_id=run.run_id,
                source_sha256=sha,
                is_mosaic=True,
            )
    run.note(
        f"{sum(1 for r in results if r.rasters)} tiles × {', '.join(k.upper() for k in KINDS)} "
        f"at {params.resolution_m:g} m; "
        f"{len(trees)} trees detected"
    )
    summary = match_inventory(
        conn,
        epoch=epoch,
        run_id=run.run_id,
        tolerance_m=params.match_tolerance_m,
        tall_m=params.tall_tree_m,
        min_visible_m=params.tree_min_height_m,
    )
    run.note(summary.describe())

