"""Point positions of inventory rows: geometry or x/y, lon/lat columns → EPSG:2180, inside an extent.

Order of preference: the file's point geometry, then projected x/y columns, then lon/lat
columns. Rows without a usable position are refused one by one; when most points fall
outside the extent the whole file is refused instead, because that means a wrong CRS or
swapped columns rather than a few bad rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from msip.core.crs import STORAGE_EPSG, check_degrees, detect_epsg, to_storage
from msip.core.errors import CrsError, SourceReadError, ValidationError
from msip.core.extents import extent_fix
from pipelines.readers.columns import Rejects, numbers
from pipelines.readers.osm import EXTRACT_FIX
from pipelines.readers.tabular import Table
from pipelines.readers.validate import Extent, outside_extent_reason
from pipelines.readers.vector_io import declared_epsg

#: Coordinate column names; `x`/`y` are eastings/northings (PL-1992, PL-2000 or detected).
COORDINATE_ALIASES: dict[str, tuple[str, ...]] = {
    "x": ("x_2180", "x_1992", "x_pl1992", "x_puwg1992", "x_pl2000", "x_2000", "x_puwg2000", "x_2176",
          "x_2177", "x_2178", "x_2179", "easting", "wsp_x", "coord_x", "x_coord", "xcoord"),
    "y": ("y_2180", "y_1992", "y_pl1992", "y_puwg1992", "y_pl2000", "y_2000", "y_puwg2000", "y_2176",
          "y_2177", "y_2178", "y_2179", "northing", "wsp_y", "coord_y", "y_coord", "ycoord"),
    "lon": ("lon", "lng", "long", "longitude", "dlugosc", "dlugosc_geograficzna", "x_wgs84", "lon_wgs84",
            "wgs84_x", "wgs84_lon"),
    "lat": ("lat", "latitude", "szerokosc", "szerokosc_geograficzna", "y_wgs84", "lat_wgs84", "wgs84_y",
            "wgs84_lat"),
}


@dataclass
class Points:
    """EPSG:2180 positions (NaN where the row was refused), rounded to 1 mm."""

    x: np.ndarray
    y: np.ndarray
    source_epsg: int
    columns: list[str]


def points_from_wkb(geometry: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, problem) from WKB points; `problem` is None per good row, else what the geometry was.

    Plain little-endian 2D points (what GDAL writes) are decoded straight from the buffer.
    """
    n = len(geometry)
    if n and geometry.null_count == 0 and pa.types.is_binary(geometry.type):
        offsets = np.frombuffer(geometry.buffers()[1], np.int32)[geometry.offset: geometry.offset + n + 1]
        if np.all(np.diff(offsets) == 21):
            data = np.frombuffer(geometry.buffers()[2], np.uint8)[offsets[0]: offsets[-1]].reshape(n, 21)
            if np.all(data[:, :5] == np.array([1, 1, 0, 0, 0], np.uint8)):
                xy = np.ascontiguousarray(data[:, 5:21]).view("<f8")
                problem = np.full(n, None, dtype=object)
                problem[~np.isfinite(xy).all(axis=1)] = "an empty point"
                return xy[:, 0].copy(), xy[:, 1].copy(), problem
    import shapely

    geoms = shapely.from_wkb(np.asarray(geometry.to_pylist(), dtype=object), on_invalid="ignore")
    kinds = shapely.get_type_id(geoms)
    single = (kinds == 4) & (shapely.get_num_geometries(geoms) == 1)
    geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
    is_point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    x = np.where(is_point, shapely.get_x(geoms), np.nan)
    y = np.where(is_point, shapely.get_y(geoms), np.nan)
    problem = np.full(n, None, dtype=object)
    for i in np.flatnonzero(~is_point):
        g = geoms[i]
        problem[i] = "missing" if g is None else ("an empty geometry" if g.is_empty else f"a {g.geom_type}")
    return x, y, problem


def locate_points(table: Table, mapping: dict[str, str], rejects: Rejects, *, crs: int | None,
                  extent: Extent, what: str) -> Points:
    """EPSG:2180 points for every row; refuses rows without a position or outside `extent`.

    Raises CrsError / SourceReadError / ValidationError (naming the file and the fix) when
    the file as a whole has no usable positions.
    """
    columns: list[str] = []
    if table.geometry is not None:
        sx, sy, problem = points_from_wkb(table.geometry)
        rejects.add(pd.notna(problem), "geom", lambda i: (
            f"geometry is {problem[i]}; each {what} needs a point position"))
        epsg = declared_epsg(table.name, table.epsg, crs, crs_text=table.crs_text)

        def raw_of(i: int) -> str:
            return f"geometry=POINT ({sx[i]:.6g} {sy[i]:.6g})"
    else:
        xcol, ycol, lonlat = _coordinate_columns(table, mapping)
        columns = [xcol, ycol]
        sx = numbers(table.frame[xcol], rejects, field="geom", column=xcol, unit="a coordinate")
        sy = numbers(table.frame[ycol], rejects, field="geom", column=ycol, unit="a coordinate")
        rejects.add(np.isnan(sx) | np.isnan(sy), "geom",
                    lambda i: f"{xcol if np.isnan(sx[i]) else ycol} is empty; each {what} needs coordinates")
        if not rejects.ok.any():
            raise SourceReadError(f"{table.name}: no row has usable coordinates in {xcol}/{ycol} (first: "
                                  f"{rejects.reason[0]}); fill them in or map other columns with --mapping")
        epsg = crs or (4326 if lonlat else _guess_epsg(table, sx, sy, rejects.ok, xcol, ycol))
        xs, ys = table.frame[xcol].to_numpy(), table.frame[ycol].to_numpy()

        def raw_of(i: int) -> str:
            return f"{xcol},{ycol}={xs[i]},{ys[i]}"
    if epsg == 4326:
        check_degrees(table.name, sx[rejects.ok], sy[rejects.ok])
    source = "the file's point geometry" if table.geometry is not None else f"columns {columns[0]}/{columns[1]}"
    table.notes.append(f"positions from {source}, EPSG:{epsg} → EPSG:{STORAGE_EPSG}")
    ok = rejects.ok.copy()
    x = np.full(len(table), np.nan)
    y = np.full(len(table), np.nan)
    if ok.any():
        x[ok], y[ok] = to_storage(sx[ok], sy[ok], epsg)
    rejects.add(ok & ~(np.isfinite(x) & np.isfinite(y)), "geom",
                lambda i: f"{raw_of(i)} cannot be transformed from EPSG:{epsg} to EPSG:{STORAGE_EPSG}")
    _check_extent(table, rejects, x, y, sx, sy, epsg, extent, raw_of)
    bad = ~rejects.ok
    x, y = np.round(x, 3), np.round(y, 3)
    x[bad] = np.nan
    y[bad] = np.nan
    return Points(x, y, epsg, columns)


