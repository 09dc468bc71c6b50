"""Parameters of the living-conditions grid: cell size and grid, thresholds, with ranges and meanings.

Light on purpose (no numpy, no database): the CLI and the OGC process build their options
and input schemas from `LIMITS`, `CHOICES` and the defaults of `LivingParams`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date

from msip.core.errors import ValidationError


@dataclass(frozen=True)
class Limit:
    """Allowed range, unit and meaning of a numeric parameter."""

    minimum: float
    maximum: float
    unit: str
    en: str
    pl: str


LIMITS: dict[str, Limit] = {
    "pixel_m": Limit(
        0.25,
        5,
        "m",
        "Analysis pixel: rasters are read onto this EPSG:2180 grid (nearest for the CHM "
        "and T_air, average for NDVI) and footprints/zones rasterised by pixel centre",
        "Piksel analizy: siatka EPSG:2180, na którą czytane są rastry",
    ),
    "canopy_min_height_m": Limit(
        0, 50, "m", "CHM at least this high is tree canopy", "CHM od tej wysokości to korony"
    ),
    "ndvi_min": Limit(
        -1,
        1,
        "NDVI",
        "NDVI at least this is vegetation (biologically active when not under a building)",
        "NDVI od tej wartości to roślinność",
    ),
    "dedup_distance_m": Limit(
        0,
        20,
        "m",
        "A LiDAR tree this close to an inventory tree is the same tree",
        "Drzewo z LiDAR tak blisko drzewa z inwentaryzacji to to samo drzewo",
    ),
    "tile_m": Limit(100, 5000, "m", "Side of a processing tile", "Bok kafla obliczeń"),
}
#: Choice parameters: name → (allowed values, meaning).
CHOICES: dict[str, tuple[tuple, str]] = {
    "cell_m": ((100, 250, 1000), "Grid cell size, m"),
    "grid_epsg": (
        (2180, 3035),
        (
            "Grid CRS: 2180 (cells aligned to PUWG-1992 multiples of the size) or 3035 "
            "(the EU statistical grid, ETRS89-LAEA, INSPIRE cell codes)"
        ),
    ),
    "heat_mode": (("day", "night"), "Which heat-island run's T_air to average"),
}


@dataclass(frozen=True)
class LivingParams:
    """Parameters of a run; `epoch` None = the latest building snapshot, `bbox` None = all buildings' extent."""

    epoch: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    cell_m: int = 100
    grid_epsg: int = 2180
    heat_mode: str = "day"
    pixel_m: float = 0.5
    canopy_min_height_m: float = 2.0
    ndvi_min: float = 0.3
    dedup_distance_m: float = 3.0
    tile_m: float = 1000.0

    def __post_init__(self) -> None:
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
            object.__setattr__(self, name, float(value))
        for name, (allowed, meaning) in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValidationError(
                    f"{name}={getattr(self, name)!r} is not one of {list(allowed)} ({meaning})"
                )
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
