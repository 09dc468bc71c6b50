"""processing.green_access.network on the hand-built toy graph (tests/support/green_toy.py),
whose walking distances are known exactly."""

from __future__ import annotations

import psycopg
import pytest
from shapely.geometry import box

from processing.green_access import network
from tests.support.toys.green_toy import EDGES, X0, Y0, shift
from tests.support.toys.green_toy import network as toy_network

pytestmark = pytest.mark.db

#: Targets: a park east of the C–E edge (touching it) and a tiny square 10 m west of A.
BIG = box(200, 40, 260, 120)
SMALL = box(-30, -10, -10, 10)
#: Homes: id → position; their exact distances (snap leg + network) worked out by hand.
HOMES = {1: (50, 5), 2: (150, 95), 3: (205, 60), 4: (1000, 1000)}


@pytest.fixture
def toy_db(empty_db):
    with psycopg.connect(empty_db, autocommit=True) as c:
        toy_network(c)
    return empty_db


def _graph(url: str):
    conn = psycopg.connect(url)
    conn.execute("BEGIN")
    assert network.load_edges(conn, epoch=None) == len(EDGES)
    for hid, (x, y) in HOMES.items():
        conn.execute(
            "INSERT INTO net_home VALUES (%s, ST_SetSRID(ST_MakePoint(%s, %s), 2180))",
            (hid, X0 + x, Y0 + y),
        )
    for tid, (geom, area) in enumerate([(BIG, BIG.area), (SMALL, SMALL.area)], 1):
        conn.execute(
            "INSERT INTO net_target VALUES (%s, 'green', %s, %s, ST_GeomFromText(%s, 2180))",
            (tid, tid, area, shift(geom).wkt),
        )
    return conn


def test_toy_distances_are_exact(toy_db):
    conn = _graph(toy_db)
    try:
        assert network.snap_homes(conn, max_snap_m=100) == 3  # home 4 is 800 m from any street
        network.attach_targets(conn, tolerance_m=10, max_snap_m=100)
        network.build_graph(conn)
        nearest = network.nearest_target(conn, "green", max_m=3000)
        # home 1: 5 m snap + 50 m to A, which is 10 m from the small square
        # home 2: 5 m snap + 40 m along D–E to (190, 100), 10 m from the big park
        # home 3: snaps onto C–E beside the big park: only the 5 m snap leg
        assert {k: (t, pytest.approx(d, abs=1e-6)) for k, (t, d) in nearest.items()} == {
            1: (2, 55.0),
            2: (1, 45.0),
            3: (1, 5.0),
        }
        big_only = network.nearest_target(conn, "green", min_area_m2=1000, max_m=3000)
        # home 1 to the big park: 50 to B, 100 to C, 30 up C–E to (200, 30) = 10 m below its corner
        assert big_only[1] == (1, pytest.approx(185.0, abs=1e-6))
        # within 200 m: home 1 reaches both (185 m, 55 m), homes 2 and 3 only the big park
        within = network.area_within(conn, "green", max_m=200)
        assert within == {1: (2, BIG.area + SMALL.area), 2: (1, BIG.area), 3: (1, BIG.area)}
        assert network.area_within(conn, "green", max_m=50) == {2: (1, BIG.area), 3: (1, BIG.area)}
        assert network.nearest_target(conn, "green", max_m=50) == {
            2: (1, pytest.approx(45.0)),
            3: (1, pytest.approx(5.0)),
        }
        assert network.nearest_target(conn, "school", max_m=3000) == {}
    finally:
        conn.rollback()
        conn.close()


def test_without_tolerance_only_contact_counts(toy_db):
    """With tolerance 0 the big park is reached only where the network touches it (C–E runs along its
    west edge); the small square touches no edge, so it reaches as far as its nearest edge: to A, 10 m away."""
    conn = _graph(toy_db)
    try:
        network.snap_homes(conn, max_snap_m=100)
        assert network.attach_targets(conn, tolerance_m=0, max_snap_m=100) == (1, 1)
        network.build_graph(conn)
        big = network.nearest_target(conn, "green", min_area_m2=1000, max_m=3000)
        # home 2 walks D–E to E (50 m), which lies on the park's west edge (x = 200, y 40–120)
        assert big[2] == (1, pytest.approx(55.0, abs=1e-6))
        # home 1: 50 to B, 100 to C, 40 up C–E to the park's south-west corner (200, 40)
        assert big[1] == (1, pytest.approx(5 + 50 + 100 + 40, abs=1e-6))
        assert network.nearest_target(conn, "green", max_m=3000)[1] == (
            2,
            pytest.approx(55.0, abs=1e-6),
        )
    finally:
        conn.rollback()
        conn.close()


def test_targets_beyond_the_snap_limit_are_unreachable(toy_db):
    conn = _graph(toy_db)
    try:
        network.snap_homes(conn, max_snap_m=100)
        assert network.attach_targets(conn, tolerance_m=0, max_snap_m=5) == (1, 0)
        network.build_graph(conn)
        assert {t for t, _ in network.nearest_target(conn, "green", max_m=3000).values()} == {1}
    finally:
        conn.rollback()
        conn.close()
