"""Fixtures of the APP export tests: a second, fresh database for the round trip, and table snapshots."""

from __future__ import annotations

import os
from decimal import Decimal

import psycopg
import pytest
import shapely

from msip.core.settings import Settings

ROUND_TRIP_DB = os.environ.get("MSIP_TEST_ROUND_TRIP_DB", "msip_test_app_round_trip")
#: Columns that differ between two loads of the same data by design (keys, run ids, hashes of them).
VOLATILE = {"plan_pk", "zone_pk", "document_pk", "load_run_id", "row_hash", "geom", "plan_title"}


@pytest.fixture(scope="session")
def round_trip_db(db_url: str, settings: Settings) -> str:
    """Owner URL of a second test database (real migrations), the target of the round trip."""
    from msip.core import cluster
    from msip.core.migrate import migrate

    url = cluster.bootstrap(settings, ROUND_TRIP_DB, fresh=True)
    migrate(url)
    return url


@pytest.fixture
def fresh_db(round_trip_db: str) -> str:
    """The round-trip database with every msip table emptied: what a fresh install holds."""
    with psycopg.connect(round_trip_db, autocommit=True) as c:
        tables = [
            r[0]
            for r in c.execute("SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'msip'")
        ]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return round_trip_db


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def snapshot(url: str, table: str, key: str = "local_id") -> dict[tuple, dict]:
    """Rows of `table` keyed by (iip_namespace, local_id, version_id): every stable column, plus
    the geometry (EPSG:2180, shapely) and its area in m²."""
    with psycopg.connect(url) as c, c.cursor(row_factory=psycopg.rows.dict_row) as cur:
        geom = "ST_AsBinary(geom) AS wkb, ST_Area(geom) AS area_m2, " if table != "msip.zoning_document" else ""
        rows = cur.execute(f"SELECT {geom}* FROM {table}").fetchall()
    out = {}
    for r in rows:
        if "wkb" in r:
            r["shape"] = shapely.from_wkb(bytes(r.pop("wkb")))
        out[(r["iip_namespace"], r[key], r["version_id"])] = {k: _plain(v) for k, v in r.items() if k not in VOLATILE}
    return out


def assert_same_rows(before: dict[tuple, dict], after: dict[tuple, dict], *, area_tol_m2: float = 0.01) -> None:
    """Same keys, same attribute values, areas within `area_tol_m2` and shapes apart by less than that."""
    assert sorted(after) == sorted(before)
    for key, old in before.items():
        new = after[key]
        for column in old:
            if column in ("shape", "area_m2"):
                continue
            assert new[column] == old[column], f"{key} {column}: {old[column]!r} became {new[column]!r}"
        if "shape" in old:
            assert abs(new["area_m2"] - old["area_m2"]) < area_tol_m2, (
                f"{key}: area {old['area_m2']} → {new['area_m2']}"
            )
            assert old["shape"].symmetric_difference(new["shape"]).area < area_tol_m2, f"{key}: the shape moved"
