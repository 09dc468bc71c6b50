"""Computing the epoch pairs over the area (tiles → mosaics) and storing each: DoD COG, change regions, volumes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from affine import Affine

from msip.core.runs import LoadRun
from processing.terrain.dod import DodTask, EpochSource, process_dod_tile
from processing.terrain.inputs import Bounds, tiles
from processing.terrain.params import TerrainParams
from processing.terrain.volumes import change_regions, volumes

#: nodata of the DoD COG; its bands.
COG_NODATA = -9999.0
BANDS = ["dz_m: DTM after - before, m", "lod_m: level of detection, m",
         "significant_dz_m: dz above the LoD, 0 below it, m", "display_dz_m: dz above the LoD only (for maps), m"]


@dataclass
class PairResult:
    """The DoD of one epoch pair over the whole area (float32 grids, NaN unknown) and the tiles' notes."""

    epoch_from: date
    epoch_to: date
    area: Bounds
    transform: Affine
    dz: np.ndarray
    lod: np.ndarray
    significant: np.ndarray
    sigma: np.ndarray
    notes: list[str] = field(default_factory=list)


def compute_pairs(dtm: dict[date, tuple], epochs: list[date], area: Bounds, p: TerrainParams, *,
                  url: str | None, workers: int | None) -> list[PairResult]:
    """Run the tiles (each reads every epoch once) and put their cores together, one result per consecutive pair."""
    from msip.core.rasters.tile_loop import map_tiles

    c = p.cell_m
    sources = tuple(EpochSource(e.isoformat(), dtm[e][0], url) for e in epochs)
    tasks = [DodTask(f"{b[0]:.0f}_{b[1]:.0f}", b, sources, p) for b in tiles(area, p.tile_m)]
    results = map_tiles(process_dod_tile, tasks, workers=workers, progress_desc="terrain change")
    h, w = round((area[3] - area[1]) / c), round((area[2] - area[0]) / c)
    points: dict[str, int] = {}
    rules: set[str] = set()
    for t in results:
        for e, n in t.points.items():
            points[e] = points.get(e, 0) + n
        rules.update(f"{e}: {r}" for e, r in t.rules.items() if r != "classes 2, 9")
    note = ("terrain points read (tiles with their margins): " + ", ".join(f"{e} {n}" for e, n in points.items())
            + ("; without a ground class, last returns stood in (" + "; ".join(sorted(rules)) + ")" if rules else ""))
    out = []
    for i, (e1, e2) in enumerate(itertools.pairwise(epochs)):
        grids = {k: np.full((h, w), np.nan, np.float32) for k in ("dz", "lod", "significant", "sigma")}
        for t in results:
            tile = t.pairs[i]
            r0, c0 = round((area[3] - tile.core[3]) / c), round((tile.core[0] - area[0]) / c)
            for k, arr in grids.items():
                part = getattr(tile, k)
                arr[r0:r0 + part.shape[0], c0:c0 + part.shape[1]] = part
        out.append(PairResult(e1, e2, area, Affine(c, 0.0, area[0], 0.0, -c, area[3]),
                              notes=[note] if i == 0 else [], **grids))
    return out


def write_dod(run: LoadRun, pair: PairResult) -> tuple[Path, int]:
    """Write and catalogue the DoD COG of a pair (kind terrain_dod, epoch = the later epoch)."""
    from msip.core.rasters.store import catalogue, raster_dir, write_cog

    name = f"terrain_dod_{pair.epoch_from}_{pair.epoch_to}_run{run.run_id}.tif"
    path = raster_dir("terrain_dod", pair.epoch_to) / name
    display = np.where(np.nan_to_num(pair.significant) != 0, pair.significant, np.nan)
    data = np.stack([pair.dz, pair.lod, pair.significant, display])
    data = np.where(np.isfinite(data), data, COG_NODATA).astype(np.float32)
    try:
        write_cog(path, data, transform=pair.transform, nodata=COG_NODATA, band_descriptions=BANDS, predictor=3)
        return path, catalogue(run.conn, kind="terrain_dod", epoch=pair.epoch_to, path=path, load_run_id=run.run_id)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _area_mask(wkb: bytes, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    import shapely
    from rasterio.features import rasterize

    return rasterize([(shapely.from_wkb(wkb), 1)], out_shape=shape, transform=transform, fill=0,
                     dtype="uint8").astype(bool)


def store_pair(run: LoadRun, pair: PairResult, areas: list[tuple[int, str, bytes]], p: TerrainParams) -> None:
    """The pair's COG, change regions and watched-area volumes, in the run's transaction."""
    from msip.core.copy import copy_rows, ewkb_hex

    write_dod(run, pair)
    import shapely

    regions = change_regions(pair.significant, pair.sigma, pair.lod, transform=pair.transform, cell_m=p.cell_m)
    geoms = ewkb_hex(np.array([shapely.from_wkb(r.geom_wkb) for r in regions], dtype=object))
    copy_rows(run.conn, "msip.terrain_change_region",
              ("epoch_from", "epoch_to", "kind", "area_m2", "volume_m3", "volume_sigma_m3", "max_abs_dz_m",
               "mean_lod_m", "geom", "load_run_id"),
              ((pair.epoch_from, pair.epoch_to, r.kind, r.area_m2, r.volume_m3, r.volume_sigma_m3, r.max_abs_dz_m,
                r.mean_lod_m, g, run.run_id) for r, g in zip(regions, geoms, strict=True)))
    rows = []
    for area_id, name, wkb in areas:
        mask = _area_mask(wkb, pair.dz.shape, pair.transform)
        if not mask.any():
            run.reject(None, f"watched area {name} lies outside the DoD grid of the epochs compared",
                       source_id=name)
            continue
        v = volumes(pair.dz, pair.significant, pair.sigma, mask, p.cell_m)
        rows.append((area_id, pair.epoch_from, pair.epoch_to, v.fill_m3, v.cut_m3, v.net_m3, v.fill_sigma_m3,
                     v.cut_sigma_m3, v.net_sigma_m3, v.raw_net_m3, v.raw_net_sigma_m3, v.area_m2, v.known_m2,
                     v.significant_m2, run.run_id))
        if v.known_m2 < v.area_m2:
            run.note(f"{name} {pair.epoch_from} → {pair.epoch_to}: {v.area_m2 - v.known_m2:.0f} m² of "
                     f"{v.area_m2:.0f} m² unknown (no DTM in an epoch); volumes cover the known part")
    copy_rows(run.conn, "msip.terrain_volume",
              ("area_id", "epoch_from", "epoch_to", "fill_m3", "cut_m3", "net_m3", "fill_sigma_m3", "cut_sigma_m3",
               "net_sigma_m3", "raw_net_m3", "raw_net_sigma_m3", "area_m2", "known_m2", "significant_m2",
               "load_run_id"), rows)
    run.count_in(len(regions) + len(areas))
    run.loaded(inserted=len(regions) + len(rows))
    known = np.isfinite(pair.dz)
    sig = np.nan_to_num(pair.significant) != 0
    run.note(f"{pair.epoch_from} → {pair.epoch_to}: {known.sum()} known cells of {known.size}, "
             f"{sig.sum()} above the LoD (median LoD {np.nanmedian(pair.lod) if known.any() else float('nan'):.3f} m), "
             f"{sum(r.kind == 'fill' for r in regions)} fill and {sum(r.kind == 'cut' for r in regions)} cut regions")
    for note in pair.notes:
        run.note(note)
