"""Builds the district World: streets, blocks, special areas, buildings and trees of three epochs,
carriers, zones, plans, address points and the geosite; every change between epochs is recorded."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from msip.sample_world.constants import SizeSpec
from msip.sample_world.world.blocks import Block
from msip.sample_world.world.model import Building, Change, Surface, World
from msip.sample_world.world.streets import GridLine, node_lines, street_surfaces
from msip.sample_world.world.trees import (
    TreeSite,
    number_inventory,
    plant_areas,
    plant_forced,
    plant_street_rows,
)

from . import ads, epochs, extras, fill, layout, zoning
from . import terrain as T

STREET_CROWN_GAP = 0.7
"""Street and yard crowns may overlap by 30 % of the radii's sum, as in real rows."""


def build_district(spec: SizeSpec, seed: int) -> World:
    """Generate every object of the district world; all randomness flows from ``seed``."""
    rng = np.random.default_rng(seed)
    eps = spec.epochs
    lines = layout.grid_lines(spec, rng)
    parts = [GridLine(g.axis, g.pos, g.road_class, g.name, p) for g in lines for p in layout.line_parts(spec, g)]
    blocks = layout.layout_blocks(spec, lines, rng)
    park_counter = [0]
    for blk in blocks:
        fill.fill(blk, rng, park_counter, eps)
    specials = [fill.special(a, layout.special_rect(spec, a, lines), rng, eps) for a in layout.SPECIAL_AREAS]
    blocks += specials

    buildings = [b for blk in blocks for b in blk.buildings]
    for i, b in enumerate(buildings):
        b.building_id = f"B{i + 1:05d}"
    green = [g for blk in blocks for g in blk.green_spaces]
    for i, g in enumerate(green):
        g.park_id = f"P{i + 1:03d}"

    footways = [(name, line) for blk in blocks for name, line in blk.footways]
    items = [(g.name, g.road_class, g.width_m, g.line) for g in parts]
    items += [(name, "footway", 3.0, line) for name, line in footways]
    streets = node_lines(items)
    crossings = _crossings(streets)
    surfaces: list[Surface] = [
        Surface(s.landcover, s.polygon, eps) for s in street_surfaces(parts)
    ] + [s for blk in blocks for s in blk.surfaces]

    changes: list[Change] = []
    by_epoch = epochs.building_epochs(rng, spec, blocks, buildings, changes, surfaces)

    zones = extras.landscape_zones(spec)
    main = [g for g in parts if g.road_class in layout.MAIN_CLASSES]
    same = {e: {id(b) for b in by_epoch[e]} for e in eps}  # identity first: `in` on a list compares whole buildings
    standing = [b for b in buildings if all(id(b) in same[e] or b in by_epoch[e] for e in eps)]
    planner = ads.DistrictPlanner(rng, main, standing, crossings, [f for _, f in footways], zones, lines)
    carriers = ads.plan_district_carriers(rng, planner, eps)
    carrier_xy = np.array([(c.x, c.y) for c in carriers]).reshape(-1, 2)

    every_building = {b.building_id: b for e in eps for b in by_epoch[e]}
    hard: list[Polygon | MultiPolygon] = [p for blk in blocks if blk.use == "construction" for p in blk.reserved]
    hard += [T.earthwork_polygon().buffer(3.0), *T.slide_polygons()]
    soft = [p for blk in blocks if blk.use != "construction" for p in blk.reserved]
    obstacles: list[Polygon | MultiPolygon] = [b.footprint for b in every_building.values()]
    site = TreeSite(obstacles + hard, soft,
                    [tuple(xy) for xy in carrier_xy], crown_gap=STREET_CROWN_GAP)
    trees: list = []
    plant_forced(rng, site, trees, planner.near_tree_points)
    plant_street_rows(rng, site, trees, parts)
    plant_areas(rng, site, trees, [a for blk in blocks for a in blk.tree_areas])
    epochs.tree_lives(rng, trees, eps, carrier_xy, site, [a for blk in blocks for a in blk.tree_areas], changes)
    number_inventory(trees)
    ads.check_carriers(carriers, zones, trees, crossings, eps)
    epochs.ad_changes(carriers, eps, changes)
    epochs.terrain_changes(eps, changes)

    world = World(
        spec=spec,
        seed=seed,
        streets=streets,
        intersections=crossings,
        buildings=by_epoch,
        green_spaces=green,
        trees=trees,
        carriers=carriers,
        landscape_zones=zones,
        plan_zones=[],
        surfaces=surfaces,
        changes=changes,
        bad_inventory=_bad_rows(rng, trees, carrier_xy, eps),
        epochs=eps,
        terrain=T.DistrictTerrain(eps),
    )
    world.plan_zones = zoning.plan_ogolny(spec, lines, blocks, world)
    world.extras.update(zoning.local_plans(spec, world))
    world.extras["addresses"] = extras.address_points(world)
    world.extras["geosites"] = extras.geosites(world)
    world.extras["railway"] = _railway(specials)
    world.extras["fees"] = extras.FEES
    return world


def _crossings(streets: list) -> list[Point]:
    """Nodes where at least three road segments (footways excluded) meet, sorted west→east, south→north."""
    ends: Counter[tuple[float, float]] = Counter()
    for s in streets:
        if s.road_class == "footway":
            continue
        for c in (s.line.coords[0], s.line.coords[-1]):
            ends[(round(c[0], 3), round(c[1], 3))] += 1
    return [Point(p) for p in sorted(p for p, n in ends.items() if n >= 3)]


def _railway(specials: list[Block]) -> LineString:
    rail = next(b for b in specials if b.use == "railway")
    y = (rail.rect[1] + rail.rect[3]) / 2
    return LineString([(rail.rect[0], y), (rail.rect[2], y)])


def _bad_rows(rng: np.random.Generator, trees: list, carrier_xy: np.ndarray, eps: tuple[str, ...]) -> dict[str, str]:
    """Three distinct inventory trees that stand in every epoch, unchanged, far from carriers."""
    pool = [
        t for t in trees
        if t.in_inventory and t.life is not None and all(t.life.standing) and not any(t.life.declining)
        and (not len(carrier_xy) or np.hypot(*(carrier_xy - (t.x, t.y)).T).min() > 12.0)
    ]
    picks = rng.choice(len(pool), size=3, replace=False)
    reasons = ("height_missing", "coordinates_outside_district", "duplicate_id")
    return {r: pool[int(i)].tree_id for r, i in zip(reasons, picks, strict=True)}


def area_of_crown(radius_m: float) -> float:
    """Crown area (m²) of a circular crown."""
    return round(math.pi * radius_m**2, 2)


__all__ = ["Building", "area_of_crown", "build_district"]
