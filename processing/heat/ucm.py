"""The InVEST Urban Cooling Model on numpy arrays: CC, park cooling, HM and air temperature.

A faithful re-implementation of natcap.invest's `urban_cooling_model.py` (3.20) and of the
pygeoprocessing operations it relies on, so that MSIP's numbers can be checked against InVEST:

- ETI = Kc · ET0 / ET_max (ET_max = the largest ET0 of the area, rounded to 9 decimals);
- CC = w_shade · shade + w_albedo · albedo + w_ETI · ETI with the weights divided by their sum
  ("factors", daytime), or CC = 1 − building intensity ("intensity", night-time);
- CC_park = the CC of green-area cells convolved with the normalised kernel exp(−d / d_cool)
  (out to 5 · d_cool), divided by the same convolution of the valid-cell mask (pygeoprocessing's
  `ignore_nodata_and_edges`: edges and nodata do not pull values down);
- green-area sum = count of green cells within d_cool (flat disk), edge-normalised the same way;
- HM = CC where CC ≥ CC_park or the green area within d_cool is < 2 ha, else CC_park;
- T_air,nomix = T_ref + (1 − HM) · UHI_max, then T_air = its exp(−d / r_mix) average (r_mix the
  air-mixing radius, kernel to 5 · r_mix).

Distances become kernel radii in whole cells: round(distance_m / cell_m) with numpy's rounding,
as InVEST does. Arrays are float64 with NaN as nodata. Convolutions run as fixed-size FFT
windows (see `processing.heat.ucm_convolve`), so a tiled or distributed run gives the same bits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from processing.heat.ucm_convolve import convolve_ignore_nodata

#: InVEST's threshold of a cooling green area: 2 ha.
GREEN_AREA_THRESHOLD_M2 = 2e4
#: InVEST's default weights of shade, albedo and ETI in the cooling capacity.
DEFAULT_WEIGHTS = (0.6, 0.2, 0.2)


@dataclass(frozen=True)
class UcmParams:
    """Parameters of the model (InVEST's names in brackets).

    cell_size_m: grid cell size, m. t_ref_c: reference (rural) air temperature, °C [t_ref].
    uhi_max_c: magnitude of the urban heat island, °C [uhi_max]. green_area_cooling_distance_m:
    distance over which green areas ≥ 2 ha cool, m [green_area_cooling_distance].
    t_air_average_radius_m: air-mixing radius, m [t_air_average_radius]. weights: relative
    weights of shade, albedo and ETI [cc_weight_shade/albedo/eti]. method: 'factors' (day)
    or 'intensity' (night) [cc_method].
    """

    cell_size_m: float
    t_ref_c: float
    uhi_max_c: float
    green_area_cooling_distance_m: float = 450.0
    t_air_average_radius_m: float = 500.0
    weights: tuple[float, float, float] = DEFAULT_WEIGHTS
    method: str = "factors"


@dataclass
class UcmResult:
    """Every raster of a run (NaN = nodata); temperatures in °C, indices 0–1."""

    cc: np.ndarray
    cc_park: np.ndarray
    green_area_sum: np.ndarray
    hm: np.ndarray
    t_air_nomix: np.ndarray
    t_air: np.ndarray


def normalised_weights(weights: tuple[float, float, float]) -> tuple[float, float, float]:
    """Weights divided by their sum, as InVEST does (0.6, 0.2, 0.2 stay as they are)."""
    total = float(sum(weights))
    if not total > 0 or min(weights) < 0:
        raise ValueError(f"cooling-capacity weights {weights} must be ≥ 0 with a positive sum")
    shade, albedo, eti = (float(w) / total for w in weights)
    return shade, albedo, eti


def kernel_radius_px(distance_m: float, cell_size_m: float) -> int:
    """A distance in whole cells: int(numpy.round(distance_m / cell_size_m)) as in InVEST."""
    return int(np.round(distance_m / cell_size_m))


def et_max(et0: np.ndarray | float) -> float:
    """ET_max: the largest valid ET0, rounded to 9 decimals like InVEST's band statistics."""
    return float(np.round(np.nanmax(np.asarray(et0, dtype=np.float64)), decimals=9))


def eti(kc: np.ndarray, et0: np.ndarray | float, et_max_value: float | None = None) -> np.ndarray:
    """Evapotranspiration index ETI = Kc · ET0 / ET_max (dimensionless; NaN where Kc or ET0 is)."""
    et0_arr = np.broadcast_to(np.asarray(et0, dtype=np.float64), np.shape(kc))
    top = et_max(et0_arr) if et_max_value is None else et_max_value
    return np.asarray(kc, dtype=np.float64) * et0_arr / top


def cooling_capacity_factors(shade: np.ndarray, albedo: np.ndarray, eti_index: np.ndarray,
                             weights: tuple[float, float, float] = DEFAULT_WEIGHTS) -> np.ndarray:
    """Daytime CC = w_s · shade + w_a · albedo + w_e · ETI with normalised weights (NaN propagates)."""
    w_s, w_a, w_e = normalised_weights(weights)
    return w_s * np.asarray(shade, np.float64) + w_a * np.asarray(albedo, np.float64) \
        + w_e * np.asarray(eti_index, np.float64)


def cooling_capacity_intensity(building_intensity: np.ndarray) -> np.ndarray:
    """Night-time CC = 1 − building intensity (InVEST's 'intensity' method)."""
    return 1.0 - np.asarray(building_intensity, dtype=np.float64)


def disk_kernel(max_distance_px: float) -> np.ndarray:
    """pygeoprocessing's dichotomous kernel, not normalised: 1 where the centre distance ≤ max (px)."""
    apothem = int(np.floor(max_distance_px))
    yy, xx = np.mgrid[-apothem:apothem + 1, -apothem:apothem + 1]
    return (np.hypot(yy, xx) <= max_distance_px).astype(np.float32).astype(np.float64)


def exponential_kernel(expected_distance_px: float, max_distance_px: float | None = None) -> np.ndarray:
    """pygeoprocessing's normalised exponential decay kernel exp(−d / expected), to 5 × expected px.

    Values are float32 as pygeoprocessing writes them (then summed and divided in float32 blocks).
    """
    if expected_distance_px <= 0:
        raise ValueError(f"decay distance {expected_distance_px} px must be positive (at least one cell)")
    max_px = 5 * expected_distance_px if max_distance_px is None else max_distance_px
    apothem = int(np.floor(max_px))
    yy, xx = np.mgrid[-apothem:apothem + 1, -apothem:apothem + 1]
    dist = np.hypot(yy, xx)
    kernel = np.zeros(dist.shape, dtype=np.float32)
    inside = dist <= max_px
    kernel[inside] = np.exp(-dist[inside] / expected_distance_px)
    total = kernel.astype(np.float64).sum()
    return (kernel / np.float32(total)).astype(np.float32).astype(np.float64)


def heat_mitigation(cc: np.ndarray, cc_park: np.ndarray, green_area_sum: np.ndarray,
                    threshold_cells: float) -> np.ndarray:
    """HM = CC where CC ≥ CC_park or the green area nearby < threshold (cells), else CC_park."""
    keep_cc = (cc >= cc_park) | (green_area_sum < threshold_cells)
    hm = np.where(keep_cc, cc, cc_park)
    hm[np.isnan(cc) & np.isnan(cc_park)] = np.nan
    return hm


def air_temperature_nomix(hm: np.ndarray, t_ref_c: float, uhi_max_c: float) -> np.ndarray:
    """T_air,nomix = T_ref + (1 − HM) · UHI_max, °C."""
    return t_ref_c + (1.0 - hm) * uhi_max_c


Convolver = Callable[[np.ndarray, np.ndarray], np.ndarray]


def urban_cooling(cc: np.ndarray, green_area: np.ndarray, params: UcmParams, *,
                  convolve: Convolver = convolve_ignore_nodata) -> UcmResult:
    """From CC and the green-area mask (1/0, NaN = nodata) to CC_park, HM, T_air,nomix and T_air.

    `convolve(signal, kernel)` is the edge-normalised convolution; the default runs in this
    process, `processing.heat.analysis` passes one that runs the same windows on Dask.
    """
    cc = np.asarray(cc, dtype=np.float64)
    green = np.asarray(green_area, dtype=np.float64)
    cell = params.cell_size_m
    d_cool = kernel_radius_px(params.green_area_cooling_distance_m, cell)
    r_mix = kernel_radius_px(params.t_air_average_radius_m, cell)
    if d_cool < 1 or r_mix < 1:
        raise ValueError(
            f"cooling distance {params.green_area_cooling_distance_m} m and mixing radius "
            f"{params.t_air_average_radius_m} m must each be at least one cell ({cell} m)")
    invalid = np.isnan(cc) | np.isnan(green)
    cc_green = np.where(green.astype(bool), cc, 0.0)  # NaN green counts as green, then masked
    cc_green[invalid] = np.nan
    cc_park = convolve(cc_green, exponential_kernel(d_cool))
    green_sum = convolve(np.where(np.isnan(green), np.nan, green), disk_kernel(d_cool))
    hm = heat_mitigation(cc, cc_park, green_sum, GREEN_AREA_THRESHOLD_M2 / cell ** 2)
    t_nomix = air_temperature_nomix(hm, params.t_ref_c, params.uhi_max_c)
    t_air = convolve(t_nomix, exponential_kernel(r_mix))
    return UcmResult(cc=cc, cc_park=cc_park, green_area_sum=green_sum, hm=hm,
                     t_air_nomix=t_nomix, t_air=t_air)
