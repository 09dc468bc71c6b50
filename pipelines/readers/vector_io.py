"""Vector files for loaders (GPKG, GeoJSON, Shapefile): layer choice, CRS, and per-row geometry checks.

`read_vector` returns the layer in its own CRS with that CRS's EPSG code; `area_to_storage`
and `line_to_storage` then check and transform one row's geometry to EPSG:2180, raising
ValueError with the reason (the loader quarantines the row).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from msip.core.errors import CrsError, SourceReadError
from msip.core.crs import check_degrees, epsg_of, parse_epsg, to_storage
from pipelines.readers.validate import Extent, check_geometry, outside_extent_reason

VECTOR_SUFFIXES = {".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson", ".shp": "shp"}


@dataclass
class VectorSource:
    """One layer of a vector file, in its own CRS."""

    frame: object  # geopandas.GeoDataFrame
    epsg: int
    layer: str
    format: str


def read_vector(
    path: Path | str,
    *,
    preferred_layers: tuple[str, ...] = (),
    layer: str | None = None,
    crs: int | None = None,
) -> VectorSource:
    """Read one layer of a GPKG/GeoJSON/SHP file; `crs` is used only when the file has none.

    Raises SourceReadError (unreadable, empty, ambiguous layers) or CrsError (no/unaccepted CRS).
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(path)
    fmt = VECTOR_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise SourceReadError(
            f"{path.name}: unknown vector format {path.suffix!r}; give .gpkg, .geojson or .shp"
        )
    if not path.is_file():
        raise SourceReadError(f"{path}: no such file")
    from pipelines.readers.sniff import refuse_unusable_file

    refuse_unusable_file(path, f"a {fmt} file")
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        chosen = choose_layer(path, layers, preferred_layers, layer)
        with warnings.catch_warnings():
            # GeoJSON columns of mixed types come back as text, which the row checks parse anyway.
            warnings.filterwarnings(
                "ignore", message="Could not parse column", category=UserWarning
            )
            frame = pyogrio.read_dataframe(path, layer=chosen, on_invalid="ignore")
    except (DataSourceError, DataLayerError) as exc:
        raise SourceReadError(f"{path.name}: cannot be read as {fmt}: {exc}") from None
    file_epsg = epsg_of(frame.crs)
    if file_epsg is None and crs is None:
        raise CrsError(
            f"{path.name} layer {chosen!r} has no CRS; pass --crs (e.g. --crs EPSG:2180)"
        )
    if file_epsg is not None and crs is not None and file_epsg != crs:
        raise CrsError(
            f"{path.name} says EPSG:{file_epsg} but --crs is EPSG:{crs}; drop --crs or fix the file"
        )
    try:
        epsg = parse_epsg(file_epsg if file_epsg is not None else crs)
    except CrsError as exc:
        raise CrsError(f"{path.name}: {exc}") from None
    if epsg == 4326 and len(frame):
        bounds = frame.geometry.bounds
        check_degrees(path.name, bounds["minx"].to_numpy(), bounds["miny"].to_numpy())
    return VectorSource(frame, epsg, chosen, fmt)


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
    if extent is None:
        return
    minx, miny, maxx, maxy = geom.bounds
    if not (extent.contains(minx, miny) and extent.contains(maxx, maxy)):
        p = geom.representative_point() if not geom.is_empty else geom.centroid
        raise ValueError(outside_extent_reason(p.x, p.y, extent))


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
        raise ValueError(  # noqa: TRY004
            f"geometry is a {geom.geom_type}, expected a LineString or MultiLineString"
        )
    geom = _transform(geom, epsg)
    _check_extent(geom, extent)
    lines = [g for g in shapely.get_parts(geom) if g.length > 0]
    if not lines:
        raise ValueError("line has zero length")
    return lines
