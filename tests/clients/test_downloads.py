"""Bulk downloads in a real desktop client: every feature collection's GeoPackage (its `enclosure` link)
opens in QGIS with the collection's count, in EPSG:2180 (issue 18: "a GPKG opens in QGIS")."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from .catalogue import FEATURES, params, run_qgis
from .conftest import HTTP_TIMEOUT_S, FeatureFacts, World

pytestmark = [pytest.mark.clients, pytest.mark.db, pytest.mark.slow]

GPKG = "application/geopackage+sqlite3"
BUILD_WAIT_S = 600  # the server builds big downloads in the background: follow Retry-After this long at most


def gpkg_link(collection: dict[str, Any]) -> str:
    """The collection's GeoPackage download (`enclosure` of the GeoPackage type)."""
    hrefs = [lk["href"] for lk in collection["links"] if lk["rel"] == "enclosure" and lk.get("type") == GPKG]
    assert len(hrefs) == 1, f"collection {collection['id']} links {len(hrefs)} GeoPackage enclosures"
    return str(hrefs[0])


def fetch(url: str) -> bytes:
    """GET a download, following 202/503 + Retry-After while the server builds it."""
    deadline = time.monotonic() + BUILD_WAIT_S
    while True:
        r = requests.get(url, timeout=HTTP_TIMEOUT_S)
        if r.status_code == 200:
            return r.content
        assert r.status_code in (202, 503) and "Retry-After" in r.headers, f"{url}: {r.status_code} {r.text[:300]}"
        assert time.monotonic() < deadline, f"{url} still not built after {BUILD_WAIT_S} s"
        time.sleep(min(float(r.headers["Retry-After"]), 5.0))


@pytest.fixture(scope="module")
def qgis_downloads(world: World, feature_facts: dict[str, FeatureFacts]) -> dict[str, Any]:
    """Every feature collection's GeoPackage downloaded and opened in one QGIS process."""
    checks = []
    for cid in feature_facts:
        path = world.workdir / f"download-{cid}.gpkg"
        path.write_bytes(fetch(gpkg_link(world.collections[cid])))
        checks.append({"id": cid, "kind": "ogr", "path": str(path), "layer": cid})
        # The server builds a collection's other formats in the same background job: wait for them
        # too, so no build of this test is still running when the next tests use the same server.
        for link in world.collections[cid]["links"]:
            if link["rel"] == "enclosure" and link.get("type") != GPKG and "/downloads/" in link["href"]:
                fetch(link["href"])
    return run_qgis(checks, world.workdir)


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_qgis_opens_the_geopackage_download_with_every_feature(cid: str, qgis_downloads: dict[str, Any],
                                                               feature_facts: dict[str, FeatureFacts]) -> None:
    got, facts = qgis_downloads[cid], feature_facts[cid]
    assert got["valid"], f"QGIS cannot open the GeoPackage download of {cid}: {got.get('error')}"
    assert got["feature_count"] == got["features_read"] == facts.db_count == facts.number_matched, (
        f"{cid}: QGIS counts {got['feature_count']} (read {got['features_read']}), the database "
        f"{facts.db_count}, numberMatched {facts.number_matched}"
    )
    if got["wkb_type"] not in ("NoGeometry", "Unknown"):
        assert got["crs"] == "EPSG:2180", f"{cid}: the GeoPackage's CRS is {got['crs']!r}, not the stated EPSG:2180"
