"""Zoning loader: APP GML acts, documents and zones, or designation areas from GPKG, into msip.zoning_*.

Outcomes (see tests/pipelines/zoning/test_zoning.py): a truncated, empty or non-APP file is refused with
the file and line; a member with an unknown srsName, unsupported geometry, missing idIIP,
duplicate idIIP, bad indicator or unknown symbol is quarantined with the reason; a
self-intersecting polygon is repaired with a note (`on_invalid="reject"` quarantines it);
overlapping or gapped zones are loaded with a warning and recorded in msip.zoning_issue.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from lxml import etree
from shapely.geometry import MultiPolygon

from msip.core.errors import ConfigError, RowError, SourceReadError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.readers.validate import EXTENTS, Extent
from pipelines.readers.vector_io import VECTOR_SUFFIXES, area_to_storage
from pipelines.zoning.app_gml import AppFeature, raw_values, read_app_gml
from pipelines.zoning.rows import (
    BUILDERS,
    DOC_COLUMNS,
    PLAN_COLUMNS,
    ZONE_COLUMNS,
    feature_key,
)
from pipelines.zoning.store import ZoningRow, check_zone_topology, plan_extent, write_rows
from pipelines.zoning.table import load_zone_table


def load_zoning(
    path: Path | str,
    *,
    url: str | None = None,
    extent: Extent | None = None,
    on_invalid: str = "repair",
    crs: int | None = None,
    layer: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load an APP GML file (acts, documents, zones) or a GPKG/GeoJSON/SHP of zones.

    `extent` defaults to all of Poland (plans come from any gmina); `on_invalid` is 'repair'
    (self-intersections fixed with a note) or 'reject' (quarantined); `crs`/`layer` apply to
    vector files only. Returns the load report; raises MsipError when the file is refused.
    """
    path = Path(path)
    extent = extent or EXTENTS["poland"]
    if on_invalid not in ("repair", "reject"):
        raise ConfigError(f"on_invalid={on_invalid!r}; use 'repair' or 'reject'")
    suffix = path.suffix.lower()
    if suffix in (".gml", ".xml"):

        def body(run: LoadRun) -> None:
            load_app_features(run, path, extent=extent, on_invalid=on_invalid)
    elif suffix in VECTOR_SUFFIXES:

        def body(run: LoadRun) -> None:
            load_zone_table(run, path, extent=extent, on_invalid=on_invalid, crs=crs, layer=layer)
    else:
        raise SourceReadError(
            f"{path.name}: not a zoning file; give APP GML (.gml) or zones as .gpkg/.geojson/.shp"
        )
    params = {"on_invalid": on_invalid, "extent": extent.describe(), "layer": layer, "crs": crs}
    return run_load("zoning", path, epoch=None, body=body, params=params, url=url, force=force)


def load_app_features(run: LoadRun, path: Path, *, extent: Extent, on_invalid: str) -> None:
    """The body of an APP GML load: parse, validate rows, upsert, check zone topology."""
    doc = read_app_gml(path)
    run.count_in(doc.members)
    for p in doc.problems:
        run.reject(p.row_number, p.reason, raw=p.raw, source_id=p.source_id, field=p.field)
    rows: dict[str, list[ZoningRow]] = {"plan": [], "zone": [], "document": []}
    zone_features: list[AppFeature] = []  # the source feature of each row of rows["zone"]
    seen: dict[tuple, int] = {}
    inferred = 0
    for f in doc.features:
        try:
            key = feature_key(f)
            if key in seen:
                raise RowError(
                    f"duplicate idIIP (first at member {seen[key]}); each object version "
                    "must appear once",
                    "idIIP",
                )
            seen[key] = f.row_number
            builder = BUILDERS.get(f.feature_type)
            if builder is None:
                raise RowError(
                    f"feature type {f.feature_type} is not loaded by MSIP (it loads "
                    f"{', '.join(BUILDERS)})",
                    "type",
                )
            table, build = builder
            values = build(f)
            inferred += values.pop("_plan_inferred", 0)
            geom = _geometry(f, table, extent, on_invalid, run)
        except ValueError as exc:
            label = f.iip.get("lokalnyId") or f.gml_id or "no id"
            run.reject(
                f.row_number,
                f"{path.name} row {f.row_number} ({f.feature_type} {label}, line {f.line}): {exc}",
                raw=raw_values(f),
                source_id=f.source_id,
                field=getattr(exc, "field", None),
            )
            continue
        rows[table].append((values, geom))
        if table == "zone":
            zone_features.append(f)
    rows["zone"] = _drop_swapped_zones(run, path, rows["zone"], zone_features, rows["plan"])
    if inferred:
        run.note(
            f"{inferred} zones have an empty app:plan reference; their plan was taken from their "
            "idIIP (lokalnyId '1POG-1SJ' → plan '1POG')"
        )
    write_rows(run, "msip.zoning_plan", PLAN_COLUMNS, rows["plan"])
    write_rows(run, "msip.zoning_document", DOC_COLUMNS, rows["document"])
    write_rows(run, "msip.zoning_zone", ZONE_COLUMNS, rows["zone"])
    check_zone_topology(run, rows["zone"], rows["plan"])


