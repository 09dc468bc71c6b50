"""LiDAR downloads as LAZ per source tile and epoch: counts against SQL, no point lost or doubled, Range, links."""

from __future__ import annotations

import io
import os
from datetime import date

import laspy
import numpy as np
import psycopg
import pytest

from pipelines.lidar import load_lidar
from tests.support.api_keys import keyed
from tests.support.paths import ROOT, TEST_DATA

EPOCH = date(2024, 6, 15)
EDGE_X_M = 614115.0
"""The two sheets meet on this easting: west holds x < EDGE_X_M, east x >= EDGE_X_M (half-open)."""
pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def sheets(tmp_path_factory) -> dict[str, tuple[float, float]]:
    """tiny_2180.laz cut into two sheets along EDGE_X_M, one east point moved exactly onto the edge."""
    out = tmp_path_factory.mktemp("sheets")
    las = laspy.read(TEST_DATA / "lidar" / "tiny_2180.laz")
    east = np.asarray(las.x) >= EDGE_X_M
    las.x = np.where(east & (np.arange(len(east)) == np.flatnonzero(east)[0]), EDGE_X_M, las.x)
    spans = {"west_sheet": (-np.inf, EDGE_X_M), "east_sheet": (EDGE_X_M, np.inf)}
    for name, (lo, hi) in spans.items():
        part = laspy.LasData(las.header)
        part.points = las.points[(np.asarray(las.x) >= lo) & (np.asarray(las.x) < hi)]
        part.write(out / f"{name}.laz")
    return {str(out / f"{n}.laz"): span for n, span in spans.items()}


