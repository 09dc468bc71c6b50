"""The ``district`` world of issue #17 (world model and its vector files; the tile simulation is
the same code as the small world's): size, districts, relief, green, trees, carriers, plans,
addresses, geosite and the changes of its three epochs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import shapely
from lxml import etree
from shapely.geometry import Point, box

from msip.core.extents import KIELCE_2180
from msip.sample_world.constants import district_bounds, size_spec
from msip.sample_world.world import ad_rules
from msip.sample_world.world.district import terrain as T

pytestmark = pytest.mark.slow

SPEC = size_spec("district")
PRG = "urn:gugik:specyfikacje:gmlas:panstwowyRejestrGranicAdresy:1.0"


@pytest.fixture(scope="module")
def world():
    from msip.sample_world.world.build import build_world

    return build_world(SPEC, 42)


@pytest.fixture(scope="module")
def files(world, tmp_path_factory) -> Path:
    from msip.sample_world.files import district_files

    out = tmp_path_factory.mktemp("district_files")
    district_files.write_all(world, out)
    return out


def test_district_is_a_city_sized_area_inside_kielce(world) -> None:
    minx, miny, maxx, maxy = district_bounds(SPEC)
    assert (maxx - minx) * (maxy - miny) >= 4e6
    assert KIELCE_2180.minx <= minx and maxx <= KIELCE_2180.maxx
    assert KIELCE_2180.miny <= miny and maxy <= KIELCE_2180.maxy
    assert world.epochs == ("2019-06-15", "2022-06-15", "2025-06-15")
    assert SPEC.tiles_x * SPEC.tiles_y == 120


def test_relief_valley_and_quarry() -> None:
    terrain = T.DistrictTerrain(SPEC.epochs)
    x0, y0, x1, y1 = district_bounds(SPEC)
    xs, ys = np.meshgrid(np.arange(x0, x1, 10.0), np.arange(y0, y1, 10.0))
    z = terrain(xs, ys, SPEC.epochs[0])
    assert 255 < z.min() < 270 and 320 < z.max() < 410
    assert z.max() - z.min() >= 60  # hills of >= 60 m above the valley
    # the reservoir is flat water; the quarry walls fall >= 15 m within 3 m
    res = T.reservoir_polygon().centroid
    lake = terrain(np.full(5, res.x) + np.arange(5) * 10, np.full(5, res.y), SPEC.epochs[0])
    assert np.ptp(lake) < 0.05
    rim = T.quarry_viewpoint()
    inner = terrain(rim.x, rim.y - 6.0 - T.QUARRY_WALL_M - 1.0, SPEC.epochs[0])
    outer = terrain(rim.x, rim.y - 6.0 + 0.5, SPEC.epochs[0])
    assert float(outer - inner) >= 15


def test_terrain_changes_have_their_stated_volumes(world) -> None:
    terrain = T.DistrictTerrain(SPEC.epochs)
    e0, e1, e2 = SPEC.epochs
    changes = {c.object_id: c for c in world.changes if c.change_type in ("terrain_change", "slope_failure")}
    step = 0.25
    for oid, (a, b) in {"EMB001": (e0, e1), "SLIDE001-scarp": (e1, e2), "SLIDE001-toe": (e1, e2)}.items():
        c = changes[oid]
        minx, miny, maxx, maxy = c.geometry.bounds
        xs, ys = np.meshgrid(np.arange(minx, maxx, step) + step / 2, np.arange(miny, maxy, step) + step / 2)
        dz = terrain(xs, ys, b) - terrain(xs, ys, a)
        assert dz.sum() * step**2 == pytest.approx(c.volume_m3, rel=0.01), oid
        assert (c.epoch_from, c.epoch_to) == (a, b)
    assert changes["SLIDE001-scarp"].volume_m3 == pytest.approx(-changes["SLIDE001-toe"].volume_m3)


def test_distinct_districts_schools_hospital_and_railway(world) -> None:
    kinds = Counter(b.kind for b in world.buildings[world.epochs[0]])
    assert kinds["school"] >= 3 and kinds["hospital"] >= 1 and kinds["office"] >= 10
    assert kinds["industrial"] >= 5 and kinds["residential"] >= 1000
    heights = [b.height_m for b in world.buildings[world.epochs[0]] if b.residential]
    assert max(heights) > 30  # prefab towers
    big_roofs = [b for b in world.buildings[world.epochs[0]] if b.kind in ("industrial", "retail")
                 and b.footprint.area > 2000]
    assert len(big_roofs) >= 5
    assert world.extras["railway"].length >= 1900


def test_new_estate_across_the_railway_is_far_from_schools(world) -> None:
    """Art. 13f must fail somewhere: the estate south of the railway has no school within 1.5 km (straight
    line already; the walk crosses the railway at two streets only) and hardly a tree."""
    from shapely.geometry import box

    x0, y0 = world.spec.origin
    south = box(x0, y0, x0 + 460, y0 + 340)
    flats = [b for b in world.buildings[world.epochs[-1]] if b.residential and south.contains(b.footprint)
             and b.storeys >= 4]
    schools = [b.footprint for b in world.buildings[world.epochs[-1]] if b.kind == "school"]
    assert sum(b.population for b in flats) >= 2000
    assert min(s.distance(south) for s in schools) > 800


def test_green_of_every_kind(world) -> None:
    forest = [g for g in world.green_spaces if g.kind == "forest"]
    assert forest and max(g.area_m2 for g in forest) >= 20e4  # the forest park (one of the city forest's parts)
    parks = [g for g in world.green_spaces if g.kind in ("park", "skwer") and 0.5e4 <= g.area_m2 <= 5e4]
    assert len(parks) >= 3


def test_trees_inventory_size_crowns_and_laser_only(world) -> None:
    inv = [t for t in world.trees if t.in_inventory]
    assert 15_000 <= len(inv) <= 25_000
    laser_only = [t for t in world.trees if not t.in_inventory and t.visible_to_lidar]
    assert len(laser_only) >= 1000
    xy = np.array([(t.x, t.y) for t in world.trees])
    r = np.array([t.crown_radius_m for t in world.trees])
    tree = shapely.STRtree(shapely.points(xy))
    i, j = tree.query(shapely.points(xy), predicate="dwithin", distance=8.0)
    keep = i < j
    d = np.hypot(*(xy[i[keep]] - xy[j[keep]]).T)
    assert d.min() >= 2.99  # apexes stay separable (3 m before rounding to cm)
    assert (d < r[i[keep]] + r[j[keep]]).sum() >= 1000  # touching and overlapping crowns
    assert {t.species_lat for t in inv} >= {"Tilia cordata", "Pinus sylvestris", "Salix alba"}


def test_carriers_along_main_roads_with_violations_in_every_zone(world) -> None:
    main_km = sum(s.line.length for s in world.streets if s.road_class in ("G", "Z")) / 1000
    first = [c for c in world.carriers if c.present_in(world.epochs[0])]
    assert 0.8 * 83 <= len(first) / main_km <= 1.2 * 83
    share = sum(bool(c.intended_violations) for c in world.carriers) / len(world.carriers)
    assert 0.10 <= share <= 0.40
    zones = Counter(ad_rules.zone_of(c.x, c.y, world.landscape_zones) for c in world.carriers)
    assert set(zones) == {"A", "B", "C", "D"}
    assert world.extras["fees"]["rates"].keys() == {2019, 2022, 2025}


def test_every_kind_of_change_in_both_steps(world) -> None:
    _, e1, e2 = world.epochs
    by = Counter((c.change_type, c.epoch_to) for c in world.changes)
    for kind in ("new_building", "demolished_building", "felled_tree", "planted_tree", "health_decline",
                 "new_ad", "removed_ad"):
        assert by[(kind, e1)] >= 1 and by[(kind, e2)] >= 1, kind
    assert by[("raised_building", e1)] == 1 and by[("extended_building", e2)] == 1
    ids = {e: {b.building_id for b in world.buildings[e]} for e in world.epochs}
    for c in world.changes:
        if c.change_type == "new_building":
            assert c.object_id not in ids[c.epoch_from] and c.object_id in ids[c.epoch_to]
        if c.change_type == "demolished_building":
            assert c.object_id in ids[c.epoch_from] and c.object_id not in ids[c.epoch_to]
    trees = {t.tree_id: t for t in world.trees}
    for c in world.changes:
        if c.change_type == "felled_tree":
            t = trees[c.object_id]
            assert t.stands_in(c.epoch_from) and not t.stands_in(c.epoch_to)
        if c.change_type == "planted_tree":
            t = trees[c.object_id]
            assert not t.stands_in(c.epoch_from) and t.stands_in(c.epoch_to) and t.height_in(c.epoch_to) >= 2


def test_plans_cover_the_district_and_some_buildings_break_them(world, files) -> None:
    polys = [z.polygon for z in world.plan_zones]
    union = shapely.union_all(polys)
    assert union.symmetric_difference(box(*district_bounds(SPEC))).area < 1.0
    assert sum(p.area for p in polys) == pytest.approx(union.area, abs=1.0)
    assert len(world.extras["local_plans"]) >= 2
    for name in ("plan_ogolny.gml", "plan_miejscowy_1.gml", "plan_miejscowy_2.gml"):
        assert etree.parse(str(files / "zoning" / name)).getroot().tag.endswith("FeatureCollection")
    rows = (files / "truth/zoning_indicators.csv").read_text(encoding="utf-8").splitlines()[1:]
    broken = [r for r in rows if r.split(",")[11]]
    assert 5 <= len(broken) < len(rows) / 2
    assert any("max_height" in r.split(",")[11] for r in broken)


def test_prg_address_points(world, files) -> None:
    root = etree.parse(str(files / "addresses/punkty_adresowe_prg.gml")).getroot()
    points = root.findall(f".//{{{PRG}}}PRG_PunktAdresowy")
    assert len(points) == len(world.extras["addresses"]) >= 1000
    district = box(*district_bounds(SPEC))
    for p in points[:200]:
        pos = p.find(".//{http://www.opengis.net/gml/3.2}pos").text.split()
        north, east = float(pos[0]), float(pos[1])
        assert district.contains(Point(east, north))  # northing first, as PRG writes EPSG:2180
        assert p.find(f"{{{PRG}}}kodPocztowy").text.startswith("25-")
        assert len(p.findall(f"{{{PRG}}}jednostkaAdmnistracyjna")) == 4
    assert root.findall(f".//{{{PRG}}}idTERYT")[-1].text == "2661011"
    numbers = Counter((a.street, a.number) for a in world.extras["addresses"])
    assert max(numbers.values()) == 1  # one point per street and number


def test_geosite(files) -> None:
    doc = json.loads((files / "geosites/geostanowiska.geojson").read_text(encoding="utf-8"))
    (site,) = doc["features"]
    props = site["properties"]
    assert props["name"] and props["protection"] and props["description"]
    assert 1 <= len(props["viewpoints"]) <= 2
    outline = shapely.geometry.shape(site["geometry"])
    for v in props["viewpoints"]:
        assert 270 < v["z"] < 410 and -90 < v["pitch_deg"] < 0 and 0 <= v["heading_deg"] < 360
        assert outline.exterior.distance(Point(v["x"], v["y"])) < 10
