"""Plain dataclasses for the objects of the sample world (all coordinates EPSG:2180 metres)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from msip.sample_world.constants import SizeSpec


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

    @property
    def in_inventory(self) -> bool:
        """Whether the municipal inventory lists this tree."""
        return self.inventory_id is not None

    @property
    def visible_to_lidar(self) -> bool:
        """Trees below 2 m are too low for canopy-height detection."""
        return self.height_m >= 2.0


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
