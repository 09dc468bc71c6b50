"""Parameters of the terrain-change analysis (grid, level of detection, uncertainty model), declared once.

`PARAMETERS` drives the CLI options (`msip run terrain-change`), the OGC process inputs and the
docs table (docs/parameters.md); `TerrainParams` holds the values of one run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from msip.core.errors import ConfigError
from processing.parameters import Param, ParamTable

PARAMETERS = ParamTable(
    "terrain-change",
    (
        Param("cell_m", 1.0, "Cell of the DEM of difference (a multiple of the DTM pixel)",
              "Oczko różnicowego modelu terenu (wielokrotność piksela NMT)", unit="m", minimum=0.5, maximum=10,
              title_en="Cell size", title_pl="Rozmiar oczka", flag="cell"),
        Param("lod_z", 1.96, "Standard-normal quantile of the level of detection (1.96 = 95 %)",
              "Kwantyl rozkładu normalnego progu wykrywalności (1,96 = 95 %)", minimum=1.0, maximum=4.0,
              title_en="LoD quantile", title_pl="Kwantyl progu wykrywalności", flag="lod-z"),
        Param("sigma_floor_m", 0.01, "Smallest elevation uncertainty of a cell (systematic part)",
              "Najmniejsza niepewność wysokości oczka (część systematyczna)", unit="m", minimum=0, maximum=1,
              title_en="Uncertainty floor", title_pl="Minimalna niepewność", flag="sigma-floor"),
        Param("gap_sigma_m_per_m", 0.05, "Growth of the uncertainty of interpolated cells per metre from the "
              "nearest cell with ground points", "Przyrost niepewności oczek interpolowanych na metr odległości "
              "od najbliższego oczka z punktami gruntu", unit="m/m", minimum=0, maximum=1,
              title_en="Gap uncertainty", title_pl="Niepewność luk", flag="gap-sigma"),
        Param("roughness_px", 2, "Half-width of the window over which the ground points' scatter is pooled",
              "Połowa boku okna, w którym łączy się rozrzut punktów gruntu", unit="cells", minimum=1, maximum=10,
              integer=True, title_en="Roughness window", title_pl="Okno szorstkości", flag="roughness-window"),
        Param("min_region_m2", 4.0, "Smallest connected area of change above the LoD that is kept "
              "(spatial coherence)", "Najmniejsza spójna powierzchnia zmiany powyżej progu",
              unit="m²", minimum=0, maximum=10000, title_en="Smallest change area",
              title_pl="Najmniejsza powierzchnia zmiany", flag="min-region"),
        Param("tile_m", 500.0, "Side of a processing tile", "Bok kafla obliczeń", unit="m", minimum=50,
              maximum=5000, flag="tile", ogc=False),
    ),
    ogc_en="{help_en}{unit_comma}",
)


def _default(name: str) -> float:
    p = PARAMETERS[name]
    return p.coerce(p.default)


@dataclass(frozen=True)
class TerrainParams:
    """One run's parameters; recorded in load_run.params. See docs/terrain-change.md for the model."""

    cell_m: float = _default("cell_m")
    lod_z: float = _default("lod_z")
    sigma_floor_m: float = _default("sigma_floor_m")
    gap_sigma_m_per_m: float = _default("gap_sigma_m_per_m")
    roughness_px: int = int(_default("roughness_px"))
    min_region_m2: float = _default("min_region_m2")
    tile_m: float = _default("tile_m")

    def __post_init__(self) -> None:
        PARAMETERS.check(self.as_dict())
        if self.tile_m < 10 * self.cell_m:
            raise ConfigError(f"tile_m={self.tile_m} must be at least 10 cells of {self.cell_m:g} m")

    def check_grid(self, dtm_res_m: float) -> None:
        """ConfigError unless cells and tiles are whole multiples of the DTM pixel."""
        for name in ("cell_m", "tile_m"):
            ratio = getattr(self, name) / dtm_res_m
            if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 1:
                raise ConfigError(
                    f"{name}={getattr(self, name):g} is not a multiple of the {dtm_res_m:g} m DTM pixel; "
                    f"use e.g. {max(1, round(ratio)) * dtm_res_m:g}"
                )

    def as_dict(self) -> dict:
        return asdict(self)
