"""Fixed parameters of the sample world: origin, sizes, epochs, tiling and resolutions."""

from __future__ import annotations

from dataclasses import dataclass

from msip.core.errors import ConfigError

GENERATOR_VERSION = "1.0.0"

EPSG = 2180
"""Storage CRS of every generated file except the APP GML (which uses EPSG:2178)."""
EPSG_HEIGHT = 9651
"""PL-EVRF2007-NH normal heights; used in the LAS compound CRS."""
EPSG_GML = 2178
"""PL-2000 zone VII (Kielce's zone), as in real APP files for the region."""

ORIGIN: tuple[float, float] = (614_000.0, 334_600.0)
"""Lower-left corner (easting, northing) of every sample district, EPSG:2180 metres."""

CITY_CENTRE: tuple[float, float] = (614_500.0, 335_000.0)
"""Kielce's centre (EPSG:2180); the historic-core landscape zone A is drawn around it."""

EPOCH1 = "2024-06-15"
EPOCH2 = "2025-06-15"
EPOCHS: tuple[str, str] = (EPOCH1, EPOCH2)

TILE_SIZE_M = 200.0
ORTHO_PIXEL_M = 0.25
DTM_PIXEL_M = 0.5
PULSE_DENSITY_PER_M2 = 11.0
"""Laser pulses per m²; extra returns in tree crowns bring points to about 12 per m²."""

CELL_SIZE_M = 400.0
"""The street/block template repeats every 400 m (small = one cell)."""


@dataclass(frozen=True)
class SizeSpec:
    """One named district size: a square of ``extent_m`` metres cut into ``tiles`` × ``tiles``."""

    name: str
    extent_m: float
    tiles: int

    @property
    def cells(self) -> int:
        """Template cells per side."""
        return round(self.extent_m / CELL_SIZE_M)


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec("small", 400.0, 2),
    "medium": SizeSpec("medium", 800.0, 4),
    "large": SizeSpec("large", 1600.0, 8),
}


def size_spec(size: str) -> SizeSpec:
    """Return the :class:`SizeSpec` called ``size`` or raise :class:`ConfigError`."""
    try:
        return SIZES[size]
    except KeyError:
        raise ConfigError(
            f"unknown sample-world size {size!r}; use one of {', '.join(SIZES)}"
        ) from None


def district_bounds(spec: SizeSpec) -> tuple[float, float, float, float]:
    """District extent (minx, miny, maxx, maxy) in EPSG:2180 metres."""
    x0, y0 = ORIGIN
    return (x0, y0, x0 + spec.extent_m, y0 + spec.extent_m)


def tile_bounds(row: int, col: int) -> tuple[float, float, float, float]:
    """Extent of tile (row, col); row 0 is the southern row, col 0 the western column."""
    x0, y0 = ORIGIN
    minx = x0 + col * TILE_SIZE_M
    miny = y0 + row * TILE_SIZE_M
    return (minx, miny, minx + TILE_SIZE_M, miny + TILE_SIZE_M)
