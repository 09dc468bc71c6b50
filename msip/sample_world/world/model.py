"""Plain dataclasses for the objects of the sample world (all coordinates EPSG:2180 metres)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from msip.sample_world.constants import EPOCH1, EPOCH2, EPOCHS, SizeSpec

#: True ground height (m) at EPSG:2180 (x, y) arrays in one epoch: ``terrain(x, y, epoch)``.
TerrainFn = Callable[[ArrayLike, ArrayLike, str], NDArray]


@dataclass
class StreetSegment:
    """A street centreline piece between two graph nodes (intersections or ends)."""

    street_id: str
    name: str
    road_class: str
    width_m: float
    line: LineString


@dataclass
class Building:
    """A flat-roofed building; ``height_m`` is roof height above the ground at its centroid."""

    building_id: str
    kind: str
    residential: bool
    storeys: int
    height_m: float
    population: int
    footprint: Polygon
    roof_style: int
    """Index into :data:`msip.sample_world.survey.ortho.ROOF_RGBN` (0 red tiles … 3 dark bitumen)."""


@dataclass
class GreenSpace:
    """A park, square (skwer) or green patch (zieleniec)."""

    park_id: str
    name: str
    kind: str
    public_access: bool
    polygon: Polygon

    @property
    def area_m2(self) -> float:
        """Area in m²."""
        return float(self.polygon.area)


@dataclass
class Tree:
    """One tree: true attributes for both epochs and how it appears in the inventory."""

    tree_id: str
    x: float
    y: float
    species_pl: str
    species_lat: str
    height_m: float
    crown_radius_m: float
    circumference_cm: int
    health: str
    inventory_id: str | None
    height_m_epoch2: float
    health_epoch2: str
    felled_in_epoch2: bool = False
    health_decline: bool = False
    life: TreeLife | None = None
    """State per epoch in a world of more than two epochs; None: the two-epoch fields above."""

    def height_in(self, epoch: str) -> float:
        """True height (m) in ``epoch``."""
        if self.life is not None:
            return self.life.heights_m[self.life.index(epoch)]
        return self.height_m_epoch2 if epoch == EPOCH2 else self.height_m

    def health_in(self, epoch: str) -> str:
        """Health class in ``epoch``."""
        if self.life is not None:
            return self.life.healths[self.life.index(epoch)]
        return self.health_epoch2 if epoch == EPOCH2 else self.health

    def stands_in(self, epoch: str) -> bool:
        """Whether the tree stands in ``epoch`` (not yet planted or already felled: no)."""
        if self.life is not None:
            return self.life.standing[self.life.index(epoch)]
        return not (epoch == EPOCH2 and self.felled_in_epoch2)

    def declining_in(self, epoch: str) -> bool:
        """Whether the crown shows decline (red up, NIR down) in ``epoch``."""
        if self.life is not None:
            return self.life.declining[self.life.index(epoch)]
        return epoch == EPOCH2 and self.health_decline

    @property
    def in_inventory(self) -> bool:
        """Whether the municipal inventory lists this tree."""
        return self.inventory_id is not None

    @property
    def visible_to_lidar(self) -> bool:
        """Trees below 2 m are too low for canopy-height detection."""
        return self.height_m >= 2.0


@dataclass
class TreeLife:
    """A tree's state in each epoch of a multi-epoch world (item i belongs to ``epochs[i]``)."""

    epochs: tuple[str, ...]
    heights_m: tuple[float, ...]
    healths: tuple[str, ...]
    standing: tuple[bool, ...]
    declining: tuple[bool, ...]

    def index(self, epoch: str) -> int:
        """Position of ``epoch`` in :attr:`epochs`."""
        return self.epochs.index(epoch)

    @property
    def planted_epoch(self) -> str | None:
        """First epoch the tree stands in when it was planted after the first epoch, else None."""
        first = self.standing.index(True) if True in self.standing else 0
        return self.epochs[first] if first > 0 else None

    @property
    def felled_epoch(self) -> str | None:
        """First epoch the tree is gone in after having stood, else None."""
        seen = False
        for epoch, up in zip(self.epochs, self.standing, strict=True):
            seen = seen or up
            if seen and not up:
                return epoch
        return None

    @property
    def decline_epoch(self) -> str | None:
        """First epoch with a declining crown, else None."""
        return next((e for e, d in zip(self.epochs, self.declining, strict=True) if d), None)


@dataclass
class Carrier:
    """An advertising carrier (nośnik reklamowy)."""

    carrier_id: str
    carrier_type: str
    faces: int
    face_area_m2: float
    illuminated: bool
    led: bool
    height_m: float
    owner: str
    permit_no: str
    installed_on: str
    occupies_road_lane: bool
    lane_area_m2: float
    x: float
    y: float
    first_epoch: str
    intended_violations: tuple[str, ...] = ()
    last_epoch: str | None = None
    """Last epoch the carrier stands in (None: still standing in the last epoch)."""

    def present_in(self, epoch: str) -> bool:
        """Whether the carrier stands in ``epoch`` (ISO dates compare as strings)."""
        return self.first_epoch <= epoch and (self.last_epoch is None or epoch <= self.last_epoch)


@dataclass
class LandscapeZone:
    """A zone of the landscape resolution (uchwała krajobrazowa), A = historic core."""

    zone_code: str
    name: str
    polygon: Polygon | MultiPolygon


@dataclass
class PlanZone:
    """A StrefaPlanistyczna of the local plan with its indicators (None = not set)."""

    oznaczenie: str
    symbol: str
    polygon: Polygon
    max_intensity: float | None
    max_built_share_pct: float | None
    max_height_m: float | None
    min_bio_share_pct: float | None


@dataclass
class Surface:
    """A painted land-cover area (road, footway, bare soil, grass) for one or both epochs."""

    landcover: int
    polygon: Polygon | MultiPolygon
    epochs: tuple[str, ...]


@dataclass
class Change:
    """A true change between the epochs."""

    change_type: str
    object_id: str
    geometry: Polygon | Point
    area_m2: float | None
    height_change_m: float | None
    epoch_from: str = EPOCH1
    epoch_to: str = EPOCH2
    volume_m3: float | None = None
    """Net volume of a terrain change (fill +, cut −); None for other changes."""


@dataclass
class World:
    """Everything generated for one seed and size; every output file is drawn from it."""

    spec: SizeSpec
    seed: int
    streets: list[StreetSegment]
    intersections: list[Point]
    buildings: dict[str, list[Building]]
    """Buildings per epoch."""
    green_spaces: list[GreenSpace]
    trees: list[Tree]
    carriers: list[Carrier]
    landscape_zones: list[LandscapeZone]
    plan_zones: list[PlanZone]
    surfaces: list[Surface]
    changes: list[Change] = field(default_factory=list)
    bad_inventory: dict[str, str] = field(default_factory=dict)
    """Deliberately broken rows of the epoch-1 tree inventory: reason → tree_id."""
    epochs: tuple[str, ...] = EPOCHS
    terrain: TerrainFn | None = None
    """The world's true ground; None: :func:`msip.sample_world.world.terrain.terrain_z`."""
    extras: dict[str, object] = field(default_factory=dict)
    """Layers only some sizes have (the district's address points, geosites, plans …)."""

    def ground_z(self, x: ArrayLike, y: ArrayLike, epoch: str) -> NDArray:
        """True ground height (m, PL-EVRF2007-NH) at (x, y) in ``epoch``."""
        if self.terrain is not None:
            return self.terrain(x, y, epoch)
        from .terrain import terrain_z

        return terrain_z(x, y, epoch)
