"""What changes in the district between its epochs: buildings (new, extended, raised, demolished),
trees (growth, felling, planting, declining crowns), carriers and terrain; each change is recorded."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from shapely.geometry import Point, box

from msip.sample_world.constants import SizeSpec
from msip.sample_world.world.blocks import LANDCOVER_BARE, Block, TreeArea
from msip.sample_world.world.buildings import ROOF_LIGHT, block_of_flats, make_building, population
from msip.sample_world.world.model import Building, Carrier, Change, Surface, Tree, TreeLife
from msip.sample_world.world.trees import HEALTH, TreeSite, _attributes, _new_tree

from . import terrain as T

FELL_SHARE = 0.02
"""Share of all trees felled at each later epoch (inventoried, ≥ 5 m, far from carriers)."""
DECLINE_SHARE = 0.015
PLANT_SHARE = 0.01


def _change(kind: str, b: Building, dh: float, e0: str, e1: str, area: float | None = None) -> Change:
    fp = b.footprint
    return Change(kind, b.building_id, fp, round(area if area is not None else fp.area, 2), dh, e0, e1)


def building_epochs(
    rng: np.random.Generator,
    spec: SizeSpec,
    blocks: list[Block],
    buildings: list[Building],
    changes: list[Change],
    surfaces: list[Surface],
) -> dict[str, list[Building]]:
    """Buildings per epoch: epoch 2 adds an office, demolishes a shop and raises a slab; epoch 3 adds
    a block of flats, extends a hall and demolishes a house."""
    eps = spec.epochs
    n = len(buildings)
    lots = [b for b in blocks if b.use == "construction"]
    lot = max(lots, key=lambda b: b.rect[1]).rect  # the northern lot; the southern one holds the earthwork
    mid = (lot[0] + lot[2]) / 2
    office_fp = box(lot[0] + 6, lot[1] + 8, mid - 6, lot[3] - 20)
    new_office = make_building("office", 4, 4 * 3.5 + 0.8, office_fp, ROOF_LIGHT)
    new_office.building_id = f"B{n + 1:05d}"
    new_flats = block_of_flats(rng, (mid, lot[1], lot[2], lot[3]), False)
    new_flats.building_id = f"B{n + 2:05d}"
    shops = [b for b in buildings if b.kind == "retail" and b.footprint.area < 900]
    gone_shop = min(shops, key=lambda b: (b.footprint.area, b.building_id))
    houses = [b for b in buildings if b.kind == "residential" and b.footprint.area < 120]
    gone_house = houses[int(rng.integers(len(houses)))]
    slabs = [b for b in buildings if b.residential and b.footprint.area > 400 and b.storeys <= 5]
    src = slabs[int(rng.integers(len(slabs)))]
    raised = dataclasses.replace(src, storeys=src.storeys + 1, height_m=round(src.height_m + 3.0, 2),
                                 population=population(src.footprint, src.storeys + 1, True))
    halls = [b for b in buildings if b.kind == "industrial"]
    hall = halls[int(rng.integers(len(halls)))]
    hx0, hy0, hx1, hy1 = hall.footprint.bounds
    extended = dataclasses.replace(hall, footprint=box(hx0, hy0 - 18.0, hx1, hy1))
    by_epoch: dict[str, list[Building]] = {eps[0]: list(buildings)}
    second = [raised if b is src else b for b in buildings if b is not gone_shop] + [new_office]
    by_epoch[eps[1]] = second
    third = [extended if b is hall else b for b in second if b is not gone_house] + [new_flats]
    by_epoch[eps[2]] = third
    for e in eps[3:]:
        by_epoch[e] = list(third)
    surfaces.append(Surface(LANDCOVER_BARE, gone_shop.footprint, eps[1:]))
    surfaces.append(Surface(LANDCOVER_BARE, gone_house.footprint, eps[2:]))
    changes += [
        _change("new_building", new_office, new_office.height_m, eps[0], eps[1]),
        _change("demolished_building", gone_shop, -gone_shop.height_m, eps[0], eps[1]),
        _change("raised_building", raised, 3.0, eps[0], eps[1]),
        _change("new_building", new_flats, new_flats.height_m, eps[1], eps[2]),
        _change("demolished_building", gone_house, -gone_house.height_m, eps[1], eps[2]),
        Change("extended_building", hall.building_id, box(hx0, hy0 - 18.0, hx1, hy0),
               round((hx1 - hx0) * 18.0, 2), hall.height_m, eps[1], eps[2]),
    ]
    return by_epoch


def tree_lives(
    rng: np.random.Generator,
    trees: list[Tree],
    eps: tuple[str, ...],
    carrier_xy: np.ndarray,
    site: TreeSite,
    areas: list[TreeArea],
    changes: list[Change],
) -> None:
    """Growth, felling, decline and planting of trees over the epochs (sets each tree's ``life``)."""

    def far_from_ads(t: Tree) -> bool:
        return not len(carrier_xy) or np.hypot(*(carrier_xy - (t.x, t.y)).T).min() > 12.0

    k = len(eps)
    felled_at: dict[str, int] = {}
    decline_at: dict[str, int] = {}
    pool = [t for t in trees if t.in_inventory and t.height_m >= 5.0 and far_from_ads(t)]
    order = [pool[int(i)] for i in rng.permutation(len(pool))]
    n_fell, n_decl = round(FELL_SHARE * len(trees)), round(DECLINE_SHARE * len(trees))
    for i in range(1, k):
        for t in order[(i - 1) * n_fell : i * n_fell]:
            felled_at[t.tree_id] = i
    rest = [t for t in order[(k - 1) * n_fell :] if t.health != "zły"]
    for i in range(1, k):
        for t in rest[(i - 1) * n_decl : i * n_decl]:
            decline_at[t.tree_id] = i
    for t in trees:
        grow = t.height_m_epoch2 - t.height_m
        fell, decl = felled_at.get(t.tree_id, k), decline_at.get(t.tree_id, k)
        worse = HEALTH[min(HEALTH.index(t.health) + 1, 2)]
        t.life = TreeLife(
            eps,
            tuple(round(t.height_m + i * grow, 1) for i in range(k)),
            tuple(worse if i >= decl else t.health for i in range(k)),
            tuple(i < fell for i in range(k)),
            tuple(i >= decl for i in range(k)),
        )
        if fell < k:
            t.felled_in_epoch2 = True
            changes.append(Change("felled_tree", t.tree_id, Point(t.x, t.y), round(math.pi * t.crown_radius_m**2, 2),
                                  -t.height_in(eps[fell - 1]), eps[fell - 1], eps[fell]))
        if decl < k:
            t.health_decline = True
            changes.append(Change("health_decline", t.tree_id, Point(t.x, t.y),
                                  round(math.pi * t.crown_radius_m**2, 2), 0.0, eps[decl - 1], eps[decl]))
    planting = [a for a in areas if a.setting in ("park", "yard")]
    n_plant = round(PLANT_SHARE * len(trees))
    for i in range(1, k):
        placed = attempts = 0
        while placed < n_plant and attempts < 60 * n_plant:
            attempts += 1
            area = planting[int(rng.integers(len(planting)))]
            minx, miny, maxx, maxy = area.polygon.bounds
            x, y = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
            attrs = _attributes(rng, str(rng.choice(["lipa", "klon", "dab", "grab"])), height_range_m=(2.6, 3.6))
            attrs["crown_radius_m"] = 1.2
            attrs["height_m_epoch2"] = attrs["height_m"]
            if not area.polygon.contains(Point(x, y)) or not site.ok(x, y, 1.2):
                continue
            t = _new_tree(rng, trees, x, y, "street", attrs)
            t.inventory_id = ""
            site.add(x, y, 1.2)
            h = attrs["height_m"]
            t.life = TreeLife(
                eps,
                tuple(round(h + 0.4 * max(0, j - i), 1) for j in range(k)),
                tuple(attrs["health"] if j >= i else "dobry" for j in range(k)),
                tuple(j >= i for j in range(k)),
                tuple(False for _ in range(k)),
            )
            changes.append(Change("planted_tree", t.tree_id, Point(t.x, t.y), round(math.pi * 1.44, 2), h,
                                  eps[i - 1], eps[i]))
            placed += 1


def ad_changes(carriers: list[Carrier], eps: tuple[str, ...], changes: list[Change]) -> None:
    """new_ad / removed_ad changes from the carriers' first and last epochs."""
    for c in carriers:
        if c.first_epoch != eps[0]:
            prev = eps[eps.index(c.first_epoch) - 1]
            changes.append(Change("new_ad", c.carrier_id, Point(c.x, c.y), None, None, prev, c.first_epoch))
        if c.last_epoch is not None:
            nxt = eps[eps.index(c.last_epoch) + 1]
            changes.append(Change("removed_ad", c.carrier_id, Point(c.x, c.y), None, None, c.last_epoch, nxt))


def terrain_changes(eps: tuple[str, ...], changes: list[Change]) -> None:
    """The earthwork (epoch 2) and the slope failure (epoch 3), with their volumes."""
    _, _, _, _, h, _ = T.EARTHWORK
    emb = T.earthwork_polygon()
    changes.append(Change("terrain_change", "EMB001", emb, emb.area, h, eps[0], eps[1], T.earthwork_volume_m3()))
    scarp, toe = T.slide_polygons()
    vol = T.slide_volume_m3()
    depth = T.SLIDE_SCARP[4]
    rise = vol / (T.SLIDE_TOE[2] * T.SLIDE_TOE[3] * math.pi * (1.0 - 4.0 / math.pi**2))
    changes.append(Change("slope_failure", "SLIDE001-scarp", scarp, scarp.area, -depth, eps[1], eps[2], -vol))
    changes.append(Change("slope_failure", "SLIDE001-toe", toe, toe.area, round(rise, 2), eps[1], eps[2], vol))
