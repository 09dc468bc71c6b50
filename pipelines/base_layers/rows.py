"""Row checks of the base layers: one function per layer turning a source record into column values.

Each `*_row(record, layer, …)` returns (values, geometry, notes) or raises ValueError whose
message names the field, the value and the expected form; the loader quarantines the row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from msip.core.crs import to_storage
from msip.core.errors import RowError, ValidationError
from msip.core.extents import extent_fix
from pipelines.readers.columns import yes_no
from pipelines.readers.osm import EXTRACT_FIX
from pipelines.readers.validate import Extent, check_range, parse_number
from pipelines.readers.vector_io import area_to_storage, line_to_storage

#: Gross floor area per resident for the population estimate, m² (as the sample world).
M2_PER_PERSON = 35.0
#: Storey height used to derive storeys from a height, m.
STOREY_HEIGHT_M = 3.0
#: Uses counted as residential when the source has no residential flag (source kind or OSM building=*).
RESIDENTIAL_KINDS = frozenset(
    {
        "residential",
        "apartments",
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "dormitory",
        "bungalow",
        "farm",
        "mieszkalny",
        "jednorodzinny",
        "wielorodzinny",
    }
)
#: Road classes pedestrians may not use; such lines are quarantined with the reason.
NOT_WALKABLE = frozenset({"motorway", "motorway_link", "autostrada", "droga_ekspresowa"})
_NO_FOOT = {"no", "nie", "false", "0", "private"}


@dataclass
class LayerInput:
    """Rows of one base layer mapped to MSIP field names; geometry in the CRS `epsg`."""

    records: list[dict]
    epsg: int
    format: str
    label: str
    noded: bool = False
    mapping: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def id_column(self) -> str:
        return self.mapping.get("source_id", "id")


def check_layer_extent(layer: LayerInput, extent: Extent | None, *, what: str) -> None:
    """Refuse a layer none of whose rows lies inside `extent` (the city; always Poland) with the fix that
    fits: a wrong file or a wrong --extent, not thousands of bad rows. One point per row (on its surface)."""
    geoms = np.array([r.get("geometry") for r in layer.records], dtype=object)
    present = np.array([isinstance(g, BaseGeometry) and not g.is_empty for g in geoms], dtype=bool)
    if extent is None or not present.any():
        return  # rows without geometry are refused one by one
    points = shapely.point_on_surface(geoms[present])
    x, y = to_storage(shapely.get_x(points), shapely.get_y(points), layer.epsg)
    if extent.inside(x, y).any():
        return
    # An OpenStreetMap extract is lon/lat by definition: --crs is never its fix.
    crs_fix = None if layer.format == "osm" else f"check the CRS (read as EPSG:{layer.epsg}; --crs)"
    fix = extent_fix(x, y, extent, crs_fix=crs_fix, other_data=EXTRACT_FIX if layer.format == "osm" else None)
    ok = np.isfinite(x) & np.isfinite(y)
    first = f" (first at E {x[ok][0]:.0f}, N {y[ok][0]:.0f})" if ok.any() else ""
    raise ValidationError(f"{layer.label}: none of its {int(present.sum())} {what} lies inside "
                          f"{extent.describe()}{first}; {fix}. Nothing was loaded")


def parse_bool(value: object, *, field: str) -> bool | None:
    """True/False from booleans, 1/0, tak/nie, yes/no, true/false; None for empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text == "":
        return None
    found = yes_no(text)
    if found is not None:
        return found
    raise RowError(
        f"{field}={value!r} is not a yes/no value (expected tak/nie, true/false or 1/0)", field
    )


def _number(record: dict, name: str, unit: str, lo: float, hi: float) -> float | None:
    try:
        value = parse_number(record.get(name), field=name, unit=unit)
        check_range(value, lo, hi, field=name, unit=unit)
    except ValueError as exc:
        raise RowError(str(exc), name) from None
    return value


def _text(value: object) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def estimate_population(
    footprint_m2: float, storeys: int | None, height_m: float | None, residential: bool
) -> int:
    """Residents of a building: floor(footprint_m2 × storeys / 35), storeys from height/3 m or 1; 0 if not residential.

    >>> estimate_population(200.0, 4, None, True)
    22
    """
    if not residential:
        return 0
    if storeys is None:
        storeys = max(1, round(height_m / STOREY_HEIGHT_M)) if height_m else 1
    return int(footprint_m2 * storeys / M2_PER_PERSON)


def building_row(
    record: dict, layer: LayerInput, *, extent: Extent | None, on_invalid: str
) -> tuple[dict, BaseGeometry, list[str]]:
    """Columns of msip.building for one record (population estimated when missing)."""
    kind = _text(record.get("kind"))
    residential = parse_bool(record.get("residential"), field="residential")
    if residential is None:
        residential = (kind or "").lower() in RESIDENTIAL_KINDS
    storeys = _number(record, "storeys", "storeys", 1, 200)
    if storeys is not None and storeys != int(storeys):
        raise RowError(
            f"storeys={record.get('storeys')!r} is not a whole number of storeys", "storeys"
        )
    height = _number(record, "height_m", "m", 0.5, 999)
    population = _number(record, "population", "residents", 0, 100_000)
    geom, note = area_to_storage(
        record.get("geometry"), layer.epsg, extent=extent, on_invalid=on_invalid
    )
    storeys_int = None if storeys is None else int(storeys)
    estimated = population is None
    if population is None:
        population = estimate_population(geom.area, storeys_int, height, residential)
    values = {
        "kind": kind,
        "residential": residential,
        "storeys": storeys_int,
        "height_m": height,
        "population": round(population),
        "population_estimated": estimated,
        "footprint_m2": round(geom.area, 2),
    }
    return values, geom, [note] if note else []


def green_row(
    record: dict, layer: LayerInput, *, extent: Extent | None, on_invalid: str
) -> tuple[dict, BaseGeometry, list[str]]:
    """Columns of msip.green_space for one record (area from the geometry in EPSG:2180)."""
    public = record.get("public_access")
    public = (
        public
        if isinstance(public, bool) or public is None
        else parse_bool(public, field="public_access")
    )
    geom, note = area_to_storage(
        record.get("geometry"), layer.epsg, extent=extent, on_invalid=on_invalid
    )
    values = {
        "name": _text(record.get("name")),
        "kind": _text(record.get("kind")),
        "public_access": public,
        "area_m2": round(geom.area, 2),
    }
    return values, geom, [note] if note else []


def street_row(
    record: dict, layer: LayerInput, *, extent: Extent | None
) -> tuple[dict, list, list[str]]:
    """Columns of one pedestrian line and its parts in EPSG:2180 (motorways and foot=no refused)."""
    road_class = _text(record.get("road_class"))
    if road_class and road_class.lower() in NOT_WALKABLE:
        raise RowError(
            f"road_class={road_class!r} is closed to pedestrians; not part of the walking network",
            "road_class",
        )
    foot = (_text(record.get("foot")) or "").lower()
    if foot in _NO_FOOT:
        raise RowError(
            f"foot={foot!r}: closed to pedestrians; not part of the walking network", "foot"
        )
    width = _number(record, "width_m", "m", 0.1, 200)
    parts = line_to_storage(record.get("geometry"), layer.epsg, extent=extent)
    return (
        {"name": _text(record.get("name")), "road_class": road_class, "width_m": width},
        parts,
        [],
    )
