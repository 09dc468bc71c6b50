"""The one vector-file reader of the loaders (GPKG, GeoJSON, Shapefile), its CRS rule and per-row geometry checks.

`read_vector` picks the layer and reads it with one of two outputs: `output="frame"` (a
`VectorSource` GeoDataFrame whose CRS is settled at once by `declared_epsg`; base layers,
zoning tables) or `output="columns"` (`VectorColumns`: attribute columns plus WKB geometry
and the file's own CRS, for the inventories, which settle the CRS with `declared_epsg` only
where they use the geometry).
`area_to_storage` and `line_to_storage` then check and transform one row's geometry to
EPSG:2180, raising ValueError with the reason (the loader quarantines the row).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from msip.core.crs import check_degrees, epsg_of, parse_epsg, to_storage
from msip.core.errors import CrsError, SourceReadError
from msip.core.runs import shorten
from pipelines.readers.sniff import refuse_unusable_file
from pipelines.readers.validate import Extent, check_geometry, outside_extent_reason

#: File suffix → vector format (the suffixes every loader accepts for vector files).
VECTOR_SUFFIXES = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".shp": "shp"}

Output = Literal["frame", "columns"]


@dataclass
class VectorSource:
    """One layer of a vector file as a GeoDataFrame (column 'geometry') in its own CRS, settled by `declared_epsg`."""

    frame: Any  # geopandas.GeoDataFrame
    epsg: int
    layer: str
    format: str
    crs_text: str | None = None


@dataclass
class VectorColumns:
    """One layer of a vector file as columns: attributes, WKB geometry (None without one) and the file's own CRS.

    `epsg` is the file's EPSG code, None when it declares none or a CRS without one (`crs_text`);
    the loader settles it with `declared_epsg` where it uses the geometry.
    """

    frame: pd.DataFrame
    geometry: pa.Array | None
    epsg: int | None
    crs_text: str | None
    layer: str
    format: str


@overload
def read_vector(
    path: Path | str,
    *,
    output: Literal["frame"] = ...,
    preferred_layers: tuple[str, ...] = ...,
    layer: str | None = ...,
    crs: int | None = ...,
) -> VectorSource: ...


@overload
def read_vector(
    path: Path | str,
    *,
    output: Literal["columns"],
    preferred_layers: tuple[str, ...] = ...,
    layer: str | None = ...,
    crs: int | None = ...,
) -> VectorColumns: ...


def read_vector(
    path: Path | str,
    *,
    output: Output = "frame",
    preferred_layers: tuple[str, ...] = (),
    layer: str | None = None,
    crs: int | None = None,
) -> VectorSource | VectorColumns:
    """Read one layer of a GPKG/GeoJSON/SHP file; `crs` (output="frame") is used only when the file has none.

    Raises SourceReadError (unreadable, empty, ambiguous layers) or CrsError (no/unaccepted CRS).
    """
    import pyogrio
    from pyogrio import errors

    path = Path(path)
    fmt = VECTOR_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SourceReadError(
            f"{path.name}: unknown vector format {path.suffix!r}; give .gpkg, .geojson or .shp"
        )
    if not path.is_file():
        raise SourceReadError(f"{path}: no such file")
    refuse_unusable_file(path, f"a {fmt} file")
    unreadable = (errors.DataSourceError, errors.DataLayerError, errors.FieldError,
                  errors.GeometryError, errors.CRSError)
    chosen = None
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        chosen = choose_layer(path, layers, preferred_layers, layer)
        if output == "columns":
            return _columns(path, fmt, chosen)
        with warnings.catch_warnings():
            # GeoJSON columns of mixed types come back as text, which the row checks parse anyway.
            warnings.filterwarnings(
                "ignore", message="Could not parse column", category=UserWarning
            )
            frame = pyogrio.read_dataframe(path, layer=chosen, on_invalid="ignore")
    except unreadable as exc:
        raise _unreadable(path, fmt, output, chosen, exc) from None
    crs_text = None if frame.crs is None else frame.crs.to_string()
    epsg = declared_epsg(path.name, file_epsg(crs_text), crs, crs_text=crs_text)
    if epsg == 4326 and len(frame):
        bounds = frame.geometry.bounds
        check_degrees(path.name, bounds["minx"].to_numpy(), bounds["miny"].to_numpy())
    return VectorSource(frame, epsg, chosen, fmt, crs_text=crs_text)


def _columns(path: Path, fmt: str, layer: str) -> VectorColumns:
    """The layer as Arrow columns: attributes as a DataFrame, geometry as WKB, the file's CRS as declared."""
    import pyogrio

    meta, arrow = pyogrio.read_arrow(path, layer=layer)
    geom_name = meta.get("geometry_name") or "wkb_geometry"
    geometry = None
    if geom_name in arrow.column_names and meta.get("geometry_type"):
        geometry = arrow.column(geom_name).combine_chunks()
        arrow = arrow.drop_columns([geom_name])
    crs_text = meta.get("crs")
    return VectorColumns(arrow.to_pandas(), geometry, file_epsg(crs_text), crs_text, layer, fmt)


