"""Trees: species, allometry and placement with separated crowns (street rows, parks, yards)."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.prepared import prep

from .blocks import TreeArea
from .model import Tree
from .streets import GridLine

# (Polish name, Latin name, min height m, max height m, conifer)
SPECIES: dict[str, tuple[str, str, float, float, bool]] = {
    "lipa": ("lipa drobnolistna", "Tilia cordata", 7, 24, False),
    "klon": ("klon zwyczajny", "Acer platanoides", 7, 20, False),
    "jawor": ("klon jawor", "Acer pseudoplatanus", 9, 24, False),
    "dab": ("dąb szypułkowy", "Quercus robur", 10, 28, False),
    "brzoza": ("brzoza brodawkowata", "Betula pendula", 8, 22, False),
    "kasztanowiec": ("kasztanowiec zwyczajny", "Aesculus hippocastanum", 8, 20, False),
    "sosna": ("sosna zwyczajna", "Pinus sylvestris", 10, 25, True),
    "swierk": ("świerk pospolity", "Picea abies", 8, 24, True),
    "jesion": ("jesion wyniosły", "Fraxinus excelsior", 10, 25, False),
    "robinia": ("robinia akacjowa", "Robinia pseudoacacia", 8, 18, False),
    "grab": ("grab pospolity", "Carpinus betulus", 6, 18, False),
    "jarzab": ("jarząb pospolity", "Sorbus aucuparia", 4, 10, False),
    "wierzba": ("wierzba biała", "Salix alba", 8, 20, False),
    "buk": ("buk zwyczajny", "Fagus sylvatica", 10, 25, False),
    "glog": ("głóg jednoszyjkowy", "Crataegus monogyna", 3, 7, False),
    "jablon": ("jabłoń domowa", "Malus domestica", 3, 7, False),
}
SETTING_SPECIES: dict[str, tuple[str, ...]] = {
    "street": (
        "lipa",
        "lipa",
        "klon",
        "klon",
        "jarzab",
        "robinia",
        "kasztanowiec",
        "jesion",
        "grab",
    ),
    "park": (
        "lipa",
        "klon",
        "jawor",
        "dab",
        "dab",
        "brzoza",
        "kasztanowiec",
        "sosna",
        "swierk",
        "jesion",
        "grab",
        "wierzba",
        "buk",
        "glog",
    ),
    "yard": ("lipa", "klon", "brzoza", "brzoza", "swierk", "jarzab", "robinia", "sosna"),
    "garden": ("jablon", "jablon", "brzoza", "swierk", "sosna", "jarzab", "klon"),
    "forest": ("sosna", "sosna", "sosna", "buk", "dab", "brzoza", "swierk", "grab", "jawor"),
    "riparian": ("wierzba", "wierzba", "jesion", "brzoza", "klon", "dab", "grab"),
}
UNRECORDED_SETTINGS = {"garden": 0.2, "forest": 0.1}
"""Settings the municipal inventory mostly misses (private gardens, forest stands): share recorded (of a city
forest: the trees along its paths and edges, which the city inspects for safety)."""
HEALTH = ("dobry", "średni", "zły")
STREET_TREE_SPACING_M = (9.0, 13.0)


class TreeSite:
    """Rejects tree positions whose crown would touch a building or another crown."""

    def __init__(
        self,
        obstacles: list[Polygon | MultiPolygon],
        no_trunk: list[Polygon | MultiPolygon],
        avoid_xy: list[tuple[float, float]],
        crown_gap: float = 0.85,
    ):
        self.crown_gap = crown_gap
        """Trunks keep ``crown_gap`` × (sum of the crown radii) apart (< 1: crowns overlap)."""
        self.obstacles = STRtree(obstacles)
        self.obstacle_geoms = obstacles
        self.no_trunk = [prep(p) for p in no_trunk]
        self.avoid = np.array(avoid_xy, dtype=float).reshape(-1, 2)
        self.grid: dict[tuple[int, int], list[tuple[float, float, float]]] = defaultdict(list)

    def ok(self, x: float, y: float, r: float, min_avoid_m: float = 9.0) -> bool:
        """True when a crown of radius ``r`` at (x, y) fits."""
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for ox, oy, orad in self.grid.get((int(x // 16) + dx, int(y // 16) + dy), ()):
                    if math.hypot(x - ox, y - oy) < max(3.0, self.crown_gap * (r + orad)):
                        return False
        p = Point(x, y)
        if len(self.avoid) and np.hypot(*(self.avoid - (x, y)).T).min() < min_avoid_m:
            return False
        if any(pp.contains(p) for pp in self.no_trunk):
            return False
        return not len(self.obstacles.query(p, predicate="dwithin", distance=r + 0.5))

    def add(self, x: float, y: float, r: float) -> None:
        """Register a planted tree."""
        self.grid[(int(x // 16), int(y // 16))].append((x, y, r))


def _attributes(
    rng: np.random.Generator,
    key: str,
    sapling: bool = False,
    height_range_m: tuple[float, float] | None = None,
) -> dict:
    """Species, height and allometric crown radius, trunk circumference, health, growth."""
    pl, lat, hmin, hmax, conifer = SPECIES[key]
    lo, hi = (1.2, 1.9) if sapling else (height_range_m or (hmin, hmax))
    h = float(rng.uniform(lo, hi))
    r = 0.2 * h + float(rng.uniform(-0.4, 0.8))
    r = 1.0 if sapling else float(np.clip(r * (0.65 if conifer else 1.0), 1.0, 7.0))
    dbh_cm = 1.3 * h**1.25 * float(rng.uniform(0.85, 1.15))
    health = HEALTH[int(rng.choice(3, p=[0.7, 0.22, 0.08]))]
    grow = float(rng.uniform(0.1, 0.4)) if rng.random() < 0.3 else 0.0
    return {
        "species_pl": pl,
        "species_lat": lat,
        "height_m": round(h, 1),
        "crown_radius_m": round(r, 1),
        "circumference_cm": max(5, round(math.pi * dbh_cm)),
        "health": health,
        "height_m_epoch2": round(h + grow, 1),
        "health_epoch2": health,
    }


def _new_tree(
    rng: np.random.Generator, trees: list[Tree], x: float, y: float, setting: str, attrs: dict
) -> Tree:
    share = UNRECORDED_SETTINGS.get(setting)
    inventoried = share is None or rng.random() < share
    if share is None and rng.random() < 0.03:
        inventoried = False
    if not inventoried and attrs["height_m"] < 5.0:
        inventoried = True  # laser-only trees are the tall ones a survey would miss
    t = Tree(
        tree_id=f"T{len(trees) + 1:05d}",
        x=round(x, 2),
        y=round(y, 2),
        inventory_id="" if inventoried else None,
        **attrs,
    )
    trees.append(t)
    return t


def plant_trees(
    rng: np.random.Generator,
    site: TreeSite,
    lines: list[GridLine],
    areas: list[TreeArea],
    forced_xy: list[tuple[float, float]],
) -> list[Tree]:
    """Deliberate trees first (next to carriers), then street rows, then area trees."""
    trees: list[Tree] = []
    plant_forced(rng, site, trees, forced_xy)
    plant_street_rows(rng, site, trees, lines)
    plant_areas(rng, site, trees, areas)
    number_inventory(trees)
    return trees


def plant_forced(
    rng: np.random.Generator, site: TreeSite, trees: list[Tree], forced_xy: list[tuple[float, float]]
) -> None:
    """Young inventoried street trees at given points (next to carriers that must break the rule)."""
    for x, y in forced_xy:
        attrs = _attributes(rng, "lipa", height_range_m=(5.0, 8.0))
        attrs["crown_radius_m"] = min(attrs["crown_radius_m"], 1.8)
        t = _new_tree(rng, trees, x, y, "street", attrs)
        t.inventory_id = ""  # young street tree, always inventoried
        site.add(x, y, attrs["crown_radius_m"])


def plant_street_rows(
    rng: np.random.Generator, site: TreeSite, trees: list[Tree], lines: list[GridLine]
) -> None:
    """Rows of street trees in the verges on both sides of every line, clear of crossings."""
    crossings = {ax: sorted(g.pos for g in lines if g.axis != ax) for ax in ("x", "y")}
    margins = {g.pos: g.margin_m for g in lines}
    for g in lines:
        s0, s1 = (
            (g.line.bounds[1], g.line.bounds[3])
            if g.axis == "x"
            else (g.line.bounds[0], g.line.bounds[2])
        )
        for side in (-1, 1):
            s = s0 + float(rng.uniform(2, 8))
            while s < s1 - 2:
                near = any(abs(s - c) < margins[c] + 6 for c in crossings[g.axis])
                if not near and rng.random() > 0.1:
                    off = side * (g.width_m / 2 + 1.25)
                    x, y = (g.pos + off, s) if g.axis == "x" else (s, g.pos + off)
                    sapling = rng.random() < 0.025
                    attrs = _attributes(rng, str(rng.choice(SETTING_SPECIES["street"])), sapling)
                    attrs["crown_radius_m"] = min(attrs["crown_radius_m"], 4.5)
                    if site.ok(x, y, attrs["crown_radius_m"]):
                        _new_tree(rng, trees, x, y, "street", attrs)
                        site.add(x, y, attrs["crown_radius_m"])
                s += float(rng.uniform(*STREET_TREE_SPACING_M))


def plant_areas(rng: np.random.Generator, site: TreeSite, trees: list[Tree], areas: list[TreeArea]) -> None:
    """Trees scattered in each area at its density, wherever a crown fits (regular stands: `plant_stand`)."""
    for area in areas:
        poly = area.polygon.buffer(-1.0)
        if poly.is_empty:
            continue
        if area.spacing_m is not None:
            plant_stand(rng, site, trees, area, poly)
            continue
        target = round(area.density_per_ha * poly.area / 10_000)
        minx, miny, maxx, maxy = poly.bounds
        inside = prep(poly)
        placed = attempts = 0
        while placed < target and attempts < target * 40:
            attempts += 1
            x, y = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
            attrs = _attributes(
                rng,
                str(rng.choice(SETTING_SPECIES[area.setting])),
                area.setting == "park" and rng.random() < 0.02,
                area.height_range_m,
            )
            r = attrs["crown_radius_m"]
            if not inside.contains(Point(x, y)) or not site.ok(x, y, r):
                continue
            _new_tree(rng, trees, x, y, area.setting, attrs)
            site.add(x, y, r)
            placed += 1


STAND_TRIES = 2
"""Draws of species and size per node of a regular stand before the node is left as a canopy gap."""


def plant_stand(rng: np.random.Generator, site: TreeSite, trees: list[Tree], area: TreeArea,
                poly: Polygon | MultiPolygon) -> None:
    """A managed stand: trees on a triangular grid of ``area.spacing_m`` jittered by a quarter of it, each
    where its crown fits (up to `STAND_TRIES` draws; else the node stays a gap, as after thinning)."""
    assert area.spacing_m is not None
    step = area.spacing_m
    minx, miny, maxx, maxy = poly.bounds
    inside = prep(poly)
    row_step = step * math.sqrt(3) / 2
    for k, y0 in enumerate(np.arange(miny + row_step / 2, maxy, row_step)):
        for x0 in np.arange(minx + (step / 2 if k % 2 else 0.0), maxx, step):
            x = float(x0 + rng.uniform(-step / 4, step / 4))
            y = float(y0 + rng.uniform(-step / 4, step / 4))
            if not inside.contains(Point(x, y)):
                continue
            for _ in range(STAND_TRIES):
                attrs = _attributes(rng, str(rng.choice(SETTING_SPECIES[area.setting])), False, area.height_range_m)
                r = attrs["crown_radius_m"]
                if site.ok(x, y, r):
                    _new_tree(rng, trees, x, y, area.setting, attrs)
                    site.add(x, y, r)
                    break


def number_inventory(trees: list[Tree]) -> None:
    """Inventory numbers KLC-D-000001 … in planting order."""
    for i, t in enumerate(t for t in trees if t.inventory_id is not None):
        t.inventory_id = f"KLC-D-{i + 1:06d}"


def epoch2_tree_changes(
    rng: np.random.Generator, trees: list[Tree], carrier_xy: np.ndarray
) -> None:
    """Fell ~5 % of the inventoried tall trees and let ~2 % of the rest decline in health."""

    def far_from_ads(t: Tree) -> bool:
        return not len(carrier_xy) or np.hypot(*(carrier_xy - (t.x, t.y)).T).min() > 12.0

    pool = [t for t in trees if t.in_inventory and t.height_m >= 5.0 and far_from_ads(t)]
    n_fell = max(2, round(0.05 * len(trees)))
    for i in sorted(rng.choice(len(pool), size=min(n_fell, len(pool)), replace=False)):
        pool[int(i)].felled_in_epoch2 = True
    healthy = [t for t in pool if not t.felled_in_epoch2 and t.health != "zły"]
    n_decl = max(3, round(0.02 * len(trees)))
    for i in sorted(rng.choice(len(healthy), size=min(n_decl, len(healthy)), replace=False)):
        t = healthy[int(i)]
        t.health_decline = True
        t.health_epoch2 = HEALTH[HEALTH.index(t.health) + 1]
