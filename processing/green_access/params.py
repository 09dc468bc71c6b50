"""Parameters of the green-access analysis: defaults, allowed ranges, units and meanings.

Light on purpose (no numpy, no database): the CLI options, the OGC process inputs and the docs
table are built from `PARAMETERS` (a `processing.parameters.ParamTable`), so they never drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from msip.core.errors import ValidationError
from processing.parameters import Param, ParamTable

#: Distances are searched up to this far (or the largest threshold, if larger), m.
SEARCH_M = 3000.0


DISTRICTS = ("grid", "zone")


def _number(name: str, default: float, minimum: float, maximum: float, unit: str, help_en: str, help_pl: str,
            integer: bool = False) -> Param:
    return Param(name, default, help_en, help_pl, unit=unit, minimum=minimum, maximum=maximum, integer=integer)


#: The thresholds (numbers), each a --option and an OGC input of the same name.
NUMBERS = (
    _number("tree_radius_m", 15.0, 1, 100, "m",
            "3: trees are counted within this distance of the building outline",
            "3: drzewa liczone w tej odległości od obrysu budynku"),
    _number("min_trees", 3, 0, 100, "trees",
            "3: trees needed",
            "3: wymagana liczba drzew", integer=True),
    _number("dedup_distance_m", 3.0, 0, 20, "m",
            "A LiDAR tree this close to an inventory tree is the same tree",
            "Drzewo z LiDAR tak blisko drzewa z inwentaryzacji to to samo drzewo"),
    _number("canopy_radius_m", 250.0, 10, 2000, "m",
            "30: radius of the circle around the centroid for canopy cover",
            "30: promień koła wokół centroidu dla pokrycia koronami"),
    _number("canopy_min_height_m", 2.0, 0, 50, "m",
            "30: CHM cells at least this high are canopy",
            "30: komórki CHM co najmniej tej wysokości to korony drzew"),
    _number("min_canopy_pct", 30.0, 0, 100, "%",
            "30: canopy cover needed",
            "30: wymagane pokrycie koronami"),
    _number("park_min_area_ha", 0.5, 0, 10000, "ha",
            "300: smallest public green space that counts",
            "300: najmniejszy publiczny teren zieleni, który się liczy"),
    _number("park_max_distance_m", 300.0, 0, 5000, "m",
            "300: walking distance allowed",
            "300: dopuszczalna odległość dojścia"),
    _number("entrance_tolerance_m", 20.0, 0, 200, "m",
            "A green space (or school) is reached at network points this close to its outline",
            "Teren jest osiągnięty w punktach sieci tak blisko jego granicy"),
    _number("max_snap_m", 250.0, 1, 2000, "m",
            "Buildings farther than this from any walk edge get no distances",
            "Budynki dalej od sieci pieszej nie mają odległości"),
    _number("walk_speed_kmh", 4.8, 1, 10, "km/h",
            "Walking speed for minutes",
            "Prędkość marszu (minuty dojścia)"),
    _number("green_total_ha", 3.0, 0, 10000, "ha",
            "Art. 13f: public green needed in total",
            "Art. 13f: wymagana łączna zieleń"),
    _number("green_total_distance_m", 1500.0, 0, 5000, "m",
            "Art. 13f: walk within which green is summed",
            "Art. 13f: zasięg dojścia sumowanej zieleni"),
    _number("large_park_ha", 20.0, 0, 100000, "ha",
            "Art. 13f: size of the large green area",
            "Art. 13f: powierzchnia dużego terenu zieleni"),
    _number("large_park_distance_m", 3000.0, 0, 5000, "m",
            "Art. 13f: walk to the large green area",
            "Art. 13f: odległość do dużego terenu zieleni"),
    _number("school_distance_m", 1500.0, 0, 5000, "m",
            "Art. 13f: walk to a school",
            "Art. 13f: odległość do szkoły"),
    _number("district_cell_m", 500.0, 50, 10000, "m",
            "Grid district size (district = grid)",
            "Bok oczka siatki rejonów (district = grid)"),
)
PARAMETERS = ParamTable(
    "green-access",
    (
        Param("district", "grid", "Summary districts: grid cells or the zoning zones",
              "Rejony podsumowań: oczka siatki lub strefy planistyczne", choices=DISTRICTS,
              title_en="Districts", title_pl="Rejony",
              cli_help="Summary districts: grid cells (--district-cell-m) or the zoning zones.",
              ogc_en="grid (square cells) or zone (zoning zones) for the shares",
              ogc_pl="grid (siatka) lub zone (strefy planistyczne)"),
        *NUMBERS,
    ),
    cli_help="{help_en} ({unit}).",
    ogc_en="{help_en}, {unit} (default {default:g})",
    ogc_pl="{help_pl}, {unit} (domyślnie {default:g})",
)
NUMBER_NAMES = tuple(p.name for p in NUMBERS)


@dataclass(frozen=True)
class GreenAccessParams:
    """Parameters of a run; `epoch` None = the latest building snapshot, `bbox` None = everything."""

    epoch: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    tree_radius_m: float = PARAMETERS["tree_radius_m"].default
    min_trees: int = PARAMETERS["min_trees"].default
    dedup_distance_m: float = PARAMETERS["dedup_distance_m"].default
    canopy_radius_m: float = PARAMETERS["canopy_radius_m"].default
    canopy_min_height_m: float = PARAMETERS["canopy_min_height_m"].default
    min_canopy_pct: float = PARAMETERS["min_canopy_pct"].default
    park_min_area_ha: float = PARAMETERS["park_min_area_ha"].default
    park_max_distance_m: float = PARAMETERS["park_max_distance_m"].default
    entrance_tolerance_m: float = PARAMETERS["entrance_tolerance_m"].default
    max_snap_m: float = PARAMETERS["max_snap_m"].default
    walk_speed_kmh: float = PARAMETERS["walk_speed_kmh"].default
    green_total_ha: float = PARAMETERS["green_total_ha"].default
    green_total_distance_m: float = PARAMETERS["green_total_distance_m"].default
    large_park_ha: float = PARAMETERS["large_park_ha"].default
    large_park_distance_m: float = PARAMETERS["large_park_distance_m"].default
    school_distance_m: float = PARAMETERS["school_distance_m"].default
    district: str = PARAMETERS["district"].default
    district_cell_m: float = PARAMETERS["district_cell_m"].default

    def __post_init__(self) -> None:
        PARAMETERS.check({name: getattr(self, name) for name in NUMBER_NAMES}, names=list(NUMBER_NAMES))
        for p in NUMBERS:
            # 300 and 300.0 are the same parameter: the recorded run (and its fingerprint) must agree
            object.__setattr__(self, p.name, p.coerce(getattr(self, p.name)))
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
    """Default value of every field of GreenAccessParams (epoch and bbox: None)."""
    return {f.name: f.default for f in fields(GreenAccessParams)}
