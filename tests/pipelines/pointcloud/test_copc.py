"""COPC per epoch and the clip: counts, bounds and every point equal to what pgpointcloud stores."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import laspy
import numpy as np
import psycopg
import pytest
import shapely

from msip.core.errors import ValidationError
from pipelines.lidar import load_lidar
from pipelines.lidar.params import LidarParams
from pipelines.pointcloud.clip import clip_epoch, polygon_2180
from pipelines.pointcloud.publish import copc_path, publish_epoch_copc
from tests.support.paths import TEST_DATA

EPOCH = date(2024, 6, 15)
pytestmark = pytest.mark.db


@pytest.fixture
def loaded(store, empty_db) -> str:
    result = load_lidar([TEST_DATA / "lidar" / "tiny_2180.laz"], epoch=EPOCH, url=empty_db, workers=1)
    assert result.ok
    return empty_db


def one(url: str, sql: str, params: tuple = ()):
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchone()


def stored_xyz(url: str, where: str = "", params: tuple = ()) -> np.ndarray:
    """Every stored point (x, y, z in mm, class, return number) from SQL, sorted."""
    with psycopg.connect(url) as c:
        rows = c.execute(
            "SELECT round(PC_Get(pt, 'X') * 1000), round(PC_Get(pt, 'Y') * 1000), round(PC_Get(pt, 'Z') * 1000), "
            "PC_Get(pt, 'Classification'), PC_Get(pt, 'ReturnNumber') "
            f"FROM msip.lidar_patch, PC_Explode(pa) AS pt WHERE epoch = %s {where}", (EPOCH, *params)).fetchall()
    arr = np.array(rows, dtype=np.int64)
    return arr[np.lexsort(arr.T[::-1])]


def copc_xyz(las) -> np.ndarray:
    arr = np.column_stack([np.round(np.asarray(las.x) * 1000), np.round(np.asarray(las.y) * 1000),
                           np.round(np.asarray(las.z) * 1000), np.asarray(las.classification),
                           np.asarray(las.return_number)]).astype(np.int64)
    return arr[np.lexsort(arr.T[::-1])]


def test_copc_holds_every_stored_point_in_an_octree_and_copcreader_reads_it(loaded):
    report = publish_epoch_copc(EPOCH, url=loaded, leaf_points=300)  # small leaves: several levels
    total = one(loaded, "SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch WHERE epoch = %s", (EPOCH,))[0]
    assert (report.status, report.rows_in, report.rows_loaded) == ("succeeded", total, total)
    asset = one(loaded, "SELECT point_count, levels, node_count, path, ST_XMin(footprint), ST_YMax(footprint) "
                        "FROM msip.pointcloud_asset WHERE epoch = %s", (EPOCH,))
    assert asset[0] == total == 2835 and asset[1] >= 3 and asset[2] > 8
    assert asset[3] == str(copc_path(EPOCH))
    with laspy.CopcReader.open(copc_path(EPOCH)) as reader:
        everything = reader.query()
        assert len(everything) == total
        assert sum(len(reader.query(level=lv)) for lv in range(asset[1])) == total
        assert len(reader.query(level=0)) < total  # the root is a thinned copy
        bounds = one(loaded, "SELECT PC_PatchMin(PC_Union(pa), 'x'), PC_PatchMin(PC_Union(pa), 'y'), "
                             "PC_PatchMin(PC_Union(pa), 'z'), PC_PatchMax(PC_Union(pa), 'x'), "
                             "PC_PatchMax(PC_Union(pa), 'y'), PC_PatchMax(PC_Union(pa), 'z') "
                             "FROM msip.lidar_patch WHERE epoch = %s", (EPOCH,))
        bounds = [float(b) for b in bounds]
        np.testing.assert_allclose(reader.header.mins, bounds[:3], atol=1e-6)
        np.testing.assert_allclose(reader.header.maxs, bounds[3:], atol=1e-6)
        assert (asset[4], asset[5]) == pytest.approx((bounds[0], bounds[4]))
        assert reader.header.parse_crs().to_epsg() is None  # compound; its parts:
        assert reader.header.parse_crs().sub_crs_list[0].to_epsg() == 2180
        np.testing.assert_array_equal(copc_xyz(everything), stored_xyz(loaded))
    # The file is also a plain LAZ 1.4 any reader opens.
    assert len(laspy.read(copc_path(EPOCH))) == total


def test_publishing_again_is_unchanged_and_a_reload_with_other_parameters_rewrites(loaded):
    first = publish_epoch_copc(EPOCH, url=loaded)
    again = publish_epoch_copc(EPOCH, url=loaded)
    assert again.status == "unchanged" and again.run_id == first.run_id
    # The same file loaded again (new run ids, e.g. after an interrupted load): the same points.
    load_lidar([TEST_DATA / "lidar" / "tiny_2180.laz"], epoch=EPOCH, url=loaded, workers=1, force=True)
    assert publish_epoch_copc(EPOCH, url=loaded).status == "unchanged"
    other = replace(LidarParams(), z_max_m=LidarParams().z_max_m + 100)
    load_lidar([TEST_DATA / "lidar" / "tiny_2180.laz"], epoch=EPOCH, url=loaded, workers=1, params=other)
    third = publish_epoch_copc(EPOCH, url=loaded)
    assert third.status == "succeeded" and third.run_id != first.run_id
    assert one(loaded, "SELECT count(*), max(load_run_id) FROM msip.pointcloud_asset")[0:2] == (1, third.run_id)


def test_an_epoch_without_points_is_refused_with_the_fix(loaded):
    with pytest.raises(ValidationError, match=r"no LiDAR points are stored for epoch 2023-01-01; load them first"):
        publish_epoch_copc(date(2023, 1, 1), url=loaded)


QUAD = {"type": "Polygon", "coordinates": [[[614105, 334705], [614120, 334705], [614112, 334725], [614105, 334705]]]}


def test_clip_count_classes_and_returns_equal_sql(loaded):
    geom = polygon_2180(QUAD)
    with psycopg.connect(loaded) as c:
        clip = clip_epoch(c, EPOCH, geom)
    where = "AND ST_Intersects(pt::geometry, ST_GeomFromText(%s, 2180))"
    expected = stored_xyz(loaded, where, (geom.wkt,))
    assert clip.points == len(expected) > 100
    las = laspy.read(io.BytesIO(clip.laz))
    np.testing.assert_array_equal(copc_xyz(las), expected)
    assert clip.classes == {int(k): int(v) for k, v in zip(*np.unique(expected[:, 3], return_counts=True), strict=True)}
    assert len(clip.classes) >= 2 and set(np.asarray(las.number_of_returns)) - {1}


@pytest.mark.parametrize(("area", "match"), [
    ({"type": "Point", "coordinates": [614100, 334700]}, "must be a Polygon or MultiPolygon, got Point"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "the polygon is invalid"),
    ("POLYGON((", "the polygon cannot be read"),
])
def test_bad_polygons_are_refused(area, match):
    with pytest.raises(ValidationError, match=match):
        polygon_2180(area)


def test_clip_of_an_unknown_epoch_names_the_known_ones(loaded):
    with psycopg.connect(loaded) as c, pytest.raises(ValidationError, match=r"epochs with points: \['2024-06-15'\]"):
        clip_epoch(c, date(2020, 1, 1), shapely.box(614100, 334700, 614110, 334710))
