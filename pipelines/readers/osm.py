"""The one OpenStreetMap reader (.osm.pbf, through pyrosm): layers for the base layers, tagged points for inventories.

An OSM file is lon/lat (EPSG:4326) by definition, so it never needs --crs and its axes are
never swapped. `OsmFile.frame` reads a layer with a pyrosm call and turns read errors into
SourceReadError; `OsmFile.points` reads the features matching a tag filter (nodes, and ways or
relations placed at a point on them) with all their tags, for trees and advertising carriers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from msip.core.errors import SourceReadError

#: Columns of a pyrosm frame that describe the element, not its tags.
_META = frozenset({"id", "lon", "lat", "tags", "visible", "version", "timestamp", "changeset", "geometry",
                   "osm_type", "nodes", "members", "u", "v", "length"})
#: What to do with an extract outside Poland (where EPSG:2180 is not valid) or outside the city.
EXTRACT_FIX = "use an extract of the city (e.g. Geofabrik's europe/poland/swietokrzyskie-latest.osm.pbf)"
#: A pyrosm tag filter: tag key → accepted values, or True for any value.
TagFilter = dict[str, "list[str] | bool"]


@dataclass
class OsmFeatures:
    """Features of an OSM file as points: 'node/123' ids, tag dicts and WKB points in lon/lat (EPSG:4326)."""

    ids: list[str]
    tags: list[dict[str, str]]
    geometry: pa.Array
    from_ways: list[str]
    """Ids of the features drawn as ways or relations, placed at a point on them."""


class OsmFile:
    """pyrosm access to one .osm.pbf, opened once on first use; read errors become SourceReadError."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._osm: Any = None

    def _errors(self) -> tuple[type[BaseException], ...]:
        from google.protobuf.message import Error as ProtobufError
        from pyrosm.exceptions import PBFException

        return (PBFException, ProtobufError, OSError, ValueError)

    def _open(self) -> Any:
        from pyrosm import OSM

        if not self.path.is_file():
            raise SourceReadError(f"{self.path}: no such file; give an OpenStreetMap .osm.pbf extract")
        if self._osm is None:
            try:
                self._osm = OSM(str(self.path))
            except self._errors() as exc:
                raise SourceReadError(f"{self.path.name}: not a readable OSM PBF file ({exc})") from None
        return self._osm

    def frame(self, what: str, read: Callable[[Any], Any]) -> Any:
        """`read(pyrosm.OSM)` — a GeoDataFrame, None when nothing matched — with errors named for the file."""
        import warnings

        osm = self._open()
        try:
            with warnings.catch_warnings():  # "Could not find any OSM data": None says it
                warnings.filterwarnings("ignore", message="Could not find any OSM data", category=UserWarning)
                return read(osm)
        except self._errors() as exc:
            raise SourceReadError(
                f"{self.path.name}: cannot read {what} ({type(exc).__name__}: {exc}); "
                "the file is probably truncated, download the extract again"
            ) from None

    def points(self, tag_filter: TagFilter, what: str) -> OsmFeatures:
        """Every node, way and relation matching `tag_filter`, as a point with all its tags."""
        import shapely

        frame = self.frame(what, lambda osm: osm.get_data_by_custom_criteria(
            custom_filter=tag_filter, filter_type="keep", keep_nodes=True, keep_ways=True, keep_relations=True))
        if frame is None or len(frame) == 0:
            return OsmFeatures([], [], pa.array([], pa.binary()), [])
        records = frame.drop(columns="geometry").to_dict("records")
        geoms = np.asarray(frame.geometry.to_numpy(), dtype=object)
        kinds = [str(r.get("osm_type") or "node") for r in records]
        ids = [f"{kind}/{int(r['id'])}" for kind, r in zip(kinds, records, strict=True)]
        tags = [_tags_of(r) for r in records]
        points = geoms.copy()
        drawn = np.array([kind != "node" for kind in kinds], dtype=bool)
        if drawn.any():
            points[drawn] = [_point_on(g) for g in geoms[drawn]]
        wkb = shapely.to_wkb(points, output_dimension=2)
        return OsmFeatures(ids, tags, pa.array(list(wkb), pa.binary()),
                           [i for i, d in zip(ids, drawn, strict=True) if d])


def _point_on(geom: Any) -> Any:
    """A point standing for a way or relation: the middle of a line, a point inside an area; None if empty."""
    import shapely

    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shapely.line_merge(geom), 0.5, normalized=True)
    return shapely.point_on_surface(geom)


def _tags_of(record: dict[str, Any]) -> dict[str, str]:
    """All tags of a pyrosm record: its tag columns and the JSON `tags` column, as text."""
    tags: dict[str, str] = {}
    extra = record.get("tags")
    if isinstance(extra, str) and extra:
        with suppress(json.JSONDecodeError):  # pyrosm writes valid JSON; a broken one adds no tags
            tags.update({str(k): str(v) for k, v in json.loads(extra).items()})
    elif isinstance(extra, dict):
        tags.update({str(k): str(v) for k, v in extra.items()})
    for key, value in record.items():
        if key in _META or value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            continue
        tags[str(key)] = str(value)
    return tags
