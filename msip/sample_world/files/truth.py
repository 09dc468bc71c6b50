"""Ground-truth tables for scoring analyses: trees, bad rows, ad violations, buildings, changes."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from shapely.geometry import mapping

from msip.sample_world.constants import EPSG
from msip.sample_world.world import ad_rules
from msip.sample_world.world.model import World


def _write_csv(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _b(v: bool) -> str:
    return "true" if v else "false"


def write_trees(world: World, path: Path) -> None:
    """Every true tree, inventoried or not, with its fate in epoch 2 (or in every epoch)."""
    if len(world.epochs) > 2:
        _write_trees_by_epoch(world, path)
        return
    header = [
        "tree_id",
        "inventory_id",
        "x",
        "y",
        "height_m",
        "height_m_epoch2",
        "crown_radius_m",
        "species",
        "species_lat",
        "health",
        "health_epoch2",
        "in_inventory",
        "visible_to_lidar",
        "felled_in_epoch2",
        "health_decline",
    ]
    rows = [
        [
            t.tree_id,
            t.inventory_id or "",
            f"{t.x:.2f}",
            f"{t.y:.2f}",
            f"{t.height_m:.1f}",
            f"{t.height_m_epoch2:.1f}",
            f"{t.crown_radius_m:.1f}",
            t.species_pl,
            t.species_lat,
            t.health,
            t.health_epoch2,
            _b(t.in_inventory),
            _b(t.visible_to_lidar),
            _b(t.felled_in_epoch2),
            _b(t.health_decline),
        ]
        for t in world.trees
    ]
    _write_csv(path, header, rows)


def _write_trees_by_epoch(world: World, path: Path) -> None:
    """Trees of a world of three or more epochs: height, health and standing per epoch."""
    header = ["tree_id", "inventory_id", "x", "y", "crown_radius_m", "species", "species_lat"]
    header += ["in_inventory", "visible_to_lidar", "planted_epoch", "felled_epoch", "decline_epoch"]
    for e in world.epochs:
        header += [f"height_m_{e}", f"health_{e}", f"standing_{e}"]
    rows = []
    for t in world.trees:
        life = t.life
        row = [t.tree_id, t.inventory_id or "", f"{t.x:.2f}", f"{t.y:.2f}", f"{t.crown_radius_m:.1f}"]
        row += [t.species_pl, t.species_lat, _b(t.in_inventory), _b(t.visible_to_lidar)]
        row += [
            (life.planted_epoch or "") if life else "",
            (life.felled_epoch or "") if life else "",
            (life.decline_epoch or "") if life else "",
        ]
        for e in world.epochs:
            row += [f"{t.height_in(e):.1f}", t.health_in(e), _b(t.stands_in(e))]
        rows.append(row)
    _write_csv(path, header, rows)


def write_bad_rows(bad_rows: list[dict], path: Path) -> None:
    """The deliberate errors in the epoch-1 inventory CSV."""
    header = ["line_number", "data_row", "nr_inwentarzowy", "tree_id", "reason", "description"]
    _write_csv(path, header, [[r[h] for h in header] for r in bad_rows])


def ad_violations(world: World) -> dict[str, list[str]]:
    """Violated rule codes per carrier, evaluated on the last epoch it stands in (the generator
    keeps every carrier's violations the same in each epoch it stands in)."""
    cross_xy = np.array([(p.x, p.y) for p in world.intersections]).reshape(-1, 2)
    out: dict[str, list[str]] = {}
    for epoch in world.epochs:
        trees = [t for t in world.trees if t.in_inventory and t.stands_in(epoch)]
        tree_xy = np.array([(t.x, t.y) for t in trees]).reshape(-1, 2)
        present = [c for c in world.carriers if c.present_in(epoch)]
        out.update(ad_rules.evaluate(present, world.landscape_zones, tree_xy, cross_xy))
    return out


def write_ad_violations(world: World, path: Path) -> None:
    """id_nosnika, violated_rules ('|'-joined, empty = compliant), first_epoch, type, zone."""
    found = ad_violations(world)
    rows = [
        [
            c.carrier_id,
            "|".join(found[c.carrier_id]),
            c.first_epoch,
            c.carrier_type,
            ad_rules.zone_of(c.x, c.y, world.landscape_zones),
        ]
        for c in world.carriers
    ]
    header = ["id_nosnika", "violated_rules", "first_epoch", "typ_nosnika", "zone_code"]
    if len(world.epochs) > 2:  # carriers can also go: say until when each stood
        header.append("last_epoch")
        for row, c in zip(rows, world.carriers, strict=True):
            row.append(c.last_epoch or world.epochs[-1])
    _write_csv(path, header, rows)


def write_buildings(world: World, path: Path) -> None:
    """Roof heights above ground and absolute roof z (ground taken at the footprint centroid)."""
    rows: list[list[object]] = []
    for epoch in world.epochs:
        for b in world.buildings[epoch]:
            c = b.footprint.centroid
            ground = float(world.ground_z(c.x, c.y, epoch))
            rows.append(
                [
                    b.building_id,
                    epoch,
                    b.kind,
                    f"{b.height_m:.2f}",
                    f"{ground:.2f}",
                    f"{ground + b.height_m:.2f}",
                ]
            )
    _write_csv(
        path, ["building_id", "epoch", "kind", "roof_height_m", "ground_z_m", "roof_z_m"], rows
    )


def write_changes(world: World, path: Path) -> None:
    """GeoJSON (EPSG:2180, legacy ``crs`` member) of every true change between the epochs."""
    feats = []
    for ch in world.changes:
        geom = json.loads(
            json.dumps(mapping(ch.geometry)), parse_float=lambda s: round(float(s), 3)
        )
        props = {
            "type": ch.change_type,
            "object_id": ch.object_id,
            "area_m2": None if ch.area_m2 is None else round(ch.area_m2, 2),
            "height_change_m": ch.height_change_m,
            "epoch_from": ch.epoch_from,
            "epoch_to": ch.epoch_to,
        }
        if ch.volume_m3 is not None:
            props["volume_m3"] = round(ch.volume_m3, 1)
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    doc = {
        "type": "FeatureCollection",
        "name": "changes",
        "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{EPSG}"}},
        "features": feats,
    }
    path.write_text(
        json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8"
    )


