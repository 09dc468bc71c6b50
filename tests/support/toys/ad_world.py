"""Test helpers for the advertising-compliance suites: sample-world vector files and a database holding one world.

The analysis needs only the vector layers of a sample world (zones, carriers, trees, streets,
parks), so other seeds are built with the generator's world model and vector writers — no
orthophoto or LiDAR — in about a second. The suites share one database of their own
(`msip_test_ads`), holding one world at a time.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

import psycopg

AD_TEST_DB = "msip_test_ads"
EPOCH1, EPOCH2 = date(2024, 6, 15), date(2025, 6, 15)
#: Fee rates used by the tests: illustrative numbers (the maxima are NOT the published ones for 2024/2025).
FEES_YAML = """\
fees:
  area_basis: all_faces
  penalty_multiple: 40
  rates:
    2024: {fixed_pln_per_day: 2.00, variable_pln_per_m2_day: 0.15}
    2025: {fixed_pln_per_day: 2.10, variable_pln_per_m2_day: 0.16}
  statutory_maxima:
    2024: {fixed_pln_per_day: 3.00, variable_pln_per_m2_day: 0.25}
    2025: {fixed_pln_per_day: 3.10, variable_pln_per_m2_day: 0.26}
"""
_state: dict[str, object] = {"world": None}


def write_world(out: Path, seed: int) -> Path:
    """Vector files and ad truth of the small sample world `seed` under `out` (same names as `generate`)."""
    from msip.sample_world.constants import EPOCHS, size_spec
    from msip.sample_world.files import truth, vector_files
    from msip.sample_world.world.build import build_world

    world = build_world(size_spec("small"), seed)
    vector_files.write_parks(world, out / "base/parks.gpkg")
    vector_files.write_streets(world, out / "base/streets.gpkg")
    vector_files.write_landscape_zones(world, out / "ads/strefy_krajobrazowe.gpkg")
    vector_files.write_rules(out / "ads/zasady_reklamowe.yaml")
    for epoch in EPOCHS:
        name = "nosniki_reklamowe.csv" if epoch == EPOCHS[0] else f"nosniki_reklamowe_{epoch}.csv"
        vector_files.write_semicolon_csv(out / "ads" / name, vector_files.AD_HEADER, vector_files.ad_rows(world, epoch))
        rows, _ = vector_files.inventory_rows(world, epoch)
        vector_files.write_semicolon_csv(out / f"trees/inwentaryzacja_drzew_{epoch}.csv", vector_files.TREE_HEADER,
                                         rows)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    truth.write_ad_violations(world, out / "truth/ads_violations.csv")
    return out


@cache
def database() -> str:
    """Owner URL of a fresh msip_test_ads database with every migration."""
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import Settings

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, AD_TEST_DB, fresh=True)
    migrate(url)
    return url


def empty(url: str) -> None:
    """Truncate every msip table (schema kept)."""
    with psycopg.connect(url, autocommit=True) as c:
        tables = [r[0] for r in c.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'msip'")]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def fee_file(folder: Path) -> Path:
    path = folder / "oplaty_testowe.yaml"
    path.write_text(FEES_YAML, encoding="utf-8")
    return path


def world_db(world: Path, scratch: Path) -> str:
    """The test database holding exactly the sample world in folder `world`, rules and fees loaded (cached).

    `scratch` is a folder for the fee-rate file (the world folder may be the shared sample).
    """
    from pipelines.ad_rules.load import load_ad_rules
    from pipelines.base_layers import load as base_layers
    from pipelines.inventory import ads, trees

    url = database()
    if _state["world"] == world:
        return url
    empty(url)
    d = Path(world)
    base_layers.load_green_spaces(d / "base/parks.gpkg", epoch=EPOCH1, url=url)
    base_layers.load_walk_network(d / "base/streets.gpkg", epoch=EPOCH1, url=url)
    trees.load_trees(d / "trees/inwentaryzacja_drzew_2024-06-15.csv", epoch=EPOCH1, url=url)
    trees.load_trees(d / "trees/inwentaryzacja_drzew_2025-06-15.csv", epoch=EPOCH2, url=url)
    ads.load_landscape_zones(d / "ads/strefy_krajobrazowe.gpkg", epoch=EPOCH1, url=url)
    ads.load_ads(d / "ads/nosniki_reklamowe.csv", epoch=EPOCH1, url=url)
    ads.load_ads(d / "ads/nosniki_reklamowe_2025-06-15.csv", epoch=EPOCH2, url=url)
    load_ad_rules(d / "ads/zasady_reklamowe.yaml", fee_rates=fee_file(scratch), url=url)
    _state["world"] = world
    return url


def truth(world: Path) -> dict[str, dict]:
    """truth/ads_violations.csv by carrier id: violated rule codes (sorted list) and first epoch."""
    with open(Path(world) / "truth/ads_violations.csv", encoding="utf-8") as fh:
        return {r["id_nosnika"]: {"rules": sorted(filter(None, r["violated_rules"].split("|"))),
                                  "first_epoch": date.fromisoformat(r["first_epoch"])} for r in csv.DictReader(fh)}


def found(url: str, when: date) -> dict[str, list[str]]:
    """Violated rule codes per carrier id in msip.ad_compliance for assessment date `when`."""
    with psycopg.connect(url) as c:
        return {s: sorted(v) for s, v in c.execute(
            "SELECT source_id, violated_rules FROM msip.ad_compliance WHERE assessed_epoch = %s", (when,))}


#: Origin of the toy street scene of the unit tests (in Kielce); scene coordinates are offsets from it.
X0, Y0 = 614_000.0, 334_600.0


def at(x: float, y: float) -> tuple[float, float]:
    """EPSG:2180 coordinates of a point given as offsets (m) from the toy scene's origin."""
    return X0 + x, Y0 + y


#: A rules document using every check, for the toy scene (monument at offset 30, 20).
TOY_RULES = {
    "free_standing_types": ["wolnostojący", "ekran LED"],
    "building_mounted_types": ["mural"],
    "zones": {
        "A": {"carriers": {"wolnostojący": {"allowed": False}, "ekran LED": {"allowed": True, "max_face_area_m2": 8,
                                                                              "max_height_m": 5},
                           "mural": {"allowed": True, "max_face_area_m2": 40, "max_height_m": 12}}},
        "B": {"carriers": {"wolnostojący": {"allowed": True, "max_face_area_m2": 12, "max_height_m": 5},
                           "ekran LED": {"allowed": True, "max_face_area_m2": 8, "max_height_m": 5},
                           "mural": {"allowed": True, "max_face_area_m2": 80, "max_height_m": 18}}},
    },
    "global_rules": {
        "MIN_SPACING_FREESTANDING": {"applies_to": "free_standing", "min_distance_m": 50},
        "MIN_DISTANCE_INTERSECTION": {"min_distance_m": 10},
        "MIN_DISTANCE_TREE": {"min_distance_m": 5},
        "MIN_DISTANCE_ROAD_EDGE": {"min_distance_m_by_road_class": {"G": 3, "L": 2}},
        "MIN_DISTANCE_PARK": {"min_distance_m": 10, "public_only": True},
        "MIN_DISTANCE_MONUMENT": {"applies_to": "all", "min_distance_m": 15},
        "LED_IN_ZONE_A": {"applies_to": "all", "led_forbidden_zones": ["A"]},
        "ILLUMINATION_FORBIDDEN": {"applies_to": "building_mounted", "illumination_forbidden_zones": ["A"]},
    },
    "monuments": [{"id": "A.123", "name": "Pałac Biskupów", "x_2180": X0 + 30, "y_2180": Y0 + 20}],
}
