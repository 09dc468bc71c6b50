"""GeoPackages (buildings, parks, streets, landscape zones), Polish CSV inventories, rules YAML."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio

from msip.sample_world.constants import EPSG
from msip.sample_world.world import ad_rules
from msip.sample_world.world.model import Carrier, Tree, World

FIXED_OGR_DATE = "2024-01-01T00:00:00Z"
TREE_HEADER = (
    "nr_inwentarzowy",
    "gatunek",
    "gatunek_lacinski",
    "wysokosc_m",
    "obwod_pnia_cm",
    "srednica_korony_m",
    "stan_zdrowia",
    "x_2180",
    "y_2180",
)
AD_HEADER = (
    "id_nosnika",
    "typ_nosnika",
    "liczba_stron",
    "powierzchnia_ekspozycji_m2",
    "podswietlenie",
    "led",
    "wysokosc_m",
    "wlasciciel",
    "nr_zezwolenia",
    "data_instalacji",
    "zajecie_pasa_drogowego",
    "powierzchnia_zajecia_m2",
    "x_2180",
    "y_2180",
)


@contextlib.contextmanager
def fixed_gpkg_date() -> Iterator[None]:
    """Pin GeoPackage timestamps so files are byte-identical; restores the previous setting."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_OGR_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with fixed_gpkg_date():
        gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def write_buildings(world: World, path: Path, epoch: str) -> None:
    """Layer ``buildings``: building_id, kind, residential, storeys, height_m, population."""
    rows = world.buildings[epoch]
    gdf = gpd.GeoDataFrame(
        {
            "building_id": [b.building_id for b in rows],
            "kind": [b.kind for b in rows],
            "residential": np.array([b.residential for b in rows], dtype=bool),
            "storeys": np.array([b.storeys for b in rows], dtype=np.int32),
            "height_m": np.array([b.height_m for b in rows], dtype=np.float64),
            "population": np.array([b.population for b in rows], dtype=np.int32),
        },
        geometry=[b.footprint for b in rows],
        crs=f"EPSG:{EPSG}",
    )
    _write_gpkg(gdf, path, "buildings")


def write_parks(world: World, path: Path) -> None:
    """Layer ``green_spaces``: park_id, name, area_m2, public_access, kind."""
    g = world.green_spaces
    gdf = gpd.GeoDataFrame(
        {
            "park_id": [p.park_id for p in g],
            "name": [p.name for p in g],
            "area_m2": [round(p.area_m2, 2) for p in g],
            "public_access": np.array([p.public_access for p in g], dtype=bool),
            "kind": [p.kind for p in g],
        },
        geometry=[p.polygon for p in g],
        crs=f"EPSG:{EPSG}",
    )
    _write_gpkg(gdf, path, "green_spaces")


def write_streets(world: World, path: Path) -> None:
    """Layer ``streets``: street_id, name, road_class, width_m; noded LineStrings."""
    s = world.streets
    gdf = gpd.GeoDataFrame(
        {
            "street_id": [x.street_id for x in s],
            "name": [x.name for x in s],
            "road_class": [x.road_class for x in s],
            "width_m": [x.width_m for x in s],
        },
        geometry=[x.line for x in s],
        crs=f"EPSG:{EPSG}",
    )
    _write_gpkg(gdf, path, "streets")


def write_landscape_zones(world: World, path: Path) -> None:
    """Layer ``landscape_zones``: zone_code (A–D), name."""
    z = world.landscape_zones
    gdf = gpd.GeoDataFrame(
        {"zone_code": [x.zone_code for x in z], "name": [x.name for x in z]},
        geometry=[x.polygon for x in z],
        crs=f"EPSG:{EPSG}",
    )
    _write_gpkg(gdf, path, "landscape_zones")


def write_rules(path: Path, fees: dict | None = None) -> None:
    """``zasady_reklamowe.yaml``, with a ``fees`` section when ``fees`` is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ad_rules.rules_yaml(fees), encoding="utf-8")


def pl_num(value: float, decimals: int) -> str:
    """A number with a decimal comma, e.g. 12.5 → '12,5'."""
    return f"{value:.{decimals}f}".replace(".", ",")


def _tree_row(t: Tree, epoch: str) -> list[str]:
    height = t.height_in(epoch)
    health = t.health_in(epoch)
    return [
        t.inventory_id or "",
        t.species_pl,
        t.species_lat,
        pl_num(height, 1),
        str(t.circumference_cm),
        pl_num(2 * t.crown_radius_m, 1),
        health,
        pl_num(t.x, 2),
        pl_num(t.y, 2),
    ]


def inventory_rows(world: World, epoch: str) -> tuple[list[list[str]], list[dict]]:
    """Rows of the tree inventory; in the first epoch with three deliberate errors (returned as truth)."""
    trees = [t for t in world.trees if t.in_inventory and t.stands_in(epoch)]
    by_id = {t.tree_id: t for t in trees}
    bad_trees = {reason: by_id[tid] for reason, tid in world.bad_inventory.items()}
    rows = [_tree_row(t, epoch) for t in trees]
    bad: list[dict] = []
    if epoch != world.epochs[0]:
        return rows, bad
    pos = {t.tree_id: i for i, t in enumerate(trees)}
    rows[pos[bad_trees["height_missing"].tree_id]][3] = "brak"
    swapped = rows[pos[bad_trees["coordinates_outside_district"].tree_id]]
    swapped[7], swapped[8] = swapped[8], swapped[7]
    dup_src = pos[bad_trees["duplicate_id"].tree_id]
    dup_at = min(len(rows), dup_src + 7)
    rows.insert(dup_at, list(rows[dup_src]))
    notes = {
        "height_missing": "wysokosc_m is 'brak' (height not measured)",
        "coordinates_outside_district": "x_2180/y_2180 swapped: the point lies far outside Kielce",
        "duplicate_id": f"exact repeat of data row {dup_src + 1}: nr_inwentarzowy appears twice",
    }
    for reason, t in bad_trees.items():
        data_row = dup_at + 1 if reason == "duplicate_id" else pos[t.tree_id] + 1
        if reason != "duplicate_id" and pos[t.tree_id] >= dup_at:
            data_row += 1
        bad.append(
            {
                "line_number": data_row + 1,
                "data_row": data_row,
                "nr_inwentarzowy": t.inventory_id,
                "tree_id": t.tree_id,
                "reason": reason,
                "description": notes[reason],
            }
        )
    return rows, sorted(bad, key=lambda r: r["data_row"])


def write_semicolon_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    """UTF-8, ';'-separated, LF line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _ad_row(c: Carrier) -> list[str]:
    yes_no = {True: "tak", False: "nie"}
    return [
        c.carrier_id,
        c.carrier_type,
        str(c.faces),
        pl_num(c.face_area_m2, 2),
        yes_no[c.illuminated],
        yes_no[c.led],
        pl_num(c.height_m, 2),
        c.owner,
        c.permit_no,
        c.installed_on,
        yes_no[c.occupies_road_lane],
        pl_num(c.lane_area_m2, 2),
        pl_num(c.x, 2),
        pl_num(c.y, 2),
    ]


def ad_rows(world: World, epoch: str) -> list[list[str]]:
    """Carriers present in ``epoch``."""
    return [_ad_row(c) for c in world.carriers if c.present_in(epoch)]
