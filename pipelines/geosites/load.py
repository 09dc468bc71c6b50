"""`load_geosites`: a GeoJSON/GPKG of geological sites → msip.geosite (through the one vector reader).

Columns: name (nazwa), protection (ochrona, forma_ochrony), description (opis), site_id (id) and
viewpoints: a JSON list of {name, x, y, z, heading_deg, pitch_deg} in the file's CRS (x, y) and
metres above PL-EVRF2007-NH (z). A site without a name, with an unusable outline or a viewpoint
that is not a finite position with heading 0–360° and pitch −90…90° is quarantined with the reason.
A load replaces the sites of the same file name (rows_retired counts the old ones).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from shapely import MultiPolygon

from msip.core.crs import to_storage
from msip.core.errors import ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.readers.validate import EXTENTS
from pipelines.readers.vector_io import area_to_storage, read_vector

KIND = "geosites"
NAMES = {"name": ("name", "nazwa"), "protection": ("protection", "ochrona", "forma_ochrony"),
         "description": ("description", "opis"), "site_id": ("site_id", "id", "identyfikator"),
         "viewpoints": ("viewpoints", "punkty_widokowe")}


def _first(props: dict[str, Any], key: str) -> Any:
    for name in NAMES[key]:
        value = props.get(name)
        if value is not None and not (isinstance(value, float) and math.isnan(value)) and str(value).strip():
            return value
    return None


def viewpoints_2180(raw: Any, epsg: int) -> list[dict[str, Any]]:
    """Viewpoints as dicts in EPSG:2180; ValueError naming the bad one."""
    if raw is None:
        return []
    items = json.loads(raw) if isinstance(raw, str) else raw
    if not isinstance(items, list):
        raise ValueError("viewpoints must be a JSON list of {x, y, z, heading_deg, pitch_deg}")
    out = []
    for i, v in enumerate(items, start=1):
        try:
            x, y, z = (float(v[k]) for k in ("x", "y", "z"))
            heading, pitch = float(v.get("heading_deg", 0.0)), float(v.get("pitch_deg", 0.0))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(f"viewpoint {i} needs numbers x, y, z (heading_deg, pitch_deg optional)") from None
        if not all(map(math.isfinite, (x, y, z, heading, pitch))):
            raise ValueError(f"viewpoint {i} has a value that is not a finite number")
        if not (0.0 <= heading <= 360.0 and -90.0 <= pitch <= 90.0):
            raise ValueError(f"viewpoint {i}: heading_deg={heading} must be 0–360 and pitch_deg={pitch} −90…90")
        if epsg != 2180:
            xs, ys = to_storage(np.array([x]), np.array([y]), epsg)
            x, y = float(xs[0]), float(ys[0])
        if not EXTENTS["poland"].contains(x, y):
            raise ValueError(f"viewpoint {i} at ({x:.1f}, {y:.1f}) lies outside Poland in EPSG:2180")
        out.append({"name": str(v.get("name") or f"widok {i}"), "x": round(x, 3), "y": round(y, 3),
                    "z": round(z, 3), "heading_deg": heading, "pitch_deg": pitch})
    return out


def load_geosites(path: Path | str, *, url: str | None = None, crs: int | None = None, layer: str | None = None,
                  force: bool = False) -> LoadReport:
    """Load one geosites file; returns the report, raises MsipError when the file is refused."""
    path = Path(path)

    def body(run: LoadRun) -> None:
        source = read_vector(path, layer=layer, crs=crs)
        records = source.frame.to_dict("records")
        run.count_in(len(records))
        rows: list[tuple[dict[str, Any], MultiPolygon]] = []
        seen: dict[str, int] = {}
        for n, rec in enumerate(records, start=1):
            props = {k: v for k, v in rec.items() if k != "geometry"}
            name = _first(props, "name")
            try:
                if name is None:
                    raise ValueError("has no name (column name or nazwa)")
                sid = str(_first(props, "site_id") or name)
                if sid in seen:
                    raise ValueError(f"duplicate site id {sid!r} (first at row {seen[sid]})")
                seen[sid] = n
                outline, _ = area_to_storage(rec["geometry"], source.epsg, extent=EXTENTS["poland"])
                views = viewpoints_2180(_first(props, "viewpoints"), source.epsg)
            except ValueError as exc:
                run.reject(n, f"{path.name} row {n} ({name or 'no name'}): {exc}",
                           raw={k: str(v) for k, v in props.items()})
                continue
            rows.append(({"source_id": sid, "name": str(name), "protection": _first(props, "protection"),
                          "description": _first(props, "description"), "viewpoints": views}, outline))
        if records and not rows:
            raise ValidationError(f"{path.name}: refused, none of its {len(records)} sites can be used "
                                  f"(first: {run.report.rejections[0].reason})")
        retired = run.conn.execute("DELETE FROM msip.geosite WHERE source_file = %s", (path.name,)).rowcount
        for values, outline in rows:
            run.conn.execute(
                "INSERT INTO msip.geosite (source_file, source_id, name, protection, description, viewpoints, "
                "source_epsg, outline, load_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, "
                "ST_GeomFromWKB(%s, 2180), %s)",
                (path.name, values["source_id"], values["name"], values["protection"], values["description"],
                 json.dumps(values["viewpoints"]), source.epsg, outline.wkb, run.run_id),
            )
        run.loaded(inserted=len(rows), retired=max(retired, 0))

    return run_load(KIND, path, epoch=None, body=body, params={"crs": crs, "layer": layer}, url=url, force=force)
