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


DISTRICT_ORIGIN: tuple[float, float] = (613_500.0, 333_800.0)
"""Lower-left corner of the ``district`` size: 2.0 km × 2.4 km around Kielce's centre."""
DISTRICT_EPOCHS: tuple[str, str, str] = ("2019-06-15", "2022-06-15", "2025-06-15")
DISTRICT_PULSE_DENSITY_PER_M2 = 4.0
"""The district's laser pulses per m² (about 5 points per m² with crown returns; see
``docs``/the report: 11 pulses would make loading three epochs far slower than the demo allows)."""


@dataclass(frozen=True)
class SizeSpec:
    """One named world size: ``tiles_x`` × ``tiles_y`` tiles of 200 m from ``origin``.

    ``layout`` "template" repeats the 400 m street template (small, medium, large); "district"
    is the one-off city district of issue #17 (old town, estates, valley, quarry, forest park).
    """

    name: str
    extent_m: float
    """East–west extent in metres (also north–south for the square template sizes)."""
    tiles: int
    """Tiles per side east–west."""
    layout: str = "template"
    extent_y_m: float | None = None
    """North–south extent when it differs from ``extent_m``."""
    origin: tuple[float, float] = ORIGIN
    epochs: tuple[str, ...] = EPOCHS
    pulse_density_per_m2: float = PULSE_DENSITY_PER_M2

    @property
    def cells(self) -> int:
        """Template cells per side."""
        return round(self.extent_m / CELL_SIZE_M)

    @property
    def height_m(self) -> float:
        """North–south extent in metres."""
        return self.extent_m if self.extent_y_m is None else self.extent_y_m

    @property
    def tiles_x(self) -> int:
        """Tile columns (west → east)."""
        return self.tiles

    @property
    def tiles_y(self) -> int:
        """Tile rows (south → north)."""
        return round(self.height_m / TILE_SIZE_M)

    @property
    def area_km2(self) -> float:
        """Area of the world in km²."""
        return self.extent_m * self.height_m / 1e6


SIZES: dict[str, SizeSpec] = {
    "small": SizeSpec("small", 400.0, 2),
    "medium": SizeSpec("medium", 800.0, 4),
    "large": SizeSpec("large", 1600.0, 8),
    "district": SizeSpec(
        "district",
        2000.0,
        10,
        layout="district",
        extent_y_m=2400.0,
        origin=DISTRICT_ORIGIN,
        epochs=DISTRICT_EPOCHS,
        pulse_density_per_m2=DISTRICT_PULSE_DENSITY_PER_M2,
    ),
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
    x0, y0 = spec.origin
    return (x0, y0, x0 + spec.extent_m, y0 + spec.height_m)


def tile_bounds(
    row: int, col: int, origin: tuple[float, float] = ORIGIN
) -> tuple[float, float, float, float]:
    """Extent of tile (row, col) of a world at ``origin``; row 0 is the southern row, col 0 the
    western column."""
    x0, y0 = origin
    minx = x0 + col * TILE_SIZE_M
    miny = y0 + row * TILE_SIZE_M
    return (minx, miny, minx + TILE_SIZE_M, miny + TILE_SIZE_M)
