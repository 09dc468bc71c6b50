"""Tree inventory loader: CSV/GeoJSON/GPKG/SHP with Polish or English field names, or OSM natural=tree → msip.tree.

Multi-stem trees: a circumference such as "47, 52, 56" keeps its stems in
`trunk_circumferences_cm` and stores the equivalent single stem sqrt(Σ cᵢ²) = 89.7 cm in
`trunk_circumference_cm` (the stem with the same cross-section area as all stems together,
the usual convention for allometry and valuation). Plausible ranges: circumference (each
stem) 1–2000 cm, dbh 0.3–640 cm, height 0.5–60 m, crown diameter 0.1–50 m. Empty measurements
are allowed (NULL); a value that is not a number or is out of range refuses the row.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from msip.core.copy import ewkb_hex
from msip.core.runs import LoadReport
from pipelines.inventory.flow import InventoryKind, load_inventory
from pipelines.inventory.osm_tags import read_osm_trees
from pipelines.readers.columns import Rejects, number_lists, numbers, texts
from pipelines.readers.points import COORDINATE_ALIASES, locate_points
from pipelines.readers.tabular import Table
from pipelines.readers.validate import Extent

#: Field → source column names, best first (matched after normalising, unit suffix dropped);
#: the 10-character names a Shapefile truncates English names to are included.
TREE_FIELDS: dict[str, tuple[str, ...]] = {
    "inventory_id": ("nr_inwentarzowy", "numer_inwentarzowy", "numer_inw", "nr_inw", "nr_drzewa", "numer_drzewa",
                     "id_drzewa", "tree_id", "inventory_number", "inventory_no", "inventory", "numer", "nr", "id"),
    "species": ("gatunek", "gatunek_pl", "gatunek_polski", "nazwa_gatunku", "nazwa_polska", "species_name",
                "common_name"),
    "species_latin": ("gatunek_lacinski", "gatunek_lac", "nazwa_lacinska", "gatunek_1", "latin_name",
                      "scientific_name", "species_lat", "species_la"),
    "trunk_circumference_cm": ("obwod_pnia", "obwod_pni", "pnie_obwod", "obwod", "obw_pnia", "circumference",
                               "trunk_circumference", "trunk_circ", "girth"),
    "dbh_cm": ("piersnica", "dbh", "diameter_breast_height", "srednica_piersnicy", "srednica_pnia"),
    "height_m": ("wysokosc", "wysokosc_drzewa", "wys", "height", "tree_height"),
    "crown_diameter_m": ("srednica_korony", "srednica_k", "sr_korony", "crown_diameter", "crown_diam", "crown_spread"),
    "health": ("stan_zdrowotny", "stan_zdrowia", "stan", "health", "condition", "kondycja"),
    **COORDINATE_ALIASES,
}
#: (field, unit word for messages, lowest, highest) of the measured values.
TREE_RANGES = {
    "dbh_cm": ("centimetres", 0.3, 640.0),
    "height_m": ("metres", 0.5, 60.0),
    "crown_diameter_m": ("metres", 0.1, 50.0),
}
CIRCUMFERENCE_RANGE_CM = (1.0, 2000.0)


def build_tree_columns(table: Table, fields: dict[str, str], rejects: Rejects, *, crs: int | None,
                       extent: Extent) -> tuple[dict[str, pa.Array], set[str]]:
    """msip.tree columns for every row of `table` (refused rows are marked in `rejects`)."""
    frame, n = table.frame, len(table)
    points = locate_points(table, fields, rejects, crs=crs, extent=extent, what="tree")
    used = set(points.columns)
    columns: dict[str, pa.Array] = {}
    for name in ("species", "species_latin", "health"):
        column = fields.get(name)
        values = texts(frame[column]) if column else None
        columns[name] = pa.array(values, pa.string(), from_pandas=True) if column else pa.nulls(n, pa.string())
        if column:
            used.add(column)
    column = fields.get("trunk_circumference_cm")
    if column:
        lo, hi = CIRCUMFERENCE_RANGE_CM
        circ, stems = number_lists(frame[column], rejects, field="trunk_circumference_cm", column=column,
                                   unit="centimetres", lo=lo, hi=hi)
        used.add(column)
    else:
        circ, stems = np.full(n, np.nan), np.full(n, None, dtype=object)
    columns["trunk_circumference_cm"] = _floats(circ)
    columns["trunk_circumferences_cm"] = pa.array(stems, pa.string())
    for name, (unit, lo, hi) in TREE_RANGES.items():
        column = fields.get(name)
        values = (numbers(frame[column], rejects, field=name, column=column, unit=unit, lo=lo, hi=hi)
                  if column else np.full(n, np.nan))
        columns[name] = _floats(values)
        if column:
            used.add(column)
    columns["geom"] = ewkb_hex(x=points.x, y=points.y)
    return columns, used


def _floats(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


TREES = InventoryKind(kind="trees", table="msip.tree", what="tree", id_field="inventory_id", fields=TREE_FIELDS,
                      layers=("trees", "drzewa", "inwentaryzacja_drzew"), build=build_tree_columns,
                      osm=partial(read_osm_trees, circumference_range_cm=CIRCUMFERENCE_RANGE_CM))


def load_trees(path: Path | str, *, epoch: date | None = None, crs: int | None = None,
               extent: Extent | str | None = "kielce", mapping: Path | str | dict | None = None,
               dataset: str | None = None, layer: str | None = None, url: str | None = None,
               force: bool = False) -> LoadReport:
    """Load a tree inventory file into msip.tree as the `epoch` version of `dataset`.

    Parameters
    ----------
    path : CSV (`,`/`;`, UTF-8 or CP1250, decimal commas), GeoJSON, GPKG, SHP, or an OpenStreetMap
        .osm.pbf (its natural=tree features; see pipelines.inventory.osm_tags).
    epoch : inventory date; default the date in the file name (`…_2025-06-15.csv`), else the
        epoch of an earlier load of the same file, else today.
    crs : EPSG code when the file does not say (x/y columns are otherwise detected).
    extent : where trees must stand: 'kielce' (default), 'poland', 'none' or an `Extent`.
    mapping : YAML file or dict `field: source column` overriding the name matching.
    dataset : history key; default the file name without its date.

    Returns the LoadReport (`status` 'succeeded' or 'unchanged'); raises MsipError when the
    file cannot be used (nothing is written then).
    """
    return load_inventory(TREES, path, epoch=epoch, crs=crs, extent=extent, mapping=mapping,
                          dataset=dataset, layer=layer, url=url, force=force)
