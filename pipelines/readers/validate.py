"""Shared value and geometry checks: numbers with decimal commas, ranges, geometries (extents: msip.core.extents).

Parsers raise ValidationError (an MsipError and a ValueError) with a message that shows the
value and what was expected; loaders turn those into quarantined rows (never a silent drop).
"""

from __future__ import annotations

import math
import re

import shapely
from shapely.geometry import GeometryCollection
from shapely.geometry.base import BaseGeometry

from msip.core.errors import ValidationError
from msip.core.extents import EXTENTS, Extent, get_extent
from msip.core.extents import outside_reason as outside_extent_reason

#: The extent rule lives in msip.core.extents; the loaders import it from here with the other checks.
__all__ = ["EXTENTS", "Extent", "check_geometry", "check_range", "get_extent", "outside_extent_reason",
           "parse_number", "parse_number_list"]

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
