"""The CRS of a LAS/LAZ file (its records, else --crs) and how its points reach EPSG:2180 metres.

Policy (tested in tests/pipelines/lidar):
- a CRS the file states wins (`crs_records`: WKT for point formats 6–10 or with the WKT bit,
  else GeoTIFF keys; a conflict between them is noted); `--crs` is only the fallback for files
  that state none (an empty or unparsable WKT counts as none);
- horizontal and vertical units become metres: the CRS's own unit or the GeoTIFF unit keys
  horizontally; the vertical CRS / VERT_CS / VerticalUnits key vertically, else the horizontal
  unit (noted when that is not the metre);
- a file with no usable CRS and no `--crs` is refused, with a hint when its coordinates look
  like a Polish CRS;
- data outside Poland are refused (EPSG:2180 would mirror and distort them), with where the
  points land and, when that is outside the area of use of their own CRS too, that the CRS
  or its units are likely wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from msip.core.crs import STORAGE_EPSG, detect_epsg
from msip.core.errors import CrsError
from msip.core.extents import POLAND_LONLAT_WITH_MARGIN
from pipelines.lidar.las.crs_records import (
    Record,
    horizontal,
    read_geokeys,
    read_wkt,
)
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
    xy_factor: float = 1.0
    """Multiply x/y by this before transforming (coordinates in other units than the CRS's)."""

    def to_storage(
        self, x: np.ndarray, y: np.ndarray, z: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, y, z in EPSG:2180 metres."""
        if self.xy_factor != 1.0:
            x, y = x * self.xy_factor, y * self.xy_factor
        if self.transformer is not None:
            x, y = self.transformer.transform(x, y)
            x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if self.z_factor != 1.0:
            z = z * self.z_factor
        return x, y, z


def stated(header, info: LasInfo) -> tuple[Record | None, list[str], list[str]]:
    """(the record that counts or None, problems, notes) of a laspy header's CRS records."""
    records = list(header.vlrs) + list(getattr(header, "evlrs", None) or [])
    wkt, geo = read_wkt(records), read_geokeys(records)
    prefer_wkt = info.point_format >= 6 or info.wkt_bit
    first, second = (wkt, geo) if prefer_wkt else (geo, wkt)
    chosen = first if first.crs is not None else second if second.crs is not None else None
    problems = first.problems + second.problems
    notes = list(chosen.notes) if chosen is not None else []
    if chosen is None:
        if not any(type(v).__name__ in ("WktCoordinateSystemVlr", "GeoKeyDirectoryVlr") for v in records):
            problems.append("it has no CRS records (no WKT or GeoTIFF-key VLRs)")
        return None, problems, notes
    if problems:
        notes.append(f"{info.name}: {'; '.join(problems)}")
    if chosen is wkt and info.point_format >= 6 and not info.wkt_bit:
        notes.append(
            f"{info.name}: the header's WKT bit is 0 although point format {info.point_format} "
            "requires WKT; the WKT VLR was used"
        )
    other = second if chosen is first else first
    if other.crs is not None and _differ(chosen, other):
        why = (
            f"authoritative for point format {info.point_format}"
            if info.point_format >= 6
            else ("the header's WKT bit is set" if info.wkt_bit else "the WKT bit is 0")
        )
        notes.append(
            f"{info.name}: its CRS records disagree — the {chosen.source} say {_says(chosen)}, "
            f"the {other.source} say {_says(other)}; the {chosen.source} were used ({why})"
        )
    return chosen, problems, notes


def _says(rec: Record) -> str:
    z = f", heights in {rec.z_unit[0]}" if rec.z_unit else ""
    return rec.label() + z


def _differ(a: Record, b: Record) -> bool:
    """True when two records place or scale the points differently."""
    ha, hb = horizontal(a.crs), horizontal(b.crs)  # type: ignore[arg-type]
    ca, cb = ha.to_epsg(min_confidence=70), hb.to_epsg(min_confidence=70)
    same_crs = (ca is not None and ca == cb) or ha == hb
    same_unit = abs(a.metres_per_unit() / b.metres_per_unit() - 1.0) < 1e-9
    za, zb = a.z_unit, b.z_unit
    same_z = za is None or zb is None or abs(za[1] / zb[1] - 1.0) < 1e-9
    return not (same_crs and same_unit and same_z)


def place(info: LasInfo, header, fallback_epsg: int | None) -> Placement:
    """Decide the CRS of a file and how to bring it to EPSG:2180; CrsError says why it cannot."""
    rec, problems, notes = stated(header, info)
    if rec is None:
        if fallback_epsg is None:
            raise CrsError(
                f"{info.name} has no usable CRS: {'; '.join(problems)}{_hint(info)}"
            )
        records = list(header.vlrs) + list(getattr(header, "evlrs", None) or [])
        z_stated = read_geokeys(records).z_unit or read_wkt(records).z_unit
        rec = Record("--crs", CRS.from_epsg(fallback_epsg), z_unit=z_stated)
        notes.append(
            f"{info.name}: {'; '.join(problems)}; used --crs EPSG:{fallback_epsg} as the CRS"
            + (f" (heights in {z_stated[0]} as the file states)" if z_stated else "")
        )
    elif fallback_epsg is not None:
        code = horizontal(rec.crs).to_epsg(min_confidence=70)  # type: ignore[arg-type]
        if code != fallback_epsg:
            notes.append(
                f"{info.name}: --crs EPSG:{fallback_epsg} ignored, "
                f"the file states {rec.label()} ({rec.source})"
            )
    assert rec.crs is not None
    h = horizontal(rec.crs)
    code = h.to_epsg(min_confidence=70)
    label = f"EPSG:{code}" if code else repr(h.name)
    xy_m = rec.metres_per_unit()
    if rec.z_unit is not None:
        z_factor = rec.z_unit[1]
    else:
        z_factor = xy_m
        if abs(xy_m - 1.0) > 1e-9:
            notes.append(
                f"{info.name}: no vertical unit stated; heights taken in the unit of the "
                f"coordinates ({rec.label()}), × {xy_m:.10g} to metres"
            )
    if abs(z_factor - 1.0) > 1e-9 and rec.z_unit is not None:
        notes.append(f"{info.name}: heights in {rec.z_unit[0]}, × {z_factor:.10g} to metres")
    if code == STORAGE_EPSG:
        return Placement(label, rec.source, code, None, z_factor, tuple(notes), rec.xy_factor)
    _check_in_poland(info, h, rec, label)
    transformer = Transformer.from_crs(h, CRS.from_epsg(STORAGE_EPSG), always_xy=True)
    unit = "" if abs(xy_m - 1.0) < 1e-12 else f", coordinates in {rec.label().split(' (')[-1][:-1]}"
    notes.append(f"{info.name}: transformed from {label} ({rec.source}{unit}) to EPSG:2180")
    return Placement(label, rec.source, code, transformer, z_factor, tuple(notes), rec.xy_factor)


def _hint(info: LasInfo) -> str:
    """How to go on without a usable CRS: what its coordinates look like, and --crs."""
    cx = (info.mins[0] + info.maxs[0]) / 2
    cy = (info.mins[1] + info.maxs[1]) / 2
    guess = detect_epsg(np.array([cx]), np.array([cy]))
    if guess:
        return (
            f"; its coordinates (E {cx:.0f}, N {cy:.0f}) look like EPSG:{guess} — "
            f"if so, load it with --crs {guess}"
        )
    return "; give its CRS with --crs EPSG-code (e.g. --crs 2180 for PUWG-1992 data)"


def _check_in_poland(info: LasInfo, h: CRS, rec: Record, label: str) -> None:
    to_lonlat = Transformer.from_crs(h, CRS.from_epsg(4326), always_xy=True)
    xs = np.array([info.mins[0], info.maxs[0], info.mins[0], info.maxs[0]]) * rec.xy_factor
    ys = np.array([info.mins[1], info.mins[1], info.maxs[1], info.maxs[1]]) * rec.xy_factor
    lon, lat = to_lonlat.transform(xs, ys)
    w, s, e, n = POLAND_LONLAT_WITH_MARGIN  # "can we transform": EPSG:2180's area of use + margin
    ok = np.isfinite(lon).all() and np.isfinite(lat).all()
    if ok and w <= lon.min() and lon.max() <= e and s <= lat.min() and lat.max() <= n:
        return
    suspect = ""
    if ok:
        mlon, mlat = float(np.mean(lon)), float(np.mean(lat))
        ew, ns = ("E" if mlon >= 0 else "W"), ("N" if mlat >= 0 else "S")
        where = f"{abs(mlon):.3f}°{ew} {abs(mlat):.3f}°{ns}"
        code = h.to_epsg(min_confidence=70)
        area = CRS.from_epsg(code).area_of_use if code else h.area_of_use
        margin = 1.0  # degrees
        if area is not None and not (
            area.west - margin <= mlon <= area.east + margin
            and area.south - margin <= mlat <= area.north + margin
        ):
            suspect = (
                f" (outside the area of use of {label} too — {area.name} — so its CRS or "
                "units are probably wrong)"
            )
    else:
        where = "coordinates that cannot be located"
    raise CrsError(
        f"{info.name}: its CRS {rec.label()}, from its {rec.source}, places the points at {where}"
        f"{suspect}, outside Poland where EPSG:2180 (MSIP's storage CRS) is valid; transforming "
        "them there would mirror and distort them, so the file is refused. Load surveys of "
        "Poland, or reproject the file to a Polish CRS first"
    )
