"""Fixtures of the search and report tests: the served demo world (tests/support/demo_server.py)
with PRG address points for its buildings (tests/support/addresses.py)."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.addresses import load_small_world_addresses


@pytest.fixture(scope="session")
def geoportal(demo_server, tmp_path_factory):
    """The demo server, its database holding the small world's address points."""
    load_small_world_addresses(demo_server.sample_dir, demo_server.owner_url, tmp_path_factory.mktemp("prg"))
    return demo_server


@pytest.fixture(scope="session")
def owner(geoportal):
    """An autocommit owner connection to the demo database (for the tests' own reference queries)."""
    with psycopg.connect(geoportal.owner_url, autocommit=True) as c:
        yield c
