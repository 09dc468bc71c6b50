"""Parameters of the change analysis (thresholds, filters, tiles), with units, defaults and checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from msip.core.errors import ConfigError


@dataclass(frozen=True)
class ChangeParams:
    """Everything `processing.change.analysis` can be tuned by; recorded with every run (load_run.params).

    Buildings: a pixel changed when the built surface (nDSM outside canopy) differs by at least
    `building_min_dz_m` (m); a region counts from `building_min_area_m2` (m²). Canopy: CHM ≥
    `canopy_min_height_m` (m) is canopy; lost/gained regions count from `canopy_min_area_m2`.
    Felled tree: in a disk of radius max(`felled_probe_min_m`, `felled_probe_fraction` × crown
    radius) around the trunk, canopy covered ≥ `felled_min_share_from` of the pixels in the
    earlier epoch and ≤ `felled_max_share_to` in the later one. NDVI decline: the mean NDVI of
    the inner crown (radius max(`ndvi_crown_min_m`, `ndvi_crown_fraction` × crown radius)) fell
    by ≥ `ndvi_decline_min` (NDVI units) from an earlier value ≥ `ndvi_vegetation_min`, over at
    least `ndvi_min_pixels` pixels in each epoch. Terrain: the DTM difference, median-filtered
    over (2·`terrain_smooth_px`+1)² pixels, reaches `terrain_min_dz_m` (m) over
    `terrain_min_area_m2` (m²). Masks are opened with a (2·`opening_px`+1)² square (drops slivers
    from edge misregistration). Tiles: `tile_m` (m) cores read with `overlap_m` (m) of context.
    `default_crown_diameter_m` stands in for inventory trees without a crown diameter.
    """

    building_min_dz_m: float = 2.5
    building_min_area_m2: float = 20.0
    canopy_min_height_m: float = 2.0
    canopy_min_area_m2: float = 10.0
    felled_probe_min_m: float = 1.0
    felled_probe_fraction: float = 0.5
    felled_min_share_from: float = 0.5
    felled_max_share_to: float = 0.2
    ndvi_decline_min: float = 0.10
    ndvi_vegetation_min: float = 0.3
    ndvi_crown_min_m: float = 0.75
    ndvi_crown_fraction: float = 0.6
    ndvi_min_pixels: int = 8
    terrain_min_dz_m: float = 0.5
    terrain_min_area_m2: float = 25.0
    terrain_smooth_px: int = 1
    opening_px: int = 1
    tile_m: float = 500.0
    overlap_m: float = 20.0
    default_crown_diameter_m: float = 4.0

    def __post_init__(self) -> None:
        positive = (
            "building_min_dz_m",
            "building_min_area_m2",
            "canopy_min_height_m",
            "canopy_min_area_m2",
            "felled_probe_min_m",
            "felled_probe_fraction",
            "ndvi_decline_min",
            "ndvi_crown_min_m",
            "ndvi_crown_fraction",
            "terrain_min_dz_m",
            "terrain_min_area_m2",
            "tile_m",
            "overlap_m",
            "default_crown_diameter_m",
        )
        for name in positive:
            if not getattr(self, name) > 0:
                raise ConfigError(
                    f"change parameter {name}={getattr(self, name)} must be > 0 "
                    f"(default {getattr(ChangeParams, name)})"
                )
        for name in ("felled_min_share_from", "felled_max_share_to"):
            if not 0 <= getattr(self, name) <= 1:
                raise ConfigError(
                    f"change parameter {name}={getattr(self, name)} is a share: use 0–1 "
                    f"(default {getattr(ChangeParams, name)})"
                )
        if self.felled_max_share_to >= self.felled_min_share_from:
            raise ConfigError(
                f"felled_max_share_to={self.felled_max_share_to} must be below "
                f"felled_min_share_from={self.felled_min_share_from} (defaults 0.2 and 0.5)"
            )
        for name in ("terrain_smooth_px", "opening_px", "ndvi_min_pixels"):
            if getattr(self, name) < 0:
                raise ConfigError(f"change parameter {name}={getattr(self, name)} must be ≥ 0")
        if not -1 <= self.ndvi_vegetation_min <= 1:
            raise ConfigError(
                f"ndvi_vegetation_min={self.ndvi_vegetation_min} is outside the NDVI range −1…1"
            )

    def check_grid(self, res_m: float) -> None:
        """Refuse tiles that are not whole pixels or an overlap too thin for the filters (ConfigError)."""
        ratio = self.tile_m / res_m
        if abs(ratio - round(ratio)) > 1e-6:
            raise ConfigError(
                f"tile_m={self.tile_m} is not a multiple of the {res_m:g} m pixel; "
                f"use e.g. {round(ratio) * res_m:g}"
            )
        ratio = self.overlap_m / res_m
        if abs(ratio - round(ratio)) > 1e-6:
            raise ConfigError(
                f"overlap_m={self.overlap_m} is not a multiple of the {res_m:g} m pixel"
            )
        need = (2 * self.opening_px + self.terrain_smooth_px + 1) * res_m
        if self.overlap_m < need:
            raise ConfigError(
                f"overlap_m={self.overlap_m} is thinner than the filters need ({need:g} m at "
                f"{res_m:g} m pixels); use at least that (default 20 m)"
            )

    def min_area_m2(self, region_class: str) -> float:
        """Smallest area (m²) of a reported region of a class (built_*, canopy_*, terrain_*)."""
        family = region_class.split("_")[0]
        return {
            "built": self.building_min_area_m2,
            "canopy": self.canopy_min_area_m2,
            "terrain": self.terrain_min_area_m2,
        }[family]

    def as_dict(self) -> dict:
        """Plain dict for provenance (load_run.params) and the process description."""
        return asdict(self)
