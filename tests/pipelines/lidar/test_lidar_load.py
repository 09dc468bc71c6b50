"""Loading LiDAR into PostGIS: patches, counts, idempotency, SQL, bad input, real files, CLI.

Longer than ~300 lines: the loads (patches, idempotency, bad input, real files, CLI) share the
synthetic scene and the fixture files.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import laspy
import numpy as np
import psycopg
import pytest
import shapely

from pipelines.lidar import LidarParams, load_lidar
from pipelines.readers.validate import EXTENTS
from tests.support.db import count
from tests.support.paths import TEST_DATA

DATA = TEST_DATA / "lidar"
EPOCH = date(2024, 6, 15)
pytestmark = pytest.mark.db




def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def test_file_loads_as_patches_rasters_and_trees_then_is_unchanged(store, empty_db):
    result = load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    assert result.ok
    [rep] = result.reports
    assert (rep.status, rep.rows_in, rep.rows_loaded, rep.rows_rejected) == (
        "succeeded",
        2835,
        2835,
        0,
    )
    assert count(empty_db, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch") == 2835
    kinds = rows(
        empty_db,
        "SELECT kind, count(*) FILTER (WHERE is_mosaic), count(*) FROM msip.raster_asset "
        "GROUP BY kind ORDER BY kind",
    )
    assert kinds == [("chm", 1, 2), ("dsm", 1, 2), ("dtm", 1, 2), ("ndsm", 1, 2)]
    # The DTM samples from SQL (out-db raster) at bare ground match the synthetic terrain.
    from tests.support.lidar_scene import terrain

    x, y = 614102.3, 334727.8
    dtm = count(
        empty_db,
        "SELECT ST_Value(rast, 1, ST_SetSRID(ST_Point(%s, %s), 2180)) FROM msip.raster_asset "
        "WHERE kind = 'dtm' AND is_mosaic",
        (x, y),
    )
    assert dtm == pytest.approx(terrain(x - 614100, y - 334700), abs=0.1)
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.tree_detected WHERE epoch = %s AND height_m > 2",
            (EPOCH,),
        )
        >= 2
    )
    assert result.derived.status == "succeeded"

    again = load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    assert [r.status for r in again.reports] + [again.derived.status] == ["unchanged", "unchanged"]
    assert count(empty_db, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch") == 2835
    assert count(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'succeeded'") == 2


def test_sql_polygon_count_equals_laspy(store, empty_db, reader_url):
    load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    las = laspy.read(DATA / "tiny_2180.laz")
    polygon = shapely.Polygon(
        [
            (614103.137, 334702.411),
            (614124.913, 334706.275),
            (614121.451, 334726.083),
            (614108.772, 334719.649),
            (614101.509, 334729.117),
        ]
    )
    inside = shapely.contains_xy(polygon, np.asarray(las.x), np.asarray(las.y))
    sql = (
        "SELECT sum(PC_NumPoints(PC_Intersection(pa, g))) FROM msip.lidar_patch, "
        "ST_GeomFromText(%s, 2180) AS g WHERE PC_Intersects(pa, g)"
    )
    assert count(reader_url, sql, (polygon.wkt,)) == inside.sum() > 100
    ground = (
        "SELECT sum(PC_NumPoints(PC_FilterEquals(pa, 'Classification', 2))) FROM msip.lidar_patch"
    )
    assert count(reader_url, ground) == (np.asarray(las.classification) == 2).sum()
    exploded = rows(
        reader_url,
        "SELECT PC_Get(pt, 'Z') FROM (SELECT PC_Explode(pa) AS pt FROM msip.lidar_patch) q",
    )
    assert len(exploded) == len(las.x)
    assert count(reader_url, "SELECT sum(points) FROM msip.lidar_patch_extent") == len(las.x)
    assert count(reader_url, "SELECT count(*) FROM msip.tree_detected_current") > 0
    assert sorted(float(z) for (z,) in exploded) == pytest.approx(
        np.sort(np.asarray(las.z)), abs=1e-6
    )


def test_bad_input_is_refused_or_counted_and_the_rest_loads(store, empty_db):
    result = load_lidar([DATA], epoch=EPOCH, url=empty_db, workers=1)
    refused = dict(result.refused)
    assert set(refused) == {"empty.laz", "no_crs.las", "truncated.laz", "zero_points.las"}
    assert "is empty (0 bytes)" in refused["empty.laz"]
    assert "has no usable CRS" in refused["no_crs.las"] and "--crs 2180" in refused["no_crs.las"]
    assert "decoded 0 of the 2835 points" in refused["truncated.laz"]
    assert "holds no points" in refused["zero_points.las"]
    by_name = {Path(r.source_path).name: r for r in result.reports}
    absurd = by_name["absurd_z.laz"]
    assert (absurd.rows_in, absurd.rows_loaded, absurd.rows_rejected) == (2835, 2826, 9)
    [(reason, raw)] = rows(
        empty_db,
        "SELECT reason, raw FROM msip.rejected_record r JOIN msip.load_run l "
        "USING (run_id) WHERE l.source_path LIKE '%%absurd_z.laz'",
    )
    assert "9 points with Z outside the plausible range" in reason and raw["count"] == 9
    assert {e["z"] for e in raw["examples"]} <= {9999.0, -9999.0}
    assert any(
        "differs from the other files (EPSG:2180)" in n for n in by_name["tiny_2178.laz"].notes
    )
    failed = dict(
        rows(
            empty_db,
            "SELECT regexp_replace(source_path, '^.*/', ''), message FROM msip.load_run "
            "WHERE status = 'failed'",
        )
    )
    assert set(failed) == set(refused)
    stored = dict(
        rows(empty_db, "SELECT source_file, sum(PC_NumPoints(pa)) FROM msip.lidar_patch GROUP BY 1")
    )
    assert stored == {"absurd_z.laz": 2826, "tiny_2178.laz": 2835, "tiny_2180.laz": 2835}


def test_repeated_names_or_contents_are_refused(store, empty_db, tmp_path):
    for sub, src in (("a", "tiny_2180.laz"), ("b", "absurd_z.laz"), ("c", "tiny_2180.laz")):
        (tmp_path / sub).mkdir()
        shutil.copy(DATA / src, tmp_path / sub / ("x.laz" if sub != "c" else "copy.laz"))
    result = load_lidar([tmp_path], epoch=EPOCH, url=empty_db, workers=1)
    assert [r.rows_in for r in result.reports] == [2835]
    why = dict(result.refused)
    assert "has the same file name as" in why["x.laz"]
    assert "has the same content as" in why["copy.laz"]


def test_crs_fallback_loads_a_file_without_crs(store, empty_db):
    result = load_lidar([DATA / "no_crs.las"], epoch=EPOCH, crs=2180, url=empty_db, workers=1)
    assert result.ok and result.reports[0].rows_loaded == 800
    assert any("used --crs EPSG:2180" in n for n in result.reports[0].notes)


@pytest.mark.parametrize(
    "name, crs, extent, points, z_range",
    [
        ("warsaw_small.las", 2180, EXTENTS["poland"], 3000, (84.0, 87.0)),
        ("sample_c_thin.las", 2180, None, 2732, (620.0, 660.0)),
    ],
)
def test_real_files_load_with_plausible_dtm(
    store, empty_db, shared_data, name, crs, extent, points, z_range
):
    import rasterio

    result = load_lidar(
        [shared_data / "lidar" / name], epoch=EPOCH, crs=crs, extent=extent, url=empty_db, workers=1
    )
    [rep] = result.reports
    assert rep.rows_in == rep.rows_loaded == points
    assert count(empty_db, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch") == points
    [(path,)] = rows(
        empty_db, "SELECT path FROM msip.raster_asset WHERE kind = 'dtm' AND is_mosaic"
    )
    with rasterio.open(path) as src:
        dtm = src.read(1, masked=True)
    assert z_range[0] < dtm.min() and dtm.max() < z_range[1]
    assert dtm.count() > 0.5 * dtm.size


def test_sample_c_thin_notes_unexpected_classes(store, empty_db, shared_data):
    result = load_lidar(
        [shared_data / "lidar" / "sample_c_thin.las"],
        epoch=EPOCH,
        crs=2180,
        extent=None,
        url=empty_db,
        workers=1,
    )
    assert any(
        "classes 14 (9 points), 31 (5 points) are not standard" in n
        for n in result.reports[0].notes
    )


def test_real_files_outside_poland_are_refused(store, empty_db, shared_data):
    result = load_lidar(
        [shared_data / "lidar" / n for n in ("autzen_trim.laz", "test1_4.las")],
        epoch=EPOCH,
        extent=None,
        url=empty_db,
        workers=1,
    )
    assert not result.reports and result.derived is None
    assert all("outside Poland" in why for _, why in result.refused)


def test_file_outside_the_extent_is_refused_with_the_way_out(store, empty_db, shared_data):
    result = load_lidar(
        [shared_data / "lidar" / "warsaw_small.las"], epoch=EPOCH, crs=2180, url=empty_db, workers=1
    )
    [(name, why)] = result.refused
    assert name == "warsaw_small.las" and "lie outside Kielce" in why and "--extent poland" in why


def test_points_outside_the_extent_are_rejected_and_counted(store, empty_db):
    extent = EXTENTS["kielce"].__class__("test", 614000, 334600, 614115, 334800)
    result = load_lidar(
        [DATA / "tiny_2180.laz"], epoch=EPOCH, extent=extent, url=empty_db, workers=1
    )
    rep = result.reports[0]
    assert rep.rows_rejected > 0 and rep.rows_in == rep.rows_loaded + rep.rows_rejected == 2835
    assert "points outside test" in rep.rejections[0].reason


def test_inventory_trees_are_matched_and_flagged(store, empty_db):
    with psycopg.connect(empty_db) as c:
        run = c.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status) "
            "VALUES ('trees', 'inv.csv', repeat('0', 64), 'succeeded') RETURNING run_id"
        ).fetchone()[0]
    first = load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    apexes = rows(
        empty_db,
        "SELECT ST_X(geom), ST_Y(geom), height_m FROM msip.tree_detected ORDER BY height_m DESC",
    )
    (x0, y0, _) = apexes[0]
    with psycopg.connect(empty_db) as c:
        for sid, x, y, frm in [
            ("T1", x0 + 1.0, y0, "2020-01-01"),
            ("T2", 614101.0, 334701.0, "2020-01-01"),
            ("T3", 614000.0, 334000.0, "2020-01-01"),
            ("T4", x0, y0, "2025-01-01"),
        ]:
            c.execute(
                "INSERT INTO msip.tree (dataset, source_id, valid_from, height_m, load_run_id, "
                "geom) "
                "VALUES ('inv', %s, %s, 10, %s, ST_SetSRID(ST_Point(%s, %s), 2180))",
                (sid, frm, run, x, y),
            )
    assert first.derived.status == "succeeded"
    load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1, force=True)
    status = rows(
        empty_db,
        "SELECT status, inventory_source_id, round(distance_m::numeric, 1), expected_visible "
        "FROM msip.tree_match WHERE epoch = %s ORDER BY status, inventory_source_id",
        (EPOCH,),
    )
    assert ("matched", "T1", 1.0, None) in status
    assert ("not_detected", "T2", None, True) in status
    assert not any(s[1] in ("T3", "T4") for s in status)  # outside the survey / not yet planted
    tall = sum(1 for _, _, h in apexes[1:] if h >= 5.0)
    assert sum(1 for s in status if s[0] == "not_in_inventory") == tall


def test_cli_loads_and_refuses(store, empty_db, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    main(["load", "lidar", str(DATA / "tiny_2180.laz"), "--epoch", "2024-06-15", "--workers", "1"])
    out = capsys.readouterr().out
    assert "tiny_2180.laz: succeeded" in out and "rasters and trees of 2024-06-15" in out
    with pytest.raises(SystemExit) as exit_:
        main(["load", "lidar", str(DATA / "no_crs.las"), "--epoch", "2024-06-15"])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "refused no_crs.las: no_crs.las has no usable CRS" in captured.out
    assert "1 LiDAR file refused (reasons above); nothing was loaded" in captured.err


def test_parallel_tiles_and_seamless_second_load(store, empty_db, tmp_path):
    """Neighbouring files loaded one after the other: the second reads the first's points back."""
    from tests.support.lidar_scene import make_scene, write_las

    a = write_las(
        tmp_path / "a.laz", make_scene(size_m=60, density=4, seed=2, origin=(614140.0, 334700.0))
    )
    b = write_las(
        tmp_path / "b.laz", make_scene(size_m=60, density=4, seed=3, origin=(614200.0, 334700.0))
    )
    load_lidar([a], epoch=EPOCH, url=empty_db, workers=1)
    second = load_lidar([b], epoch=EPOCH, url=empty_db, workers=2)
    assert any("read around the new tiles" in n for n in second.derived.notes)
    tiles = rows(empty_db, "SELECT DISTINCT tile FROM msip.tree_detected ORDER BY 1")
    assert tiles == [("E614000_N334600",), ("E614200_N334600",)]


