"""Tests only: a copy of a foreign LAS/LAZ file placed in Kielce (EPSG:2180, metres), points otherwise untouched.

MSIP refuses surveys outside Poland (EPSG:2180 would distort them), so processing tests on real
foreign files (lidR's MixedConifer, Topography …) run on a relocated copy: the lower-left
corner of the data moves to `origin` (EPSG:2180), horizontal and vertical units are converted
to metres, and the CRS records are replaced by EPSG:2180 (or removed, to test `--crs`).
Classes, returns, flags, GPS time, colours, extra bytes and other VLRs are kept. The integer
coordinates are kept too (scales multiplied by the unit factor), so the copy is lossless.
This is a test helper, never part of the product: the product never moves data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Metres per unit.
US_FT = 1200 / 3937
FT = 0.3048
#: Horizontal and vertical units of the real files in ../shared/data/lidar (see SOURCES.md there):
#: what the coordinates really are, which for the COPC sample is not what its CRS declares.
KNOWN_UNITS: dict[str, tuple[float, float]] = {
    "file_with_both_wkt_and_geotiff_vlrs.las": (US_FT, US_FT),
    "1.2-with-color.copc.laz": (FT, FT),  # Oregon Lambert international feet (declared: metres)
    "autzen_trim.laz": (FT, FT),
    "test1_4.las": (US_FT, US_FT),
    "1_4_w_evlr.las": (US_FT, US_FT),
}
#: Lower-left corner used by default: the sample district of Kielce, on a 200 m tile corner.
KIELCE_ORIGIN = (614000.0, 334600.0)
_CRS_VLRS = (
    "WktCoordinateSystemVlr",
    "GeoKeyDirectoryVlr",
    "GeoAsciiParamsVlr",
    "GeoDoubleParamsVlr",
    "CopcInfoVlr",
    "CopcHierarchyVlr",
)


@dataclass(frozen=True)
class Relocation:
    """Where a relocated copy is and how to map the source's coordinates onto it."""

    path: Path
    source_min: tuple[float, float]
    """Lower-left corner of the source points (source units)."""
    origin: tuple[float, float]
    xy_to_m: float
    z_to_m: float

    def xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Source x/y (source units) → their place in the copy (EPSG:2180 m)."""
        return (
            (np.asarray(x) - self.source_min[0]) * self.xy_to_m + self.origin[0],
            (np.asarray(y) - self.source_min[1]) * self.xy_to_m + self.origin[1],
        )

    def z(self, z: np.ndarray) -> np.ndarray:
        """Source heights → metres."""
        return np.asarray(z) * self.z_to_m


def relocate_las(
    src: Path,
    dst: Path,
    *,
    origin: tuple[float, float] = KIELCE_ORIGIN,
    xy_to_m: float | None = None,
    z_to_m: float | None = None,
    epsg: int | None = 2180,
) -> Relocation:
    """Write `src` to `dst` (.las or .laz by suffix) moved to `origin` in EPSG:2180 metres.

    xy_to_m / z_to_m: metres per source unit (default: KNOWN_UNITS for the real files, else 1).
    epsg: the CRS written into the copy (None: no CRS records, to exercise --crs).
    """
    import laspy
    from pyproj import CRS

    src, dst = Path(src), Path(dst)
    known = KNOWN_UNITS.get(src.name, (1.0, 1.0))
    fxy = known[0] if xy_to_m is None else xy_to_m
    fz = known[1] if z_to_m is None else z_to_m
    las = laspy.read(src)
    header = las.header
    # vendor copies of the WKT (liblas 2112) would contradict the new CRS
    header.vlrs[:] = [
        v
        for v in header.vlrs
        if type(v).__name__ not in _CRS_VLRS and getattr(v, "record_id", None) != 2112
    ]
    if las.evlrs is not None:
        las.evlrs[:] = [e for e in las.evlrs if type(e).__name__ not in _CRS_VLRS]
    raw_x, raw_y = np.asarray(las.X, dtype=np.int64), np.asarray(las.Y, dtype=np.int64)
    x0, y0 = raw_x.min(), raw_y.min()
    scales = np.asarray(header.scales, dtype=np.float64)
    offsets = np.asarray(header.offsets, dtype=np.float64)
    source_min = (float(x0 * scales[0] + offsets[0]), float(y0 * scales[1] + offsets[1]))
    new_scales = scales * np.array([fxy, fxy, fz])
    new_offsets = np.array([origin[0], origin[1], offsets[2] * fz])
    header.scales, header.offsets = new_scales, new_offsets
    las.points.scales, las.points.offsets = new_scales, new_offsets  # the record keeps its own copy
    las.X = raw_x - x0
    las.Y = raw_y - y0
    if epsg is not None:
        header.add_crs(CRS.from_epsg(epsg))
    else:
        header.global_encoding.wkt = False
    las.update_header()
    las.write(dst)
    return Relocation(dst, source_min, origin, fxy, fz)
