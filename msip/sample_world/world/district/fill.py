"""What the district's own block uses contain: old town, market square, prefab estates, industry,
retail park, offices, schools, a hospital; and the street-free areas (railway, valley, quarry, forest).
"""

from __future__ import annotations

from typing import cast

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from msip.sample_world.constants import EPOCHS
from msip.sample_world.world.blocks import (
    LANDCOVER_BARE,
    LANDCOVER_FOOTWAY,
    LANDCOVER_ROAD,
    Block,
    TreeArea,
    fill_block,
)
from msip.sample_world.world.buildings import (
    ROOF_BITUMEN,
    ROOF_GREY,
    ROOF_LIGHT,
    ROOF_RED,
    Rect,
    block_of_flats,
    civic,
    house,
    make_building,
    office,
    place_rectangle,
    split_rect,
)
from msip.sample_world.world.model import GreenSpace, Surface

from . import terrain as T
from .layout import SpecialArea

LANDCOVER_WATER = 7
FOREST_SPACING_M = 4.0
"""The city forest is a managed stand: planting spots 4 m apart (the rows of a planted forest), a tree left
standing wherever its crown fits (crowns overlapping ≤ 30 %, as everywhere in the district) — after
self-thinning ≈ 190 trees per ha of this allometry, ≈ 75 % canopy in the CHM
(benchmarks/district_world/forest_stand.py)."""
FOREST_STAND_M = (24.0, 28.0)
"""Heights of the city forest's trees (m): the dominant layer of an even-aged 80–120-year pine–oak–beech stand
(as Kielce's Pasmo Kadzielniańskie and Las Na Stadionie). A 14–28 m stand put small trees on big crowns'
flanks, where a variable-window detector (and real ALS processing) cannot find them: forest recall 0.71."""
MATURE_PARK_M = (8.0, 26.0)
"""Heights of the trees of the big parks (m): old parks, few young trees."""
NEW_ESTATE_TREES_PER_HA = 2.0
"""Trees of the new estate across the railway (the prefab estates' courtyards have 90 per ha)."""
VILLA_PLOT_M = 30.0
"""Side of a villa plot (m): about 900 m², three times a house plot of the estates of houses (17 m)."""
VILLA_TREES_PER_HA = 110.0
"""Trees of the old villa gardens by the forest (the houses' gardens elsewhere have 30 per ha)."""


def fill(blk: Block, rng: np.random.Generator, park_counter: list[int], epochs: tuple[str, ...]) -> None:
    """Populate an ordinary block of the district (its own uses here, the template's in blocks.py)."""
    r = blk.rect
    if blk.use == "old_town":
        _old_town(blk, r, rng)
    elif blk.use == "market":
        _market(blk, r, rng, epochs)
    elif blk.use in ("estate", "estate_forest"):
        _estate(blk, r, rng, MATURE_PARK_M if blk.use == "estate_forest" else None)
    elif blk.use in ("industrial", "retail_park"):
        _industrial(blk, r, rng, epochs, retail_park=blk.use == "retail_park")
    elif blk.use == "offices":
        for parcel in split_rect(r, 45.0, 40.0):
            blk.buildings.append(office(rng, parcel))
        blk.tree_areas.append(TreeArea(blk.polygon, 15.0, "yard"))
    elif blk.use == "school":
        _school(blk, r, rng, epochs)
    elif blk.use == "hospital":
        _hospital(blk, r, rng)
    elif blk.use == "estate_new":
        _new_estate(blk, r, rng)
    elif blk.use == "villas":
        _villas(blk, r, rng)
    else:
        fill_block(blk, rng, park_counter)
        if blk.use in ("houses", "houses_reserved"):
            blk.tree_areas[-1].density_per_ha = 30.0
        elif blk.use == "flats":
            blk.tree_areas[-1].density_per_ha = 55.0
        elif blk.use == "park_big":
            blk.tree_areas[-1].density_per_ha = 150.0
            blk.tree_areas[-1].height_range_m = MATURE_PARK_M
    for s in blk.surfaces:
        s.epochs = epochs if s.epochs == EPOCHS else s.epochs


def _new_estate(blk: Block, r: Rect, rng: np.random.Generator) -> None:
    """A developer's estate of the 2000s on the outskirts, across the railway: blocks of flats on
    tight plots around car parks, hardly a tree, and no school within 1.5 km walk (art. 13f fails)."""
    for parcel in split_rect(r, 52.0, 40.0):
        blk.buildings.append(block_of_flats(rng, parcel, True))
    blk.tree_areas.append(TreeArea(blk.polygon, NEW_ESTATE_TREES_PER_HA, "yard"))


def _villas(blk: Block, r: Rect, rng: np.random.Generator) -> None:
    """Villa quarter at the city forest's edge: detached houses on large plots in old, leafy gardens."""
    for parcel in split_rect(r, VILLA_PLOT_M, VILLA_PLOT_M):
        blk.buildings.append(house(rng, parcel))
    blk.tree_areas.append(TreeArea(blk.polygon, VILLA_TREES_PER_HA, "garden", MATURE_PARK_M))


