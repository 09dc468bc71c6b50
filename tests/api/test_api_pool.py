"""The API's connection pool after the database dropped every connection (restart, restore)."""

from __future__ import annotations

import threading

import psycopg
import pytest

from msip.api.providers import db
from msip.core import cluster
from msip.core.settings import Settings

pytestmark = pytest.mark.db


def test_a_pool_of_dead_connections_serves_the_next_query(reader_url: str, settings: Settings) -> None:
    """Four pooled connections cut at once: the next query gets a fresh one instead of a 503.

    The pool used to find dead connections one by one with a growing back-off (1 s, 2 s, 4 s), so
    four of them outlasted the 5 s a request waits and the API answered 503 after a restore.
    """
    conninfo = psycopg.conninfo.make_conninfo(reader_url, application_name="msip-api-pool-test")
    p = db.pool(conninfo)
    p.wait(timeout=10)
    barrier = threading.Barrier(db.POOL_MAX)

    def hold() -> None:  # four requests at once grow the pool to its maximum
        with p.connection() as conn:
            barrier.wait(timeout=10)
            conn.execute("SELECT 1")

    threads = [threading.Thread(target=hold) for _ in range(db.POOL_MAX)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert p.get_stats()["pool_size"] == db.POOL_MAX
    with psycopg.connect(cluster.superuser_url(settings), autocommit=True) as su:
        cut = su.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'msip-api-pool-test'"
        ).fetchone()
    assert cut == (db.POOL_MAX,)
    try:
        assert db.fetch(conninfo, "SELECT 42") == [(42,)]
    finally:
        db._pools.pop(conninfo).close()
