"""Parameters of the heat-island analysis: one table of names, defaults, ranges, units and meaning.

The OGC process inputs, the CLI options and the docs table are built from `PARAMETERS` (a
`processing.parameters.ParamTable`), so a default, range and meaning is stated once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from msip.core.errors import ValidationError
from processing.parameters import Param, ParamTable

MODES = ("day", "night")
#: Reference temperatures when none is given: Kielce's July mean daily maximum / minimum (≈, °C).
DEFAULT_T_REF_C = {"day": 24.0, "night": 14.0}
STATS_CELL_SIZES_M = (100, 250, 500, 1000)

def _model(name: str, default: float, minimum: float, maximum: float, unit: str, help_en: str,
           help_pl: str) -> Param:
    return Param(name, default, help_en, help_pl, unit=unit, minimum=minimum, maximum=maximum)


#: The model parameters, each a --option and an OGC input of the same name.
MODEL = (
    _model("cell_size_m", 5.0, 1.0, 30.0, "m", "grid cell size of the model", "rozmiar oczka siatki modelu"),
    _model("uhi_max_c", 3.0, 0.0, 15.0, "°C", "UHI_max: urban–rural temperature difference where HM = 0",
           "UHI_max: różnica temperatury miasto–okolica przy HM = 0"),
    _model("green_area_cooling_distance_m", 450.0, 10.0, 2000.0, "m",
           "d_cool: decay distance of the cooling of green areas (InVEST default 450)",
           "d_cool: zasięg chłodzenia terenów zieleni"),
    _model("t_air_average_radius_m", 500.0, 10.0, 3000.0, "m",
           "air-mixing radius r_mix of the exp(−d/r_mix) average of T_air (InVEST default 500)",
           "promień mieszania powietrza r_mix"),
    _model("weight_shade", 0.6, 0.0, 1.0, "", "weight of shade in CC (weights are divided by their sum)",
           "waga zacienienia w CC"),
    _model("weight_albedo", 0.2, 0.0, 1.0, "", "weight of albedo in CC", "waga albedo w CC"),
    _model("weight_eti", 0.2, 0.0, 1.0, "", "weight of the evapotranspiration index in CC", "waga ETI w CC"),
    _model("green_area_min_m2", 20000.0, 0.0, 1e7, "m²",
           ("smallest green space (green_space_current.area_m2) that is a cooling green area; "
            "0 = every green space, InVEST's land-cover rule"),
           "najmniejszy teren zieleni chłodzący otoczenie"),
    _model("canopy_min_height_m", 2.0, 0.5, 10.0, "m", "CHM height from which a pixel shades the ground",
           "wysokość CHM, od której piksel daje cień"),
    _model("albedo_dark", 0.05, 0.0, 1.0, "", "albedo of the darkest orthophoto pixel (brightness 1)",
           "albedo najciemniejszego piksela"),
    _model("albedo_bright", 0.65, 0.0, 1.0, "", "albedo of the brightest orthophoto pixel (brightness 255)",
           "albedo najjaśniejszego piksela"),
    _model("ndvi_bare", 0.1, -1.0, 1.0, "", "NDVI at and below which Kc = kc_min (sealed or bare surface)",
           "NDVI, poniżej którego Kc = kc_min"),
    _model("ndvi_full", 0.8, -1.0, 1.0, "", "NDVI at and above which Kc = kc_max (full vegetation)",
           "NDVI, powyżej którego Kc = kc_max"),
    _model("kc_min", 0.1, 0.0, 1.5, "", "crop coefficient Kc of sealed surfaces", "Kc powierzchni uszczelnionych"),
    _model("kc_max", 1.0, 0.0, 1.5, "", "crop coefficient Kc of full vegetation", "Kc pełnej roślinności"),
    _model("storey_height_m", 3.0, 2.0, 6.0, "m", "storey height turning building height into storeys",
           "wysokość kondygnacji"),
    _model("far_max", 6.0, 0.5, 50.0, "", "floor-area ratio at which building intensity reaches 1",
           "wskaźnik intensywności zabudowy, przy którym intensywność = 1"),
    _model("hotspot_percentile", 90.0, 50.0, 99.9, "%",
           "cells whose T_air is at or above this percentile are hot spots",
           "percentyl T_air wyznaczający gorące punkty"),
)
_DAY, _NIGHT = DEFAULT_T_REF_C["day"], DEFAULT_T_REF_C["night"]
PARAMETERS = ParamTable("heat-island", (
    Param("mode", "day", "day: CC from shade, albedo and ETI; night: CC = 1 − building intensity",
          "dzień: CC z cienia, albedo i ETI; noc: CC = 1 − intensywność zabudowy", choices=MODES,
          title_en="Day or night", title_pl="Dzień lub noc",
          cli_help="day: CC from shade, albedo and evapotranspiration; night: CC = 1 − building intensity."),
    Param("t_ref_c", None, "Reference air temperature T_ref", "Temperatura odniesienia T_ref", unit="°C",
          minimum=-40, maximum=60, flag="t-ref",
          cli_help=f"{{help_en}}{{unit_comma}} [default: {_DAY:g} by day, {_NIGHT:g} at night].",
          ogc_en=f"{{help_en}}{{unit_comma}} (default {_DAY:g} by day, {_NIGHT:g} at night)"),
    Param("stats_cell_m", 100, "Side of the statistics grid cells", "Bok oczka siatki statystycznej", unit="m",
          choices=STATS_CELL_SIZES_M, flag="stats-cell"),
    *MODEL,
))
MODEL_NAMES = tuple(p.name for p in MODEL)


@dataclass(frozen=True)
class HeatParams:
    """All parameters of one run (see PARAMETERS for units and meaning)."""

    mode: str = PARAMETERS["mode"].default
    t_ref_c: float | None = PARAMETERS["t_ref_c"].default
    stats_cell_m: int = PARAMETERS["stats_cell_m"].default
    cell_size_m: float = PARAMETERS["cell_size_m"].default
    uhi_max_c: float = PARAMETERS["uhi_max_c"].default
    green_area_cooling_distance_m: float = PARAMETERS["green_area_cooling_distance_m"].default
    t_air_average_radius_m: float = PARAMETERS["t_air_average_radius_m"].default
    weight_shade: float = PARAMETERS["weight_shade"].default
    weight_albedo: float = PARAMETERS["weight_albedo"].default
    weight_eti: float = PARAMETERS["weight_eti"].default
    green_area_min_m2: float = PARAMETERS["green_area_min_m2"].default
    canopy_min_height_m: float = PARAMETERS["canopy_min_height_m"].default
    albedo_dark: float = PARAMETERS["albedo_dark"].default
    albedo_bright: float = PARAMETERS["albedo_bright"].default
    ndvi_bare: float = PARAMETERS["ndvi_bare"].default
    ndvi_full: float = PARAMETERS["ndvi_full"].default
    kc_min: float = PARAMETERS["kc_min"].default
    kc_max: float = PARAMETERS["kc_max"].default
    storey_height_m: float = PARAMETERS["storey_height_m"].default
    far_max: float = PARAMETERS["far_max"].default
    hotspot_percentile: float = PARAMETERS["hotspot_percentile"].default

    @property
    def t_ref(self) -> float:
        """T_ref in °C: the given one, else the mode's default."""
        return DEFAULT_T_REF_C[self.mode] if self.t_ref_c is None else float(self.t_ref_c)

    @property
    def weights(self) -> tuple[float, float, float]:
        return (self.weight_shade, self.weight_albedo, self.weight_eti)

    def as_dict(self) -> dict:
        """Every parameter with T_ref resolved: what the run records in load_run.params."""
        return {**asdict(self), "t_ref_c": self.t_ref}

    def validated(self) -> HeatParams:
        """Self, or ValidationError naming the parameter, its value and the allowed range."""
        if self.mode not in MODES:
            raise ValidationError(f"mode={self.mode!r} is not one of {list(MODES)}")
        if self.stats_cell_m not in STATS_CELL_SIZES_M:
            raise ValidationError(
                f"stats_cell_m={self.stats_cell_m} is not one of {list(STATS_CELL_SIZES_M)} (metres)")
        for f in fields(self):
            if f.name in MODEL_NAMES:
                value = getattr(self, f.name)
                p = PARAMETERS[f.name]
                if not p.minimum <= value <= p.maximum:
                    raise ValidationError(
                        f"{f.name}={value:g} is outside {p.minimum:g}–{p.maximum:g} {p.unit}".rstrip())
        if self.t_ref_c is not None and not -40 <= self.t_ref_c <= 60:
            raise ValidationError(f"t_ref_c={self.t_ref_c:g} is outside -40–60 °C")
        if sum(self.weights) <= 0:
            raise ValidationError("weight_shade + weight_albedo + weight_eti must be above 0")
        checks = [("albedo_dark", "albedo_bright"), ("ndvi_bare", "ndvi_full"), ("kc_min", "kc_max")]
        for low, high in checks:
            if getattr(self, low) >= getattr(self, high):
                raise ValidationError(
                    f"{low}={getattr(self, low):g} must be below {high}={getattr(self, high):g}")
        for name in ("green_area_cooling_distance_m", "t_air_average_radius_m"):
            if round(getattr(self, name) / self.cell_size_m) < 1:
                raise ValidationError(
                    f"{name}={getattr(self, name):g} m is below one cell ({self.cell_size_m:g} m)")
        return self