def _coordinate_columns(table: Table, mapping: dict[str, str]) -> tuple[str, str, bool]:
    if "x" in mapping and "y" in mapping:
        return mapping["x"], mapping["y"], False
    if "lon" in mapping and "lat" in mapping:
        return mapping["lon"], mapping["lat"], True
    raise SourceReadError(
        f"{table.name} has no geometry and no coordinate columns (looked for x/y, x_2180/y_2180, "
        f"x_pl2000/y_pl2000, lon/lat …); its columns are {', '.join(map(str, table.frame.columns))}. "
        "Name them in a --mapping file, e.g. 'x: EASTING' and 'y: NORTHING'"
    )


def _guess_epsg(table: Table, sx: np.ndarray, sy: np.ndarray, ok: np.ndarray, xcol: str, ycol: str) -> int:
    guess = detect_epsg(sx[ok], sy[ok])
    if guess is not None:
        table.notes.append(f"CRS EPSG:{guess} detected from the values of {xcol}/{ycol}; pass --crs to state it")
        return guess
    swapped = detect_epsg(sy[ok], sx[ok])
    if swapped is not None:
        raise CrsError(
            f"{table.name}: {xcol}/{ycol} look swapped — their values fit EPSG:{swapped} with {ycol} as the "
            f"easting (Polish geodetic X is the northing); map them with --mapping ('x: {ycol}', 'y: {xcol}')")
    finite = ok & np.isfinite(sx) & np.isfinite(sy)
    if finite.any() and np.all(np.abs(sx[finite]) <= 180) and np.all(np.abs(sy[finite]) <= 90):
        table.notes.append(f"{xcol}/{ycol} hold degrees: read as longitude/latitude (EPSG:4326)")
        return 4326
    mx = float(np.nanmedian(sx[finite])) if finite.any() else float("nan")
    my = float(np.nanmedian(sy[finite])) if finite.any() else float("nan")
    raise CrsError(f"{table.name}: cannot tell the CRS of {xcol}/{ycol} (median {mx:.6g}, {my:.6g}); "
                   "pass --crs, e.g. --crs 2180 (PUWG-1992) or --crs 2178 (PL-2000 zone 7)")


def _check_extent(table: Table, rejects: Rejects, x: np.ndarray, y: np.ndarray, sx: np.ndarray,
                  sy: np.ndarray, epsg: int, extent: Extent, raw_of: Callable[[int], str]) -> None:
    """Refuse rows outside `extent` (and Poland) one by one, or the whole file when most are outside."""
    located = rejects.ok.copy()
    if not located.any():
        return
    outside = located & ~extent.inside(x, y)
    if not outside.any():
        return
    swapped_fits = np.zeros(len(x), dtype=bool)
    if not table.crs_fixed:  # an OpenStreetMap node is lon/lat by definition: never "swapped"
        wx, wy = to_storage(sy[outside], sx[outside], epsg)
        swapped_fits[outside] = extent.inside(wx, wy)
    n_out, n_in = int(outside.sum()), int(located.sum())
    if 2 * n_out > n_in:
        first = int(np.flatnonzero(outside)[0])
        guess = None if table.crs_fixed else detect_epsg(sx[outside], sy[outside])
        if 2 * swapped_fits.sum() > n_out:
            hint = ("with the two coordinates swapped they would fit, so the coordinate columns (or the "
                    "lon/lat order) are swapped: fix the file or map them the other way with --mapping")
        elif guess not in (None, epsg):
            hint = f"the coordinates do not look like EPSG:{epsg} but like EPSG:{guess}: pass --crs {guess}"
        else:
            crs_fix = None if table.crs_fixed else f"check the CRS (read as EPSG:{epsg}; --crs)"
            hint = extent_fix(x[outside], y[outside], extent, crs_fix=crs_fix,
                              other_data=EXTRACT_FIX if table.crs_fixed else None)
        raise ValidationError(
            f"{table.name}: {n_out} of {n_in} points fall outside {extent.describe()} (first: row {first + 1}, "
            f"{raw_of(first)} → E {x[first]:.1f}, N {y[first]:.1f}); {hint}. Nothing was loaded")

    def reason(i: int) -> str:
        text = f"{raw_of(i)}: {outside_extent_reason(x[i], y[i], extent, swappable=not table.crs_fixed)}"
        if swapped_fits[i] and epsg != STORAGE_EPSG:
            text += "; with the two coordinates swapped it would fit (lon/lat or x/y swapped in this row)"
        return text

    rejects.add(outside, "geom", reason)
