"""Orthophoto deliveries (issue 4): check every tile, write COGs, NDVI and brightness, catalogue, mosaic per epoch.

One delivery (files and folders of GeoTIFF tiles) is one load run: rows_in = tiles, loaded =
tiles written (or already there with the same checksum), rejected = problem tiles, each with
its file name and reason. Rasters go to `$MSIP_DATA_DIR/rasters/<kind>/<epoch>/` (kinds
`orthophoto`, `ndvi`, `brightness`, `orthophoto_rgb`; see pipelines.orthophoto.tiles for their
bands and scaling) and each kind gets a per-epoch mosaic `<kind>_<epoch>.vrt`.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import defaultdict
from datetime import date
from pathlib import Path

from affine import Affine

from msip.core.epochs import parse_epoch
from msip.core.errors import SourceReadError, ValidationError
from pipelines.orthophoto.checks import (
    TileInfo,
    consistency_reason,
    delivery_reference,
    inspect_tile,
    parse_bands,
)
from pipelines.orthophoto.tiles import CHUNK_PX, TileJob, process_tile
from msip.core.rasters.store import build_mosaic, catalogue, map_tiles, raster_dir
from msip.core.checksums import file_sha256
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.readers.validate import Extent, get_extent

KINDS = ("orthophoto", "ndvi", "brightness", "orthophoto_rgb")
TIFF_SUFFIXES = (".tif", ".tiff")


def find_tiles(paths: list[Path]) -> list[Path]:
    """GeoTIFF files named directly or found (recursively) in folders, sorted, without duplicates."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TIFF_SUFFIXES
            )
        elif p.is_file():
            files.append(p)
        else:
            raise SourceReadError(
                f"{p}: no such file or folder; give GeoTIFF tiles or folders holding them"
            )
    unique = list(dict.fromkeys(f.resolve() for f in files))
    if not unique:
        raise SourceReadError(
            f"no GeoTIFF tiles (*.tif, *.tiff) in {', '.join(map(str, paths))}; "
            "point at the delivery folder or its tiles"
        )
    return unique


def delivery_checksum(files: list[Path], shas: dict[Path, str]) -> str:
    """SHA-256 over the tiles' names and checksums (order-independent): the load run's checksum."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: (p.name, str(p))):
        h.update(f"{f.name}\0{shas[f]}\n".encode())
    return h.hexdigest()


def delivery_path(paths: list[Path], files: list[Path]) -> Path:
    """What the load run records as its source: the folder given, the single file, or the tiles' common folder."""
    if len(paths) == 1:
        return Path(paths[0]).resolve()
    return Path(os.path.commonpath([f.parent for f in files]))


def load_orthophoto(
    paths: list[Path],
    *,
    epoch: date,
    bands: str | tuple[str, ...] | None = None,
    crs: int | None = None,
    extent: Extent | str | None = "kielce",
    display: bool = True,
    compress: str = "DEFLATE",
    workers: int | None = None,
    url: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load one orthophoto delivery of `epoch`; returns the load report.

    Parameters
    ----------
    bands
        Band roles, e.g. 'R,G,B,NIR', 'NIR,R,G' (CIR) or 'R,G,B,A'; default: from the tiles'
        colour interpretation or band descriptions (never assuming band 4 is NIR).
    crs
        EPSG code for tiles without a CRS (2180 or 2176–2179); tiles with a CRS keep theirs.
    extent
        Where tiles must lie ('kielce', 'poland', an Extent); None disables the check.
    display
        Also write lossy JPEG RGB display copies (kind orthophoto_rgb).
    compress
        Lossless compression of the analysis COGs: DEFLATE or ZSTD.
    """
    if compress.upper() not in ("DEFLATE", "ZSTD"):
        raise ValidationError(
            f"compress={compress!r}: analysis COGs are lossless; use DEFLATE or ZSTD"
        )
    epoch = parse_epoch(epoch)
    roles = parse_bands(bands) if isinstance(bands, str) or bands is None else tuple(bands)
    area = get_extent(extent) if isinstance(extent, str) else extent
    files = find_tiles(paths)
    shas = {f: file_sha256(f) for f in files}
    params = {
        "bands": list(roles) if roles else None,
        "crs": crs,
        "display": display,
        "compress": compress.upper(),
        "extent": None
        if area is None or not math.isfinite(area.minx)
        else [area.minx, area.miny, area.maxx, area.maxy],
    }

    def body(run: LoadRun) -> None:
        run.count_in(len(files))
        infos = [
            inspect_tile(i, f, bands=roles, fallback_epsg=crs, extent=area)
            for i, f in enumerate(files, start=1)
        ]
        good = _check_delivery(infos)
        for info in infos:
            if info.reason:
                run.reject(
                    info.index,
                    info.reason,
                    source_id=info.path.name,
                    raw={"path": str(info.path), "sha256": shas[info.path]},
                )
            for note in info.notes:
                run.note(note)
        if good:
            _load_good_tiles(
                run,
                good[1],
                good[0],
                shas,
                epoch=epoch,
                display=display,
                compress=compress.upper(),
                workers=workers,
            )

    return run_load(
        "orthophoto",
        delivery_path(paths, files),
        epoch=epoch,
        body=body,
        params=params,
        url=url,
        force=force,
        sha256=delivery_checksum(files, shas),
    )


def _check_delivery(infos: list[TileInfo]) -> tuple[float, list[TileInfo]] | None:
    """Mark tiles that differ from the delivery (bands, dtype, pixel size, duplicate names)."""
    ref = delivery_reference(infos)
    if ref is None:
        return None
    signature, res_m = ref
    seen: dict[str, Path] = {}
    for info in infos:
        if info.reason is None:
            info.reason = consistency_reason(info, signature, res_m)
        if info.reason is None and info.path.stem in seen:
            info.reason = (
                f"{info.path.name}: has the same name as {seen[info.path.stem]} and would overwrite its "
                "COG; rename one of them"
            )
        seen.setdefault(info.path.stem, info.path)
    return res_m, [i for i in infos if i.reason is None]


def plan_jobs(
    info: TileInfo, res_m: float, epoch: date, *, display: bool, compress: str
) -> list[TileJob]:
    """The chunk jobs of one good tile: its EPSG:2180 grid (warped when needed), cut into CHUNK_PX squares."""
    from rasterio.warp import aligned_target, calculate_default_transform

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


def _load_good_tiles(
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
    done = dict(
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
    _rebuild_mosaics(run, epoch)  # also when every tile was unchanged: restores a deleted VRT


def _rebuild_mosaics(run: LoadRun, epoch: date) -> None:
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
