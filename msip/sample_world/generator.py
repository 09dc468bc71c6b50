"""``generate``: build the world, then write every file of it, one step (and tile) at a time.

The steps: the world (``world/``), its vector files, inventories and plan (``files/``), per
epoch and 200 m tile the simulated surveys (``survey/``) and truth rasters, the ground-truth
tables, and the manifest.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from msip.core.progress import progress_bar

from .constants import DTM_PIXEL_M, ORTHO_PIXEL_M, size_spec, tile_bounds
from .files import district_files, gml, truth, vector_files
from .files.rasters import DistrictRaster, write_ortho_tile
from .manifest import FileRecord, build_manifest, previous_paths, write_manifest
from .survey import lidar, ortho
from .survey.scene import build_scene, forget_standing
from .world.build import build_world
from .world.model import World

PARALLEL_FROM_TILES = 64
"""Tile-epochs from which the tiles are simulated in worker processes (bytes stay the same)."""
_FORKED: dict[str, Any] = {}
"""The world and output folder a forked worker inherits from the generating process."""

#: Finishes one step of the generator and names the next (on the progress bar, if any).
Step = Callable[[str], None]


@contextlib.contextmanager
def _steps(enabled: bool, total: int) -> Iterator[Step]:
    """Steps on msip.core.progress's bar (quiet with MSIP_PROGRESS=0 or off a terminal); none
    at all when not `enabled`."""
    if not enabled:
        yield lambda description: None
        return
    with progress_bar("sample world", total) as bar:

        def step(description: str) -> None:
            bar.describe(description)
            bar.advance(1)

        yield step


def generate(
    out_dir: Path | str, *, size: str = "small", seed: int = 42, progress: bool = False
) -> dict[str, Any]:
    """Write one synthetic district and its ground truth under ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Output directory (created if missing; files of the same names are overwritten).
    size : str
        "small" (400 m, 2×2 tiles of 200 m), "medium" (800 m, 4×4), "large" (1600 m, 8×8)
        or "district" (2.0 × 2.4 km, 10×12 tiles, three epochs: the city district of issue #17).
    seed : int
        Seed for :func:`numpy.random.default_rng`; same seed and size → byte-identical files.
    progress : bool
        Show a progress bar (msip.core.progress: not with MSIP_PROGRESS=0 or off a terminal).

    Returns
    -------
    dict
        The manifest, also written to ``out_dir/manifest.json``.
    """
    spec = size_spec(size)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    previous = previous_paths(out)
    n_tiles = spec.tiles_x * spec.tiles_y
    records: list[FileRecord] = []
    with _steps(progress, 3 + len(spec.epochs) * n_tiles) as step:
        world = build_world(spec, seed)
        step("vector files, inventories, zoning plan")
        _write_vectors(world, out, records)
        if spec.layout == "district":
            records += district_files.write_all(world, out)
        step("raster and point-cloud tiles")
        with _tile_pool(world, out, len(spec.epochs) * n_tiles) as pool:
            for e_idx, epoch in enumerate(spec.epochs):
                _write_tiles(world, out, epoch, e_idx, seed, records, step, pool)
        forget_standing()
        truth.write_trees(world, out / "truth/trees.csv")
        truth.write_ad_violations(world, out / "truth/ads_violations.csv")
        truth.write_buildings(world, out / "truth/buildings.csv")
        truth.write_changes(world, out / "truth/changes.geojson")
        truth.write_readme(out / "truth/README.md")
        for name, kind in (
            ("trees.csv", "truth_trees"),
            ("ads_violations.csv", "truth_ad_violations"),
            ("buildings.csv", "truth_buildings"),
            ("changes.geojson", "truth_changes"),
            ("README.md", "truth_readme"),
        ):
            records.append(FileRecord(f"truth/{name}", kind))
        step("manifest")
        manifest = build_manifest(out, spec, seed, records)
        write_manifest(out, manifest)
    # files an earlier generation (e.g. of a larger size) listed but this one did not write
    for rel in sorted(previous - {r.path for r in records}):
        (out / rel).unlink(missing_ok=True)
    return manifest


def epoch_file(stem: str, suffix: str, epoch: str, first_epoch: str) -> str:
    """``stem + suffix`` for the first epoch, ``stem_<epoch> + suffix`` for the later ones."""
    return f"{stem}{suffix}" if epoch == first_epoch else f"{stem}_{epoch}{suffix}"


def _write_vectors(world: World, out: Path, records: list[FileRecord]) -> None:
    first = world.epochs[0]
    for epoch in world.epochs:
        rel = epoch_file("base/buildings", ".gpkg", epoch, first)
        vector_files.write_buildings(world, out / rel, epoch)
        records.append(FileRecord(rel, "buildings", epoch))
    vector_files.write_parks(world, out / "base/parks.gpkg")
    vector_files.write_streets(world, out / "base/streets.gpkg")
    vector_files.write_landscape_zones(world, out / "ads/strefy_krajobrazowe.gpkg")
    fees = world.extras.get("fees")
    vector_files.write_rules(out / "ads/zasady_reklamowe.yaml", fees if isinstance(fees, dict) else None)
    records += [
        FileRecord("base/parks.gpkg", "green_spaces"),
        FileRecord("base/streets.gpkg", "streets"),
        FileRecord("ads/strefy_krajobrazowe.gpkg", "landscape_zones"),
        FileRecord("ads/zasady_reklamowe.yaml", "ad_rules"),
    ]
    for epoch in world.epochs:
        rel = epoch_file("ads/nosniki_reklamowe", ".csv", epoch, first)
        vector_files.write_semicolon_csv(
            out / rel, vector_files.AD_HEADER, vector_files.ad_rows(world, epoch)
        )
        records.append(FileRecord(rel, "ad_inventory", epoch))
    for epoch in world.epochs:
        rows, bad = vector_files.inventory_rows(world, epoch)
        rel = f"trees/inwentaryzacja_drzew_{epoch}.csv"
        vector_files.write_semicolon_csv(out / rel, vector_files.TREE_HEADER, rows)
        records.append(FileRecord(rel, "tree_inventory", epoch))
        if epoch == first:
            truth.write_bad_rows(bad, out / "truth/trees_bad_rows.csv")
            records.append(FileRecord("truth/trees_bad_rows.csv", "truth_tree_bad_rows"))
    if world.spec.layout == "district":
        return  # the district's plans are written by files.district_files
    (out / "zoning").mkdir(parents=True, exist_ok=True)
    gml.write_plan_gml(world, out / "zoning/plan_miejscowy.gml")
    records.append(FileRecord("zoning/plan_miejscowy.gml", "zoning_plan"))


@contextlib.contextmanager
def _tile_pool(world: World, out: Path, tile_epochs: int) -> Iterator[Executor | None]:
    """Worker processes (forked, so they share the world) for big worlds; None for small ones."""
    workers = min(os.cpu_count() or 1, 4)
    if tile_epochs < PARALLEL_FROM_TILES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    _FORKED.update(world=world, out=out)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            yield pool
    finally:
        _FORKED.clear()


def _tile_job(epoch: str, e_idx: int, seed: int, row: int, col: int) -> tuple[np.ndarray, np.ndarray]:
    """Simulate and write one tile in a worker; the truth rasters' windows go back to the parent."""
    return _simulate_tile(_FORKED["world"], _FORKED["out"], epoch, e_idx, seed, row, col)


def _simulate_tile(
    world: World, out: Path, epoch: str, e_idx: int, seed: int, row: int, col: int
) -> tuple[np.ndarray, np.ndarray]:
    """Orthophoto and LiDAR files of one tile and epoch; returns its land cover and true DTM."""
    spec = world.spec
    scene = build_scene(world, epoch, row, col)
    rc = f"{row}_{col}"
    img = ortho.render(scene, np.random.default_rng([seed, e_idx, row, col, 1]))
    write_ortho_tile(out / f"orthophoto/{epoch}/ortho_{rc}.tif", scene, img)
    pc = lidar.simulate(
        scene, np.random.default_rng([seed, e_idx, row, col, 2]), row * spec.tiles_x + col
    )
    lidar.write_laz(out / f"lidar/{epoch}/classified/lidar_{rc}.laz", pc, scene.bounds, epoch)
    if _unclassified_variant(world, epoch):
        lidar.write_laz(
            out / f"lidar/{epoch}/unclassified/lidar_{rc}.laz", pc.unclassified(), scene.bounds, epoch
        )
    return scene.landcover, _dtm_cells(world, scene.bounds, epoch)


def _write_tiles(
    world: World,
    out: Path,
    epoch: str,
    e_idx: int,
    seed: int,
    records: list[FileRecord],
    step: Step,
    pool: Executor | None = None,
) -> None:
    """Orthophoto, LiDAR and truth rasters of one epoch, one 200 m tile at a time."""
    spec = world.spec
    lc_rel, dtm_rel = f"truth/landcover_{epoch}.tif", f"truth/dtm_{epoch}.tif"
    landcover = DistrictRaster(
        out / lc_rel, spec, ORTHO_PIXEL_M, "uint8", "landcover", nodata=0, EPOCH=epoch
    )
    dtm = DistrictRaster(out / dtm_rel, spec, DTM_PIXEL_M, "float32", "terrain_z_m", EPOCH=epoch)
    tiles = [(row, col) for row in range(spec.tiles_y) for col in range(spec.tiles_x)]
    try:
        if pool is None:
            results: Iterator[tuple[np.ndarray, np.ndarray]] = (
                _simulate_tile(world, out, epoch, e_idx, seed, row, col) for row, col in tiles
            )
        else:
            results = pool.map(_tile_job, *zip(*[(epoch, e_idx, seed, r, c) for r, c in tiles], strict=True))
        for (row, col), (lc, dtm_cells) in zip(tiles, results, strict=True):
            rc = f"{row}_{col}"
            tile = {"tile": {"row": row, "col": col, "bounds": list(tile_bounds(row, col, spec.origin))}}
            records.append(FileRecord(f"orthophoto/{epoch}/ortho_{rc}.tif", "orthophoto", epoch, tile))
            records.append(FileRecord(f"lidar/{epoch}/classified/lidar_{rc}.laz", "lidar_classified", epoch, tile))
            if _unclassified_variant(world, epoch):
                rel = f"lidar/{epoch}/unclassified/lidar_{rc}.laz"
                records.append(FileRecord(rel, "lidar_unclassified", epoch, tile))
            landcover.write_tile(row, col, lc)
            dtm.write_tile(row, col, dtm_cells)
            step(f"{epoch} tile {rc}")
    finally:
        landcover.close()
        dtm.close()
    records += [
        FileRecord(lc_rel, "truth_landcover", epoch),
        FileRecord(dtm_rel, "truth_dtm", epoch),
    ]


def _unclassified_variant(world: World, epoch: str) -> bool:
    """True when the epoch also gets an unclassified copy of its LiDAR (the first epoch of the template
    worlds, for the classification tests); the district (the demo) skips it: nothing loads it."""
    return epoch == world.epochs[0] and world.spec.layout != "district"


def _dtm_cells(world: World, bounds: tuple[float, float, float, float], epoch: str) -> np.ndarray:
    """True terrain at 0.5 m cell centres of one tile, row 0 north."""
    minx, _, maxx, maxy = bounds
    n = round((maxx - minx) / DTM_PIXEL_M)
    xs = minx + (np.arange(n) + 0.5) * DTM_PIXEL_M
    ys = maxy - (np.arange(n) + 0.5) * DTM_PIXEL_M
    return np.asarray(world.ground_z(xs[None, :], ys[:, None], epoch), dtype=np.float32)
