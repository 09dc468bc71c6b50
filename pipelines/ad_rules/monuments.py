"""The `monuments` of an advertising rules file: protected objects (EPSG:2180) for min_distance_monument."""

from __future__ import annotations

import shapely
from shapely.geometry import Point

from msip.core.errors import ValidationError
from pipelines.ad_rules.model import ProtectedObject
from pipelines.ad_rules.parts import positive
from pipelines.readers.validate import EXTENTS, outside_extent_reason


def parse_monuments(section: object, *, src: str) -> tuple[ProtectedObject, ...]:
    """The `monuments` list: {id, name, x_2180, y_2180} or {id, name, wkt} in EPSG:2180."""
    if section is None:
        return ()
    if not isinstance(section, list):
        raise ValidationError(f"{src}: monuments must be a list of {{id, name, x_2180, y_2180}} entries")
    out, seen = [], set()
    for i, entry in enumerate(section, start=1):
        where = f"{src}: monuments[{i}]"
        if not isinstance(entry, dict) or not entry.get("id"):
            raise ValidationError(f"{where} needs an id (e.g. the register number A.123) and a position")
        sid = str(entry["id"])
        if sid in seen:
            raise ValidationError(f"{where}: id {sid!r} appears twice; ids must be unique")
        seen.add(sid)
        if entry.get("wkt"):
            try:
                geom = shapely.from_wkt(str(entry["wkt"]))
            except shapely.errors.GEOSException as exc:
                raise ValidationError(f"{where}.wkt is not valid WKT ({exc}); e.g. POINT (614500 335000)") from None
        else:
            x = positive(entry.get("x_2180"), f"{where}.x_2180", "EPSG:2180 easting, m")
            y = positive(entry.get("y_2180"), f"{where}.y_2180", "EPSG:2180 northing, m")
            if x is None or y is None:
                raise ValidationError(f"{where} needs x_2180 and y_2180 (EPSG:2180 metres) or wkt")
            geom = Point(x, y)
        c = geom.centroid
        if geom.is_empty or not EXTENTS["kielce"].contains(c.x, c.y):
            reason = "is empty" if geom.is_empty else outside_extent_reason(c.x, c.y, EXTENTS["kielce"])
            raise ValidationError(f"{where}: the position {reason}")
        out.append(ProtectedObject("monument", sid, entry.get("name"), geom))
    return tuple(out)