def _drop_swapped_zones(
    run: LoadRun,
    path: Path,
    zones: list[ZoningRow],
    features: list[AppFeature],
    plans: list[ZoningRow],
) -> list[ZoningRow]:
    """Quarantine zones that lie wholly outside their plan but inside it with x and y swapped.

    EPSG:2180 (and the PL-2000 zones) state northing first; a posList written easting first
    still lands in Poland, far from its plan, so the Poland extent check cannot catch it.
    """
    extents = {(v["iip_namespace"], v["local_id"]): g for v, g in plans if g is not None}
    kept: list[ZoningRow] = []
    for (values, geom), f in zip(zones, features, strict=True):
        key = (values["plan_namespace"], values["plan_local_id"])
        plan = extents.get(key) or plan_extent(run.conn, *key)
        if plan is not None and geom is not None and not geom.intersects(plan):
            swapped = shapely.transform(geom, lambda xy: xy[:, ::-1])
            if swapped.intersection(plan).area >= 0.5 * swapped.area:
                run.reject(
                    f.row_number,
                    f"{path.name} row {f.row_number} (StrefaPlanistyczna {values['local_id']}, line "
                    f"{f.line}): lies outside its plan {key[1]} but inside it with the two "
                    "coordinates swapped: the posList is easting first although its srsName "
                    "(EPSG order) means northing first; fix the export's axis order",
                    raw=raw_values(f),
                    source_id=f.source_id,
                    field="geometria",
                )
                continue
        kept.append((values, geom))
    return kept


def _geometry(
    f: AppFeature, table: str, extent: Extent, on_invalid: str, run: LoadRun
) -> MultiPolygon | None:
    if table == "document":
        return None
    if f.geometry is None:
        raise RowError("has no geometry (zasiegPrzestrzenny / geometria is required)", "geometria")
    geom, note = area_to_storage(
        f.geometry, 2180, extent=extent, on_invalid=on_invalid, transformed=True
    )
    for text in [*f.notes, *([note] if note else [])]:
        run.note(f"{f.feature_type} {f.iip.get('lokalnyId', f.source_id)}: {text}")
    return geom


def acts_first(paths: list[Path]) -> list[Path]:
    """Order files so those holding an AktPlanowaniaPrzestrzennego load first (zones then find the extent)."""

    def holds_act(path: Path) -> bool:
        if path.suffix.lower() not in (".gml", ".xml"):
            return False
        try:
            for _, elem in etree.iterparse(
                str(path), events=("start",), no_network=True, huge_tree=True
            ):
                if etree.QName(elem).localname == "AktPlanowaniaPrzestrzennego":
                    return True
        except (OSError, etree.XMLSyntaxError):
            return False  # the load itself reports the error with its line
        return False

    return sorted(paths, key=lambda p: not holds_act(p))