def _old_town(blk: Block, r: Rect, rng: np.random.Generator) -> None:
    """Perimeter block: 3–5 storey tenements along every street edge, a courtyard inside."""
    minx, miny, maxx, maxy = r
    depth = 12.0
    fronts: list[Rect] = []
    for x in _cuts(minx, maxx, rng):
        fronts.append((x[0], miny, x[1], miny + depth))
        fronts.append((x[0], maxy - depth, x[1], maxy))
    for y in _cuts(miny + depth, maxy - depth, rng):
        fronts.append((minx, y[0], minx + depth, y[1]))
        fronts.append((maxx - depth, y[0], maxx, y[1]))
    for f in fronts:
        storeys = int(rng.choice([3, 4, 4, 5]))
        roof = ROOF_RED if rng.random() < 0.65 else ROOF_GREY
        fp = box(f[0] + 0.2, f[1] + 0.2, f[2] - 0.2, f[3] - 0.2)
        fp = Polygon([(round(x, 3), round(y, 3)) for x, y in fp.exterior.coords])
        kind = "residential" if rng.random() < 0.8 else "office"
        blk.buildings.append(make_building(kind, storeys, storeys * 3.4 + rng.uniform(0.8, 2.0), fp, roof))
    court = box(minx + depth + 2, miny + depth + 2, maxx - depth - 2, maxy - depth - 2)
    if court.area > 100:
        blk.tree_areas.append(TreeArea(court, 30.0, "yard"))


