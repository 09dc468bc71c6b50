"""Parameters of the heat-island analysis: one table of names, defaults, ranges, units and meaning.

The OGC process schema, the CLI options and the README are built from `PARAMETERS`, so a
default is stated once. Each entry: (default, minimum, maximum, unit, English help, Polish help).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from msip.core.errors import ValidationError

MODES = ("day", "night")
#: Reference temperatures when none is given: Kielce's July mean daily maximum / minimum (≈, °C).
DEFAULT_T_REF_C = {"day": 24.0, "night": 14.0}
STATS_CELL_SIZES_M = (100, 250, 500, 1000)

#: name → (default, minimum, maximum, unit, help en, help pl)
PARAMETERS: dict[str, tuple[float, float, float, str, str, str]] = {
    "cell_size_m": (5.0, 1.0, 30.0, "m", "grid cell size of the model",
                    "rozmiar oczka siatki modelu"),
    "uhi_max_c": (3.0, 0.0, 15.0, "°C", "UHI_max: urban–rural temperature difference where HM = 0",
                  "UHI_max: różnica temperatury miasto–okolica przy HM = 0"),
    "green_area_cooling_distance_m": (450.0, 10.0, 2000.0, "m",
                                      "d_cool: decay distance of the cooling of green areas (InVEST default 450)",
                                      "d_cool: zasięg chłodzenia terenów zieleni"),
    "t_air_average_radius_m": (500.0, 10.0, 3000.0, "m",
                               "air-mixing radius r_mix of the exp(−d/r_mix) average of T_air (InVEST default 500)",
                               "promień mieszania powietrza r_mix"),
    "weight_shade": (0.6, 0.0, 1.0, "", "weight of shade in CC (weights are divided by their sum)",
                     "waga zacienienia w CC"),
    "weight_albedo": (0.2, 0.0, 1.0, "", "weight of albedo in CC", "waga albedo w CC"),
    "weight_eti": (0.2, 0.0, 1.0, "", "weight of the evapotranspiration index in CC", "waga ETI w CC"),
    "green_area_min_m2": (20000.0, 0.0, 1e7, "m²",
                          ("smallest green space (green_space_current.area_m2) that is a cooling green area; "
                           "0 = every green space, InVEST's land-cover rule"),
                          "najmniejszy teren zieleni chłodzący otoczenie"),
    "canopy_min_height_m": (2.0, 0.5, 10.0, "m", "CHM height from which a pixel shades the ground",
                            "wysokość CHM, od której piksel daje cień"),
    "albedo_dark": (0.05, 0.0, 1.0, "", "albedo of the darkest orthophoto pixel (brightness 1)",
                    "albedo najciemniejszego piksela"),
    "albedo_bright": (0.65, 0.0, 1.0, "", "albedo of the brightest orthophoto pixel (brightness 255)",
                      "albedo najjaśniejszego piksela"),
    "ndvi_bare": (0.1, -1.0, 1.0, "", "NDVI at and below which Kc = kc_min (sealed or bare surface)",
                  "NDVI, poniżej którego Kc = kc_min"),
    "ndvi_full": (0.8, -1.0, 1.0, "", "NDVI at and above which Kc = kc_max (full vegetation)",
                  "NDVI, powyżej którego Kc = kc_max"),
    "kc_min": (0.1, 0.0, 1.5, "", "crop coefficient Kc of sealed surfaces", "Kc powierzchni uszczelnionych"),
    "kc_max": (1.0, 0.0, 1.5, "", "crop coefficient Kc of full vegetation", "Kc pełnej roślinności"),
    "storey_height_m": (3.0, 2.0, 6.0, "m", "storey height turning building height into storeys",
                        "wysokość kondygnacji"),
    "far_max": (6.0, 0.5, 50.0, "", "floor-area ratio at which building intensity reaches 1",
                "wskaźnik intensywności zabudowy, przy którym intensywność = 1"),
    "hotspot_percentile": (90.0, 50.0, 99.9, "%", "cells whose T_air is at or above this percentile are hot spots",
                           "percentyl T_air wyznaczający gorące punkty"),
}


@dataclass(frozen=True)
class HeatParams:
    """All parameters of one run (see PARAMETERS for units and meaning)."""

    mode: str = "day"
    t_ref_c: float | None = None
    stats_cell_m: int = 100
    cell_size_m: float = PARAMETERS["cell_size_m"][0]
    uhi_max_c: float = PARAMETERS["uhi_max_c"][0]
    green_area_cooling_distance_m: float = PARAMETERS["green_area_cooling_distance_m"][0]
    t_air_average_radius_m: float = PARAMETERS["t_air_average_radius_m"][0]
    weight_shade: float = PARAMETERS["weight_shade"][0]
    weight_albedo: float = PARAMETERS["weight_albedo"][0]
    weight_eti: float = PARAMETERS["weight_eti"][0]
    green_area_min_m2: float = PARAMETERS["green_area_min_m2"][0]
    canopy_min_height_m: float = PARAMETERS["canopy_min_height_m"][0]
    albedo_dark: float = PARAMETERS["albedo_dark"][0]
    albedo_bright: float = PARAMETERS["albedo_bright"][0]
    ndvi_bare: float = PARAMETERS["ndvi_bare"][0]
    ndvi_full: float = PARAMETERS["ndvi_full"][0]
    kc_min: float = PARAMETERS["kc_min"][0]
    kc_max: float = PARAMETERS["kc_max"][0]
    storey_height_m: float = PARAMETERS["storey_height_m"][0]
    far_max: float = PARAMETERS["far_max"][0]
    hotspot_percentile: float = PARAMETERS["hotspot_percentile"][0]

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
            if f.name in PARAMETERS:
                value = getattr(self, f.name)
                _, lo, hi, unit, _, _ = PARAMETERS[f.name]
                if not lo <= value <= hi:
                    raise ValidationError(
                        f"{f.name}={value:g} is outside {lo:g}–{hi:g} {unit}".rstrip())
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