README = """# Ground truth of the MSIP sample world

Everything here is what the generator *knows*; analyses are scored against it. Coordinates are
EPSG:2180 metres, heights PL-EVRF2007-NH metres. CSV files here use `,` and decimal points.

## `trees.csv`
Every true tree: `tree_id`; `inventory_id` (empty = not in the municipal inventory, i.e.
laser-only); `x`, `y` (trunk); `height_m` (epoch 1), `height_m_epoch2`; `crown_radius_m`;
`species`, `species_lat`; `health`, `health_epoch2`; `in_inventory`; `visible_to_lidar`
(height >= 2 m); `felled_in_epoch2`; `health_decline` (health worse and NIR lower in epoch 2).
Trees below 2 m are in the inventory but too low for LiDAR; laser-only trees are >= 5 m.

## `trees_bad_rows.csv`
The three deliberate errors of `trees/inwentaryzacja_drzew_2024-06-15.csv`: `line_number`
(1-based physical line, header = line 1), `data_row` (1-based, header excluded),
`nr_inwentarzowy`, `tree_id`, `reason` (`height_missing`, `coordinates_outside_district`,
`duplicate_id`), `description`. For `duplicate_id` the listed row is the second occurrence.

## `ads_violations.csv`
Per carrier: `id_nosnika`; `violated_rules` (rule codes of `ads/zasady_reklamowe.yaml` joined
by `|`, empty = compliant); `first_epoch`; `typ_nosnika`; `zone_code`. Violations are the same
in both epochs (felled trees are never near carriers). Compliant carriers keep clear margins.

## `buildings.csv`
Per building and epoch: `roof_height_m` above the ground at the footprint centroid,
`ground_z_m`, `roof_z_m` (flat roof, absolute).

## `changes.geojson`
True changes from epoch 1 to epoch 2. `type` is one of new_building, demolished_building,
raised_building, felled_tree, new_ad, terrain_change, health_decline; `object_id` is a
building_id, tree_id, id_nosnika or EMB001; `area_m2` is the footprint, the crown area (pi r^2)
or the 400 m2 flat top of the embankment; `height_change_m` is + height for new buildings,
- height for demolished buildings and felled trees, +3.0 for the raised storey, +1.5 for the
embankment (which also has 2 m side slopes).

## `landcover_<epoch>.tif`
uint8 class per 0.25 m pixel, aligned with the orthophoto tiles: 1 road (carriageways, car
parks), 2 building, 3 grass, 4 tree crown, 5 bare soil, 6 footway (sidewalks, park paths).

## `dtm_<epoch>.tif`
float32 true terrain height at the centre of each 0.5 m cell (same as
`msip.sample_world.terrain_z`).

## How the sensors see the world
LiDAR ground points are the terrain +- 3 cm; roofs are flat at `roof_z_m`; tree crowns are
paraboloids of the given radius reaching `height_m` (epoch 2: `height_m_epoch2`) above the
ground at the trunk. The orthophoto is a true ortho (no lean, no shadows).
"""


def write_readme(path: Path) -> None:
    """``truth/README.md``."""
    path.write_text(README, encoding="utf-8")
