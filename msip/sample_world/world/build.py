"""Builds the one World (both epochs and the true changes) from a seed and a size."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from shapely.geometry import Point, box

from msip.sample_world.constants import EPOCH1, EPOCH2, SizeSpec

from . import ad_rules
from .ads import CarrierPlanner, plan_carriers
from .blocks import LANDCOVER_BARE, Block, fill_block, layout_blocks
from .buildings import ROOF_LIGHT, house, make_building, population
from .landscape import landscape_zones
from .model import Building, Carrier, Change, LandscapeZone, Surface, Tree, World
from .streets import intersections, layout_grid, node_lines, street_surfaces
from .terrain import EMBANKMENT_HEIGHT_M, embankment_core
from .trees import TreeSite, epoch2_tree_changes, plant_trees
from .zoning import plan_zones


def build_world(spec: SizeSpec, seed: int) -> World:
    """Generate every object of the district; all randomness flows from ``seed``."""
    if spec.layout == "district":
        from .district.build import build_district

        return build_district(spec, seed)
    rng = np.random.default_rng(seed)
    lines = layout_grid(spec, rng)
    blocks = layout_blocks(spec, lines, rng)
    park_counter = [0]
    for blk in blocks:
        fill_block(blk, rng, park_counter)

    buildings1 = [b for blk in blocks for b in blk.buildings]
    for i, b in enumerate(buildings1):
        b.building_id = f"B{i + 1:04d}"
    green = [g for blk in blocks for g in blk.green_spaces]
    for i, g in enumerate(green):
        g.park_id = f"P{i + 1:03d}"

    changes: list[Change] = []
    surfaces = street_surfaces(lines) + [s for blk in blocks for s in blk.surfaces]
    buildings2, demolished = _epoch2_buildings(rng, blocks, buildings1, changes)
    surfaces.append(Surface(LANDCOVER_BARE, demolished.footprint, (EPOCH2,)))

    footways = [(name, line) for blk in blocks for name, line in blk.footways]
    items = [(g.name, g.road_class, g.width_m, g.line) for g in lines]
    items += [(name, "footway", 3.0, line) for name, line in footways]
    streets = node_lines(items)
    crossings = intersections(lines)

    zones = landscape_zones(spec)
    standing = [b for b in buildings1 if b is not demolished]
    planner = CarrierPlanner(rng, lines, standing, crossings, [f for _, f in footways], zones)
    carriers = plan_carriers(rng, spec, planner)
    carrier_xy = np.array([(c.x, c.y) for c in carriers]).reshape(-1, 2)

    new_ids = {c.object_id for c in changes if c.change_type == "new_building"}
    obstacles = [b.footprint for b in buildings1] + [
        b.footprint for b in buildings2 if b.building_id in new_ids
    ]
    hard = [
        p for blk in blocks if blk.use in ("construction", "houses_reserved") for p in blk.reserved
    ]
    soft = [
        p
        for blk in blocks
        if blk.use not in ("construction", "houses_reserved")
        for p in blk.reserved
    ]
    site = TreeSite([*obstacles, *hard], soft, [tuple(xy) for xy in carrier_xy])
    areas = [a for blk in blocks for a in blk.tree_areas]
    trees = plant_trees(rng, site, lines, areas, planner.near_tree_points)
    epoch2_tree_changes(rng, trees, carrier_xy)
    _check_ads(carriers, zones, trees, crossings)

    for c in carriers:
        if c.first_epoch == EPOCH2:
            changes.append(Change("new_ad", c.carrier_id, Point(c.x, c.y), None, None))
    for t in trees:
        if t.felled_in_epoch2:
            area = round(math.pi * t.crown_radius_m**2, 2)
            changes.append(Change("felled_tree", t.tree_id, Point(t.x, t.y), area, -t.height_m))
        if t.health_decline:
            area = round(math.pi * t.crown_radius_m**2, 2)
            changes.append(Change("health_decline", t.tree_id, Point(t.x, t.y), area, 0.0))
    core = embankment_core()
    changes.append(Change("terrain_change", "EMB001", core, core.area, EMBANKMENT_HEIGHT_M))

    bad = _pick_bad_inventory_rows(rng, trees, carrier_xy)
    return World(
        bad_inventory=bad,
        spec=spec,
        seed=seed,
        streets=streets,
        intersections=crossings,
        buildings={EPOCH1: buildings1, EPOCH2: buildings2},
        green_spaces=green,
        trees=trees,
        carriers=carriers,
        landscape_zones=zones,
        plan_zones=plan_zones(spec, lines, blocks),
        surfaces=surfaces,
        changes=changes,
    )


def _epoch2_buildings(
    rng: np.random.Generator, blocks: list[Block], buildings1: list[Building], changes: list[Change]
) -> tuple[list[Building], Building]:
    """Two new buildings, one demolished, one raised by a storey; records the changes."""
    lot = next(b for b in blocks if b.use == "construction").rect
    fp = box(lot[0] + 4.0, lot[1] + 12.0, lot[0] + 26.0, lot[1] + 26.0)
    new_office = make_building("office", 3, 3 * 3.5 + 0.8, fp, ROOF_LIGHT)
    parcel = next(b for b in blocks if b.use == "houses_reserved").reserved[0].bounds
    new_house = house(rng, parcel)
    # the smallest shop goes; the lowest slab of flats gets a storey (stays within its zone limit)
    shops = [b for b in buildings1 if b.kind == "retail"]
    demolished = min(shops, key=lambda b: (b.footprint.area, b.building_id))
    slabs = [b for b in buildings1 if b.residential and b.footprint.area > 300]
    raised_src = min(slabs, key=lambda b: (b.storeys, b.building_id))
    raised = dataclasses.replace(
        raised_src,
        storeys=raised_src.storeys + 1,
        height_m=round(raised_src.height_m + 3.0, 2),
        population=population(raised_src.footprint, raised_src.storeys + 1, True),
    )
    buildings2: list[Building] = []
    for b in buildings1:
        if b is demolished:
            continue
        buildings2.append(raised if b is raised_src else b)
    n = len(buildings1)
    new_office.building_id = f"B{n + 1:04d}"
    new_house.building_id = f"B{n + 2:04d}"
    buildings2 += [new_office, new_house]
    for b in (new_office, new_house):
        changes.append(
            Change(
                "new_building", b.building_id, b.footprint, round(b.footprint.area, 2), b.height_m
            )
        )
    fp = demolished.footprint
    changes.append(
        Change(
            "demolished_building",
            demolished.building_id,
            fp,
            round(fp.area, 2),
            -demolished.height_m,
        )
    )
    changes.append(
        Change(
            "raised_building",
            raised.building_id,
            raised.footprint,
            round(raised.footprint.area, 2),
            3.0,
        )
    )
    return buildings2, demolished


def _check_ads(
    carriers: list[Carrier], zones: list[LandscapeZone], trees: list[Tree], crossings: list[Point]
) -> None:
    """The evaluated violations must equal the intended ones, in both epochs."""
    cross_xy = np.array([(p.x, p.y) for p in crossings])
    for epoch in (EPOCH1, EPOCH2):
        inv = [t for t in trees if t.in_inventory and not (epoch == EPOCH2 and t.felled_in_epoch2)]
        tree_xy = np.array([(t.x, t.y) for t in inv]).reshape(-1, 2)
        present = [c for c in carriers if epoch == EPOCH2 or c.first_epoch == EPOCH1]
        found = ad_rules.evaluate(present, zones, tree_xy, cross_xy)
        for c in present:
            if tuple(found[c.carrier_id]) != c.intended_violations:
                raise AssertionError(
                    f"sample-world generator bug: carrier {c.carrier_id} ({c.carrier_type}) "
                    f"violates {found[c.carrier_id]} in {epoch}, "
                    f"intended {list(c.intended_violations)}"
                )


def _pick_bad_inventory_rows(
    rng: np.random.Generator, trees: list[Tree], carrier_xy: np.ndarray
) -> dict[str, str]:
    """Three distinct, unchanged inventory trees far from carriers get a broken epoch-1 row."""
    pool = [
        t
        for t in trees
        if t.in_inventory
        and not (t.felled_in_epoch2 or t.health_decline)
        and (not len(carrier_xy) or np.hypot(*(carrier_xy - (t.x, t.y)).T).min() > 12.0)
    ]
    picks = rng.choice(len(pool), size=3, replace=False)
    reasons = ("height_missing", "coordinates_outside_district", "duplicate_id")
    return {r: pool[int(i)].tree_id for r, i in zip(reasons, picks, strict=True)}
