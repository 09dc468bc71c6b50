"""Advertising carriers (nośniki reklamowe) → msip.advertisement, and landscape zones A–D → msip.landscape_zone.

Carrier types are normalised to board, banner, mural, led_screen, pylon, citylight, column,
sign or other (the source wording stays in `carrier_type_source`). Yes/no columns take
tak/nie, true/false, 1/0. Ranges: faces 1–8, face area 0.01–5000 m², height 0.1–60 m,
road lane area 0–10000 m². Zones need polygons; invalid ones are repaired (noted) or, with
on_invalid='reject', refused. Both keep history per dataset like the tree inventory.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from msip.core.copy import ewkb_hex
from msip.core.crs import check_degrees
from msip.core.errors import SourceReadError
from msip.core.runs import LoadReport
from pipelines.inventory.flow import InventoryKind, load_inventory
from pipelines.inventory.osm_tags import read_osm_ads
from pipelines.readers.columns import Rejects, as_text, booleans, dates, integers, numbers, texts
from pipelines.readers.points import COORDINATE_ALIASES, locate_points
from pipelines.readers.tabular import Table, normalise_name
from pipelines.readers.validate import Extent
from pipelines.readers.vector_io import area_to_storage, declared_epsg

AD_FIELDS: dict[str, tuple[str, ...]] = {
    "carrier_id": ("id_nosnika", "nr_nosnika", "numer_nosnika", "identyfikator", "id_reklamy", "ad_id",
                   "carrier_id", "sign_id", "billboard_id", "numer", "nr", "id"),
    "carrier_type": ("typ_nosnika", "rodzaj_nosnika", "typ", "rodzaj", "kategoria", "type", "carrier_type", "kind"),
    "faces": ("liczba_stron", "liczba_powierzchni", "liczba_ekspozycji", "strony", "faces", "sides",
              "number_of_faces"),
    "face_area_m2": ("powierzchnia_ekspozycji", "pow_ekspozycji", "powierzchnia_reklamy", "powierzchnia_reklamowa",
                     "face_area", "advertising_area"),
    "illuminated": ("podswietlenie", "podswietlany", "oswietlenie", "oswietlony", "illuminated", "lit"),
    "led": ("led", "ekran_led", "czy_led", "is_led", "digital"),
    "height_m": ("wysokosc", "wysokosc_nosnika", "height"),
    "owner": ("wlasciciel", "wlasciciel_nosnika", "operator", "firma", "owner", "company"),
    "permit_no": ("nr_zezwolenia", "numer_zezwolenia", "zezwolenie", "nr_decyzji", "decyzja", "permit_no",
                  "permit_number", "permit"),
    "installed_on": ("data_instalacji", "data_montazu", "data_ustawienia", "installed_on", "installation_date",
                     "install_date", "date_installed"),
    "occupies_road_lane": ("zajecie_pasa_drogowego", "zajecie_pasa", "w_pasie_drogowym", "pas_drogowy",
                           "occupies_road_lane", "in_road_lane", "road_lane"),
    "road_lane_area_m2": ("powierzchnia_zajecia", "powierzchnia_zajecia_pasa", "pow_zajecia", "road_lane_area",
                          "lane_area"),
    "location": ("lokalizacja", "adres", "miejsce", "location", "address", "approx_loc", "site"),
    "description": ("opis", "uwagi", "description", "desc", "approx_loc_desc", "notes", "remarks"),
    **COORDINATE_ALIASES,
}
#: Carrier type code ← pattern over the normalised source wording, first match wins.
#: OpenStreetMap's advertising=* values are matched too (poster_box: a lit poster case, i.e. a citylight).
CARRIER_TYPES: tuple[tuple[str, str], ...] = (
    ("led_screen", r"led|ekran|screen|digital|cyfrow|telebim"),
    ("mural", r"mural|wall_painting"),
    ("banner", r"baner|banner|siatk|mesh|wielkoformat|plachta|wrap|^tarp$"),
    ("pylon", r"pylon|totem"),
    ("citylight", r"city_?light|gablot|poster_box"),
    ("column", r"slup|column|kiosk"),
    ("sign", r"szyld|sign|neon"),
    ("board", r"tablic|billboard|board|wolnostoj|plakat|poster"),
    ("other", r"^other$|^inn"),
)
#: Field → (unit word for messages, lowest, highest) of the measured values.
AD_RANGES: dict[str, tuple[str, float, float]] = {
    "faces": ("a count", 1, 8), "face_area_m2": ("square metres", 0.01, 5000),
    "height_m": ("metres", 0.1, 60), "road_lane_area_m2": ("square metres", 0, 10000),
}
ZONE_FIELDS: dict[str, tuple[str, ...]] = {
    "zone_id": ("id_strefy", "nr_strefy", "zone_id", "id"),
    "zone_code": ("zone_code", "symbol", "symbol_strefy", "kod_strefy", "kod", "strefa", "zone", "code", "typ_strefy"),
    "name": ("nazwa", "nazwa_strefy", "name", "zone_name"),
}
AD_COLUMNS = ("carrier_type", "carrier_type_source", "faces", "face_area_m2", "illuminated", "led", "height_m",
              "owner", "permit_no", "installed_on", "occupies_road_lane", "road_lane_area_m2", "location",
              "description", "geom")
_ZONE_CODE = re.compile(r"^(?:strefa|zone)?[\s_-]*([A-D])$", re.IGNORECASE)


def carrier_type_codes(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """(code per row, NA where empty; source wordings that matched no pattern, stored as 'other')."""
    text = as_text(values)
    codes, unknown = {}, []
    for word in text.unique():
        key = normalise_name(str(word))
        if not key:
            continue
        code = next((c for c, pattern in CARRIER_TYPES if re.search(pattern, key)), None)
        if code is None:
            unknown.append(str(word))
        codes[word] = code or "other"
    return text.map(codes).astype("str"), unknown


def build_ad_columns(table: Table, fields: dict[str, str], rejects: Rejects, *, crs: int | None,
                     extent: Extent) -> tuple[dict[str, pa.Array], set[str]]:
    """msip.advertisement columns for every row of `table` (refused rows are marked in `rejects`)."""
    frame, n = table.frame, len(table)
    points = locate_points(table, fields, rejects, crs=crs, extent=extent, what="advertising carrier")
    used = set(points.columns) | {c for f, c in fields.items() if f not in COORDINATE_ALIASES}
    get = fields.get
    cols: dict[str, pa.Array] = {}
    if carrier_column := get("carrier_type"):
        codes, unknown = carrier_type_codes(frame[carrier_column])
        if unknown:
            table.notes.append(f"{len(unknown)} carrier type(s) not recognised, stored as 'other' (the wording "
                               f"stays in carrier_type_source): {', '.join(map(repr, unknown[:5]))}")
        cols["carrier_type"] = pa.array(codes, pa.string(), from_pandas=True)
        cols["carrier_type_source"] = pa.array(texts(frame[carrier_column]), pa.string(), from_pandas=True)
    for name in ("owner", "permit_no", "location", "description"):
        cols[name] = pa.array(texts(frame[get(name)]), pa.string(), from_pandas=True) if get(name) else None
    for name, (unit, lo, hi) in AD_RANGES.items():
        if column := get(name):
            parse = integers if name == "faces" else numbers
            values = parse(frame[column], rejects, field=name, column=column, unit=unit, lo=lo, hi=hi)
            cols[name] = pa.array(values, pa.float64(), mask=np.isnan(values))
    for name in ("illuminated", "led", "occupies_road_lane"):
        if column := get(name):
            cols[name] = pa.array(booleans(frame[column], rejects, field=name, column=column), pa.bool_(),
                                  from_pandas=True)
    if column := get("installed_on"):
        found = dates(frame[column], rejects, field="installed_on", column=column)
        cols["installed_on"] = pa.array(found, pa.date32(), mask=np.isnat(found))
    cols["geom"] = ewkb_hex(x=points.x, y=points.y)
    # Every column, present in the source or not, so versions compare on the same columns.
    full = {name: cols.get(name) if cols.get(name) is not None else pa.nulls(n) for name in AD_COLUMNS}
    return full, used


def build_zone_columns(table: Table, fields: dict[str, str], rejects: Rejects, *, crs: int | None,
                       extent: Extent, on_invalid: str = "repair") -> tuple[dict[str, pa.Array], set[str]]:
    """msip.landscape_zone columns: zone code A–D, name and a valid EPSG:2180 MultiPolygon."""
    if table.geometry is None:
        raise SourceReadError(f"{table.name} has no geometry; landscape zones need polygons (GPKG, GeoJSON or SHP)")
    if "zone_code" not in fields:
        raise SourceReadError(f"{table.name} has no zone code column (zone_code, symbol, strefa …); its columns "
                              f"are {', '.join(map(str, table.frame.columns))}. Name it with a --zones-mapping "
                              "file, e.g. 'zone_code: KLASA'")
    epsg = declared_epsg(table.name, table.epsg, crs, crs_text=table.crs_text)
    wkbs = np.asarray(table.geometry.to_pylist(), dtype=object)
    # GDAL passes some broken polygons on (e.g. an unclosed ring) that GEOS cannot build: refuse those rows.
    geoms = shapely.from_wkb(wkbs, on_invalid="ignore")
    if epsg == 4326:
        bounds = shapely.bounds(geoms)
        check_degrees(table.name, bounds[:, 0], bounds[:, 1])
    column = fields["zone_code"]
    raw = as_text(table.frame[column])
    letters = raw.str.extract(_ZONE_CODE, expand=False).str.upper()
    rejects.add(letters.isna().to_numpy(), "zone_code", lambda i: (
        f"{column}={raw.iloc[i]!r} is not a landscape zone class A–D (write A, B, C or D)"))
    rejects.add(pd.notna(wkbs) & pd.isna(geoms), "geom", lambda i: (
        "geometry cannot be built (e.g. a ring whose last point is not its first); fix the polygon"))
    out = np.full(len(table), None, dtype=object)
    repaired = 0
    for i in np.flatnonzero(rejects.ok):
        try:
            out[i], note = area_to_storage(geoms[i], epsg, extent=extent, on_invalid=on_invalid)
        except ValueError as exc:
            kind = geoms[i].geom_type if geoms[i] is not None else "None"
            def reason(_i: int, message: str = f"geometry={kind}: {exc}") -> str:
                return message

            rejects.add(np.arange(len(table)) == i, "geom", reason)
            continue
        repaired += note is not None
    if repaired:
        table.notes.append(f"{repaired} invalid zone polygon(s) repaired with make_valid (e.g. self-intersections); "
                           "use --on-invalid reject to refuse them instead")
    hexes = np.full(len(table), None, dtype=object)
    ok = rejects.ok & pd.notna(out)
    hexes[ok] = ewkb_hex(out[ok])
    name = fields.get("name")
    columns = {
        "zone_code": pa.array(letters, pa.string(), from_pandas=True),
        "name": (pa.array(texts(table.frame[name]), pa.string(), from_pandas=True) if name
                 else pa.nulls(len(table))),
        "geom": pa.array(hexes, pa.string()),
    }
    return columns, {c for c in (column, name) if c is not None}


ADS = InventoryKind(kind="ads", table="msip.advertisement", what="advertising carrier", id_field="carrier_id",
                    fields=AD_FIELDS, layers=("ads", "nosniki_reklamowe", "nosniki", "advertising"),
                    build=build_ad_columns, osm=read_osm_ads)
ZONES = InventoryKind(kind="landscape_zones", table="msip.landscape_zone", what="zone", id_field="zone_id",
                      fields=ZONE_FIELDS, layers=("landscape_zones", "strefy_krajobrazowe", "strefy"),
                      build=build_zone_columns)


def load_ads(path: Path | str, *, epoch: date | None = None, crs: int | None = None,
             extent: Extent | str | None = "kielce", mapping: Path | str | dict | None = None,
             dataset: str | None = None, layer: str | None = None, url: str | None = None,
             force: bool = False) -> LoadReport:
    """Load an advertising-carrier inventory (CSV/GeoJSON/GPKG/SHP, or the advertising=* features of an
    OpenStreetMap .osm.pbf) into msip.advertisement.

    Same options and epoch/dataset rules as `pipelines.inventory.trees.load_trees`; columns MSIP does not
    model (e.g. the SC811 utility columns) are kept in `attrs`.
    """
    return load_inventory(ADS, path, epoch=epoch, crs=crs, extent=extent, mapping=mapping,
                          dataset=dataset, layer=layer, url=url, force=force)


def load_landscape_zones(path: Path | str, *, epoch: date | None = None, crs: int | None = None,
                         extent: Extent | str | None = "kielce", mapping: Path | str | dict | None = None,
                         dataset: str | None = None, layer: str | None = None, on_invalid: str = "repair",
                         url: str | None = None, force: bool = False) -> LoadReport:
    """Load landscape (advertising) zone polygons with codes A–D into msip.landscape_zone.

    `on_invalid`: 'repair' (default; make_valid, noted in the summary) or 'reject' (row refused).
    """
    return load_inventory(ZONES, path, epoch=epoch, crs=crs, extent=extent, mapping=mapping, dataset=dataset,
                          layer=layer, url=url, force=force, on_invalid=on_invalid)
