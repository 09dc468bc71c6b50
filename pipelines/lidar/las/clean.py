"""Per-chunk cleaning: to EPSG:2180 metres; absurd heights and points outside the extent rejected.

Rejected points are never stored; they are counted per file and reason, with a few examples,
so the load run says exactly what was left out (rows_in = stored + rejected).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from pipelines.lidar.las.lascrs import Placement
from pipelines.lidar.las.reader import PointChunk
from pipelines.readers.validate import Extent

EXAMPLES = 5


@dataclass
class Rejected:
    """Rejected points per reason: counts and the first few examples (index, x, y, z as read)."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[dict]] = field(default_factory=dict)
    first_index: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, mask: np.ndarray, chunk: PointChunk, offset: int) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        self.counts[reason] += len(idx)
        self.first_index.setdefault(reason, offset + int(idx[0]) + 1)
        ex = self.examples.setdefault(reason, [])
        for i in idx[: max(0, EXAMPLES - len(ex))]:
            ex.append(
                {
                    "point": offset + int(i) + 1,
                    "x": float(chunk.x[i]),
                    "y": float(chunk.y[i]),
                    "z": float(chunk.z[i]),
                    "classification": int(chunk.classification[i]),
                }
            )

    def merge(self, other: Rejected) -> None:
        """Add the rejections of the next chunk (merging chunks in file order keeps examples)."""
        for reason, n in other.counts.items():
            self.counts[reason] += n
            self.first_index.setdefault(reason, other.first_index[reason])
            ex = self.examples.setdefault(reason, [])
            ex += other.examples[reason][: max(0, EXAMPLES - len(ex))]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Cleaner:
    """Turns raw chunks into stored-ready chunks in EPSG:2180 and records what it rejects."""

    placement: Placement
    extent: Extent | None
    z_min_m: float
    z_max_m: float

    def reasons(self) -> dict[str, str]:
        """Reason texts (what failed, the limits, the fix) by code; no '=' so they group."""
        ext = self.extent.describe() if self.extent else ""
        return {
            "coords": (
                "coordinates that cannot be transformed to EPSG:2180 (not finite); "
                "check the file's CRS"
            ),
            "z": (
                f"Z outside the plausible range {self.z_min_m:g} to {self.z_max_m:g} m "
                "(absurd heights such as "
                "9999); not stored — fix the source or widen the range (z_min_m, z_max_m)"
            ),
            "extent": (
                f"points outside {ext}; pass --extent poland, none or a bbox "
                "if the survey is elsewhere"
            ),
        }

    def clean(self, chunk: PointChunk, offset: int, rejected: Rejected) -> PointChunk:
        """The acceptable points, x/y/z in EPSG:2180 metres; the rest counted in `rejected`."""
        x, y, z = self.placement.to_storage(chunk.x, chunk.y, chunk.z)
        bad_xy = ~(np.isfinite(x) & np.isfinite(y))
        bad_z = ~bad_xy & ~((z >= self.z_min_m) & (z <= self.z_max_m))
        bad = bad_xy | bad_z
        if self.extent is not None:
            e = self.extent
            outside = ~bad & ~((x >= e.minx) & (x <= e.maxx) & (y >= e.miny) & (y <= e.maxy))
            rejected.add("extent", outside, chunk, offset)
            bad |= outside
        rejected.add("coords", bad_xy, chunk, offset)
        rejected.add("z", bad_z, chunk, offset)
        out = PointChunk(
            x,
            y,
            z,
            chunk.intensity,
            chunk.return_number,
            chunk.number_of_returns,
            chunk.classification,
            chunk.gps_time,
            chunk.withheld,
            chunk.overlap,
        )
        return out if not bad.any() else out.take(~bad)
