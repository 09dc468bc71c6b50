"""Orthophoto tile checks: band roles (never guessing NIR), readability, CRS, delivery consistency, location.

Each check returns a reason (naming the file, the values and the fix) instead of raising, so
one bad tile is quarantined while the rest of the delivery loads.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from msip.core.errors import ConfigError
from msip.core.extents import in_poland
from pipelines.readers.validate import Extent, outside_extent_reason

#: Projected CRSs accepted for orthophoto tiles: PL-2000 zones 5–8 and PUWG-1992 (storage).
ORTHO_EPSG = (2176, 2177, 2178, 2179, 2180)
#: Band roles: red, green, blue, near-infrared, alpha (a mask, not data), X (ignored).
ROLES = ("R", "G", "B", "NIR", "A", "X")
_ROLE_ALIASES = {
    "R": "R",
    "RED": "R",
    "G": "G",
    "GREEN": "G",
    "B": "B",
    "BLUE": "B",
    "N": "NIR",
    "NIR": "NIR",
    "IR": "NIR",
    "NEAR-INFRARED": "NIR",
    "NEAR_INFRARED": "NIR",
    "NEARINFRARED": "NIR",
    "INFRARED": "NIR",
    "A": "A",
    "ALPHA": "A",
    "X": "X",
    "SKIP": "X",
}
_COLORINTERP_ROLE = {"red": "R", "green": "G", "blue": "B", "alpha": "A", "nir": "NIR"}
#: Relative tolerance when comparing a tile's pixel size with the delivery's.
RES_TOLERANCE = 0.01


def parse_bands(text: str | None) -> tuple[str, ...] | None:
    """Band roles from '--bands R,G,B,NIR' (also NIR,R,G for CIR or R,G,B,A); None when not given."""
    if text is None or not str(text).strip():
        return None
    roles = []
    for part in str(text).split(","):
        role = _ROLE_ALIASES.get(part.strip().upper())
        if role is None:
            raise ConfigError(
                f"--bands {text!r}: {part.strip()!r} is not a band role; use R, G, B, NIR, A (alpha) "
                "or X (ignore), e.g. --bands R,G,B,NIR"
            )
        roles.append(role)
    dupes = [r for r, n in Counter(roles).items() if n > 1 and r != "X"]
    if dupes:
        raise ConfigError(f"--bands {text!r} names {', '.join(dupes)} more than once")
    return tuple(roles)


@dataclass
class TileInfo:
    """What a tile's header says; `reason` is set when the tile cannot be used."""

    index: int
    path: Path
    reason: str | None = None
    count: int = 0
    dtype: str = ""
    epsg: int | None = None
    res: tuple[float, float] = (0.0, 0.0)
    width: int = 0
    height: int = 0
    bounds: tuple[float, float, float, float] | None = None
    rotated: bool = False
    nodata: float | None = None
    roles: tuple[str, ...] = ()
    bounds_2180: tuple[float, float, float, float] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def signature(self) -> tuple[int, str]:
        return self.count, self.dtype


def band_roles(
    path: Path,
    colorinterp: list[str],
    descriptions: list[str | None],
    given: tuple[str, ...] | None,
) -> tuple[tuple[str, ...] | None, str | None]:
    """(roles, reason): from --bands when given, else from colour interpretation or band descriptions.

    A band that is neither labelled by GDAL (red/green/blue/alpha/nir) nor described is never
    assumed to be NIR: the tile is refused and the operator asked for --bands.
    """
    name = path.name
    if given is not None:
        if len(given) != len(colorinterp):
            return None, (
                f"{name}: has {len(colorinterp)} bands but --bands names {len(given)} "
                f"({','.join(given)}); give one role per band"
            )
        return given, None
    roles = []
    for i, (ci, desc) in enumerate(zip(colorinterp, descriptions, strict=False), start=1):
        role = _COLORINTERP_ROLE.get(ci) or _ROLE_ALIASES.get((desc or "").strip().upper())
        if role is None:
            return None, (
                f"{name}: band {i} has colour interpretation '{ci}' and description {desc!r}, so it is "
                "unknown whether it is NIR, alpha or something else; say the band order with --bands, "
                "e.g. --bands R,G,B,NIR or --bands R,G,B,A"
            )
        roles.append(role)
    return tuple(roles), None


def roles_reason(name: str, roles: tuple[str, ...]) -> str | None:
    """Why these band roles cannot make an orthophoto (RGB or CIR needed), or None."""
    present = set(roles)
    if {"R", "G", "B"} <= present or {"NIR", "R", "G"} <= present:
        return None
    return (
        f"{name}: bands are {','.join(roles)}; an orthophoto needs red, green and blue (RGB) or NIR, red and "
        "green (CIR); fix the band order with --bands"
    )


