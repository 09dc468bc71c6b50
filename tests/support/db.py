"""Database assertion helpers shared by the test folders."""

from __future__ import annotations

import psycopg


def count(url: str, sql: str, params: tuple = ()) -> int:
    """Assertion helper: the single integer a query returns."""
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchone()[0]
