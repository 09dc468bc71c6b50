"""The project-local cluster, the migrations and the two roles, on the real PostgreSQL server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import uuid

import psycopg
import pytest

from msip.core import cluster
from msip.core.errors import ClusterError
from msip.core.migrate import migrate
from msip.core.settings import Settings

pytestmark = pytest.mark.db


def test_status_reports_running_and_url(settings: Settings, db_url: str):
    result = subprocess.run([sys.executable, "-m", "msip", "db", "status"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "local cluster running (pid" in result.stdout
    assert f"port={settings.pg_port}" in result.stdout


def test_migrations_apply_once_and_rerun_is_a_noop(db_url: str, conn):
    before = conn.execute("SELECT count(*) FROM public._yoyo_migration").fetchone()[0]
    assert before >= 3
    assert migrate(db_url) == []
    after = conn.execute("SELECT count(*) FROM public._yoyo_migration").fetchone()[0]
    assert after == before


def test_extensions_are_installed(conn):
    names = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
    assert {"postgis", "postgis_raster", "pgrouting", "pointcloud", "pointcloud_postgis"} <= names


def test_every_msip_table_and_view_is_documented(conn):
    undocumented = [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'msip' AND c.relkind IN ('r', 'v', 'm') "
        "AND obj_description(c.oid, 'pg_class') IS NULL")]
    assert undocumented == []


def test_both_roles_exist(conn):
    roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'msip%'")}
    assert roles == {"msip_owner", "msip_reader"}


@pytest.mark.parametrize("statement", [
    "INSERT INTO msip.load_run (source_kind, source_path, source_sha256) VALUES ('x', 'y', repeat('a', 64))",
    "UPDATE msip.load_run SET status = 'failed'",
    "DELETE FROM msip.rejected_record",
    "CREATE TABLE msip.intruder (id int)",
    "DROP TABLE msip.load_run",
    "TRUNCATE msip.load_run",
])
def test_reader_cannot_write(reader_url: str, statement: str):
    with psycopg.connect(reader_url, autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM msip.load_run_public").fetchone()[0] >= 0
        with pytest.raises(psycopg.Error, match=r"read-only transaction|permission denied|must be owner"):
            c.execute(statement)


def test_reader_cannot_leave_read_only_mode_to_write(reader_url: str):
    with psycopg.connect(reader_url, autocommit=True) as c:
        c.execute("SET default_transaction_read_only = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            c.execute("INSERT INTO msip.load_run (source_kind, source_path, source_sha256) "
                      "VALUES ('x', 'y', repeat('a', 64))")


@pytest.fixture
def scratch_settings(settings: Settings):
    """Settings of a second, throwaway cluster beside the project's (its own folder and port)."""
    home = settings.home / "test-clusters" / uuid.uuid4().hex[:8]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    scratch = Settings.from_env({"MSIP_HOME": str(home), "MSIP_PG_PORT": str(port)})
    yield scratch
    cluster.stop(scratch)
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_stop_stops_only_the_own_cluster(settings: Settings, scratch_settings: Settings, db_url: str):
    st = cluster.start(scratch_settings)
    assert st.running
    with psycopg.connect(cluster.superuser_url(scratch_settings)) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    assert cluster.stop(scratch_settings) is True
    assert not cluster.status(scratch_settings).running
    assert cluster.status(settings).running
    assert cluster.stop(scratch_settings) is False


def test_port_taken_gives_cause_and_fix(scratch_settings: Settings):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", scratch_settings.pg_port))
        blocker.listen()
        with pytest.raises(ClusterError, match=rf"port {scratch_settings.pg_port} .* already used .* MSIP_PG_PORT="):
            cluster.start(scratch_settings)


def test_unwritable_home_gives_cause_and_fix(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = Settings.from_env({"MSIP_HOME": str(blocker / "msip")})
    with pytest.raises(ClusterError, match=r"cannot create .*a-file/msip.*set MSIP_HOME"):
        cluster.start(bad)
