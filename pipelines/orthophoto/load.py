"""Orthophoto deliveries (issue 4): check every tile, write COGs, NDVI and brightness, catalogue, mosaic per epoch.

One delivery (files and folders of GeoTIFF tiles) is one load run: rows_in = tiles, loaded =
tiles written (or already there with the same checksum), rejected = problem tiles, each with
its file name and reason; a delivery of which no tile can be used is a `failed` run (its
rejected tiles kept) and raises NothingLoaded. Rasters go to `$MSIP_DATA_DIR/rasters/<kind>/<epoch>/` (kinds
`orthophoto`, `ndvi`, `brightness`, `orthophoto_rgb`; see pipelines.orthophoto.tiles for their
bands and scaling) and each kind gets a per-epoch mosaic `<kind>_<epoch>.vrt`.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

from msip.core.checksums import file_sha256
from msip.core.epochs import parse_epoch
from msip.core.errors import ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.orthophoto.checks import inspect_tile, parse_bands
from pipelines.orthophoto.delivery import check_delivery, delivery_checksum, delivery_path, find_tiles
from pipelines.orthophoto.write import write_good_tiles
from pipelines.readers.validate import Extent, get_extent


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
        good = check_delivery(infos)
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
            write_good_tiles(
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
        unit="tiles",
    )