@pytest.fixture(scope="module")
def world(db_url, reader_url, settings, sheets):
    data = settings.data_dir / "test-stores" / "lidar-tiles"
    saved = {k: os.environ.get(k) for k in ("MSIP_DATA_DIR", "MSIP_PROGRESS", "MSIP_DATABASE_URL")}
    os.environ.update(MSIP_DATA_DIR=str(data), MSIP_PROGRESS="0", MSIP_DATABASE_URL=db_url)
    with psycopg.connect(db_url, autocommit=True) as c:
        tables = [r[0] for r in c.execute("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                                          "WHERE schemaname = 'msip'")]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    assert load_lidar(list(sheets), epoch=EPOCH, url=db_url, workers=1).ok
    yield db_url, reader_url
    for k, v in saved.items():
        os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture(scope="module")
def client(world):
    from msip.api.app import create_app
    from msip.api.config import prepare, read_yaml, set_db_env

    set_db_env(world[1], override=True)
    cfg = read_yaml(ROOT / "pygeoapi-config.yml")
    cfg["resources"] = {k: cfg["resources"][k] for k in ("point_clouds",)}
    return keyed(create_app(prepare(cfg), openapi={}).test_client())


def _sql_count(url: str, lo: float, hi: float) -> int:
    """Stored points of the epoch with lo <= x < hi (exploded in SQL, not through the download code)."""
    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT count(*) FROM msip.lidar_patch, PC_Explode(pa) p WHERE epoch = %s "
            "AND PC_Get(p, 'X') >= %s AND PC_Get(p, 'X') < %s",
            (EPOCH, lo if np.isfinite(lo) else -1e9, hi if np.isfinite(hi) else 1e9),
        ).fetchone()[0]


def test_each_tile_holds_the_sql_count_of_its_footprint_and_the_tiles_sum_to_the_epoch(client, world, sheets):
    total = 0
    for path, (lo, hi) in sheets.items():
        name = os.path.basename(path).removesuffix(".laz")
        r = client.get(f"/downloads/lidar/{EPOCH}/{name}.laz")
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.mimetype == "application/vnd.laszip" and r.headers["ETag"]
        las = laspy.read(io.BytesIO(r.data))
        expected = _sql_count(world[0], lo, hi)
        assert len(las.points) == expected > 0
        assert (np.asarray(las.x) >= lo).all() and (np.asarray(las.x) < hi).all()
        if lo == EDGE_X_M:
            assert (np.asarray(las.x) == EDGE_X_M).sum() >= 1  # points on the edge: in the east sheet only
        assert set(np.unique(las.classification)) and las.header.point_format.id == 6
        total += len(las.points)
    with psycopg.connect(world[0]) as c:
        epoch_sum = c.execute("SELECT sum(PC_NumPoints(pa)) FROM msip.lidar_patch WHERE epoch = %s",
                              (EPOCH,)).fetchone()[0]
    assert total == epoch_sum == 2835


def test_tile_download_answers_ranges_and_conditional_requests(client):
    url = f"/downloads/lidar/{EPOCH}/west_sheet.laz"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    r = client.get(url, headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.data == b"LASF" == whole.data[:4]
    assert r.headers["Content-Range"] == f"bytes 0-3/{len(whole.data)}"
    assert client.get(url, headers={"If-None-Match": whole.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(("path", "status", "text"), [
    (f"/downloads/lidar/{EPOCH}/nowhere.laz", 404, "east_sheet.laz, west_sheet.laz"),
    ("/downloads/lidar/2001-01-01/west_sheet.laz", 404, "no points stored"),
    ("/downloads/lidar/June/west_sheet.laz", 400, "is not an epoch date"),
])
def test_unknown_tiles_say_what_exists(client, path, status, text):
    r = client.get(path)
    assert r.status_code == status and text in r.get_json()["description"]


def test_tiles_are_enclosures_of_the_collection_and_in_the_downloads_index(client):
    client.get(f"/downloads/lidar/{EPOCH}/west_sheet.laz")  # built: its length is known
    links = client.get("/collections/point_clouds", query_string={"f": "json"}).get_json()["links"]
    laz = {link["href"].rsplit("/", 1)[-1]: link for link in links if link["type"] == "application/vnd.laszip"}
    assert set(laz) == {"west_sheet.laz", "east_sheet.laz"}
    assert all(link["rel"] == "enclosure" for link in laz.values())
    assert laz["west_sheet.laz"]["length"] > 0
    index = client.get("/downloads").get_json()["downloads"]
    [entry] = [e for e in index if e["kind"] == "lidar-tiles"]
    assert entry["epoch"] == str(EPOCH) and sum(f["points"] for f in entry["files"]) == 2835
    assert {f["href"] for f in entry["files"]} == {link["href"] for link in laz.values()}


_AGGREGATE = ("SELECT epoch, source_file, load_run_id, sum(PC_NumPoints(pa))::bigint, count(*), "
              "ST_AsText(ST_Envelope(ST_Collect(PC_EnvelopeGeometry(pa)))) FROM msip.lidar_patch GROUP BY 1, 2, 3 "
              "ORDER BY 1, 2, 3")
_STORED = ("SELECT epoch, source_file, load_run_id, points, patches, ST_AsText(extent) FROM msip.lidar_source_count "
           "ORDER BY 1, 2, 3")


def _stored_equals_patches(conn: psycopg.Connection) -> list[tuple]:
    stored = conn.execute(_STORED).fetchall()
    assert stored == conn.execute(_AGGREGATE).fetchall()
    return stored


def test_stored_source_counts_follow_every_change_of_the_patches(world) -> None:
    """sql/118's per-file sums equal SUM(PC_NumPoints) over the patches after a load, a partial and a full
    delete, an update moving patches to another file, a truncate — and a rollback undoes them with the rest."""
    with psycopg.connect(world[0]) as conn:
        after_load = _stored_equals_patches(conn)
        assert [r[1] for r in after_load] == ["east_sheet.laz", "west_sheet.laz"] and all(r[3] > 0 for r in after_load)
        conn.execute("DELETE FROM msip.lidar_patch WHERE patch_id IN (SELECT patch_id FROM msip.lidar_patch "
                     "WHERE source_file = 'west_sheet.laz' ORDER BY patch_id LIMIT 1)")
        partial = _stored_equals_patches(conn)
        assert partial[1][3] < after_load[1][3] and partial[0] == after_load[0]
        conn.execute("UPDATE msip.lidar_patch SET source_file = 'moved.laz' WHERE patch_id IN (SELECT patch_id "
                     "FROM msip.lidar_patch WHERE source_file = 'east_sheet.laz' ORDER BY patch_id LIMIT 1)")
        moved = _stored_equals_patches(conn)
        assert "moved.laz" in [r[1] for r in moved]
        conn.execute("DELETE FROM msip.lidar_patch WHERE source_file = 'west_sheet.laz'")
        assert "west_sheet.laz" not in [r[1] for r in _stored_equals_patches(conn)]
        conn.execute("TRUNCATE msip.lidar_patch")
        assert _stored_equals_patches(conn) == []
        conn.rollback()
        assert _stored_equals_patches(conn) == after_load
