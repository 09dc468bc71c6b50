"""Parameters of the green-access analysis: defaults, allowed ranges, units and meanings.

Light on purpose (no numpy, no database): the CLI builds its options and the OGC process its
input schemas from `LIMITS` and the defaults of `GreenAccessParams`, so the three never drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from msip.core.errors import ValidationError

#: Distances are searched up to this far (or the largest threshold, if larger), m.
SEARCH_M = 3000.0


@dataclass(frozen=True)
class Limit:
    """Allowed range, unit and meaning of a numeric parameter (shared by the CLI and the OGC process)."""

    minimum: float
    maximum: float
    unit: str
    en: str
    pl: str


LIMITS: dict[str, Limit] = {
    "tree_radius_m": Limit(
        1,
        100,
        "m",
        "3: trees are counted within this distance of the building outline",
        "3: drzewa liczone w tej odległości od obrysu budynku",
    ),
    "min_trees": Limit(0, 100, "trees", "3: trees needed", "3: wymagana liczba drzew"),
    "dedup_distance_m": Limit(
        0,
        20,
        "m",
        "A LiDAR tree this close to an inventory tree is the same tree",
        "Drzewo z LiDAR tak blisko drzewa z inwentaryzacji to to samo drzewo",
    ),
    "canopy_radius_m": Limit(
        10,
        2000,
        "m",
        "30: radius of the circle around the centroid for canopy cover",
        "30: promień koła wokół centroidu dla pokrycia koronami",
    ),
    "canopy_min_height_m": Limit(
        0,
        50,
        "m",
        "30: CHM cells at least this high are canopy",
        "30: komórki CHM co najmniej tej wysokości to korony drzew",
    ),
    "min_canopy_pct": Limit(
        0, 100, "%", "30: canopy cover needed", "30: wymagane pokrycie koronami"
    ),
    "park_min_area_ha": Limit(
        0,
        10000,
        "ha",
        "300: smallest public green space that counts",
        "300: najmniejszy publiczny teren zieleni, który się liczy",
    ),
    "park_max_distance_m": Limit(
        0, 5000, "m", "300: walking distance allowed", "300: dopuszczalna odległość dojścia"
    ),
    "entrance_tolerance_m": Limit(
        0,
        200,
        "m",
        "A green space (or school) is reached at network points this close to its outline",
        "Teren jest osiągnięty w punktach sieci tak blisko jego granicy",
    ),
    "max_snap_m": Limit(
        1,
        2000,
        "m",
        "Buildings farther than this from any walk edge get no distances",
        "Budynki dalej od sieci pieszej nie mają odległości",
    ),
    "walk_speed_kmh": Limit(
        1, 10, "km/h", "Walking speed for minutes", "Prędkość marszu (minuty dojścia)"
    ),
    "green_total_ha": Limit(
        0, 10000, "ha", "Art. 13f: public green needed in total", "Art. 13f: wymagana łączna zieleń"
    ),
    "green_total_distance_m": Limit(
        0,
        5000,
        "m",
        "Art. 13f: walk within which green is summed",
        "Art. 13f: zasięg dojścia sumowanej zieleni",
    ),
    "large_park_ha": Limit(
        0,
        100000,
        "ha",
        "Art. 13f: size of the large green area",
        "Art. 13f: powierzchnia dużego terenu zieleni",
    ),
    "large_park_distance_m": Limit(
        0,
        5000,
        "m",
        "Art. 13f: walk to the large green area",
        "Art. 13f: odległość do dużego terenu zieleni",
    ),
    "school_distance_m": Limit(
        0, 5000, "m", "Art. 13f: walk to a school", "Art. 13f: odległość do szkoły"
    ),
    "district_cell_m": Limit(
        50,
        10000,
        "m",
        "Grid district size (district = grid)",
        "Bok oczka siatki rejonów (district = grid)",
    ),
}
DISTRICTS = ("grid", "zone")


@dataclass(frozen=True)
class GreenAccessParams:
    """Parameters of a run; `epoch` None = the latest building snapshot, `bbox` None = everything."""

    epoch: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    tree_radius_m: float = 15.0
    min_trees: int = 3
    dedup_distance_m: float = 3.0
    canopy_radius_m: float = 250.0
    canopy_min_height_m: float = 2.0
    min_canopy_pct: float = 30.0
    park_min_area_ha: float = 0.5
    park_max_distance_m: float = 300.0
    entrance_tolerance_m: float = 20.0
    max_snap_m: float = 250.0
    walk_speed_kmh: float = 4.8
    green_total_ha: float = 3.0
    green_total_distance_m: float = 1500.0
    large_park_ha: float = 20.0
    large_park_distance_m: float = 3000.0
    school_distance_m: float = 1500.0
    district: str = "grid"
    district_cell_m: float = 500.0

    def __post_init__(self) -> None:
        kinds = {f.name: type(f.default) for f in fields(self)}
        for name, lim in LIMITS.items():
            value = getattr(self, name)
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not lim.minimum <= value <= lim.maximum
            ):
                raise ValidationError(
                    f"{name}={value!r} is out of range: use {lim.minimum:g}–{lim.maximum:g} {lim.unit} ({lim.en})"
                )
            if kinds[name] is int and value != int(value):
                raise ValidationError(f"{name}={value!r} must be a whole number ({lim.en})")
            # 300 and 300.0 are the same parameter: the recorded run (and its fingerprint) must agree
            object.__setattr__(self, name, kinds[name](value))
        if self.district not in DISTRICTS:
            raise ValidationError(f"district={self.district!r} is not one of {list(DISTRICTS)}")
        if self.bbox is not None:
            if len(self.bbox) != 4 or self.bbox[0] >= self.bbox[2] or self.bbox[1] >= self.bbox[3]:
                raise ValidationError(
                    f"bbox={self.bbox!r} must be minx,miny,maxx,maxy in EPSG:2180 metres with min < max"
                )
            object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))

    @property
    def search_m(self) -> float:
        """How far the network distances are searched, m."""
        return max(
            SEARCH_M,
            self.park_max_distance_m,
            self.large_park_distance_m,
            self.school_distance_m,
            self.green_total_distance_m,
        )

    def record(self, epoch: date | None) -> dict:
        """The parameters as recorded with the run (epoch resolved, bbox as a list)."""
        d = asdict(self)
        d["epoch"] = epoch.isoformat() if epoch else None
        d["bbox"] = list(self.bbox) if self.bbox else None
        return d


def defaults() -> dict:
    """Default value of every parameter (for the CLI and the OGC process description)."""
    return {f.name: f.default for f in fields(GreenAccessParams)}