def inspect_tile(
    index: int,
    path: Path,
    *,
    bands: tuple[str, ...] | None,
    fallback_epsg: int | None,
    extent: Extent | None,
    accepted_epsg: tuple[int, ...] | None = ORTHO_EPSG,
) -> TileInfo:
    """Read a tile's header and check readability, CRS, band roles and location (extent None: any).

    `fallback_epsg` (--crs) is used only when the tile has no CRS; `accepted_epsg` None accepts
    any CRS (used to test the reader on foreign files).
    """
    import rasterio

    from msip.core.crs import epsg_of

    info = TileInfo(index=index, path=path)
    name = path.name
    try:
        with rasterio.open(path) as src:
            if src.driver != "GTiff":
                info.reason = (
                    f"{name}: is a {src.driver} file, not a GeoTIFF; deliver GeoTIFF tiles"
                )
                return info
            info.count, info.dtype, info.nodata = src.count, src.dtypes[0], src.nodata
            t = src.transform
            info.res = (abs(t.a), abs(t.e))
            info.width, info.height = src.width, src.height
            info.rotated = bool(t.b or t.d)
            ci = [c.name for c in src.colorinterp]
            desc = list(src.descriptions)
            has_crs = src.crs is not None
            info.epsg = epsg_of(src.crs) if has_crs else None
            bounds = info.bounds = tuple(src.bounds)
            no_georef = t.is_identity
    except rasterio.errors.RasterioIOError as exc:
        info.reason = f"{name}: cannot be read as a GeoTIFF ({_first_line(exc)}); re-export or re-copy the tile"
        return info
    if no_georef:
        info.reason = (
            f"{name}: has no georeferencing (no geotransform); re-export it with its coordinates"
        )
        return info
    if not has_crs:
        if fallback_epsg is None:
            info.reason = (
                f"{name}: has no CRS; give the delivery's CRS with --crs (EPSG:2180 or a PL-2000 zone "
                "2176–2179)"
            )
            return info
        info.epsg = fallback_epsg
        info.notes.append(f"{name}: no CRS in the file, used --crs EPSG:{fallback_epsg}")
    if info.epsg is None:
        info.reason = f"{name}: its CRS has no EPSG code; reproject it to EPSG:2180 or a PL-2000 zone (2176–2179)"
        return info
    if accepted_epsg is not None and info.epsg not in accepted_epsg:
        info.reason = (
            f"{name}: CRS EPSG:{info.epsg} is not accepted for orthophotos (EPSG:2180 or PL-2000 "
            "2176–2179); reproject the tile first"
        )
        return info
    if info.dtype not in ("uint8", "uint16"):
        info.reason = (
            f"{name}: data type {info.dtype} is not an image type; deliver uint8 (or uint16) tiles"
        )
        return info
    roles, reason = band_roles(path, ci, desc, bands)
    if reason is None and roles is not None:
        reason = roles_reason(name, roles)
    if reason or roles is None:
        info.reason = reason
        return info
    info.roles = roles
    info.bounds_2180 = bounds_in_2180(bounds, info.epsg)
    if extent is not None:  # 'none' is no city limit, but still Poland
        info.reason = location_reason(name, info.bounds_2180, extent)
    return info


def bounds_in_2180(bounds, epsg: int) -> tuple[float, float, float, float] | None:
    """Bounds in EPSG:2180 (densified edges); None when they do not transform to finite numbers."""
    from rasterio.warp import transform_bounds

    if epsg == 2180:
        return tuple(bounds)
    try:
        out = transform_bounds(f"EPSG:{epsg}", "EPSG:2180", *bounds, densify_pts=21)
    except Exception:  # noqa: BLE001 - PROJ raises several types for points far outside a CRS's area
        return None
    return out if all(math.isfinite(v) for v in out) else None


def location_reason(
    name: str, b: tuple[float, float, float, float] | None, extent: Extent
) -> str | None:
    """Why a tile's EPSG:2180 bounds do not touch `extent`, or its centre lies outside Poland (None when fine)."""
    if b is None:
        return f"{name}: its coordinates do not map into Poland (EPSG:2180); check the CRS (--crs)"
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    poland = bool(in_poland(np.array([cx]), np.array([cy]))[0])
    if poland and b[0] <= extent.maxx and b[2] >= extent.minx and b[1] <= extent.maxy and b[3] >= extent.miny:
        return None
    where = "Poland" if not poland else "the city" if extent.name == "Kielce" else "the extent"
    return f"{name}: outside {where} — tile centre {outside_extent_reason(cx, cy, extent)}"


def delivery_reference(infos: list[TileInfo]) -> tuple[tuple[int, str], float] | None:
    """The delivery's (band count, dtype) and pixel size (m): the most common among usable tiles."""
    good = [i for i in infos if i.reason is None]
    if not good:
        return None
    signature = Counter(i.signature for i in good).most_common(1)[0][0]
    res = Counter(round(i.res[0], 4) for i in good if i.signature == signature).most_common(1)[0][0]
    return signature, res


def consistency_reason(info: TileInfo, signature: tuple[int, str], res_m: float) -> str | None:
    """Why a tile does not match its delivery (bands, dtype, pixel size), or None."""
    name = info.path.name
    if abs(info.res[0] - info.res[1]) > RES_TOLERANCE * max(info.res):
        return (
            f"{name}: non-square pixels {info.res[0]:g}×{info.res[1]:g} m; resample the tile to square pixels "
            f"(e.g. gdalwarp -tr {min(info.res):g} {min(info.res):g})"
        )
    if info.signature != signature:
        return (
            f"{name}: has {info.count} bands ({info.dtype}) but the delivery has {signature[0]} bands "
            f"({signature[1]}); load it separately or re-export it like the others"
        )
    worst = max(abs(r - res_m) / res_m for r in info.res)
    if worst > RES_TOLERANCE:
        return (
            f"{name}: pixel size {info.res[0]:g}×{info.res[1]:g} m differs from the delivery's {res_m:g} m by "
            f"more than {RES_TOLERANCE:.0%}; load it as a separate delivery"
        )
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