def test_params_are_recorded_and_change_the_derived_run(store, empty_db):
    load_lidar([DATA / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    coarse = load_lidar(
        [DATA / "tiny_2180.laz"],
        epoch=EPOCH,
        url=empty_db,
        workers=1,
        params=LidarParams(resolution_m=1.0),
    )
    assert coarse.reports[0].status == "unchanged" and coarse.derived.status == "succeeded"
    res = rows(
        empty_db,
        "SELECT DISTINCT resolution_m FROM msip.raster_asset WHERE kind = 'dtm' AND NOT is_mosaic",
    )
    assert res == [(1.0,)]


def test_a_failed_file_resumes_without_reloading_the_others(store, empty_db, tmp_path):
    good_b = (DATA / "absurd_z.laz").read_bytes()
    shutil.copy(DATA / "tiny_2180.laz", tmp_path / "a.laz")
    (tmp_path / "b.laz").write_bytes(good_b[: len(good_b) // 2])  # a delivery cut short
    first = load_lidar([tmp_path], epoch=EPOCH, url=empty_db, workers=1)
    assert [name for name, _ in first.refused] == ["b.laz"]
    assert "b.laz" in first.refused[0][1]
    assert count(empty_db, "SELECT count(DISTINCT source_file) FROM msip.lidar_patch") == 1
    (tmp_path / "b.laz").write_bytes(good_b)  # the complete file is delivered again
    second = load_lidar([tmp_path], epoch=EPOCH, url=empty_db, workers=1)
    assert {Path(r.source_path).name: r.status for r in second.reports} == {
        "a.laz": "unchanged",
        "b.laz": "succeeded",
    }
    assert second.derived.status == "succeeded" and second.ok
    assert count(empty_db, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch") == 2835 + 2826
    assert count(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'failed'") == 1
