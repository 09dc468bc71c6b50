"""Parameters of the living-conditions grid: cell size and grid, thresholds, with ranges and meanings.

Light on purpose (no numpy, no database): the CLI options, the OGC process inputs and the docs
table are built from `PARAMETERS` (a `processing.parameters.ParamTable`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from msip.core.errors import ValidationError
from processing.parameters import Param, ParamTable


def _number(name: str, default: float, minimum: float, maximum: float, unit: str, help_en: str,
            help_pl: str) -> Param:
    return Param(name, default, help_en, help_pl, unit=unit, minimum=minimum, maximum=maximum)


#: Choice parameters: the grid and which heat-island run to read.
CHOICES = (
    Param("cell_m", 100, "Grid cell size", "Bok oczka siatki", unit="m", choices=(100, 250, 1000), flag="cell"),
    Param("grid_epsg", 2180,
          "Grid CRS: 2180 (cells aligned to PUWG-1992 multiples of the size) or 3035 "
          "(the EU statistical grid, ETRS89-LAEA, INSPIRE cell codes)",
          "Układ siatki: 2180 (oczka wyrównane do wielokrotności boku w PUWG-1992) lub 3035 "
          "(europejska siatka statystyczna ETRS89-LAEA, kody INSPIRE)",
          choices=(2180, 3035), flag="grid"),
    Param("heat_mode", "day", "Which heat-island run's T_air to average",
          "Której analizy wysp ciepła T_air uśredniać", choices=("day", "night")),
)
#: Numeric parameters with their allowed ranges.
NUMBERS = (
    _number("pixel_m", 0.5, 0.25, 5, "m",
            "Analysis pixel: rasters are read onto this EPSG:2180 grid (nearest for the CHM "
            "and T_air, average for NDVI) and footprints/zones rasterised by pixel centre",
            "Piksel analizy: siatka EPSG:2180, na którą czytane są rastry"),
    _number("canopy_min_height_m", 2.0, 0, 50, "m", "CHM at least this high is tree canopy",
            "CHM od tej wysokości to korony"),
    _number("ndvi_min", 0.3, -1, 1, "NDVI",
            "NDVI at least this is vegetation (biologically active when not under a building)",
            "NDVI od tej wartości to roślinność"),
    _number("dedup_distance_m", 3.0, 0, 20, "m",
            "A LiDAR tree this close to an inventory tree is the same tree",
            "Drzewo z LiDAR tak blisko drzewa z inwentaryzacji to to samo drzewo"),
    _number("tile_m", 1000.0, 100, 5000, "m", "Side of a processing tile", "Bok kafla obliczeń"),
)
PARAMETERS = ParamTable(
    "living-conditions",
    (*CHOICES, *NUMBERS),
    cli_help="{help_en} ({unit}).",
    ogc_en="{help_en}, {unit} (default {default:g})",
    ogc_pl="{help_pl}, {unit} (domyślnie {default:g})",
    # the Polish description of a choice has always repeated the English meaning
    choice_ogc_en="{help_en}{unit_comma} (default {default})",
    choice_ogc_pl="{help_en}{unit_comma} (domyślnie {default})",
)
CHOICE_NAMES = tuple(p.name for p in CHOICES)
NUMBER_NAMES = tuple(p.name for p in NUMBERS)


@dataclass(frozen=True)
class LivingParams:
    """Parameters of a run; `epoch` None = the latest building snapshot, `bbox` None = all buildings' extent."""

    epoch: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    cell_m: int = PARAMETERS["cell_m"].default
    grid_epsg: int = PARAMETERS["grid_epsg"].default
    heat_mode: str = PARAMETERS["heat_mode"].default
    pixel_m: float = PARAMETERS["pixel_m"].default
    canopy_min_height_m: float = PARAMETERS["canopy_min_height_m"].default
    ndvi_min: float = PARAMETERS["ndvi_min"].default
    dedup_distance_m: float = PARAMETERS["dedup_distance_m"].default
    tile_m: float = PARAMETERS["tile_m"].default

    def __post_init__(self) -> None:
        PARAMETERS.check({name: getattr(self, name) for name in NUMBER_NAMES}, names=list(NUMBER_NAMES))
        for name in NUMBER_NAMES:
            object.__setattr__(self, name, float(getattr(self, name)))
        PARAMETERS.check({name: getattr(self, name) for name in CHOICE_NAMES}, names=list(CHOICE_NAMES))
        if self.tile_m < self.cell_m or self.tile_m % self.pixel_m:
            raise ValidationError(
                f"tile_m={self.tile_m:g} must be at least cell_m={self.cell_m} and a multiple of "
                f"pixel_m={self.pixel_m:g}"
            )
        if self.bbox is not None:
            if len(self.bbox) != 4 or self.bbox[0] >= self.bbox[2] or self.bbox[1] >= self.bbox[3]:
                raise ValidationError(
                    f"bbox={self.bbox!r} must be minx,miny,maxx,maxy in EPSG:2180 metres with min < max"
                )
            object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))

    def record(self, epoch: date | None) -> dict:
        """The parameters as recorded with the run (epoch resolved, bbox as a list)."""
        d = asdict(self)
        d["epoch"] = epoch.isoformat() if epoch else None
        d["bbox"] = list(self.bbox) if self.bbox else None
        return d


def defaults() -> dict:
    """Default value of every parameter."""
    return {f.name: f.default for f in fields(LivingParams)}
