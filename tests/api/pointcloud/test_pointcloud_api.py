"""The point-cloud API: the point_clouds and geosites collections, COPC with HTTP Range, the lidar-clip process."""

from __future__ import annotations

import io
import os
from datetime import date

import laspy
import psycopg
import pytest

from msip.api.processes.base import ProcessInputError
from msip.api.processes.lidar_clip import LidarClipProcessor
from pipelines.geosites.load import load_geosites
from pipelines.lidar import load_lidar
from pipelines.pointcloud.publish import copc_path, publish_epoch_copc
from tests.support.api_keys import keyed
from tests.support.paths import ROOT, TEST_DATA

EPOCH = date(2024, 6, 15)
AREA = {"type": "Polygon", "coordinates": [[[614100, 334700], [614115, 334700], [614115, 334730], [614100, 334730],
                                             [614100, 334700]]]}
pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def world(db_url, reader_url, settings, tmp_path_factory):
    """msip_test holding the tiny LiDAR epoch, its COPC file and the geosite fixture."""
    data = settings.data_dir / "test-stores" / "pointcloud-api"
    saved = {k: os.environ.get(k) for k in ("MSIP_DATA_DIR", "MSIP_PROGRESS", "MSIP_DATABASE_URL")}
    os.environ.update(MSIP_DATA_DIR=str(data), MSIP_PROGRESS="0", MSIP_DATABASE_URL=db_url)
    with psycopg.connect(db_url, autocommit=True) as c:
        tables = [r[0] for r in c.execute("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                                          "WHERE schemaname = 'msip'")]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    assert load_lidar([TEST_DATA / "lidar" / "tiny_2180.laz"], epoch=EPOCH, url=db_url, workers=1).ok
    publish_epoch_copc(EPOCH, url=db_url, leaf_points=300)
    load_geosites(TEST_DATA / "geosites" / "geostanowiska.geojson", url=db_url)
    yield db_url, reader_url
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture(scope="module")
def client(world, tmp_path_factory):
    from msip.api.app import create_app
    from msip.api.config import prepare, read_yaml, set_db_env

    jobs = tmp_path_factory.mktemp("clip-jobs")
    os.environ.update(MSIP_API_JOBS_DB=str(jobs / "jobs.db"), MSIP_API_JOBS_DIR=f"{jobs}/")
    set_db_env(world[1], override=True)
    cfg = read_yaml(ROOT / "pygeoapi-config.yml")
    cfg["resources"] = {k: cfg["resources"][k] for k in ("point_clouds", "geosites", "lidar-clip")}
    return keyed(create_app(prepare(cfg), openapi={}).test_client())


def test_point_clouds_collection_lists_the_epoch_with_its_count_and_link(client, world):
    r = client.get("/collections/point_clouds/items", query_string={"f": "json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    [feature] = r.get_json()["features"]
    props = feature["properties"]
    with psycopg.connect(world[0]) as c:
        total = c.execute("SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch WHERE epoch = %s", (EPOCH,)).fetchone()[0]
    assert props["point_count"] == total == 2835
    assert props["copc_href"] == "collections/point_clouds/copc/2024-06-15.copc.laz"
    assert "path" not in props


def test_copc_is_served_whole_and_by_ranges(client):
    body = copc_path(EPOCH).read_bytes()
    r = client.get("/collections/point_clouds/copc/2024-06-15.copc.laz")
    assert r.status_code == 200 and r.data == body and r.headers["Accept-Ranges"] == "bytes"
    r = client.get("/collections/point_clouds/copc/2024-06-15.copc.laz", headers={"Range": "bytes=375-588"})
    assert r.status_code == 206 and r.data == body[375:589]
    assert r.headers["Content-Range"] == f"bytes 375-588/{len(body)}"
    assert r.data[2:6] == b"copc"  # the COPC info VLR's user id right after the 375-byte header
    r = client.get("/collections/point_clouds/copc/2024-06-15.copc.laz", headers={"Range": f"bytes={len(body) + 10}-"})
    assert r.status_code == 416
    # What a COPC reader does over HTTP: header, hierarchy, nodes, each by its own ranges.
    reader = laspy.CopcReader(io.BytesIO(body))
    assert len(reader.query()) == 2835


@pytest.mark.parametrize(("name", "status", "text"), [
    ("2023-01-01.copc.laz", 404, "no point cloud of epoch 2023-01-01; epochs with one: ['2024-06-15']"),
    ("latest.copc.laz", 400, "is not <epoch>.copc.laz"),
])
def test_unknown_copc_names_say_what_exists(client, name, status, text):
    r = client.get(f"/collections/point_clouds/copc/{name}")
    assert r.status_code == status and text in r.get_json()["description"]


def test_geosites_collection_serves_the_viewpoints(client):
    r = client.get("/collections/geosites/items", query_string={"f": "json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    [site] = r.get_json()["features"]
    assert site["properties"]["name"] == "Kamieniołom (test)"
    assert site["properties"]["viewpoints"][0]["heading_deg"] == 180.0


def sql_count(url: str, area: dict) -> int:
    import json

    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT count(*) FROM msip.lidar_patch, PC_Explode(pa) AS pt WHERE epoch = %s AND "
            "ST_Intersects(pt::geometry, ST_SetSRID(ST_GeomFromGeoJSON(%s), 2180))", (EPOCH, json.dumps(area))
        ).fetchone()[0]


def test_clip_execute_returns_laz_with_the_sql_count(world):
    mimetype, laz = LidarClipProcessor({"name": "lidar-clip"}).execute({"epoch": "2024-06-15", "area": AREA})
    assert mimetype == "application/vnd.laszip"
    assert len(laspy.read(io.BytesIO(laz))) == sql_count(world[0], AREA) > 500


def test_clip_over_http_with_a_key(client, world):
    r = client.post("/processes/lidar-clip/execution", json={"inputs": {"epoch": "2024-06-15", "area": AREA}})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/vnd.laszip"
    assert len(laspy.read(io.BytesIO(r.data))) == sql_count(world[0], AREA)
    anonymous = client.application.test_client()
    r = anonymous.post("/processes/lidar-clip/execution", json={"inputs": {"epoch": "2024-06-15", "area": AREA}})
    assert r.status_code == 401


@pytest.mark.parametrize(("data", "match"), [
    ({"epoch": "2024-06-15", "area": {"type": "Polygon", "coordinates": [[[614000, 334000], [616000, 334000],
                                                                          [616000, 336000], [614000, 334000]]]}},
     r"covers 2.000 km², more than the 0.5 km² one clip may cover"),
    ({"epoch": "2024-06-15"}, r"input 'area' is required"),
    ({"epoch": "June", "area": AREA}, r"input 'epoch'='June' is not a date"),
    ({"epoch": "2020-01-01", "area": AREA}, r"no LiDAR points are stored for epoch 2020-01-01"),
])
def test_clip_refuses_bad_inputs_with_the_reason(world, monkeypatch, data, match):
    monkeypatch.setenv("MSIP_LIDAR_CLIP_MAX_KM2", "0.5")
    with pytest.raises(ProcessInputError, match=match):
        LidarClipProcessor({"name": "lidar-clip"}).execute(data)
