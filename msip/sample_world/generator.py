"""``generate``: build the world, then write every file of it, one step (and tile) at a time.

The steps: the world (``world/``), its vector files, inventories and plan (``files/``), per
epoch and 200 m tile the simulated surveys (``survey/``) and truth rasters, the ground-truth
tables, and the manifest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from msip.core.progress import progress_bar

from .constants import (
    DTM_PIXEL_M,
    EPOCH1,
    EPOCH2,
    EPOCHS,
    ORTHO_PIXEL_M,
    size_spec,
    tile_bounds,
)
from .files import gml, truth, vector_files
from .files.rasters import DistrictRaster, write_ortho_tile
from .manifest import FileRecord, build_manifest, previous_paths, write_manifest
from .survey import lidar, ortho
from .survey.scene import build_scene
from .world.build import build_world
from .world.model import World
from .world.terrain import terrain_z

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
        "small" (400 m, 2×2 tiles of 200 m), "medium" (800 m, 4×4) or "large" (1600 m, 8×8).
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
    n_tiles = spec.tiles**2
    records: list[FileRecord] = []
    with _steps(progress, 3 + len(EPOCHS) * n_tiles) as step:
        world = build_world(spec, seed)
        step("vector files, inventories, zoning plan")
        _write_vectors(world, out, records)
        step("raster and point-cloud tiles")
        for e_idx, epoch in enumerate(EPOCHS):
            _write_tiles(world, out, epoch, e_idx, seed, records, step)
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


def _write_vectors(world: World, out: Path, records: list[FileRecord]) -> None:
    vector_files.write_buildings(world, out / "base/buildings.gpkg", EPOCH1)
    vector_files.write_buildings(world, out / f"base/buildings_{EPOCH2}.gpkg", EPOCH2)
    vector_files.write_parks(world, out / "base/parks.gpkg")
    vector_files.write_streets(world, out / "base/streets.gpkg")
    vector_files.write_landscape_zones(world, out / "ads/strefy_krajobrazowe.gpkg")
    vector_files.write_rules(out / "ads/zasady_reklamowe.yaml")
    records += [
        FileRecord("base/buildings.gpkg", "buildings", EPOCH1),
        FileRecord(f"base/buildings_{EPOCH2}.gpkg", "buildings", EPOCH2),
        FileRecord("base/parks.gpkg", "green_spaces"),
        FileRecord("base/streets.gpkg", "streets"),
        FileRecord("ads/strefy_krajobrazowe.gpkg", "landscape_zones"),
        FileRecord("ads/zasady_reklamowe.yaml", "ad_rules"),
    ]
    for epoch, name in (
        (EPOCH1, "nosniki_reklamowe.csv"),
        (EPOCH2, f"nosniki_reklamowe_{EPOCH2}.csv"),
    ):
        vector_files.write_semicolon_csv(
            out / "ads" / name, vector_files.AD_HEADER, vector_files.ad_rows(world, epoch)
        )
        records.append(FileRecord(f"ads/{name}", "ad_inventory", epoch))
    for epoch in EPOCHS:
        rows, bad = vector_files.inventory_rows(world, epoch)
        rel = f"trees/inwentaryzacja_drzew_{epoch}.csv"
        vector_files.write_semicolon_csv(out / rel, vector_files.TREE_HEADER, rows)
        records.append(FileRecord(rel, "tree_inventory", epoch))
        if epoch == EPOCH1:
            truth.write_bad_rows(bad, out / "truth/trees_bad_rows.csv")
            records.append(FileRecord("truth/trees_bad_rows.csv", "truth_tree_bad_rows"))
    (out / "zoning").mkdir(parents=True, exist_ok=True)
    gml.write_plan_gml(world, out / "zoning/plan_miejscowy.gml")
    records.append(FileRecord("zoning/plan_miejscowy.gml", "zoning_plan"))


def _write_tiles(
    world: World,
    out: Path,
    epoch: str,
    e_idx: int,
    seed: int,
    records: list[FileRecord],
    step: Step,
) -> None:
    """Orthophoto, LiDAR and truth rasters of one epoch, one 200 m tile at a time."""
    spec = world.spec
    lc_rel, dtm_rel = f"truth/landcover_{epoch}.tif", f"truth/dtm_{epoch}.tif"
    landcover = DistrictRaster(
        out / lc_rel, spec, ORTHO_PIXEL_M, "uint8", "landcover", nodata=0, EPOCH=epoch
    )
    dtm = DistrictRaster(out / dtm_rel, spec, DTM_PIXEL_M, "float32", "terrain_z_m", EPOCH=epoch)
    try:
        for row in range(spec.tiles):
            for col in range(spec.tiles):
                scene = build_scene(world, epoch, row, col)
                rc = f"{row}_{col}"
                tile = {"tile": {"row": row, "col": col, "bounds": list(tile_bounds(row, col))}}
                img = ortho.render(scene, np.random.default_rng([seed, e_idx, row, col, 1]))
                rel = f"orthophoto/{epoch}/ortho_{rc}.tif"
                write_ortho_tile(out / rel, scene, img)
                records.append(FileRecord(rel, "orthophoto", epoch, tile))
                landcover.write_tile(row, col, scene.landcover)
                dtm.write_tile(row, col, _dtm_cells(scene.bounds, epoch))
                pc = lidar.simulate(
                    scene, np.random.default_rng([seed, e_idx, row, col, 2]), row * spec.tiles + col
                )
                rel = f"lidar/{epoch}/classified/lidar_{rc}.laz"
                lidar.write_laz(out / rel, pc, scene.bounds, epoch)
                records.append(FileRecord(rel, "lidar_classified", epoch, tile))
                if epoch == EPOCH1:
                    rel = f"lidar/{epoch}/unclassified/lidar_{rc}.laz"
                    lidar.write_laz(out / rel, pc.unclassified(), scene.bounds, epoch)
                    records.append(FileRecord(rel, "lidar_unclassified", epoch, tile))
                step(f"{epoch} tile {rc}")
    finally:
        landcover.close()
        dtm.close()
    records += [
        FileRecord(lc_rel, "truth_landcover", epoch),
        FileRecord(dtm_rel, "truth_dtm", epoch),
    ]


def _dtm_cells(bounds: tuple[float, float, float, float], epoch: str) -> np.ndarray:
    """True terrain at 0.5 m cell centres of one tile, row 0 north."""
    minx, _, maxx, maxy = bounds
    n = round((maxx - minx) / DTM_PIXEL_M)
    xs = minx + (np.arange(n) + 0.5) * DTM_PIXEL_M
    ys = maxy - (np.arange(n) + 0.5) * DTM_PIXEL_M
    return terrain_z(xs[None, :], ys[:, None], epoch).astype(np.float32)
