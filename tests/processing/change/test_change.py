"""Change detection on a hand-built two-epoch scene (no database): every planted change found, nothing else.

The scene is 100 m × 100 m at 0.5 m (nDSM, CHM, DTM) and 0.25 m (NDVI) with, between the epochs:
two new buildings (one across tile borders), a demolished, a raised and a tiny (16 m²) new
building, a felled tree, a tree whose crown NDVI falls, an 8 × 8 m terrain rise of 1 m and a
0.3 m bump below the threshold, plus one new advertising carrier.

Longer than ~300 lines: every check reads the same hand-built two-epoch scene.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import shapely
from affine import Affine

from msip.core.errors import ConfigError, ValidationError
from processing.change.detect import ChangeInputs, detect_changes, plan_tiles
from processing.change.events import (
    InventoryObject,
    Region,
    RegisteredBuilding,
    events_checksum,
    inventory_events,
    merge_regions,
)
from processing.change.inputs import pick_epochs
from processing.change.params import ChangeParams
from processing.change.rasters import read_on_grid
from tests.support.paths import ROOT

X0, Y0, SIZE = 500_000.0, 300_000.0, 100.0
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)
#: name → (minx, miny, maxx, maxy relative to the scene's lower-left corner, m), height e1, height e2.
BUILDINGS = {
    "A": ((10, 10, 20, 20), 9.0, 9.0),  # unchanged
    "B": ((40, 10, 48, 16), 0.0, 7.0),  # new, 48 m²
    "C": ((10, 40, 20, 48), 6.0, 0.0),  # demolished, 80 m²
    "D": ((40, 40, 52, 50), 10.0, 13.0),  # raised by 3 m, 120 m²
    "E": ((80, 80, 84, 84), 0.0, 5.0),  # new but only 16 m²
    "F": ((45, 70, 55, 76), 0.0, 8.0),  # new, 60 m², across the 25 m tile borders x=50 and y=75
}
#: inventory number → (x, y relative, crown radius m, height e1, height e2, NDVI e1, NDVI e2).
TREES = {
    "T1": (30.0, 60.0, 3.0, 12.0, 0.0, 0.75, 0.40),  # felled
    "T2": (70.0, 50.0, 3.0, 10.0, 10.0, 0.75, 0.55),  # NDVI decline
    "T3": (85.0, 30.0, 2.5, 9.0, 9.2, 0.75, 0.74),  # healthy
    "T4": (60.0, 92.0, 0.5, 1.2, 1.3, 0.75, 0.75),  # too low for the laser
}


def _centres(res: float) -> tuple[np.ndarray, np.ndarray]:
    n = round(SIZE / res)
    xs = (np.arange(n) + 0.5) * res
    ys = SIZE - (np.arange(n) + 0.5) * res
    return np.meshgrid(xs, ys)


def _surfaces(epoch: int, res: float) -> dict[str, np.ndarray]:
    x, y = _centres(res)
    dtm = 200.0 + 0.01 * x
    if epoch == 2:
        dtm = dtm + np.where((x > 70) & (x < 78) & (y > 10) & (y < 18), 1.0, 0.0)
        dtm = dtm + np.where((x > 20) & (x < 30) & (y > 80) & (y < 90), 0.3, 0.0)
    built = np.zeros_like(x)
    for (bx0, by0, bx1, by1), h1, h2 in BUILDINGS.values():
        built[(x > bx0) & (x < bx1) & (y > by0) & (y < by1)] = h1 if epoch == 1 else h2
    chm = np.zeros_like(x)
    ndvi = np.where(built > 0, 0.05, 0.4)
    for tx, ty, r, h1, h2, n1, n2 in TREES.values():
        h, nd = (h1, n1) if epoch == 1 else (h2, n2)
        d = np.hypot(x - tx, y - ty)
        crown = np.where(d < r, h * (1 - (d / r) ** 2), 0.0) if h > 0 else 0.0
        chm = np.maximum(chm, crown)
        ndvi = np.where(d < r, nd, ndvi)
    return {"dtm": dtm, "ndsm": np.maximum(built, chm), "chm": chm, "ndvi": ndvi}


def _write(folder, kind: str, epoch: int, res: float, data: np.ndarray) -> str:
    from msip.core.rasters.store import write_cog

    path = folder / f"{kind}_{epoch}.tif"
    if kind == "ndvi":
        arr, nodata = np.round(data * 10000).astype("int16"), -32768
    else:
        arr, nodata = data.astype("float32"), -9999.0
    write_cog(
        path,
        arr,
        transform=Affine(res, 0, X0, 0, -res, Y0 + SIZE),
        epsg=2180,
        nodata=nodata,
        band_descriptions=[kind],
    )
    return str(path)


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("change_scene")
    paths = {}
    for epoch in (1, 2):
        lidar, ortho = _surfaces(epoch, 0.5), _surfaces(epoch, 0.25)
        paths[epoch] = {k: _write(folder, k, epoch, 0.5, lidar[k]) for k in ("ndsm", "chm", "dtm")}
        paths[epoch]["ndvi"] = _write(folder, "ndvi", epoch, 0.25, ortho["ndvi"])
    return paths


def _register(epoch: int) -> list[RegisteredBuilding]:
    out = []
    for name, ((bx0, by0, bx1, by1), h1, h2) in sorted(BUILDINGS.items()):
        h = h1 if epoch == 1 else h2
        if h > 0:
            out.append(
                RegisteredBuilding(name, shapely.box(X0 + bx0, Y0 + by0, X0 + bx1, Y0 + by1), h)
            )
    return out


def _inputs(scene: dict, **overrides) -> ChangeInputs:
    trees = [
        InventoryObject(
            "inv", name, X0 + t[0], Y0 + t[1], crown_diameter_m=2 * t[2], listed_to=name != "T1"
        )
        for name, t in TREES.items()
    ]
    ads_before = [InventoryObject("ads", "AD1", X0 + 5, Y0 + 5)]
    ads_after = [*ads_before, InventoryObject("ads", "AD2", X0 + 95, Y0 + 5)]
    values = {
        "epoch_from": E1,
        "epoch_to": E2,
        "paths_from": scene[1],
        "paths_to": scene[2],
        "area": (X0, Y0, X0 + SIZE, Y0 + SIZE),
        "res_m": 0.5,
        "anchor": (X0, Y0 + SIZE),
        "trees": trees,
        "buildings_from": _register(1),
        "buildings_to": _register(2),
        "ads_from": ads_before,
        "ads_to": ads_after,
    }
    return ChangeInputs(**(values | overrides))


def _by_type(result) -> dict[str, list]:
    out: dict[str, list] = {}
    for e in result.events:
        out.setdefault(e.type, []).append(e)
    return out


def test_every_planted_change_is_found_and_nothing_else(scene):
    result = detect_changes(_inputs(scene), workers=1)
    assert result.counts() == {
        "new_building": 2,
        "raised_building": 1,
        "demolished_building": 1,
        "canopy_lost": 1,
        "felled_tree": 1,
        "health_decline": 1,
        "terrain_change": 1,
        "new_ad": 1,
    }
    found = _by_type(result)
    new = {e.object_id: e for e in found["new_building"]}
    assert set(new) == {"B", "F"}
    assert new["B"].area_m2 == 48.0 and new["B"].height_change_m == 7.0
    assert new["F"].area_m2 == 60.0 and new["F"].evidence["register_confirms"] is True
    (raised,) = found["raised_building"]
    assert (raised.object_id, raised.area_m2, raised.height_change_m) == ("D", 120.0, 3.0)
    assert raised.evidence["register_confirms"] is True
    (gone,) = found["demolished_building"]
    assert (gone.object_id, gone.area_m2, gone.height_change_m) == ("C", 80.0, -6.0)
    (felled,) = found["felled_tree"]
    assert felled.object_id == "T1" and felled.height_change_m == pytest.approx(-12.0, abs=0.3)
    assert felled.evidence["listed_in_later_inventory"] is False
    (sick,) = found["health_decline"]
    assert sick.object_id == "T2" and sick.evidence["ndvi_decline"] == pytest.approx(0.2, abs=0.01)
    (terrain,) = found["terrain_change"]
    # 64 m² less the four corner pixels the 3×3 median rounds off
    assert terrain.area_m2 == 63.0 and terrain.height_change_m == pytest.approx(1.0, abs=0.01)
    assert found["new_ad"][0].object_id == "AD2"
    assert all(e.geom.geom_type in ("Point", "MultiPolygon") for e in result.events)


@pytest.mark.parametrize(("min_area", "small_found"), [(20.0, False), (16.0, True), (10.0, True)])
def test_building_area_threshold_decides_about_the_16_m2_building(scene, min_area, small_found):
    result = detect_changes(_inputs(scene), ChangeParams(building_min_area_m2=min_area), workers=1)
    ids = {e.object_id for e in result.events if e.type == "new_building"}
    assert ("E" in ids) is small_found
    assert {"B", "F"} <= ids


@pytest.mark.parametrize(("dz", "expected"), [(0.25, 2), (0.5, 1), (1.5, 0)])
def test_terrain_threshold_is_the_stated_vertical_change(scene, dz, expected):
    result = detect_changes(_inputs(scene), ChangeParams(terrain_min_dz_m=dz), workers=1)
    assert result.counts().get("terrain_change", 0) == expected


def test_small_tiles_on_two_workers_give_the_same_events_as_one_tile(scene):
    """Regions cut by tile edges (building F crosses x=50 and y=75) are merged exactly."""
    whole = detect_changes(_inputs(scene), ChangeParams(tile_m=200.0), workers=1)
    tiled = detect_changes(_inputs(scene), ChangeParams(tile_m=25.0, overlap_m=10.0), workers=2)
    assert len(plan_tiles(_inputs(scene), ChangeParams(tile_m=25.0, overlap_m=10.0))) == 16
    assert tiled.checksum == whole.checksum
    again = detect_changes(_inputs(scene), ChangeParams(tile_m=200.0), workers=1)
    assert again.checksum == whole.checksum


def test_identical_epochs_give_no_events(scene):
    same = _inputs(scene, paths_to=scene[1], buildings_to=_register(1), ads_to=None, ads_from=None)
    result = detect_changes(same, workers=1)
    assert result.events == [] and result.counts() == {}


def test_without_ndvi_and_inventories_the_rest_still_runs(scene):
    no_ndvi = {k: v for k, v in scene[1].items() if k != "ndvi"}
    result = detect_changes(
        _inputs(scene, paths_from=no_ndvi, ads_from=None, ads_to=None), workers=1
    )
    assert "health_decline" not in result.counts() and "new_ad" not in result.counts()
    assert result.counts()["felled_tree"] == 1
    assert any("no NDVI" in n for n in result.notes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"building_min_dz_m": 0}, "building_min_dz_m=0 must be > 0"),
        ({"felled_max_share_to": 1.5}, "is a share"),
        ({"felled_max_share_to": 0.6}, "must be below felled_min_share_from"),
        ({"opening_px": -1}, "opening_px=-1 must be ≥ 0"),
        ({"ndvi_vegetation_min": 2}, "outside the NDVI range"),
    ],
)
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ChangeParams(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tile_m": 100.25}, "not a multiple of the 0.5 m pixel"),
        ({"overlap_m": 1.0}, "thinner than the filters need"),
        ({"overlap_m": 10.3}, "overlap_m=10.3 is not a multiple"),
    ],
)
def test_grid_checks(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ChangeParams(**kwargs).check_grid(0.5)


AVAILABLE = {E1: {"ndsm": ()}, E2: {"ndsm": ()}, date(2026, 6, 1): {"ndvi": ()}}


@pytest.mark.parametrize(
    ("available", "e_from", "e_to", "match"),
    [
        (
            AVAILABLE,
            date(2023, 1, 1),
            None,
            "epoch_from 2023-01-01 has no .* epochs with rasters: 2024-06-15, 2025-06-15, 2026-06-01",
        ),
        (AVAILABLE, E2, E1, "must be before epoch_to"),
        (AVAILABLE, None, E1, "no epoch with rasters before 2024-06-15"),
        ({E1: {}}, None, None, "needs rasters .* of two epochs; epochs with rasters: 2024-06-15"),
    ],
)
def test_epoch_choice_is_refused_with_what_exists(available, e_from, e_to, match):
    with pytest.raises(ValidationError, match=match):
        pick_epochs(available, e_from, e_to)


def test_default_epochs_are_the_two_latest():
    assert pick_epochs(AVAILABLE, None, None) == (E2, date(2026, 6, 1))
    assert pick_epochs(AVAILABLE, None, E2) == (E1, E2)


def _square(x0: float, y0: float, n_px: int, on_edge: bool = True) -> Region:
    return Region(
        "built_up",
        shapely.to_wkb(shapely.box(x0, y0, x0 + 1, y0 + 1)),
        n_px,
        3.0 * n_px,
        3.0,
        3.0,
        0.0,
        3.0 * n_px,
        on_edge,
    )


@pytest.mark.parametrize(("second", "groups"), [((1.0, 0.0), 1), ((1.0, 1.0), 2), ((3.0, 0.0), 2)])
def test_regions_merge_across_a_shared_edge_only(second, groups):
    merged = merge_regions([_square(0, 0, 4), _square(*second, 4)])
    assert len(merged) == groups
    assert sum(r.n_px for r, _ in merged) == 8
    assert all(g.geom_type == "MultiPolygon" for _, g in merged)


def test_regions_away_from_tile_edges_are_never_merged():
    assert len(merge_regions([_square(0, 0, 4, on_edge=False), _square(1, 0, 4)])) == 2


def test_read_on_grid_is_nan_outside_and_averages_to_a_coarser_grid(scene):
    outside = read_on_grid(scene[1]["dtm"], (X0 - 10, Y0, X0 + 10, Y0 + 10), 0.5)
    assert np.isnan(outside[:, :20]).all() and not np.isnan(outside[:, 20:]).any()
    coarse = read_on_grid(scene[1]["ndsm"], (X0 + 40, Y0 + 40, X0 + 52, Y0 + 50), 2.0)
    assert coarse.shape == (5, 6) and np.allclose(coarse, 10.0)


def test_inventory_comparison_and_checksum_order():
    a = [InventoryObject("ads", "1", 0, 0), InventoryObject("ads", "2", 1, 1)]
    b = [InventoryObject("ads", "2", 1, 1), InventoryObject("ads", "3", 2, 2)]
    events = inventory_events(a, b, added="new_ad", removed="removed_ad")
    assert sorted((e.type, e.object_id) for e in events) == [("new_ad", "3"), ("removed_ad", "1")]
    assert events_checksum(events) == events_checksum(events[::-1])
    events[0].area_m2 = 1.0
    assert events_checksum(events) != events_checksum(
        inventory_events(a, b, added="new_ad", removed="removed_ad")
    )


def test_migration_accepts_exactly_the_event_types():
    import re

    from processing.change.events import EVENT_TYPES

    sql = (ROOT / "sql" / "071_change.sql").read_text()
    check = re.search(r"type\s+text NOT NULL CHECK \(type IN \((.*?)\)\)", sql, re.DOTALL).group(1)
    assert set(re.findall(r"'(\w+)'", check)) == set(EVENT_TYPES)
