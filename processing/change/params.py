"""Parameters of the change analysis (thresholds, filters, tiles), with units, defaults and checks.

`PARAMETERS` declares each once; the CLI options, the OGC process inputs and the docs table are
built from it. OGC defaults keep the numbers as always published (20, not 20.0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from msip.core.errors import ConfigError
from processing.parameters import Param, ParamTable


def _exposed(name: str, default: float, minimum: float, maximum: float, unit: str, help_en: str, help_pl: str,
             title_en: str, title_pl: str, flag: str, *, input: str | None = None,
             cli_help: str | None = None) -> Param:
    return Param(name, default, help_en, help_pl, unit=unit, minimum=minimum, maximum=maximum, title_en=title_en,
                 title_pl=title_pl, flag=flag, input=input, cli_help=cli_help)


def _internal(name: str, default: float, unit: str, help_en: str, help_pl: str) -> Param:
    return Param(name, default, help_en, help_pl, unit=unit, cli=False, ogc=False)


#: Every parameter of ChangeParams; the thresholds a user tunes are CLI options and OGC inputs (ranges there).
PARAMETERS = ParamTable(
    "change",
    (
        _exposed("building_min_dz_m", 2.5, 0.5, 50, "m", "Smallest change of the built surface that counts",
                 "Najmniejsza zmiana wysokości zabudowy", "Building height change", "Zmiana wysokości budynku",
                 "building-dz", input="building_min_height_change_m",
                 cli_help="Smallest built-surface height change that counts, m."),
        _exposed("building_min_area_m2", 20, 1, 10000, "m²", "Smallest changed built area reported",
                 "Najmniejsza zgłaszana powierzchnia zmiany", "Building change area", "Powierzchnia zmiany budynku",
                 "building-area", cli_help="Smallest changed building area reported, m²."),
        _exposed("canopy_min_height_m", 2, 0.5, 10, "m", "CHM height from which a pixel is canopy",
                 "Wysokość CHM, od której piksel jest koroną", "Canopy height", "Wysokość korony", "canopy-height"),
        _exposed("canopy_min_area_m2", 10, 1, 10000, "m²", "Smallest canopy lost/gained area reported",
                 "Najmniejsza zgłaszana powierzchnia ubytku/przyrostu koron", "Canopy change area",
                 "Powierzchnia zmiany koron", "canopy-area"),
        _internal("felled_probe_min_m", 1.0, "m", "Smallest radius of a felled-tree probe disk",
                  "Najmniejszy promień koła próbnego drzewa wyciętego"),
        _internal("felled_probe_fraction", 0.5, "", "Probe disk radius as a share of the crown radius",
                  "Promień koła próbnego jako część promienia korony"),
        _internal("felled_min_share_from", 0.5, "", "Canopy share of the probe disk in the earlier epoch, at least",
                  "Udział korony w kole próbnym w epoce wcześniejszej, co najmniej"),
        _internal("felled_max_share_to", 0.2, "", "Canopy share of the probe disk in the later epoch, at most",
                  "Udział korony w kole próbnym w epoce późniejszej, co najwyżej"),
        _exposed("ndvi_decline_min", 0.10, 0.01, 1, "", "Smallest fall of the crown's mean NDVI reported (NDVI units)",
                 "Najmniejszy zgłaszany spadek średniego NDVI korony", "NDVI decline", "Spadek NDVI", "ndvi-decline",
                 cli_help="Smallest fall of a crown's mean NDVI reported."),
        _internal("ndvi_vegetation_min", 0.3, "", "Earlier mean NDVI of a crown from which a decline counts",
                  "Wcześniejsze średnie NDVI korony, od którego liczy się spadek"),
        _internal("ndvi_crown_min_m", 0.75, "m", "Smallest radius of the inner crown",
                  "Najmniejszy promień wnętrza korony"),
        _internal("ndvi_crown_fraction", 0.6, "", "Inner crown radius as a share of the crown radius",
                  "Promień wnętrza korony jako część promienia korony"),
        Param("ndvi_min_pixels", 8, "Pixels of the inner crown needed in each epoch",
              "Wymagana liczba pikseli wnętrza korony w każdej epoce", integer=True, cli=False, ogc=False),
        _exposed("terrain_min_dz_m", 0.5, 0.05, 10, "m", "Smallest DTM change that counts",
                 "Najmniejsza zmiana wysokości terenu", "Terrain change", "Zmiana terenu", "terrain-dz",
                 input="terrain_min_change_m", cli_help="Smallest terrain (DTM) change that counts, m."),
        _exposed("terrain_min_area_m2", 25, 1, 100000, "m²", "Smallest terrain change area reported",
                 "Najmniejsza zgłaszana powierzchnia zmiany terenu", "Terrain change area",
                 "Powierzchnia zmiany terenu", "terrain-area"),
        Param("terrain_smooth_px", 1, "Half-width of the median filter of the DTM difference",
              "Połowa boku filtra medianowego różnicy NMT", unit="px", integer=True, cli=False, ogc=False),
        Param("opening_px", 1, "Half-width of the square opening the change masks",
              "Połowa boku kwadratu otwarcia masek zmian", unit="px", integer=True, cli=False, ogc=False),
        Param("tile_m", 500.0, "Side of a processing tile", "Bok kafla obliczeń", unit="m", minimum=50,
              maximum=5000, flag="tile", ogc=False,
              cli_help="Side of a processing tile, m (a multiple of the raster pixel)."),
        _internal("overlap_m", 20.0, "m", "Context read around each tile", "Zakładka czytana wokół kafla"),
        _internal("default_crown_diameter_m", 4.0, "m", "Crown diameter of inventory trees without one",
                  "Średnica korony drzew z inwentaryzacji bez podanej średnicy"),
    ),
    ogc_en="{help_en}{unit_comma}",
)


def _default(name: str) -> float:
    """The declared default as ChangeParams holds it (a float for every measure)."""
    p = PARAMETERS[name]
    return p.coerce(p.default)


def _count(name: str) -> int:
    """The declared default of an integer parameter (a number of pixels)."""
    p = PARAMETERS[name]
    return p.coerce(p.default)


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

    building_min_dz_m: float = _default("building_min_dz_m")
    building_min_area_m2: float = _default("building_min_area_m2")
    canopy_min_height_m: float = _default("canopy_min_height_m")
    canopy_min_area_m2: float = _default("canopy_min_area_m2")
    felled_probe_min_m: float = _default("felled_probe_min_m")
    felled_probe_fraction: float = _default("felled_probe_fraction")
    felled_min_share_from: float = _default("felled_min_share_from")
    felled_max_share_to: float = _default("felled_max_share_to")
    ndvi_decline_min: float = _default("ndvi_decline_min")
    ndvi_vegetation_min: float = _default("ndvi_vegetation_min")
    ndvi_crown_min_m: float = _default("ndvi_crown_min_m")
    ndvi_crown_fraction: float = _default("ndvi_crown_fraction")
    ndvi_min_pixels: int = _count("ndvi_min_pixels")
    terrain_min_dz_m: float = _default("terrain_min_dz_m")
    terrain_min_area_m2: float = _default("terrain_min_area_m2")
    terrain_smooth_px: int = _count("terrain_smooth_px")
    opening_px: int = _count("opening_px")
    tile_m: float = _default("tile_m")
    overlap_m: float = _default("overlap_m")
    default_crown_diameter_m: float = _default("default_crown_diameter_m")

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
