"""Watched-areas loader: polygons with a name (GeoJSON/GPKG/SHP, the one vector reader) into msip.terrain_watched_area.

Each row needs a name (`name`, `nazwa` or `id`) and a polygon in Poland; the name is the key, so
loading a file again replaces the outline of an area of the same name. Bad rows (no name, a
duplicate name, a missing or unusable polygon) are quarantined with the reason; a file of which
no row can be used is refused. Terrain-change runs compute cut/fill volumes per watched area.
"""

from __future__ import annotations

from pathlib import Path

from msip.core.copy import ewkb_hex
from msip.core.errors import RowError, ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.readers.validate import EXTENTS
from pipelines.readers.vector_io import area_to_storage, read_vector

NAME_NAMES = ("name", "nazwa", "id")
DESCRIPTION_NAMES = ("description", "opis")


def _first(props: dict, names: tuple[str, ...]) -> str | None:
    for n in names:
        v = props.get(n)
        if v is not None and str(v).strip() and str(v) != "nan":
            return str(v).strip()
    return None


def load_watched_areas(path: Path | str, *, url: str | None = None, crs: int | None = None,
                       layer: str | None = None, force: bool = False) -> LoadReport:
    """Load one file of watched areas; returns the load report, raises MsipError when it is refused."""
    path = Path(path)

    def body(run: LoadRun) -> None:
        source = read_vector(path, layer=layer, crs=crs)
        records = source.frame.to_dict("records")
        run.count_in(len(records))
        rows: dict[str, tuple[str | None, str]] = {}
        for i, rec in enumerate(records, start=1):
            name = _first(rec, NAME_NAMES)
            try:
                if name is None:
                    raise RowError(f"has no name (give a {'/'.join(NAME_NAMES)} property)", "name")
                if name in rows:
                    raise RowError(f"duplicate name {name!r}", "name")
                outline, _ = area_to_storage(rec.get("geometry"), source.epsg, extent=EXTENTS["poland"])
            except ValueError as exc:
                run.reject(i, f"{path.name} row {i}: {exc}", source_id=name, field=getattr(exc, "field", None))
                continue
            rows[name] = (_first(rec, DESCRIPTION_NAMES), ewkb_hex([outline])[0])
        if records and not rows:
            first = run.report.rejections[0].reason if run.report.rejections else "no row"
            raise ValidationError(f"{path.name}: refused, none of its {len(records)} rows can be used ({first})")
        replaced = 0
        for name, (description, geom) in rows.items():
            cur = run.conn.execute(
                "INSERT INTO msip.terrain_watched_area (name, description, geom, load_run_id) "
                "VALUES (%s, %s, ST_Multi(%s::geometry), %s) ON CONFLICT (name) DO UPDATE SET "
                "description = EXCLUDED.description, geom = EXCLUDED.geom, load_run_id = EXCLUDED.load_run_id "
                "RETURNING (xmax <> 0)", (name, description, geom, run.run_id))
            row = cur.fetchone()
            replaced += bool(row and row[0])
        run.loaded(inserted=len(rows) - replaced, updated=replaced)

    return run_load("watched_areas", path, epoch=None, body=body, params={"crs": crs, "layer": layer},
                    url=url, force=force)
