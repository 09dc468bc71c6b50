"""Coverage request parameters pygeoapi does not pass to providers: `scale-size` (and GDAL's `scaleSize`).

`msip.api.http.validate_request` parses them (400 for a malformed value) and leaves them in a
context variable for the coverage provider of the same request.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

#: Axis names clients use for the two grid axes, mapped to MSIP's x (easting) and y (northing).
AXIS_ALIASES = {"x": "x", "e": "x", "lon": "x", "long": "x", "y": "y", "n": "y", "lat": "y"}
#: Largest output edge one request may ask for, pixels.
MAX_SCALE_SIZE_PX = 20_000
_PART = re.compile(r"^\s*([A-Za-z_]+)\s*\(\s*([0-9]+)\s*\)\s*$")

#: The scale-size of the current request: {"x": width_px, "y": height_px} (either may be absent).
SCALE_SIZE: ContextVar[dict[str, int] | None] = ContextVar("msip_scale_size", default=None)


def parse_scale_size(value: str) -> dict[str, int]:
    """`x(512),y(256)` → {"x": 512, "y": 256}; ValueError with an example for anything else."""
    out: dict[str, int] = {}
    for part in value.split(","):
        m = _PART.match(part)
        axis = AXIS_ALIASES.get(m.group(1).lower()) if m else None
        if m is None or axis is None:
            raise ValueError(
                f"scale-size={value!r} is not axis(pixels) pairs on x and y; e.g. scale-size=x(512),y(512)"
            )
        size = int(m.group(2))
        if not 1 <= size <= MAX_SCALE_SIZE_PX:
            raise ValueError(
                f"scale-size={value!r}: {m.group(1)}({size}) must be 1…{MAX_SCALE_SIZE_PX} pixels"
            )
        out[axis] = size
    return out
