"""The CRS of a LAS/LAZ file (WKT or GeoTIFF-key VLRs, else --crs) and its transform to EPSG:2180.

Policy (documented in the README of tests/data/lidar and tested):
- a CRS the file states (WKT VLR, else GeoTIFF keys) wins; `--crs` is only the fallback for
  files that state none (an empty or unparsable WKT counts as none);
- a file with no usable CRS and no `--crs` is refused, with a hint when its coordinates look
  like a Polish CRS;
- files in another CRS are transformed to EPSG:2180 (heights converted to metres) when
  EPSG:2180 is valid where the data lie (Poland); data elsewhere (e.g. Oregon feet) are
  refused, because transforming them into PUWG-1992 would mirror and distort them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from msip.core.crs import STORAGE_EPSG, detect_epsg
from msip.core.errors import CrsError
from msip.core.extents import POLAND_LONLAT_WITH_MARGIN
from pipelines.lidar.las.reader import LasInfo


@dataclass(frozen=True)
class Placement:
    """How to bring a file's points into EPSG:2180 metres."""

    crs_label: str
    """E.g. 'EPSG:2180' or the WKT name of a CRS without an EPSG code."""
    source: str
    """Where the CRS came from: 'WKT VLR', 'GeoTIFF keys' or '--crs'."""
    epsg: int | None
    transformer: Transformer | None
    """None when the file is already in EPSG:2180."""
    z_factor: float
    """Multiply Z by this to get metres."""
    notes: tuple[str, ...] = ()

    def to_storage(
        self, x: np.ndarray, y: np.ndarray, z: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, y, z in EPSG:2180 metres."""
        if self.transformer is not None:
            x, y = self.transformer.transform(x, y)
            x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if self.z_factor != 1.0:
            z = z * self.z_factor
        return x, y, z


def stated_crs(header) -> tuple[CRS | None, str, list[str]]:
    """(CRS, where from, problems) from the WKT VLR, else the GeoTIFF keys, of a laspy header."""
    problems: list[str] = []
    records = list(header.vlrs) + list(getattr(header, "evlrs", None) or [])
    wkt = [v for v in records if type(v).__name__ == "WktCoordinateSystemVlr"]
    geokeys = [v for v in records if type(v).__name__ == "GeoKeyDirectoryVlr"]
    for vlr in wkt:
        text = (getattr(vlr, "string", "") or "").strip().strip("\x00").strip("'\" ")
        if not text:
            desc = (getattr(vlr, "description", "") or "").strip("\x00 ")
            problems.append(f"its WKT VLR{f' ({desc})' if desc else ''} is empty")
            continue
        try:
            crs = vlr.parse_crs()
        except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError, laspy its own types
            problems.append(f"its WKT VLR cannot be parsed ({str(exc).splitlines()[0][:120]})")
            continue
        if crs is not None:
            return crs, "WKT VLR", problems
    for vlr in geokeys:
        try:
            crs = vlr.parse_crs()
        except Exception as exc:  # noqa: BLE001 - as above: any failure means "no usable CRS"
            problems.append(f"its GeoTIFF keys cannot be parsed ({str(exc).splitlines()[0][:120]})")
            continue
        if crs is not None:
            return crs, "GeoTIFF keys", problems
        problems.append("its GeoTIFF keys name no EPSG code (user-defined 32767)")
    if not wkt and not geokeys:
        problems.append("it has no CRS records (no WKT or GeoTIFF-key VLRs)")
    return None, "", problems


def _source(crs: CRS) -> CRS:
    """The source CRS of a bound CRS (pyproj types it as optional; a bound CRS always has one)."""
    source = crs.source_crs
    if source is None:
        raise ValueError(f"the bound CRS {crs.name!r} has no source CRS")
    return source


def horizontal(crs: CRS) -> CRS:
    """The horizontal part of a compound or bound CRS."""
    if crs.is_bound:
        crs = _source(crs)
    if crs.is_compound:
        crs = crs.sub_crs_list[0]
    if crs.is_bound:
        crs = _source(crs)
    return crs


def _z_factor(crs: CRS) -> float:
    """Metres per unit of the vertical axis (else of the horizontal unit)."""
    if crs.is_bound:
        crs = _source(crs)
    parts = crs.sub_crs_list if crs.is_compound else [crs]
    for part in parts:
        for axis in part.axis_info:
            if axis.direction == "up":
                return float(axis.unit_conversion_factor or 1.0)
    axes = horizontal(crs).axis_info
    return float(axes[0].unit_conversion_factor or 1.0) if axes else 1.0


def _label(crs: CRS) -> tuple[str, int | None]:
    h = horizontal(crs)
    code = h.to_epsg(min_confidence=70)
    return (f"EPSG:{code}", code) if code else (repr(h.name), None)


def place(info: LasInfo, header, fallback_epsg: int | None) -> Placement:
    """Decide the CRS of a file and how to bring it to EPSG:2180; CrsError says why it cannot."""
    crs, source, problems = stated_crs(header)
    notes: list[str] = []
    if problems and crs is not None:
        notes.append(f"{info.name}: {'; '.join(problems)}")
    if crs is not None and info.point_format >= 6 and not info.wkt_bit and source == "WKT VLR":
        notes.append(
            f"{info.name}: the header's WKT bit is 0 although point format {info.point_format} "
            "requires WKT; the WKT VLR was used"
        )
    if crs is None:
        if fallback_epsg is None:
            cx = (info.mins[0] + info.maxs[0]) / 2
            cy = (info.mins[1] + info.maxs[1]) / 2
            guess = detect_epsg(np.array([cx]), np.array([cy]))
            hint = (
                f"; its coordinates (E {cx:.0f}, N {cy:.0f}) look like EPSG:{guess} — "
                f"if so, load it with "
                f"--crs {guess}"
                if guess
                else "; give its CRS with --crs (e.g. --crs 2180)"
            )
            raise CrsError(f"{info.name} has no usable CRS: {'; '.join(problems)}{hint}")
        crs = CRS.from_epsg(fallback_epsg)
        source = "--crs"
        notes.append(f"{info.name}: {'; '.join(problems)}; used --crs EPSG:{fallback_epsg}")
    elif fallback_epsg is not None:
        label, code = _label(crs)
        if code != fallback_epsg:
            notes.append(
                f"{info.name}: --crs EPSG:{fallback_epsg} ignored, "
                f"the file states {label} ({source})"
            )
    label, code = _label(crs)
    h = horizontal(crs)
    if code == STORAGE_EPSG:
        return Placement(label, source, code, None, _z_factor(crs), tuple(notes))
    _check_in_poland(info, h, label, source)
    transformer = Transformer.from_crs(h, CRS.from_epsg(STORAGE_EPSG), always_xy=True)
    notes.append(f"{info.name}: transformed from {label} ({source}) to EPSG:2180")
    return Placement(label, source, code, transformer, _z_factor(crs), tuple(notes))


def _check_in_poland(info: LasInfo, h: CRS, label: str, source: str) -> None:
    to_lonlat = Transformer.from_crs(h, CRS.from_epsg(4326), always_xy=True)
    xs = np.array([info.mins[0], info.maxs[0], info.mins[0], info.maxs[0]])
    ys = np.array([info.mins[1], info.mins[1], info.maxs[1], info.maxs[1]])
    lon, lat = to_lonlat.transform(xs, ys)
    w, s, e, n = POLAND_LONLAT_WITH_MARGIN  # "can we transform": EPSG:2180's area of use + margin
    ok = np.isfinite(lon).all() and np.isfinite(lat).all()
    if ok and w <= lon.min() and lon.max() <= e and s <= lat.min() and lat.max() <= n:
        return
    if ok:
        mlon, mlat = float(np.mean(lon)), float(np.mean(lat))
        ew, ns = ("E" if mlon >= 0 else "W"), ("N" if mlat >= 0 else "S")
        where = f"{abs(mlon):.3f}°{ew} {abs(mlat):.3f}°{ns}"
    else:
        where = "coordinates that cannot be located"
    raise CrsError(
        f"{info.name}: its CRS {label} ({source}) places the points at {where}, "
        "outside Poland where "
        "EPSG:2180 (MSIP's storage CRS) is valid; transforming them there would mirror and distort "
        "them, so the file is refused. Load surveys of Poland, "
        "or reproject the file to a Polish CRS first"
    )
