"""What the CRS records of a LAS/LAZ file say: the WKT VLR and the GeoTIFF keys, with their units.

Both are read; which one counts follows the LAS 1.4 specification: the WKT for point formats
6–10 or when the header's WKT bit is set, else the GeoTIFF keys (each falls back to the
other). Units come with them: the GeoTIFF keys' ProjLinearUnits (3076) and VerticalUnits
(4099) or VerticalCSType (4096), the WKT's vertical CRS (also a VERT_CS nested where it does
not belong, which PROJ drops). When both records name a CRS and disagree, a note says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyproj import CRS

#: GeoTIFF keys (GeoKeyDirectory ids).
GEOGRAPHIC_TYPE, PROJECTED_CS_TYPE, PROJ_LINEAR_UNITS = 2048, 3072, 3076
VERTICAL_CS_TYPE, VERTICAL_UNITS = 4096, 4099
USER_DEFINED = 32767
#: Unit names as written in WKT (normalised: lower case, no spaces or '_') → EPSG unit code.
_UNIT_NAMES = {
    "metre": 9001, "meter": 9001, "metres": 9001, "meters": 9001, "m": 9001,
    "foot": 9002, "feet": 9002, "ft": 9002, "internationalfoot": 9002, "footinternational": 9002,
    "ussurveyfoot": 9003, "footus": 9003, "usfoot": 9003, "ftus": 9003, "ussurveyfeet": 9003,
}  # fmt: skip


def unit(code: int) -> tuple[str, float] | None:
    """(name, metres per unit) of an EPSG linear unit code, None when it is not one."""
    from pyproj.database import get_units_map

    for name, u in get_units_map(auth_name="EPSG", category="linear").items():
        if u.code == str(code):
            return name, float(u.conv_factor)
    return None


def unit_by_name(name: str, factor: float) -> tuple[str, float]:
    """(name, metres per unit) of a WKT UNIT: a known name wins over its factor (broken WKTs
    write `UNIT["US survey foot",1.0]`)."""
    code = _UNIT_NAMES.get(re.sub(r"[\s_]", "", name.lower()))
    found = unit(code) if code else None
    return found if found else (name, factor)


@dataclass
class Record:
    """What one kind of CRS record says (nothing when `crs` is None)."""

    source: str
    crs: CRS | None = None
    xy_factor: float = 1.0
    """Multiply the coordinates by this to get the units of `crs`'s axes (GeoTIFF unit keys)."""
    xy_unit_name: str = ""
    """The coordinates' unit when the GeoTIFF keys override that of the CRS, else ''."""
    z_unit: tuple[str, float] | None = None
    """Vertical unit stated (name, metres per unit), None when the record states none."""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def metres_per_unit(self) -> float:
        """Metres per horizontal coordinate unit of the file."""
        assert self.crs is not None
        axes = horizontal(self.crs).axis_info
        return self.xy_factor * float((axes[0].unit_conversion_factor if axes else None) or 1.0)

    def label(self) -> str:
        """E.g. 'EPSG:6880 (US survey foot)'."""
        assert self.crs is not None
        h = horizontal(self.crs)
        code = h.to_epsg(min_confidence=70)
        name = f"EPSG:{code}" if code else repr(h.name)
        axes = h.axis_info
        unit_name = self.xy_unit_name or (axes[0].unit_name if axes else "unknown unit")
        return f"{name} ({unit_name})"


def _source(crs: CRS) -> CRS:
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


def _vertical_axis_unit(crs: CRS) -> tuple[str, float] | None:
    """(name, metres) of the 'up' axis of a compound CRS, None when it has none."""
    if crs.is_bound:
        crs = _source(crs)
    for part in crs.sub_crs_list if crs.is_compound else [crs]:
        for axis in part.axis_info:
            if axis.direction == "up":
                return unit_by_name(axis.unit_name, float(axis.unit_conversion_factor or 1.0))
    return None


