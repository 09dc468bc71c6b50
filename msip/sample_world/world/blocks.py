"""City blocks between the streets, what each block is used for, and what it contains."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from msip.sample_world.constants import EPOCHS, ORIGIN, SizeSpec

from .buildings import (
    Rect,
    block_of_flats,
    civic,
    house,
    office,
    retail,
    split_rect,
)
from .model import Building, GreenSpace, Surface
from .streets import GridLine

LANDCOVER_ROAD, LANDCOVER_BARE, LANDCOVER_FOOTWAY = 1, 5, 6
EDGE_MARGIN_M = 1.0

TEMPLATE_USES: dict[tuple[int, int], str] = {
    (0, 0): "houses",
    (1, 0): "services",
    (2, 0): "construction",
    (3, 0): "services",
    (0, 1): "houses",
    (1, 1): "park_big",
    (2, 1): "flats",
    (3, 1): "houses_reserved",
    (0, 2): "houses",
    (1, 2): "school_park",
    (2, 2): "services_skwer",
    (3, 2): "flats",
    (0, 3): "houses",
    (1, 3): "flats",
    (2, 3): "garden_private",
    (3, 3): "houses",
}
"""Uses of the 16 blocks of the first template cell, keyed by (x band, y band)."""

BIG_PARK_NAMES = (
    "Park Miejski im. Stanisława Staszica",
    "Park im. Władysława Sikorskiego",
    "Park Baranowski",
    "Park Kadzielnia",
    "Park Stadion",
)


@dataclass
class TreeArea:
    """Where trees may grow inside a block, how densely (per ha) and who records them."""

    polygon: Polygon
    density_per_ha: float
    setting: str
    """"park", "yard" (municipal, inventoried) or "garden" (private, mostly not inventoried)."""
    height_range_m: tuple[float, float] | None = None
    """Heights of its trees (None: the species' range); a mature stand is taller than the species' minimum."""
    spacing_m: float | None = None
    """A regular stand: one planting spot per node of a jittered triangular grid this far apart, instead of
    ``density_per_ha`` scattered at random (a managed forest, planted in rows and thinned)."""


@dataclass
class Block:
    """One block: its inner rectangle (inside the sidewalks) and its bounding streets."""

    bx: int
    by: int
    rect: Rect
    south: GridLine | None
    north: GridLine | None
    west: GridLine | None
    east: GridLine | None
    use: str = ""
    buildings: list[Building] = field(default_factory=list)
    green_spaces: list[GreenSpace] = field(default_factory=list)
    surfaces: list[Surface] = field(default_factory=list)
    footways: list[tuple[str, LineString]] = field(default_factory=list)
    tree_areas: list[TreeArea] = field(default_factory=list)
    reserved: list[Polygon | MultiPolygon] = field(default_factory=list)
    """Kept free of trees (future building sites, construction lot)."""

    @property
    def polygon(self) -> Polygon:
        """The inner rectangle as a polygon."""
        return box(*self.rect)


def layout_blocks(spec: SizeSpec, lines: list[GridLine], rng: np.random.Generator) -> list[Block]:
    """Cut the district into blocks along the grid and give each block a use."""
    x0, y0 = ORIGIN
    xs = sorted((g for g in lines if g.axis == "x"), key=lambda g: g.pos)
    ys = sorted((g for g in lines if g.axis == "y"), key=lambda g: g.pos)
    xb: list[GridLine | None] = [None, *xs, None]
    yb: list[GridLine | None] = [None, *ys, None]
    blocks: list[Block] = []
    for by in range(len(yb) - 1):
        s, n = yb[by], yb[by + 1]
        miny = s.pos + s.margin_m if s else y0 + EDGE_MARGIN_M
        maxy = n.pos - n.margin_m if n else y0 + spec.extent_m - EDGE_MARGIN_M
        for bx in range(len(xb) - 1):
            w, e = xb[bx], xb[bx + 1]
            minx = w.pos + w.margin_m if w else x0 + EDGE_MARGIN_M
            maxx = e.pos - e.margin_m if e else x0 + spec.extent_m - EDGE_MARGIN_M
            blk = Block(bx, by, (minx, miny, maxx, maxy), s, n, w, e)
            blk.use = _choose_use(bx, by, rng)
            blocks.append(blk)
    return blocks


def _choose_use(bx: int, by: int, rng: np.random.Generator) -> str:
    if bx <= 3 and by <= 3:
        return TEMPLATE_USES[(bx, by)]
    if bx % 3 == 1 and by % 3 == 1:
        return "park_big" if rng.random() < 0.3 else "flats"
    return str(rng.choice(["flats", "houses", "services"], p=[0.4, 0.35, 0.25]))


def fill_block(blk: Block, rng: np.random.Generator, park_counter: list[int]) -> None:
    """Populate ``blk`` with buildings, green spaces, surfaces and tree areas for its use."""
    r = blk.rect
    if blk.use in ("houses", "houses_reserved"):
        parcels = split_rect(r, 17.0, 17.0)
        keep_free = len(parcels) // 2 if blk.use == "houses_reserved" else -1
        for i, parcel in enumerate(parcels):
            if i == keep_free:
                blk.reserved.append(box(*parcel))
                continue
            blk.buildings.append(house(rng, parcel))
        blk.tree_areas.append(TreeArea(blk.polygon, 10.0, "garden"))
    elif blk.use == "flats":
        along_x = (r[2] - r[0]) >= (r[3] - r[1])
        cell = (52.0, 30.0) if along_x else (30.0, 52.0)
        for parcel in split_rect(r, *cell):
            blk.buildings.append(block_of_flats(rng, parcel, along_x))
        blk.tree_areas.append(TreeArea(blk.polygon, 25.0, "yard"))
    elif blk.use == "services":
        _fill_services(blk, r, rng)
        blk.tree_areas.append(TreeArea(blk.polygon, 8.0, "yard"))
    elif blk.use == "construction":
        blk.surfaces.append(Surface(LANDCOVER_BARE, blk.polygon, EPOCHS))
        blk.reserved.append(blk.polygon)
    elif blk.use == "park_big":
        name = BIG_PARK_NAMES[park_counter[0] % len(BIG_PARK_NAMES)]
        park_counter[0] += 1
        blk.green_spaces.append(GreenSpace("", name, "park", True, blk.polygon))
        w = r[2] - r[0]
        south, north = _south_north(blk)
        path = LineString([(r[0] + 0.25 * w, south.pos), (r[2] - 0.25 * w, north.pos)])
        _add_path(blk, f"aleja spacerowa ({name})", path)
        play = box(r[0] + 12, r[3] - 30, r[0] + 30, r[3] - 16)
        blk.surfaces.append(Surface(LANDCOVER_BARE, play, EPOCHS))
        blk.reserved.append(play)
        blk.tree_areas.append(TreeArea(blk.polygon, 55.0, "park"))
    elif blk.use == "school_park":
        split_x = r[0] + float(rng.uniform(96, 104))
        park = box(r[0], r[1], split_x, r[3])
        south, north = _south_north(blk)
        name = f"Zieleniec przy {north.name.replace('ulica ', 'ulicy ')}"
        blk.green_spaces.append(GreenSpace("", name, "zieleniec", True, park))
        mid_x = (r[0] + split_x) / 2
        _add_path(blk, f"ścieżka ({name})", LineString([(mid_x, south.pos), (mid_x, north.pos)]))
        blk.tree_areas.append(TreeArea(park, 45.0, "park"))
        school_rect = (split_x, r[1], r[2], r[3])
        cy = (r[1] + r[3]) / 2
        blk.buildings.append(civic(rng, (split_x, cy, r[2], r[3]), "school"))
        blk.buildings.append(civic(rng, (split_x, r[1], split_x + 32, cy), "kindergarten"))
        yard = box(split_x + 34, r[1] + 4, r[2] - 4, cy - 4)
        blk.surfaces.append(Surface(LANDCOVER_BARE, yard, EPOCHS))
        blk.tree_areas.append(TreeArea(box(*school_rect), 15.0, "yard"))
    elif blk.use == "services_skwer":
        skwer = box(r[0], r[3] - 35.0, r[0] + 30.0, r[3])
        blk.green_spaces.append(GreenSpace("", "Skwer Szarych Szeregów", "skwer", True, skwer))
        blk.tree_areas.append(TreeArea(skwer, 50.0, "park"))
        cy = (r[1] + r[3]) / 2
        blk.buildings.append(retail(rng, (r[0], r[1], r[2], cy)))
        blk.buildings.append(office(rng, (r[0] + 30.0, cy, r[2], r[3])))
        blk.tree_areas.append(TreeArea(box(r[0], r[1], r[2], cy), 8.0, "yard"))
    elif blk.use == "garden_private":
        name = "Ogród Sióstr Albertynek"
        blk.green_spaces.append(GreenSpace("", name, "park", False, blk.polygon))
        blk.tree_areas.append(TreeArea(blk.polygon, 45.0, "park"))
    else:
        raise AssertionError(f"block use {blk.use!r} has no filler")


def _fill_services(blk: Block, r: Rect, rng: np.random.Generator) -> None:
    """Shops with car parks, one office and, in bigger blocks, a clinic."""
    parcels = split_rect(r, 38.0, 34.0)
    special = {len(parcels) // 2: "office", len(parcels) - 1: "clinic"} if len(parcels) > 2 else {}
    for i, parcel in enumerate(parcels):
        role = special.get(i, "retail")
        if role == "office":
            b = office(rng, parcel)
        elif role == "clinic":
            b = civic(rng, parcel, "clinic")
        else:
            b = retail(rng, parcel)
        blk.buildings.append(b)
        lot = _car_park(parcel, b.footprint.bounds)
        if role == "retail" and lot is not None and rng.random() < 0.7:
            blk.surfaces.append(Surface(LANDCOVER_ROAD, lot, EPOCHS))
            blk.reserved.append(lot)


def _south_north(blk: Block) -> tuple[GridLine, GridLine]:
    """The streets south and north of an inner block (paths run between them)."""
    if blk.south is None or blk.north is None:
        raise AssertionError(f"block ({blk.bx}, {blk.by}) used as {blk.use!r} lies on the edge")
    return blk.south, blk.north


def _car_park(parcel: Rect, building: Rect) -> Polygon | None:
    """The widest strip of the parcel beside the shop (2 m from the parcel edge and the walls)."""
    px0, py0, px1, py1 = parcel
    bx0, by0, bx1, by1 = building
    strips = [
        (px0 + 2, py0 + 2, px1 - 2, by0 - 2.5),
        (px0 + 2, by1 + 2.5, px1 - 2, py1 - 2),
        (px0 + 2, py0 + 2, bx0 - 2.5, py1 - 2),
        (bx1 + 2.5, py0 + 2, px1 - 2, py1 - 2),
    ]
    best = max(strips, key=lambda r: min(r[2] - r[0], r[3] - r[1]))
    if min(best[2] - best[0], best[3] - best[1]) < 5.0:
        return None
    return box(*best)


def _add_path(blk: Block, name: str, line: LineString) -> None:
    """A park footway: a graph edge from street to street and a paved 3 m strip in the block."""
    blk.footways.append((name, line))
    # buffers of the path clipped to the block's rectangle: polygonal (shapely types them as any geometry)
    strip = cast(Polygon | MultiPolygon, line.buffer(1.5, cap_style="flat").intersection(blk.polygon))
    blk.surfaces.append(Surface(LANDCOVER_FOOTWAY, strip, EPOCHS))
    blk.reserved.append(cast(Polygon | MultiPolygon, line.buffer(3.0, cap_style="flat").intersection(blk.polygon)))
