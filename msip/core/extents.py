"""Where MSIP's data can lie: Poland and the city of Kielce, in lon/lat and in EPSG:2180.

The one bounds table. Poland is EPSG:2180's area of use (the EPSG registry's "Poland - onshore
and offshore"); callers that need tolerance take it with the stated margin. Loader checks name
these boxes through `pipelines.readers.validate.EXTENTS` ('kielce', 'poland').
"""

from __future__ import annotations

from typing import NamedTuple


class Box(NamedTuple):
    """minx, miny, maxx, maxy: degrees (lon/lat) or metres (EPSG:2180), as the name says."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    def widened(self, margin: float) -> Box:
        """The box grown by `margin` (in its own units) on every side."""
        return Box(self.minx - margin, self.miny - margin, self.maxx + margin, self.maxy + margin)


#: EPSG:2180's area of use (onshore and offshore), lon/lat degrees.
POLAND_LONLAT = Box(14.14, 49.0, 24.15, 55.93)
#: Tolerance around Poland for "can these coordinates be located in Poland at all" (LAS files in
#: a foreign CRS, API bboxes in lon/lat), degrees.
POLAND_MARGIN_DEG = 1.0
#: POLAND_LONLAT widened by POLAND_MARGIN_DEG: (13.14, 48.0, 25.15, 56.93).
POLAND_LONLAT_WITH_MARGIN = POLAND_LONLAT.widened(POLAND_MARGIN_DEG)
#: Poland's land in EPSG:2180 metres: the onshore area of use (north to 54.89°N) projected,
#: E 144 693–876 500, N 125 837–792 875, rounded outward to 10 km.
POLAND_2180 = Box(140_000, 120_000, 880_000, 800_000)

#: The city of Kielce in EPSG:2180 metres (E 605 000–625 000, N 325 000–345 000).
KIELCE_2180 = Box(605_000, 325_000, 625_000, 345_000)
#: Margin around the city for "does this lie in Kielce" checks, metres.
KIELCE_MARGIN_M = 2_000
#: KIELCE_2180 widened by KIELCE_MARGIN_M: (603 000, 323 000, 627 000, 347 000).
KIELCE_2180_WITH_MARGIN = KIELCE_2180.widened(KIELCE_MARGIN_M)
#: KIELCE_2180 in lon/lat degrees (its projected envelope, rounded outward to 0.001°).
KIELCE_LONLAT = Box(20.489, 50.778, 20.781, 50.963)
