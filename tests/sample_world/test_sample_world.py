"""Tests of the synthetic sample world: determinism, real file formats and consistent truth.

Longer than ~300 lines on purpose: the generator's outputs are checked against each other and
against its truth, so every section (manifest and determinism, orthophoto, LiDAR, vector layers,
inventories, zoning plan GML, truth) shares the one world generated per session.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import laspy
import numpy as np
import pyogrio
import pyproj
import pytest
import rasterio
import shapely
import yaml
from lxml import etree
from rasterio.enums import ColorInterp
from shapely.geometry import Point, Polygon, box

from msip.core.errors import ConfigError, SourceReadError
from msip.sample_world import (
    EPOCH1,
    EPOCH2,
    EPOCHS,
    ORIGIN,
    SIZES,
    generate,
    load_manifest,
    terrain_z,
)

SEED = 42
EXTENT = (ORIGIN[0], ORIGIN[1], ORIGIN[0] + 400.0, ORIGIN[1] + 400.0)
APP = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
GML = "http://www.opengis.net/gml/3.2"
NS = {"app": APP, "gml": GML, "wfs": "http://www.opengis.net/wfs/2.0"}


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_small")
    start = time.perf_counter()
    generate(out, size="small", seed=SEED)
    elapsed = time.perf_counter() - start
    print(f"\nsmall sample world generated in {elapsed:.1f} s")
    return out


@pytest.fixture(scope="session")
def manifest(world_dir: Path) -> dict:
    return load_manifest(world_dir)


def _semicolon_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _truth_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pl(value: str) -> float:
    return float(value.replace(",", "."))


# --- manifest and determinism ---------------------------------------------------------------


def test_manifest_lists_every_file_with_checksums(world_dir: Path, manifest: dict) -> None:
    on_disk = sorted(
        p.relative_to(world_dir).as_posix() for p in world_dir.rglob("*") if p.is_file()
    )
    listed = [f["path"] for f in manifest["files"]]
    assert listed == sorted(listed)
    assert sorted([*listed, "manifest.json"]) == on_disk
    assert manifest["seed"] == SEED and manifest["size"] == "small" and manifest["epsg"] == 2180
    assert manifest["extent"] == list(EXTENT) and manifest["epochs"] == list(EPOCHS)
    text = (world_dir / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    kinds = {f["kind"] for f in manifest["files"]}
    assert {
        "buildings",
        "orthophoto",
        "lidar_classified",
        "lidar_unclassified",
        "zoning_plan",
    } <= kinds
    assert sum(f["kind"] == "orthophoto" for f in manifest["files"]) == 2 * 4
    assert sum(f["kind"] == "lidar_classified" for f in manifest["files"]) == 2 * 4
    assert sum(f["kind"] == "lidar_unclassified" for f in manifest["files"]) == 4


@pytest.mark.slow
def test_same_seed_gives_identical_files(tmp_path: Path, manifest: dict) -> None:
    again = generate(tmp_path / "again", size="small", seed=SEED)
    first = {f["path"]: f["sha256"] for f in manifest["files"]}
    second = {f["path"]: f["sha256"] for f in again["files"]}
    assert first.keys() == second.keys()
    differing = sorted(p for p in first if first[p] != second[p])
    assert differing == []


@pytest.mark.slow
def test_other_seed_gives_other_files_and_stale_tiles_go(tmp_path: Path, manifest: dict) -> None:
    out = tmp_path / "other"
    stale = out / "orthophoto/2024-06-15/ortho_3_3.tif"  # as left by an earlier "medium" run
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old tile")
    (out / "notes.txt").write_text("not ours", encoding="utf-8")
    old = {"files": [{"path": "orthophoto/2024-06-15/ortho_3_3.tif"}, {"path": "../outside.txt"}]}
    (out / "manifest.json").write_text(json.dumps(old), encoding="utf-8")
    other = generate(out, size="small", seed=SEED + 1)
    assert not stale.exists() and (out / "notes.txt").exists()
    first = {f["path"]: f["sha256"] for f in manifest["files"]}
    changed = [f["path"] for f in other["files"] if first[f["path"]] != f["sha256"]]
    for path in (
        "base/buildings.gpkg",
        "trees/inwentaryzacja_drzew_2024-06-15.csv",
        "orthophoto/2024-06-15/ortho_0_0.tif",
        "lidar/2024-06-15/classified/lidar_0_0.laz",
    ):
        assert path in changed


def test_unknown_size_and_missing_manifest_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown sample-world size 'huge'"):
        generate(tmp_path, size="huge")
    with pytest.raises(SourceReadError, match="generate the sample world first"):
        load_manifest(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"manifest.json does not exist"):
        load_manifest(tmp_path / "nowhere")


def test_sizes_and_terrain_helper() -> None:
    assert SIZES["small"].extent_m == 400 and SIZES["small"].tiles == 2
    assert (
        SIZES["medium"].tiles == 4 and SIZES["large"].extent_m == 1600 and SIZES["large"].tiles == 8
    )
    xs, ys = np.meshgrid(
        np.linspace(EXTENT[0], EXTENT[0] + 1600, 50), np.linspace(EXTENT[1], EXTENT[1] + 1600, 50)
    )
    z = terrain_z(xs, ys, EPOCH1)
    assert z.shape == xs.shape and z.min() > 258 and z.max() < 277
    diff = terrain_z(xs, ys, EPOCH2) - z
    assert diff.min() == 0 and diff.max() <= 1.5
    assert float(
        terrain_z(ORIGIN[0] + 300, ORIGIN[1] + 20, EPOCH2)
        - terrain_z(ORIGIN[0] + 300, ORIGIN[1] + 20)
    ) == pytest.approx(1.5)


# --- orthophoto -------------------------------------------------------------------------------


@pytest.mark.parametrize("epoch", EPOCHS)
def test_orthophoto_tiles_are_4band_nir_not_alpha(world_dir: Path, epoch: str) -> None:
    tiles = sorted((world_dir / "orthophoto" / epoch).glob("ortho_*.tif"))
    assert [t.name for t in tiles] == [
        "ortho_0_0.tif",
        "ortho_0_1.tif",
        "ortho_1_0.tif",
        "ortho_1_1.tif",
    ]
    for tile in tiles:
        with rasterio.open(tile) as src:
            assert src.count == 4 and src.dtypes == ("uint8",) * 4
            assert src.crs.to_epsg() == 2180
            assert src.res == (0.25, 0.25) and (src.width, src.height) == (800, 800)
            assert src.nodata is None
            assert src.colorinterp[3] != ColorInterp.alpha
            assert src.colorinterp[:3] == (ColorInterp.red, ColorInterp.green, ColorInterp.blue)
            assert src.descriptions == ("red", "green", "blue", "nir")
            assert src.profile["compress"] == "deflate" and src.block_shapes[0] == (256, 256)
            b = src.bounds
            assert (
                EXTENT[0] <= b.left < b.right <= EXTENT[2]
                and EXTENT[1] <= b.bottom < b.top <= EXTENT[3]
            )


@pytest.mark.parametrize("epoch", EPOCHS)
def test_ndvi_matches_truth_landcover(world_dir: Path, epoch: str) -> None:
    with rasterio.open(world_dir / f"truth/landcover_{epoch}.tif") as lc_src:
        assert lc_src.res == (0.25, 0.25) and lc_src.crs.to_epsg() == 2180
        assert tuple(lc_src.bounds) == EXTENT
        for tile in sorted((world_dir / "orthophoto" / epoch).glob("ortho_*.tif")):
            with rasterio.open(tile) as src:
                red, nir = src.read(1).astype(float), src.read(4).astype(float)
                window = lc_src.window(*src.bounds)
                lc = lc_src.read(1, window=window)
            assert lc.shape == red.shape
            ndvi = (nir - red) / np.maximum(nir + red, 1)
            for cls in (3, 4):  # grass, tree crown
                if (lc == cls).sum() > 100:
                    assert np.median(ndvi[lc == cls]) > 0.4, f"{tile.name} class {cls}"
                    assert np.percentile(ndvi[lc == cls], 5) > 0.3
            for cls in (1, 2):  # road, roof
                if (lc == cls).sum() > 100:
                    assert np.median(ndvi[lc == cls]) < 0.15, f"{tile.name} class {cls}"
                    assert np.percentile(ndvi[lc == cls], 95) < 0.15


def test_declining_trees_have_lower_nir_in_epoch2(world_dir: Path) -> None:
    trees = [t for t in _truth_rows(world_dir / "truth/trees.csv") if t["health_decline"] == "true"]
    assert trees
    nir = {}
    for epoch in EPOCHS:
        values = []
        for t in trees:
            x, y = float(t["x"]), float(t["y"])
            for tile in (world_dir / "orthophoto" / epoch).glob("*.tif"):
                with rasterio.open(tile) as src:
                    if (
                        src.bounds.left <= x < src.bounds.right
                        and src.bounds.bottom <= y < src.bounds.top
                    ):
                        values.append(next(src.sample([(x, y)], indexes=4))[0])
        nir[epoch] = np.mean(values)
    assert nir[EPOCH2] < 0.9 * nir[EPOCH1]


# --- LiDAR ------------------------------------------------------------------------------------


def _laz(world_dir: Path, epoch: str, variant: str) -> list[Path]:
    return sorted((world_dir / "lidar" / epoch / variant).glob("lidar_*.laz"))


@pytest.mark.parametrize(
    ("epoch", "variant"), [(EPOCH1, "classified"), (EPOCH1, "unclassified"), (EPOCH2, "classified")]
)
def test_laz_tiles_are_las14_pf6_in_epsg2180(world_dir: Path, epoch: str, variant: str) -> None:
    files = _laz(world_dir, epoch, variant)
    assert len(files) == 4
    for path in files:
        las = laspy.read(path)
        h = las.header
        assert (h.version.major, h.version.minor) == (1, 4) and h.point_format.id == 6
        assert h.global_encoding.wkt
        assert tuple(h.scales) == (0.01, 0.01, 0.01)
        assert h.creation_date.isoformat() == epoch
        crs = h.parse_crs()
        horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
        assert horizontal.to_epsg() == 2180
        row, col = (int(v) for v in path.stem.split("_")[1:])
        minx, miny = ORIGIN[0] + 200 * col, ORIGIN[1] + 200 * row
        x, y = np.asarray(las.x), np.asarray(las.y)
        assert x.min() >= minx and x.max() < minx + 200 and y.min() >= miny and y.max() < miny + 200
        density = len(las.points) / 200**2
        assert 12 * 0.8 <= density <= 12 * 1.2
        assert np.all(np.diff(np.asarray(las.gps_time)) >= 0)
        rn, nr = np.asarray(las.return_number), np.asarray(las.number_of_returns)
        assert rn.min() >= 1 and np.all(rn <= nr) and nr.max() == 3
        classes = np.asarray(las.classification)
        if variant == "unclassified":
            assert set(np.unique(classes)) == {1}
        else:
            counts = {
                int(c): int(n) for c, n in zip(*np.unique(classes, return_counts=True), strict=True)
            }
            assert set(counts) <= {2, 3, 4, 5, 6, 7}
            assert counts[2] > 0.5 * len(classes)
            assert counts[6] > 0.03 * len(classes) and counts[5] > 0.03 * len(classes)
            assert counts[3] > 0 and 3 <= counts[7] <= 20


def test_lidar_ground_follows_terrain_and_noise_is_absurd(world_dir: Path) -> None:
    las = laspy.read(_laz(world_dir, EPOCH1, "classified")[0])
    cls = np.asarray(las.classification)
    x, y, z = np.asarray(las.x), np.asarray(las.y), np.asarray(las.z)
    ground = cls == 2
    dz = z[ground] - terrain_z(x[ground], y[ground], EPOCH1)
    assert np.abs(dz).max() <= 0.04
    noise = cls == 7
    dzn = z[noise] - terrain_z(x[noise], y[noise], EPOCH1)
    assert dzn.max() > 30 and dzn.min() < -1


def test_unclassified_has_the_same_points(world_dir: Path) -> None:
    a = laspy.read(_laz(world_dir, EPOCH1, "classified")[1])
    b = laspy.read(_laz(world_dir, EPOCH1, "unclassified")[1])
    assert np.array_equal(a.X, b.X) and np.array_equal(a.Y, b.Y) and np.array_equal(a.Z, b.Z)
    assert np.array_equal(a.gps_time, b.gps_time)


def test_lidar_sees_the_true_roofs(world_dir: Path) -> None:
    truth = {
        r["building_id"]: r
        for r in _truth_rows(world_dir / "truth/buildings.csv")
        if r["epoch"] == EPOCH1
    }
    buildings = pyogrio.read_dataframe(world_dir / "base/buildings.gpkg")
    las = laspy.read(_laz(world_dir, EPOCH1, "classified")[0])
    roof = np.asarray(las.classification) == 6
    pts = shapely.points(np.asarray(las.x)[roof], np.asarray(las.y)[roof])
    z = np.asarray(las.z)[roof]
    checked = 0
    for bid, geom in zip(buildings["building_id"], buildings.geometry, strict=True):
        inside = shapely.contains(geom.buffer(-0.5), pts)
        if inside.sum() > 50:
            assert np.median(z[inside]) == pytest.approx(float(truth[bid]["roof_z_m"]), abs=0.05)
            checked += 1
    assert checked >= 5


# --- vector layers ----------------------------------------------------------------------------

LAYERS = [
    (
        "base/buildings.gpkg",
        "buildings",
        {"building_id", "kind", "residential", "storeys", "height_m", "population"},
        "Polygon",
    ),
    (
        f"base/buildings_{EPOCH2}.gpkg",
        "buildings",
        {"building_id", "kind", "residential", "storeys", "height_m", "population"},
        "Polygon",
    ),
    (
        "base/parks.gpkg",
        "green_spaces",
        {"park_id", "name", "area_m2", "public_access", "kind"},
        "Polygon",
    ),
    ("base/streets.gpkg", "streets", {"street_id", "name", "road_class", "width_m"}, "LineString"),
    ("ads/strefy_krajobrazowe.gpkg", "landscape_zones", {"zone_code", "name"}, "Polygon"),
]


@pytest.mark.parametrize(("rel", "layer", "columns", "geom_type"), LAYERS)
def test_geopackages_have_layer_columns_and_crs(
    world_dir: Path, rel: str, layer: str, columns: set, geom_type: str
) -> None:
    path = world_dir / rel
    assert [tuple(x) for x in pyogrio.list_layers(path)] == [(layer, geom_type)]
    info = pyogrio.read_info(path, layer=layer)
    assert info["crs"] == "EPSG:2180"
    assert set(info["fields"]) == columns
    df = pyogrio.read_dataframe(path, layer=layer)
    assert df.geometry.is_valid.all() and len(df) > 0
    minx, miny, maxx, maxy = df.total_bounds
    assert minx >= EXTENT[0] - 1e-6 and miny >= EXTENT[1] - 1e-6
    assert maxx <= EXTENT[2] + 1e-6 and maxy <= EXTENT[3] + 1e-6


def test_buildings_and_population(world_dir: Path) -> None:
    b = pyogrio.read_dataframe(world_dir / "base/buildings.gpkg")
    assert 60 <= len(b) <= 120 and b["building_id"].is_unique
    assert b["residential"].dtype == bool
    res = b[b["residential"]]
    assert (res["population"] > 0).all() and (b.loc[~b["residential"], "population"] == 0).all()
    assert res["storeys"].between(1, 11).all() and (res["storeys"] >= 4).any()
    per_storey = res["height_m"] / res["storeys"]
    assert per_storey.between(2.8, 4.0).all()
    assert set(b["kind"]) >= {"residential", "retail", "school", "office"}
    assert not shapely.union_all(b.geometry.values).is_empty
    assert b.geometry.area.sum() == pytest.approx(
        shapely.union_all(b.geometry.values).area
    )  # no overlaps


def test_parks_cover_the_required_sizes(world_dir: Path) -> None:
    p = pyogrio.read_dataframe(world_dir / "base/parks.gpkg")
    assert 3 <= len(p) <= 5
    assert np.allclose(p["area_m2"], p.geometry.area, atol=0.01)
    public = p[p["public_access"]]
    assert (public["area_m2"] >= 25_000).any()
    assert public["area_m2"].between(5_000, 10_000).any()
    assert (p["area_m2"] < 5_000).any()
    assert (~p["public_access"]).sum() >= 1
    assert set(p["kind"]) <= {"park", "skwer", "zieleniec"}


def test_streets_form_a_noded_graph(world_dir: Path) -> None:
    s = pyogrio.read_dataframe(world_dir / "base/streets.gpkg")
    assert s["street_id"].is_unique and set(s["road_class"]) >= {"G", "Z", "L", "D", "footway"}
    lines = list(s.geometry)
    for i, a in enumerate(lines):
        ends_a = shapely.MultiPoint(a.boundary.geoms)
        for b in lines[i + 1 :]:
            inter = a.intersection(b)
            if not inter.is_empty:
                assert inter.geom_type == "Point", "segments may only touch at nodes"
                assert (
                    ends_a.distance(inter) < 1e-6
                    and shapely.MultiPoint(b.boundary.geoms).distance(inter) < 1e-6
                )
    ends = [tuple(np.round(c, 3)) for g in lines for c in (g.coords[0], g.coords[-1])]
    degree = {p: ends.count(p) for p in set(ends)}
    assert sum(d >= 4 for d in degree.values()) >= 4  # street crossings


# --- inventories -------------------------------------------------------------------------------

TREE_HEADER = [
    "nr_inwentarzowy",
    "gatunek",
    "gatunek_lacinski",
    "wysokosc_m",
    "obwod_pnia_cm",
    "srednica_korony_m",
    "stan_zdrowia",
    "x_2180",
    "y_2180",
]
AD_HEADER = [
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
]


def test_tree_inventory_and_its_three_bad_rows(world_dir: Path) -> None:
    path = world_dir / f"trees/inwentaryzacja_drzew_{EPOCH1}.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0].split(";") == TREE_HEADER
    rows = _semicolon_rows(path)
    bad = _truth_rows(world_dir / "truth/trees_bad_rows.csv")
    assert sorted(r["reason"] for r in bad) == [
        "coordinates_outside_district",
        "duplicate_id",
        "height_missing",
    ]
    for r in bad:
        row = rows[int(r["data_row"]) - 1]
        assert (
            lines[int(r["line_number"]) - 1].split(";")[0]
            == r["nr_inwentarzowy"]
            == row["nr_inwentarzowy"]
        )
        if r["reason"] == "height_missing":
            assert row["wysokosc_m"] == "brak"
        elif r["reason"] == "coordinates_outside_district":
            x, y = _pl(row["x_2180"]), _pl(row["y_2180"])
            assert not (605_000 <= x <= 625_000 and 325_000 <= y <= 345_000)  # outside Kielce
        else:
            assert sum(q["nr_inwentarzowy"] == r["nr_inwentarzowy"] for q in rows) == 2
    bad_rows = {int(r["data_row"]) - 1 for r in bad}
    good = [row for i, row in enumerate(rows) if i not in bad_rows]
    heights = np.array([_pl(r["wysokosc_m"]) for r in good])
    assert 0.5 < heights.min() < 2.0 and heights.max() <= 28
    assert {r["stan_zdrowia"] for r in good} == {"dobry", "średni", "zły"}
    xs, ys = np.array([_pl(r["x_2180"]) for r in good]), np.array([_pl(r["y_2180"]) for r in good])
    assert (
        xs.min() >= EXTENT[0]
        and xs.max() <= EXTENT[2]
        and ys.min() >= EXTENT[1]
        and ys.max() <= EXTENT[3]
    )
    assert any("," in r["wysokosc_m"] for r in good)  # decimal commas
    circ = np.array([int(r["obwod_pnia_cm"]) for r in good])
    assert np.corrcoef(heights, circ)[0, 1] > 0.7


def test_truth_trees_and_epoch2_inventory(world_dir: Path) -> None:
    truth = _truth_rows(world_dir / "truth/trees.csv")
    assert 400 <= len(truth) <= 700
    assert any(t["in_inventory"] == "true" and float(t["height_m"]) < 2 for t in truth)
    assert any(t["in_inventory"] == "false" and float(t["height_m"]) >= 5 for t in truth)
    assert all(float(t["height_m"]) >= 5 for t in truth if t["in_inventory"] == "false")
    assert all((t["visible_to_lidar"] == "true") == (float(t["height_m"]) >= 2) for t in truth)
    felled = {t["inventory_id"] for t in truth if t["felled_in_epoch2"] == "true"}
    assert 0.03 * len(truth) <= len(felled) <= 0.07 * len(truth)
    inv2 = _semicolon_rows(world_dir / f"trees/inwentaryzacja_drzew_{EPOCH2}.csv")
    ids2 = [r["nr_inwentarzowy"] for r in inv2]
    assert len(ids2) == len(set(ids2)) and not felled & set(ids2)
    expected = {t["inventory_id"] for t in truth if t["in_inventory"] == "true"} - felled
    assert set(ids2) == expected
    xy = np.array([(float(t["x"]), float(t["y"])) for t in truth])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert d.min() >= 3.0  # apexes far enough apart for detection scoring


def test_ad_inventory_files(world_dir: Path) -> None:
    e1 = _semicolon_rows(world_dir / "ads/nosniki_reklamowe.csv")
    e2 = _semicolon_rows(world_dir / f"ads/nosniki_reklamowe_{EPOCH2}.csv")
    header = (world_dir / "ads/nosniki_reklamowe.csv").read_text(encoding="utf-8").split("\n")[0]
    assert header.split(";") == AD_HEADER
    assert 30 <= len(e1) <= 50 and len(e2) == len(e1) + 1
    assert {r["id_nosnika"] for r in e1} < {r["id_nosnika"] for r in e2}
    for r in e2:
        assert r["podswietlenie"] in ("tak", "nie") and r["led"] in ("tak", "nie")
        assert r["zajecie_pasa_drogowego"] in ("tak", "nie")
        assert len(r["data_instalacji"]) == 10 and r["data_instalacji"][4] == "-"
        assert _pl(r["powierzchnia_ekspozycji_m2"]) > 0
    assert {r["typ_nosnika"] for r in e2} <= {
        "wolnostojący",
        "baner na budynku",
        "mural",
        "ekran LED",
        "pylon",
        "słup ogłoszeniowy",
    }


def _intersections_from_streets(world_dir: Path) -> np.ndarray:
    s = pyogrio.read_dataframe(world_dir / "base/streets.gpkg")
    roads = s[s["road_class"] != "footway"]
    ends = [tuple(np.round(c, 3)) for g in roads.geometry for c in (g.coords[0], g.coords[-1])]
    return np.array([p for p in sorted(set(ends)) if ends.count(p) >= 3])


def test_ad_violations_follow_from_the_published_files(world_dir: Path) -> None:
    """Re-derive every violation from the rules YAML, zones, inventories and streets alone."""
    rules = yaml.safe_load((world_dir / "ads/zasady_reklamowe.yaml").read_text(encoding="utf-8"))
    zones = pyogrio.read_dataframe(world_dir / "ads/strefy_krajobrazowe.gpkg")
    truth = {
        r["id_nosnika"]: r["violated_rules"]
        for r in _truth_rows(world_dir / "truth/ads_violations.csv")
    }
    crossings = _intersections_from_streets(world_dir)
    g = rules["global_rules"]
    for epoch, name in (
        (EPOCH1, "nosniki_reklamowe.csv"),
        (EPOCH2, f"nosniki_reklamowe_{EPOCH2}.csv"),
    ):
        ads = _semicolon_rows(world_dir / "ads" / name)
        trees = _semicolon_rows(world_dir / f"trees/inwentaryzacja_drzew_{epoch}.csv")
        tree_xy = np.array([(_pl(t["x_2180"]), _pl(t["y_2180"])) for t in trees])
        free = [a for a in ads if a["typ_nosnika"] in rules["free_standing_types"]]
        free_xy = np.array([(_pl(a["x_2180"]), _pl(a["y_2180"])) for a in free])
        for a in ads:
            x, y = _pl(a["x_2180"]), _pl(a["y_2180"])
            zone = zones.loc[zones.geometry.covers(Point(x, y)), "zone_code"].item()
            limits = rules["zones"][zone]["carriers"][a["typ_nosnika"]]
            codes = set()
            if not limits["allowed"]:
                codes.add("TYPE_NOT_ALLOWED")
            else:
                if _pl(a["powierzchnia_ekspozycji_m2"]) > limits["max_face_area_m2"]:
                    codes.add("FACE_AREA_EXCEEDED")
                if _pl(a["wysokosc_m"]) > limits["max_height_m"]:
                    codes.add("HEIGHT_EXCEEDED")
            if a["led"] == "tak" and zone in g["LED_IN_ZONE_A"]["led_forbidden_zones"]:
                codes.add("LED_IN_ZONE_A")
            if a["typ_nosnika"] in rules["free_standing_types"]:
                if (
                    np.hypot(*(free_xy - (x, y)).T)
                    < g["MIN_SPACING_FREESTANDING"]["min_distance_m"]
                ).sum() > 1:
                    codes.add("MIN_SPACING_FREESTANDING")
                if (
                    np.hypot(*(crossings - (x, y)).T).min()
                    < g["MIN_DISTANCE_INTERSECTION"]["min_distance_m"]
                ):
                    codes.add("MIN_DISTANCE_INTERSECTION")
                if np.hypot(*(tree_xy - (x, y)).T).min() < g["MIN_DISTANCE_TREE"]["min_distance_m"]:
                    codes.add("MIN_DISTANCE_TREE")
            assert "|".join(sorted(codes)) == truth[a["id_nosnika"]], a["id_nosnika"]
    violating = [k for k, v in truth.items() if v]
    assert 0.25 <= len(violating) / len(truth) <= 0.35
    assert all(1 <= len(v.split("|")) <= 2 for v in truth.values() if v)
    assert len({c for v in truth.values() if v for c in v.split("|")}) >= 4


# --- zoning plan GML --------------------------------------------------------------------------


def _gml_polygon_2180(polygon_el: etree._Element, to_2180: pyproj.Transformer) -> Polygon:
    rings = []
    for pos_list in polygon_el.iterfind(".//gml:posList", NS):
        vals = np.array(pos_list.text.split(), dtype=float).reshape(-1, 2)
        north, east = vals[:, 0], vals[:, 1]  # EPSG:2178 axis order: northing first
        x, y = to_2180.transform(east, north)
        rings.append(list(zip(x, y, strict=True)))
    return Polygon(rings[0], rings[1:])


@pytest.fixture(scope="session")
def plan(world_dir: Path) -> tuple[etree._Element, list[tuple[etree._Element, Polygon]]]:
    root = etree.parse(str(world_dir / "zoning/plan_miejscowy.gml")).getroot()
    to_2180 = pyproj.Transformer.from_crs(2178, 2180, always_xy=True)
    zones = [
        (z, _gml_polygon_2180(z.find("app:geometria/gml:Polygon", NS), to_2180))
        for z in root.iterfind("wfs:member/app:StrefaPlanistyczna", NS)
    ]
    return root, zones


def test_gml_is_an_app2_feature_collection_with_one_local_plan(plan) -> None:
    root, zones = plan
    assert root.tag == "{http://www.opengis.net/wfs/2.0}FeatureCollection"
    acts = root.findall("wfs:member/app:AktPlanowaniaPrzestrzennego", NS)
    assert len(acts) == 1
    act = acts[0]
    assert act.get(f"{{{GML}}}id")
    assert act.find("app:idIIP/app:Identyfikator/app:lokalnyId", NS).text
    assert act.find("app:tytul", NS).text
    xlink_title = "{http://www.w3.org/1999/xlink}title"
    assert (
        act.find("app:typPlanu", NS).get(xlink_title)
        == "miejscowy plan zagospodarowania przestrzennego"
    )
    assert act.find("app:status", NS).get(xlink_title) == "prawnie wiążący"
    assert (
        act.find("app:poziomHierarchii", NS) is not None and act.find("app:obowiazujeOd", NS).text
    )
    ms = act.find("app:zasiegPrzestrzenny/gml:MultiSurface", NS)
    assert ms.get("srsName") == "http://www.opengis.net/def/crs/EPSG/0/2178"
    assert int(root.get("numberReturned")) == 1 + len(zones) and len(zones) >= 5
    allowed = {"SW", "SJ", "SZ", "SU", "SH", "SP", "SR", "SI", "SN", "SC", "SG", "SO", "SK"}
    for z, _ in zones:
        symbol = z.find("app:symbol", NS).text
        assert symbol in allowed and z.find("app:oznaczenie", NS).text.endswith(symbol)
        assert z.find("app:geometria/gml:Polygon", NS).get("srsName").endswith("/2178")
        assert z.find("app:nazwa", NS) is not None and z.find("app:plan", NS) is not None
        if symbol != "SK":
            for name in (
                "maksNadziemnaIntensywnoscZabudowy",
                "maksUdzialPowierzchniZabudowy",
                "maksWysokoscZabudowy",
                "minUdzialPowierzchniBiologicznieCzynnej",
            ):
                assert float(z.find(f"app:{name}", NS).text) >= 0


def test_gml_coordinates_are_northing_easting_inside_the_district(plan) -> None:
    root, _ = plan
    district = box(*EXTENT)
    to_2180 = pyproj.Transformer.from_crs(2178, 2180, always_xy=True)
    for pos_list in root.iterfind(".//gml:posList", NS):
        vals = np.array(pos_list.text.split(), dtype=float).reshape(-1, 2)
        assert (vals[:, 0] > 5_000_000).all() and (
            vals[:, 1] < 8_000_000
        ).all()  # N ~5.6e6, E ~7.47e6
        x, y = to_2180.transform(vals[:, 1], vals[:, 0])
        assert district.buffer(0.01).contains(shapely.multipoints(np.column_stack([x, y])))


def test_gml_zones_partition_the_district(plan) -> None:
    _, zones = plan
    polys = [p for _, p in zones]
    assert all(p.is_valid for p in polys)
    union = shapely.union_all(polys)
    assert union.area == pytest.approx(400 * 400, abs=1.0)
    assert sum(p.area for p in polys) == pytest.approx(union.area, abs=1.0)  # no overlaps
    assert union.symmetric_difference(box(*EXTENT)).area < 1.0  # no gaps


def test_buildings_respect_their_zone_height_limit(world_dir: Path, plan) -> None:
    _, zones = plan
    b = pyogrio.read_dataframe(world_dir / "base/buildings.gpkg")
    for geom, height in zip(b.geometry, b["height_m"], strict=True):
        c = geom.centroid
        zone = next(z for z, p in zones if p.covers(c))
        limit = zone.find("app:maksWysokoscZabudowy", NS)
        assert limit is not None and height <= float(limit.text)


# --- truth ------------------------------------------------------------------------------------


def test_changes_are_consistent_with_both_epochs(world_dir: Path) -> None:
    doc = json.loads((world_dir / "truth/changes.geojson").read_text(encoding="utf-8"))
    assert doc["crs"]["properties"]["name"].endswith("EPSG::2180")
    by_type: dict[str, list[dict]] = {}
    for f in doc["features"]:
        by_type.setdefault(f["properties"]["type"], []).append(f["properties"])
    assert set(by_type) == {
        "new_building",
        "demolished_building",
        "raised_building",
        "felled_tree",
        "new_ad",
        "terrain_change",
        "health_decline",
    }
    assert len(by_type["new_building"]) == 2 and len(by_type["demolished_building"]) == 1
    assert len(by_type["raised_building"]) == 1 and len(by_type["new_ad"]) == 1
    b1 = pyogrio.read_dataframe(world_dir / "base/buildings.gpkg").set_index("building_id")
    b2 = pyogrio.read_dataframe(world_dir / f"base/buildings_{EPOCH2}.gpkg").set_index(
        "building_id"
    )
    for c in by_type["new_building"]:
        assert c["object_id"] in b2.index and c["object_id"] not in b1.index
    for c in by_type["demolished_building"]:
        assert c["object_id"] in b1.index and c["object_id"] not in b2.index
    raised = by_type["raised_building"][0]["object_id"]
    assert b2.loc[raised, "storeys"] == b1.loc[raised, "storeys"] + 1
    assert b2.loc[raised, "height_m"] - b1.loc[raised, "height_m"] >= 2.9
    ads2 = {
        r["id_nosnika"] for r in _semicolon_rows(world_dir / f"ads/nosniki_reklamowe_{EPOCH2}.csv")
    }
    ads1 = {r["id_nosnika"] for r in _semicolon_rows(world_dir / "ads/nosniki_reklamowe.csv")}
    assert ads2 - ads1 == {by_type["new_ad"][0]["object_id"]}
    terrain = by_type["terrain_change"][0]
    assert terrain["area_m2"] == pytest.approx(400, rel=0.1) and terrain[
        "height_change_m"
    ] == pytest.approx(1.5)
    trees = {t["tree_id"]: t for t in _truth_rows(world_dir / "truth/trees.csv")}
    assert {c["object_id"] for c in by_type["felled_tree"]} == {
        k for k, t in trees.items() if t["felled_in_epoch2"] == "true"
    }
    assert {c["object_id"] for c in by_type["health_decline"]} == {
        k for k, t in trees.items() if t["health_decline"] == "true"
    }


@pytest.mark.parametrize("epoch", EPOCHS)
def test_truth_dtm_is_terrain_at_cell_centres(world_dir: Path, epoch: str) -> None:
    with rasterio.open(world_dir / f"truth/dtm_{epoch}.tif") as src:
        assert src.res == (0.5, 0.5) and src.crs.to_epsg() == 2180 and tuple(src.bounds) == EXTENT
        dtm = src.read(1)
        rows, cols = np.array([0, 123, 799]), np.array([5, 400, 777])
        xs, ys = rasterio.transform.xy(src.transform, rows, cols)
    assert dtm.dtype == np.float32
    assert np.allclose(dtm[rows, cols], terrain_z(np.array(xs), np.array(ys), epoch), atol=1e-3)


def test_truth_files_are_documented_and_consistent(world_dir: Path) -> None:
    readme = (world_dir / "truth/README.md").read_text(encoding="utf-8")
    for name in (
        "trees.csv",
        "trees_bad_rows.csv",
        "ads_violations.csv",
        "changes.geojson",
        "buildings.csv",
        "landcover_<epoch>.tif",
        "dtm_<epoch>.tif",
    ):
        assert f"`{name}`" in readme
    ads = {
        r["id_nosnika"] for r in _semicolon_rows(world_dir / f"ads/nosniki_reklamowe_{EPOCH2}.csv")
    }
    violations = _truth_rows(world_dir / "truth/ads_violations.csv")
    assert {r["id_nosnika"] for r in violations} == ads
    codes = set(
        yaml.safe_load((world_dir / "ads/zasady_reklamowe.yaml").read_text(encoding="utf-8"))[
            "rule_descriptions"
        ]
    )
    assert {
        c for r in violations if r["violated_rules"] for c in r["violated_rules"].split("|")
    } <= codes
    buildings = _truth_rows(world_dir / "truth/buildings.csv")
    for r in buildings:
        assert float(r["roof_z_m"]) == pytest.approx(
            float(r["ground_z_m"]) + float(r["roof_height_m"]), abs=0.011
        )
