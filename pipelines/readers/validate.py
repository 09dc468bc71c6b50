"""Shared value and geometry checks: numbers with decimal commas, ranges, extents, geometries.

Parsers raise ValidationError (an MsipError and a ValueError) with a message that shows the
value and what was expected; loaders turn those into quarantined rows (never a silent drop).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import shapely
from shapely.geometry import GeometryCollection
from shapely.geometry.base import BaseGeometry

from msip.core.errors import ConfigError, ValidationError
from msip.core.extents import KIELCE_2180_WITH_MARGIN, POLAND_2180

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def parse_number(text: object, *, field: str, unit: str = "") -> float | None:
    """A float from '12.5', '12,5' or ' 12 '; None for empty; ValueError naming the value otherwise.

    >>> parse_number("3,5", field="crown_diameter_m")
    3.5
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        if isinstance(text, float) and math.isnan(text):
            return None
        return float(text)
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s == "":
        return None
    if not _NUMBER.match(s):
        example = f" (expected {unit}, e.g. 12.5)" if unit else " (expected a number, e.g. 12.5)"
        raise ValidationError(f"{field}={str(text)!r} is not a number{example}")
    return float(s.replace(",", "."))


def parse_number_list(text: object, *, field: str, unit: str = "") -> list[float]:
    """Numbers from a multi-stem list such as '47, 52, 56' or '47;52'; [] for empty.

    A single value with a decimal comma ('12,5') is one number, not two.
    """
    if text is None:
        return []
    if isinstance(text, (int, float)):
        v = parse_number(text, field=field, unit=unit)
        return [] if v is None else [v]
    s = str(text).strip()
    if not s:
        return []
    if re.fullmatch(r"\s*\d+,\d+\s*", s) and ", " not in s:
        return [_present_number(s, field=field, unit=unit)]
    parts = [p for p in re.split(r"\s*[;,/]\s*|\s+", s) if p]
    return [_present_number(p, field=field, unit=unit) for p in parts]


def _present_number(text: str, *, field: str, unit: str) -> float:
    """`parse_number` of a piece of text that is not blank (so never None)."""
    value = parse_number(text, field=field, unit=unit)
    assert value is not None  # only empty text gives None; the callers pass stripped, non-empty pieces
    return value


def check_range(value: float | None, lo: float, hi: float, *, field: str, unit: str) -> None:
    """ValueError when `value` is outside [lo, hi] (None passes: absence is checked elsewhere)."""
    if value is None:
        return
    if not (lo <= value <= hi):
        raise ValidationError(f"{field}={value:g} {unit} is outside the plausible range {lo:g}–{hi:g} {unit}")


@dataclass(frozen=True)
class Extent:
    """An EPSG:2180 bounding box: minx, miny, maxx, maxy (metres)."""

    name: str
    minx: float
    miny: float
    maxx: float
    maxy: float

    def contains(self, x: float, y: float) -> bool:
        return self.minx <= x <= self.maxx and self.miny <= y <= self.maxy

    def describe(self) -> str:
        if not math.isfinite(self.minx):
            return f"{self.name} (no extent check)"
        return f"{self.name} (E {self.minx:.0f}–{self.maxx:.0f}, N {self.miny:.0f}–{self.maxy:.0f}, EPSG:2180)"


#: Kielce's city extent with a 2 km margin, all of Poland, in EPSG:2180 (from the one bounds table,
#: msip.core.extents); 'none' checks nothing (for foreign test data such as the SC811 billboards:
#: coordinates still go to EPSG:2180).
EXTENTS = {
    "kielce": Extent("Kielce", *KIELCE_2180_WITH_MARGIN),
    "poland": Extent("Poland", *POLAND_2180),
    "none": Extent("anywhere", -math.inf, -math.inf, math.inf, math.inf),
}


def get_extent(value: str | None) -> Extent:
    """An extent by name ('kielce', 'poland', 'none') or 'minx,miny,maxx,maxy' in EPSG:2180."""
    if value is None or value == "":
        return EXTENTS["kielce"]
    if value.lower() in EXTENTS:
        return EXTENTS[value.lower()]
    parts = value.split(",")
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"extent {value!r} is neither a name ({', '.join(EXTENTS)}) nor 'minx,miny,maxx,maxy' "
            "in EPSG:2180, e.g. 610000,330000,620000,340000"
        ) from None
    if minx >= maxx or miny >= maxy:
        raise ConfigError(f"extent {value!r} has min ≥ max; order is minx,miny,maxx,maxy")
    return Extent("custom", minx, miny, maxx, maxy)


def outside_extent_reason(x: float, y: float, extent: Extent) -> str:
    """Why (x, y) in EPSG:2180 is outside `extent`, hinting at swapped axes when that fits."""
    if extent.contains(y, x):
        return (f"point (E {x:.1f}, N {y:.1f}) is outside {extent.describe()} but fits with the axes "
                "swapped: the coordinate columns (or lat/lon order) are probably swapped")
    return f"point (E {x:.1f}, N {y:.1f}) is outside {extent.describe()}; check the CRS (--crs) or the coordinates"


def check_geometry(geom: BaseGeometry | None, *, on_invalid: str = "repair") -> tuple[BaseGeometry, str | None]:
    """Validate a geometry: returns (geometry, note). `on_invalid` is 'repair' or 'reject'.

    Repair uses shapely.make_valid and keeps only the polygonal/lineal part of the input's
    dimension; the note says what was repaired. Rejection raises ValueError with the reason.
    """
    if geom is None or geom.is_empty:
        raise ValueError("geometry is missing or empty")
    if geom.is_valid:
        return geom, None
    reason = shapely.is_valid_reason(geom)
    if on_invalid != "repair":
        raise ValueError(f"invalid geometry: {reason}")
    fixed = shapely.make_valid(geom)
    dim = shapely.get_dimensions(geom)
    if isinstance(fixed, GeometryCollection):
        parts = [g for g in fixed.geoms if shapely.get_dimensions(g) == dim]
        fixed = shapely.union_all(parts) if parts else fixed
    if fixed.is_empty or shapely.get_dimensions(fixed) != dim:
        raise ValueError(f"invalid geometry that cannot be repaired: {reason}")
    return fixed, f"repaired invalid geometry ({reason})"
