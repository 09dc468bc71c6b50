"""Writing an orthophoto delivery's good tiles: chunk jobs on the EPSG:2180 grid, COGs via the tile
loop, catalogue, mosaics."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from pathlib import Path

from affine import Affine

from msip.core.errors import ValidationError
from msip.core.rasters.store import build_mosaic, catalogue, map_tiles, raster_dir
from msip.core.runs import LoadRun
from pipelines.orthophoto.checks import TileInfo
from pipelines.orthophoto.tiles import CHUNK_PX, TileJob, process_tile

KINDS = ("orthophoto", "ndvi", "brightness", "orthophoto_rgb")


def plan_jobs(
    info: TileInfo, res_m: float, epoch: date, *, display: bool, compress: str
) -> list[TileJob]:
    """The chunk jobs of one good tile: its EPSG:2180 grid (warped when needed), cut into CHUNK_PX squares."""
    from rasterio.warp import aligned_target, calculate_default_transform

    # A good tile (no `reason`) always has both: `inspect_tile` refuses a tile without them.
    assert info.epsg is not None and info.bounds is not None, f"{info.path.name} is not a good tile"
    warp = info.epsg != 2180 or info.rotated or any(abs(r - res_m) > 1e-6 * res_m for r in info.res)
    if warp:
        t, w, h = calculate_default_transform(
            f"EPSG:{info.epsg}",
            "EPSG:2180",
            info.width,
            info.height,
            *info.bounds,
            resolution=res_m,
        )
        transform, width, height = aligned_target(t, w, h, res_m)
    else:
        transform = Affine(info.res[0], 0, info.bounds[0], 0, -info.res[1], info.bounds[3])
        width, height = info.width, info.height
    kinds = ["orthophoto"]
    if {"R", "NIR"} <= set(info.roles):
        kinds.append("ndvi")
    if {"R", "G", "B"} <= set(info.roles):
        kinds.append("brightness")
        if display:
            kinds.append("orthophoto_rgb")
    folders = {k: raster_dir(k, epoch) for k in kinds}
    n_rows, n_cols = math.ceil(height / CHUNK_PX), math.ceil(width / CHUNK_PX)
    masked = warp or info.nodata is not None or "A" in info.roles
    jobs = []
    for r in range(n_rows):
        for c in range(n_cols):
            stem = info.path.stem if n_rows * n_cols == 1 else f"{info.path.stem}_{r}_{c}"
            jobs.append(
                TileJob(
                    index=info.index,
                    path=info.path,
                    roles=info.roles,
                    src_epsg=info.epsg,
                    transform=transform @ Affine.translation(c * CHUNK_PX, r * CHUNK_PX),
                    width=min(CHUNK_PX, width - c * CHUNK_PX),
                    height=min(CHUNK_PX, height - r * CHUNK_PX),
                    warp=warp,
                    masked=masked,
                    compress=compress,
                    outputs={k: folders[k] / f"{stem}.tif" for k in kinds},
                )
            )
    return jobs


def write_good_tiles(
    run: LoadRun,
    good: list[TileInfo],
    res_m: float,
    shas: dict[Path, str],
    *,
    epoch: date,
    display: bool,
    compress: str,
    workers: int | None,
) -> None:
    """Write the COGs of every good tile not already stored with the same checksum, catalogue them,
    rebuild the mosaics."""
    done: dict[str, str | None] = dict(
        run.conn.execute(
            "SELECT path, source_sha256 FROM msip.raster_asset WHERE epoch = %s AND kind = ANY(%s) AND NOT is_mosaic",
            (epoch, list(KINDS)),
        ).fetchall()
    )
    todo: list[TileJob] = []
    previous: dict[int, bool] = {}
    for info in good:
        jobs = plan_jobs(info, res_m, epoch, display=display, compress=compress)
        outputs = [p for job in jobs for p in job.outputs.values()]
        if all(p.exists() and done.get(str(p)) == shas[info.path] for p in outputs):
            run.loaded(unchanged=1)
            continue
        previous[info.index] = any(str(p) in done for p in outputs)
        todo += jobs
    results = map_tiles(process_tile, todo, workers=workers, progress_desc=f"orthophoto {epoch}")
    by_tile: dict[int, list] = defaultdict(list)
    for result in results:
        by_tile[result.index].append(result)
    info_of = {i.index: i for i in good}
    for index, tile_results in sorted(by_tile.items()):
        info = info_of[index]
        failed = next((r.reason for r in tile_results if r.reason), None)
        if failed:
            run.reject(
                index,
                failed,
                source_id=info.path.name,
                raw={"path": str(info.path), "sha256": shas[info.path]},
            )
            continue
        for result in tile_results:
            for kind, path in result.outputs.items():
                catalogue(
                    run.conn,
                    kind=kind,
                    epoch=epoch,
                    path=path,
                    load_run_id=run.run_id,
                    source_sha256=shas[info.path],
                    sha256=result.sha256.get(kind),
                )
        if previous[index]:
            run.loaded(updated=1)
        else:
            run.loaded(inserted=1)
    rebuild_mosaics(run, epoch)  # also when every tile was unchanged: restores a deleted VRT


def rebuild_mosaics(run: LoadRun, epoch: date) -> None:
    """One VRT per kind over every catalogued tile of the epoch (this delivery's and earlier ones)."""
    for kind in KINDS:
        paths = [
            Path(r[0])
            for r in run.conn.execute(
                "SELECT path FROM msip.raster_asset WHERE kind = %s AND epoch = %s AND NOT is_mosaic ORDER BY path",
                (kind, epoch),
            )
        ]
        if not paths:
            continue
        out = raster_dir(kind, epoch) / f"{kind}_{epoch.isoformat()}.vrt"
        try:
            build_mosaic(paths, out)
        except ValidationError as exc:
            run.note(f"{kind} mosaic of {epoch} not rebuilt: {exc}")
            continue
        catalogue(
            run.conn, kind=kind, epoch=epoch, path=out, load_run_id=run.run_id, is_mosaic=True
        )
