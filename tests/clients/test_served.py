"""The suite's parameters are the served collections: what /collections offers, by kind, is exactly what
pygeoapi-config.yml configures (and the client tests are parametrised over), so no collection escapes
the clients and none is checked that the server does not serve."""

from __future__ import annotations

import pytest

from .catalogue import COVERAGES, FEATURES, MAP_TILES, VECTOR_TILES
from .conftest import World

pytestmark = [pytest.mark.clients, pytest.mark.db, pytest.mark.slow]

REL = "http://www.opengis.net/def/rel/ogc/1.0/"


def _served_with(world: World, rel: str) -> list[str]:
    return sorted(cid for cid, c in world.collections.items() if any(lk["rel"] == rel for lk in c["links"]))


def test_the_served_collections_are_the_checked_ones(world: World) -> None:
    served = {
        "features": sorted(cid for cid, c in world.collections.items() if c.get("itemType") == "feature"),
        "coverages": _served_with(world, REL + "coverage"),
        "map tiles": _served_with(world, REL + "tilesets-map"),
        "vector tiles": _served_with(world, REL + "tilesets-vector"),
    }
    checked = {"features": sorted(FEATURES), "coverages": sorted(COVERAGES),
               "map tiles": sorted(MAP_TILES), "vector tiles": sorted(VECTOR_TILES)}
    assert served == checked, "the API serves other collections than pygeoapi-config.yml configures"
