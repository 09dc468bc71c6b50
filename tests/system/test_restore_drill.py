"""The restore drill of docs/operations.md, for real: dump, drop, restore, and the API serves the same.

Runs the commands the document shows (`msip db dump`, `DROP DATABASE`, `msip db restore`) on the
analysed sample world of the `demo_server` fixture, then starts a new `msip serve` over the
restored database and compares every collection's numberMatched, out-db raster pixels read by
PostGIS (ST_Value) and an orthophoto coverage subset with what was there before.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
import requests

from msip.core.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]

PIXELS_SQL = """
SELECT asset_id, kind, epoch::text,
       ST_Value(rast, 1, ST_SetSRID(ST_PointOnSurface(footprint), 2180)),
       ST_Value(rast, 1, ST_SetSRID(ST_MakePoint(ST_XMin(footprint) + 1, ST_YMax(footprint) - 1), 2180))
FROM msip.raster_asset WHERE rast IS NOT NULL ORDER BY asset_id
"""


def _state(base: str, reader_url: str) -> dict:
    """numberMatched per feature collection, pixels of every catalogued raster, a coverage subset."""
    cols = requests.get(f"{base}/collections?f=json", timeout=60).json()["collections"]
    counts = {}
    for c in cols:
        if any(link.get("rel") == "items" for link in c.get("links", [])):
            r = requests.get(f"{base}/collections/{c['id']}/items?limit=1&skipGeometry=true&f=json", timeout=60)
            assert r.status_code == 200, (c["id"], r.text[:200])
            counts[c["id"]] = r.json()["numberMatched"]
    with psycopg.connect(reader_url) as conn:
        pixels = conn.execute(PIXELS_SQL).fetchall()
    cov = requests.get(f"{base}/collections/orthophoto/coverage?subset=x(614100:614120),y(334900:334920)&f=GTiff",
                       timeout=60)
    assert cov.status_code == 200, cov.text[:200]
    return {"counts": counts, "pixels": pixels, "coverage": cov.content}


def _msip(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "msip", *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def test_dump_drop_restore_serves_the_same(demo_server, tmp_path, settings: Settings):
    from tests.support.demo_server import start_server, stop_server

    before = _state(demo_server.url, demo_server.reader_url)
    assert sum(before["counts"].values()) > 1000 and len(before["counts"]) >= 10
    assert len(before["pixels"]) >= 10 and all(p[3] is not None for p in before["pixels"])

    env = {**os.environ, "MSIP_DATABASE_URL": demo_server.owner_url}
    dump = tmp_path / "msip.dump"
    out = _msip("db", "dump", str(dump), env=env)
    assert out.returncode == 0, out.stderr
    assert "rasters" in out.stdout and dump.stat().st_size > 1_000_000

    dbname = psycopg.conninfo.conninfo_to_dict(demo_server.owner_url)["dbname"]
    from msip.core import cluster

    with psycopg.connect(cluster.superuser_url(settings), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(psycopg.sql.Identifier(dbname)))
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(demo_server.owner_url).close()

    out = _msip("db", "restore", str(dump), env=env)
    assert out.returncode == 0, out.stderr
    assert f"restored database {dbname}" in out.stdout and "missing" not in out.stdout

    # Restoring over an existing database needs --replace.
    again = _msip("db", "restore", str(dump), env=env)
    assert again.returncode == 1 and "--replace" in again.stderr and "load runs" in again.stderr

    proc, base = start_server(demo_server.owner_url, demo_server.reader_url, tmp_path / "serve.log", workers=1)
    try:
        after = _state(base, demo_server.reader_url)
    finally:
        stop_server(proc)
    assert after["counts"] == before["counts"]
    assert after["pixels"] == before["pixels"]
    assert after["coverage"] == before["coverage"]
    # The server that was running all along serves the restored database at once: pooled
    # connections the drop cut are replaced before use, not handed out to fail.
    assert _state(demo_server.url, demo_server.reader_url)["counts"] == before["counts"]
    with psycopg.connect(demo_server.reader_url) as conn:  # role settings and grants came back too
        assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert conn.execute("SHOW postgis.enable_outdb_rasters").fetchone() in (("on",), ("true",))


def test_a_failed_restore_leaves_the_database_as_it_was(demo_server, tmp_path):
    env = {**os.environ, "MSIP_DATABASE_URL": demo_server.owner_url}
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\0" * 100)
    with psycopg.connect(demo_server.reader_url) as conn:
        trees = conn.execute("SELECT count(*) FROM msip.tree").fetchone()[0]
    out = _msip("db", "restore", str(broken), "--replace", env=env)
    assert out.returncode == 1 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr
    with psycopg.connect(demo_server.reader_url) as conn:
        assert conn.execute("SELECT count(*) FROM msip.tree").fetchone()[0] == trees > 0