def _vert_cs_unit(text: str) -> tuple[str, float] | None:
    """The UNIT of a VERT_CS / VERTCS block anywhere in a WKT 1 text (PROJ drops misplaced ones)."""
    m = re.search(r"VERT_?CS\s*\[", text)
    if not m:
        return None
    u = re.search(r'UNIT\s*\[\s*"([^"]*)"\s*,\s*([-+0-9.eE]+)', text[m.end() :])
    return unit_by_name(u.group(1), float(u.group(2))) if u else None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:120]


def read_wkt(records: list) -> Record:
    """The CRS (and vertical unit) of the file's WKT VLRs."""
    rec = Record("WKT VLR")
    for vlr in records:
        if type(vlr).__name__ != "WktCoordinateSystemVlr":
            continue
        text = (getattr(vlr, "string", "") or "").strip().strip("\x00").strip("'\" ")
        if not text:
            desc = (getattr(vlr, "description", "") or "").strip("\x00 ")
            rec.problems.append(f"its WKT VLR{f' ({desc})' if desc else ''} is empty")
            continue
        try:
            crs = CRS.from_wkt(text)
        except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError; any failure = unusable
            rec.problems.append(f"its WKT VLR cannot be parsed ({_first_line(exc)})")
            continue
        rec.crs = crs
        rec.z_unit = _vertical_axis_unit(crs) or _vert_cs_unit(text)
        return rec
    return rec


def _keys(records: list) -> dict[int, int] | None:
    """GeoKey id → value of the keys stored inline (all those MSIP reads), None without keys."""
    for vlr in records:
        if type(vlr).__name__ == "GeoKeyDirectoryVlr":
            return {
                int(k.id): int(k.value_offset)
                for k in vlr.geo_keys
                if int(k.id) and int(k.tiff_tag_location) == 0
            }
    return None


def read_geokeys(records: list) -> Record:
    """The CRS, horizontal and vertical units of the file's GeoTIFF keys."""
    rec = Record("GeoTIFF keys")
    keys = _keys(records)
    if keys is None:
        return rec
    code = keys.get(PROJECTED_CS_TYPE) or keys.get(GEOGRAPHIC_TYPE)
    if not code or code == USER_DEFINED:
        rec.problems.append("its GeoTIFF keys name no EPSG code (user-defined 32767)")
    else:
        try:
            rec.crs = CRS.from_epsg(code)
        except Exception as exc:  # noqa: BLE001 - an unknown code
            rec.problems.append(f"its GeoTIFF keys name EPSG:{code}, unknown ({_first_line(exc)})")
    if keys.get(VERTICAL_UNITS):
        rec.z_unit = unit(keys[VERTICAL_UNITS])
        if rec.z_unit is None:
            rec.problems.append(f"its VerticalUnits key {keys[VERTICAL_UNITS]} is no EPSG unit")
    elif keys.get(VERTICAL_CS_TYPE, USER_DEFINED) != USER_DEFINED:
        try:
            rec.z_unit = _vertical_axis_unit(CRS.from_epsg(keys[VERTICAL_CS_TYPE]))
        except Exception:  # noqa: BLE001 - an unknown vertical CRS states no unit
            rec.problems.append(f"its VerticalCSType key {keys[VERTICAL_CS_TYPE]} is unknown")
    if rec.crs is not None and keys.get(PROJ_LINEAR_UNITS):
        stated = unit(keys[PROJ_LINEAR_UNITS])
        own = float(horizontal(rec.crs).axis_info[0].unit_conversion_factor or 1.0)
        if stated and abs(stated[1] / own - 1.0) > 1e-9:
            rec.xy_factor = stated[1] / own
            rec.xy_unit_name = stated[0]
            rec.notes.append(
                f"its GeoTIFF keys give EPSG:{code} with ProjLinearUnits {stated[0]}: "
                f"coordinates read in {stated[0]}"
            )
    return rec