def _unreadable(
    path: Path, fmt: str, output: Output, layer: str | None, exc: Exception
) -> SourceReadError:
    # Each output keeps the wording its loaders have always printed (tests and the bad-input corpus pin both).
    if output == "frame":
        return SourceReadError(f"{path.name}: cannot be read as {fmt}: {exc}")
    if layer is None:
        return SourceReadError(f"{path.name} cannot be opened as a vector file: {exc}")
    return SourceReadError(f"{path.name}: layer {layer!r} cannot be read: {exc}")


def file_epsg(crs_text: str | None) -> int | None:
    """The EPSG code of a file's CRS as GDAL states it (OGC CRS84 counts as EPSG:4326), or None."""
    if crs_text and "CRS84" in crs_text.upper():
        return 4326
    return epsg_of(crs_text)


def declared_epsg(
    name: str, file_code: int | None, crs: int | None, *, crs_text: str | None = None
) -> int:
    """The CRS of a vector file's geometry: the file's own, else --crs; refuses a contradiction or none.

    `file_code` is the file's EPSG code (None when it declares none or one without a code,
    `crs_text`); raises CrsError naming the file and the fix.
    """
    if file_code is not None and crs is not None and file_code != crs:
        raise CrsError(f"{name} declares EPSG:{file_code} but --crs says EPSG:{crs}; "
                       "drop --crs (the file's CRS is used) or fix the file's CRS")
    code = file_code if file_code is not None else crs
    if code is None:
        if crs_text:
            raise CrsError(f"{name}: its CRS has no EPSG code ({shorten(crs_text, 80)}); "
                           "reproject the file to EPSG:2180 (e.g. ogr2ogr -t_srs EPSG:2180)")
        raise CrsError(f"{name} has no CRS; pass --crs, e.g. --crs 2180 or --crs 2178")
    try:
        return parse_epsg(code)
    except CrsError as exc:
        raise CrsError(f"{name}: {exc}") from None


def choose_layer(
    path: Path, layers: list[str], preferred: tuple[str, ...], layer: str | None
) -> str:
    """The layer to read: the one asked for, a preferred name, or the only one; else refuse."""
    if not layers:
        raise SourceReadError(f"{path.name}: holds no layer")
    if layer is not None:
        if layer not in layers:
            raise SourceReadError(f"{path.name}: no layer {layer!r}; it has {', '.join(layers)}")
        return layer
    for name in preferred:
        if name in layers:
            return name
    if len(layers) == 1:
        return layers[0]
    expected = f" and none is named {' or '.join(preferred)}" if preferred else ""
    raise SourceReadError(
        f"{path.name} has {len(layers)} layers ({', '.join(layers)}){expected}; choose one with --layer"
    )


def _transform(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = to_storage(xy[:, 0], xy[:, 1], epsg)
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def _check_extent(geom: BaseGeometry, extent: Extent | None) -> None:
    """ValueError when a vertex of `geom` (EPSG:2180) lies outside `extent` (the city, Poland), naming a
    point inside the geometry when that is outside too, else the first vertex outside."""
    if extent is None:
        return
    xy = shapely.get_coordinates(geom)
    inside = extent.inside(xy[:, 0], xy[:, 1])
    if not inside.all():
        p = geom.representative_point()
        x, y = (p.x, p.y) if not extent.contains(p.x, p.y) else xy[int(np.flatnonzero(~inside)[0])]
        raise ValueError(outside_extent_reason(float(x), float(y), extent))


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Polygon → MultiPolygon; ValueError for any other kind (lines, points, collections)."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    raise ValueError(f"geometry is a {geom.geom_type}, expected a Polygon or MultiPolygon")


def area_to_storage(
    geom: BaseGeometry | None,
    epsg: int,
    *,
    extent: Extent | None,
    on_invalid: str = "repair",
    transformed: bool = False,
) -> tuple[MultiPolygon, str | None]:
    """A polygon row's geometry checked and in EPSG:2180: (MultiPolygon, repair note or None).

    `transformed=True` when `geom` is already in EPSG:2180. Raises ValueError with the reason.
    """
    if geom is None or geom.is_empty:
        # GDAL hands over no geometry for one it cannot build, so say both
        raise ValueError(
            "geometry is missing or empty, or could not be built (e.g. a ring whose last point "
            "is not its first); fix the polygon"
        )
    geom = as_multipolygon(shapely.force_2d(geom))
    if not transformed:
        geom = _transform(geom, epsg)
    fixed, note = check_geometry(geom, on_invalid=on_invalid)
    fixed = as_multipolygon(fixed)
    _check_extent(fixed, extent)
    return fixed, note


def line_to_storage(
    geom: BaseGeometry | None, epsg: int, *, extent: Extent | None
) -> list[LineString]:
    """A line row's geometry in EPSG:2180 as LineStrings (a MultiLineString gives several)."""
    if geom is None or geom.is_empty:
        raise ValueError("geometry is missing or empty")
    geom = shapely.force_2d(geom)
    if not isinstance(geom, (LineString, MultiLineString)):
        # A data problem (the row is quarantined), not a programming error: ValueError.
        raise ValueError(
            f"geometry is a {geom.geom_type}, expected a LineString or MultiLineString"
        )
    geom = _transform(geom, epsg)
    _check_extent(geom, extent)
    lines = [g for g in shapely.get_parts(geom) if g.length > 0]
    if not lines:
        raise ValueError("line has zero length")
    return lines
