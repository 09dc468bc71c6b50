"""The real LiDAR files of ../shared/data/lidar: as delivered (each loads or is refused with one line
naming the file, the problem and the fix) and, relocated into Kielce, through the whole pipeline
(canopy from class 1, outliers, water, overlap, unknown classes, extra bytes)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import psycopg
import pytest

from pipelines.lidar import LidarParams, load_lidar
from pipelines.readers.validate import EXTENTS
from tests.support.relocate.las import KIELCE_ORIGIN, relocate_las

pytestmark = pytest.mark.db
EPOCH = date(2024, 6, 15)
OUTSIDE = re.escape("outside Poland where EPSG:2180 (MSIP's storage CRS) is valid")
#: `msip load lidar FILE --epoch …` of each file as delivered: (extra options, exit code, output).
AS_DELIVERED = {
    "1.2-with-color.copc.laz": ([], 1, r"EPSG:2991 \(metre\), from its WKT VLR, places the points "
                                r"at 117\.245°W 49\.361°N \(outside the area of use of EPSG:2991 too"),
    "1_4_w_evlr.las": ([], 1, r"EPSG:2903 \(US survey foot\), from its WKT VLR, places the points "
                       r"at 106\.068°W 35\.992°N, " + OUTSIDE),
    "MixedConifer.laz": ([], 1, r"EPSG:26912 \(metre\), from its GeoTIFF keys, places the points "
                         r"at 111\.204°W 34\.458°N, " + OUTSIDE),
    "Topography.laz": ([], 1, r"EPSG:2949 \(metre\), from its GeoTIFF keys, places the points at "
                       r"70\.916°W 47\.609°N, " + OUTSIDE),
    "autzen_trim.laz": ([], 1, r"'NAD_1983_HARN_Lambert_Conformal_Conic' \(foot\), from its WKT "
                        r"VLR, places the points at 123\.071°W 44\.051°N, " + OUTSIDE),
    "file_with_both_wkt_and_geotiff_vlrs.las": ([], 1, r"EPSG:6880 \(US survey foot\), from its "
                                                r"WKT VLR, places the points at 97\.063°W 41\.455°N"),
    "las14_pdrf6.laz": ([], 1, r"has no usable CRS: its WKT VLR cannot be parsed \(.*\); give its "
                        r"CRS with --crs"),
    "las_with_several_extra_byte_bloc.laz": ([], 1, r"EPSG:2154 \(metre\), from its WKT VLR, "
                                             r"places the points at 0\.180°E 46\.761°N, " + OUTSIDE),
    "sample_c_thin.las": ([], 1, r"has no usable CRS: it has no CRS records .*; give its CRS with "
                          r"--crs"),
    "test1_4.las": ([], 1, r"EPSG:2903 \(US survey foot\), from its WKT VLR, places the points at "
                    r"106\.068°W 35\.992°N, " + OUTSIDE),
    "warsaw_small.las": ([], 1, r"its WKT VLR \(GUGIK/2018-04-04/12/40/10\) is empty; its "
                         r"coordinates \(E 639930, N 485160\) look like EPSG:2180 — if so, load it "
                         r"with --crs 2180"),
    "warsaw_small.las --crs 2180": (["--crs", "2180"], 1, r"lie outside Kielce .* --extent poland"),
    "warsaw_small.las --crs 2180 --extent poland": (["--crs", "2180", "--extent", "poland"], 0,
                                                    r"warsaw_small\.las: succeeded .* 3000 in = "
                                                    r"3000 loaded \+ 0 rejected"),
}  # fmt: skip
#: Real files with vegetation on which the outlier filter may drop at most 0.5 % of the points.
VEGETATION = (
    "MixedConifer.laz",
    "Topography.laz",
    "las_with_several_extra_byte_bloc.laz",
    "file_with_both_wkt_and_geotiff_vlrs.las",
    "warsaw_small.las",
)


def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def test_every_real_file_is_listed(shared_data):
    listed = {key.split(" ")[0] for key in AS_DELIVERED}
    assert listed == {p.name for p in (shared_data / "lidar").iterdir()}


@pytest.mark.parametrize("case", AS_DELIVERED)
def test_as_delivered_each_loads_or_is_refused_in_one_line(
    case, shared_data, store, empty_db, monkeypatch, capsys
):
    from msip.cli import main

    name = case.split(" ")[0]
    options, code, expected = AS_DELIVERED[case]
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    argv = ["load", "lidar", str(shared_data / "lidar" / name), "--epoch", "2024-06-15"]
    try:
        main([*argv, *options, "--workers", "1"])
        exit_code = 0
    except SystemExit as exc:
        exit_code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert exit_code == code, out + err
    assert "Traceback" not in out + err
    if code:
        [line] = [ln for ln in out.splitlines() if ln.startswith(f"refused {name}: ")]
        assert re.search(expected, line), line
        assert name in line.split(": ", 1)[1]  # the reason names the file itself
    else:
        assert re.search(expected, out), out


def _relocated(
    shared_data: Path, tmp_path: Path, name: str, origin: tuple[float, float] = KIELCE_ORIGIN
) -> Path:
    suffix = ".las" if name.endswith(".las") else ".laz"
    stem = Path(name).stem.removesuffix(".copc")  # the copy is plain LAZ, not COPC
    return relocate_las(shared_data / "lidar" / name, tmp_path / (stem + suffix), origin=origin).path


def _share(notes: list[str]) -> tuple[int, int, str]:
    [note] = [n for n in notes if n.startswith("statistical outliers: ")]
    m = re.match(r"statistical outliers: (\d+) of (\d+) points", note)
    assert m, note
    return int(m.group(1)), int(m.group(2)), note


@pytest.mark.parametrize("name", VEGETATION)
def test_outliers_on_real_vegetation_are_at_most_half_a_percent(
    name, shared_data, store, empty_db, tmp_path
):
    if name == "warsaw_small.las":  # Polish already: loaded as delivered
        path, opts = shared_data / "lidar" / name, {"crs": 2180, "extent": EXTENTS["poland"]}
    else:
        path, opts = _relocated(shared_data, tmp_path, name), {}
    result = load_lidar([path], epoch=EPOCH, url=empty_db, workers=1, **opts)
    assert result.ok and result.derived.status == "succeeded"
    removed, judged, note = _share(result.derived.notes)
    assert judged > 0 and removed <= 0.005 * judged, note
    for band in ("7 to 15 m", "15 to 30 m", "≥ 30 m"):  # canopy is never an outlier here
        assert f"{band}:" not in note
    if name == "las_with_several_extra_byte_bloc.laz":
        assert any(
            "extra bytes Deviation (uint16), ExtraBytes (uint8) from 2 Extra Bytes VLRs not stored"
            in n
            for n in result.reports[0].notes
        )


def test_real_forest_in_class_1_gives_canopy_and_trees(shared_data, store, empty_db, tmp_path):
    result = load_lidar(
        [_relocated(shared_data, tmp_path, "MixedConifer.laz")], epoch=EPOCH, url=empty_db,
        workers=1,
    )  # fmt: skip
    notes = result.reports[0].notes
    assert any("extra bytes treeID (float64) not stored" in n for n in notes)
    [(trees, tallest)] = rows(empty_db, "SELECT count(*), max(height_m) FROM msip.tree_detected")
    assert trees > 120 and 28 < tallest < 33  # lidR finds 177–205; the file tops out at 32.07 m


def test_water_is_kept_and_part_of_the_terrain(shared_data, store, empty_db, tmp_path):
    result = load_lidar(
        [_relocated(shared_data, tmp_path, "Topography.laz")], epoch=EPOCH, url=empty_db,
        workers=1,
    )  # fmt: skip
    assert result.reports[0].rows_loaded == 73403
    [(water,)] = rows(
        empty_db,
        "SELECT sum(PC_NumPoints(PC_FilterEquals(pa, 'Classification', 9))) FROM msip.lidar_patch",
    )
    assert water == 3897
    assert any("3897 water (class 9, part of the DTM)" in n for n in result.derived.notes)


def test_sparse_copc_and_odd_real_files_load_in_kielce(shared_data, store, empty_db, tmp_path):
    """COPC (0.04 pt/m²: the old voxel filter dropped 99 % of it), classes 129/143 and vendor
    VLRs (las14_pdrf6), overlap on every point (1_4_w_evlr)."""
    # side by side, not on top of each other (their heights differ by 550 m)
    places = {"1.2-with-color.copc.laz": (614000.0, 334600.0), "las14_pdrf6.laz": (616000.0, 334600.0),
              "1_4_w_evlr.las": (616400.0, 334600.0)}  # fmt: skip
    result = load_lidar(
        [_relocated(shared_data, tmp_path, n, origin) for n, origin in places.items()],
        epoch=EPOCH,
        url=empty_db,
        workers=1,
        params=LidarParams(resolution_m=2.0),  # 1.4 km² at 5 m spacing: 2 m cells are plenty
    )
    assert result.ok and result.derived.status == "succeeded"
    by_name = {Path(r.source_path).name: r for r in result.reports}
    assert by_name["1.2-with-color.laz"].rows_loaded == 1065
    assert any("classes 129 (21 points), 143 (1 points)" in n for n in by_name["las14_pdrf6.laz"].notes)
    assert any("1000 points flagged 'overlap'" in n for n in by_name["1_4_w_evlr.las"].notes)
    removed, judged, note = _share(result.derived.notes)
    assert removed <= 0.005 * judged, note
    stored = dict(rows(empty_db, "SELECT PC_Get(PC_Explode(pa), 'Classification')::int AS c, "
                                 "count(*) FROM msip.lidar_patch GROUP BY 1"))  # fmt: skip
    assert stored[129] == 21 and stored[143] == 1


@pytest.mark.parametrize("name", ["MixedConifer.laz", "Topography.laz"])
def test_birds_and_low_points_added_to_real_forest_are_found(name, shared_data):
    """Conservative is not blind: 20 points 40–80 m above and 20 points 5–15 m below the local
    surface of a real forest, each alone (≥ 10 m apart), are all flagged, and hardly anything
    else. (Two such points side by side shield each other: the test looks for lone points.)"""
    import laspy
    import numpy as np

    from pipelines.lidar.algorithms.outliers import cell_for_density, isolated, point_spacing_m

    las = laspy.read(shared_data / "lidar" / name)
    x, y, z = (np.asarray(v, dtype=np.float64) for v in (las.x, las.y, las.z))
    rng = np.random.default_rng(9)
    gx, gy = np.meshgrid(np.arange(5, 90, 11.0), np.arange(5, 90, 11.0))
    spots = rng.choice(gx.size, 40, replace=False)
    near = [np.hypot(x - x.min() - a, y - y.min() - b) for a, b in zip(gx.flat, gy.flat, strict=True)]
    pick = np.array([int(np.argmin(near[k])) for k in spots])
    ground_z = np.array([np.min(z[np.hypot(x - x[i], y - y[i]) < 3]) for i in pick])
    top_z = np.array([np.max(z[np.hypot(x - x[i], y - y[i]) < 3]) for i in pick])
    dz = np.r_[top_z[:20] + rng.uniform(40, 80, 20), ground_z[20:] - rng.uniform(5, 15, 20)]
    ax, ay = x[pick] + rng.uniform(-0.2, 0.2, 40), y[pick] + rng.uniform(-0.2, 0.2, 40)
    allx, ally, allz = np.r_[x, ax], np.r_[y, ay], np.r_[z, dz]
    cell = cell_for_density(point_spacing_m(allx, ally), 1.0)
    out = isolated(allx, ally, allz, cell_m=cell)
    assert out[len(x):].all()
    assert out[: len(x)].sum() <= 0.005 * len(x)