def _cuts(a: float, b: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Cut [a, b] into frontages of 10–20 m."""
    out, x = [], a
    while b - x > 24:
        w = float(rng.uniform(10, 20))
        out.append((x, x + w))
        x += w
    out.append((x, b))
    return out


def _market(blk: Block, r: Rect, rng: np.random.Generator, epochs: tuple[str, ...]) -> None:
    """Rynek: a paved square with the town hall in the middle and a few trees at its edges."""
    blk.surfaces.append(Surface(LANDCOVER_FOOTWAY, blk.polygon, epochs))
    cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
    hall = box(cx - 14, cy - 9, cx + 14, cy + 9)
    blk.buildings.append(make_building("civic", 2, 11.5, hall, ROOF_RED))
    blk.reserved.append(box(r[0] + 8, r[1] + 8, r[2] - 8, r[3] - 8))
    blk.tree_areas.append(TreeArea(blk.polygon, 12.0, "park"))


def _estate(blk: Block, r: Rect, rng: np.random.Generator, heights_m: tuple[float, float] | None = None) -> None:
    """Prefab estate: long slabs along the north and south edges, a tower, a green courtyard.

    ``heights_m``: the courtyard trees' heights (None: the species' range); the estates by the city
    forest were built around its old trees, so their courtyards are mature.
    """
    minx, miny, maxx, maxy = r
    strip = 30.0
    if maxy - miny < 2 * strip + 20:
        for parcel in split_rect(r, 52.0, 30.0):
            blk.buildings.append(block_of_flats(rng, parcel, True))
        blk.tree_areas.append(TreeArea(blk.polygon, 40.0, "yard", heights_m))
        return
    for parcel in split_rect((minx, maxy - strip, maxx, maxy), 56.0, strip):
        blk.buildings.append(block_of_flats(rng, parcel, True))
    for parcel in split_rect((minx, miny, maxx, miny + strip), 56.0, strip):
        blk.buildings.append(block_of_flats(rng, parcel, True))
    court = (minx, miny + strip, maxx, maxy - strip)
    if rng.random() < 0.5 and court[2] - court[0] > 60:
        tower = place_rectangle(rng, (court[2] - 30, court[1], court[2], court[1] + 30), 20, 20, 0.0, 4.0)
        storeys = int(rng.choice([11, 12, 16]))
        blk.buildings.append(make_building("residential", storeys, storeys * 2.9 + 1.2, tower, ROOF_GREY))
        court = (court[0], court[1], court[2] - 30, court[3])
    play = box(court[0] + 6, court[1] + 6, court[0] + 24, court[1] + 18)
    blk.surfaces.append(Surface(LANDCOVER_BARE, play, EPOCHS))
    blk.reserved.append(play)
    blk.tree_areas.append(TreeArea(box(*court), 90.0, "yard", heights_m))
    blk.tree_areas.append(TreeArea(blk.polygon, 18.0, "yard", heights_m))


def _industrial(blk: Block, r: Rect, rng: np.random.Generator, epochs: tuple[str, ...], retail_park: bool) -> None:
    """Large flat roofs (warehouses, a hypermarket) and asphalt car parks."""
    minx, miny, maxx, maxy = r
    w, h = maxx - minx, maxy - miny
    bw, bh = min(w - 16, float(rng.uniform(60, 110))), min(h * 0.55, float(rng.uniform(40, 70)))
    fp = box(minx + 8, maxy - 8 - bh, minx + 8 + bw, maxy - 8)
    kind = "retail" if retail_park else "industrial"
    height = float(rng.uniform(7.5, 12.0))
    blk.buildings.append(make_building(kind, 1, height, fp, int(rng.choice([ROOF_LIGHT, ROOF_BITUMEN]))))
    lot = box(minx + 4, miny + 4, maxx - 4, maxy - 8 - bh - 4)
    if lot.area > 200:
        blk.surfaces.append(Surface(LANDCOVER_ROAD, lot, epochs))
        blk.reserved.append(lot)
    blk.tree_areas.append(TreeArea(blk.polygon, 6.0, "yard"))


def _school(blk: Block, r: Rect, rng: np.random.Generator, epochs: tuple[str, ...]) -> None:
    """A school with a sports pitch and a schoolyard."""
    minx, miny, maxx, maxy = r
    blk.buildings.append(civic(rng, (minx, (miny + maxy) / 2, maxx, maxy), "school"))
    pitch = box(minx + 8, miny + 8, min(maxx - 8, minx + 68), min((miny + maxy) / 2 - 6, miny + 48))
    blk.surfaces.append(Surface(LANDCOVER_BARE, pitch, epochs))
    blk.reserved.append(pitch)
    blk.tree_areas.append(TreeArea(blk.polygon, 20.0, "yard"))


def _hospital(blk: Block, r: Rect, rng: np.random.Generator) -> None:
    """Szpital: a large 6-storey main building and two clinics."""
    minx, miny, maxx, maxy = r
    main = place_rectangle(rng, (minx, (miny + maxy) / 2 - 10, maxx, maxy), 70, 22, 0.0, 6.0)
    blk.buildings.append(make_building("hospital", 6, 6 * 3.6 + 1.5, main, ROOF_LIGHT))
    for parcel in split_rect((minx, miny, maxx, (miny + maxy) / 2 - 10), 60.0, 50.0)[:2]:
        blk.buildings.append(civic(rng, parcel, "clinic"))
    blk.tree_areas.append(TreeArea(blk.polygon, 20.0, "park"))


def special(a: SpecialArea, rect: Rect, rng: np.random.Generator, epochs: tuple[str, ...]) -> Block:
    """A block for a street-free area: railway, river valley with reservoir, quarry or forest park."""
    blk = Block(-1, -1, rect, None, None, None, None, use=a.use)
    poly = blk.polygon
    if a.use == "railway":
        y = (rect[1] + rect[3]) / 2
        track = LineString([(rect[0], y), (rect[2], y)])
        bed = track.buffer(8.0, cap_style="flat")
        blk.surfaces.append(Surface(LANDCOVER_BARE, bed, epochs))
        blk.reserved.append(track.buffer(12.0, cap_style="flat"))
        blk.tree_areas.append(TreeArea(poly, 10.0, "garden"))
        blk.extras_line = track  # type: ignore[attr-defined]
    elif a.use == "valley":
        river = T.river_line().buffer(T.RIVER_WIDTH_M / 2, cap_style="flat").intersection(poly)
        water = cast(Polygon | MultiPolygon, river.union(T.reservoir_polygon()))
        blk.surfaces.append(Surface(LANDCOVER_WATER, water, epochs))
        blk.reserved.append(water.buffer(2.0))
        blk.reserved.append(T.slide_polygons()[0].union(T.slide_polygons()[1]).buffer(4.0))
        blk.green_spaces.append(GreenSpace("", "Park nad Zalewem Kieleckim", "park", True, poly))
        path = LineString([(rect[0], rect[3] - 12), (rect[2], rect[3] - 12)])
        blk.surfaces.append(Surface(LANDCOVER_FOOTWAY, path.buffer(1.5, cap_style="flat"), epochs))
        blk.reserved.append(path.buffer(3.0, cap_style="flat"))
        blk.footways.append(("bulwar nad Silnicą", path))
        blk.tree_areas.append(TreeArea(poly, 45.0, "riparian"))
    elif a.use == "quarry":
        pit = T.quarry_polygon()
        blk.surfaces.append(Surface(LANDCOVER_BARE, pit.buffer(-T.QUARRY_WALL_M - 1.0), epochs))
        blk.reserved.append(pit.buffer(3.0))
        blk.green_spaces.append(GreenSpace("", "Park Kadzielnia", "park", True, poly))
        blk.tree_areas.append(TreeArea(poly, 110.0, "park", MATURE_PARK_M))
    elif a.use == "forest":
        blk.green_spaces.append(GreenSpace("", a.name, "forest", True, poly))
        cx = (rect[0] + rect[2]) / 2
        path = LineString([(cx, rect[1]), (cx, rect[3])])
        blk.surfaces.append(Surface(LANDCOVER_FOOTWAY, path.buffer(1.5, cap_style="flat"), epochs))
        blk.reserved.append(path.buffer(3.0, cap_style="flat"))
        blk.footways.append(("aleja leśna (Park Leśny Stadion)", path))
        blk.tree_areas.append(TreeArea(poly, 0.0, "forest", FOREST_STAND_M, FOREST_SPACING_M))
    return blk
