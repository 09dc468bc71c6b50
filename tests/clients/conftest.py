"""Fixtures of the real-client suite: the served demo world, what the database and the API say about
each collection, and one QGIS process per batch of checks (features, coverages, tiles).

QGIS (Debian's python3-qgis) and GDAL's tools (gdal-bin) are installed by
scripts/install_system_packages.sh, so their absence fails the suite; only with
MSIP_CLIENTS_OPTIONAL=1 does a machine without them skip it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from psycopg import sql

from .catalogue import COVERAGES, FEATURES, MAP_TILES, VECTOR_TILES, geojson_key, qgis_available, run_qgis

HTTP_TIMEOUT_S = 120
ALL_ITEMS = 10_000  # the API's largest page; one holds every feature of the small sample world


def _missing(what: str, fix: str) -> None:
    if os.environ.get("MSIP_CLIENTS_OPTIONAL") == "1":
        pytest.skip(f"{what} (MSIP_CLIENTS_OPTIONAL=1)")
    pytest.fail(f"{what}; {fix}, or set MSIP_CLIENTS_OPTIONAL=1 to skip the real-client suite", pytrace=False)


@pytest.fixture(scope="session")
def clients_installed() -> None:
    """QGIS under the system Python and GDAL's command-line tools are there (or the suite fails)."""
    ok, why = qgis_available()
    if not ok:
        _missing(f"QGIS's Python bindings do not import under /usr/bin/python3 ({why})",
                 "run scripts/install_system_packages.sh (python3-qgis qgis-providers)")
    absent = [t for t in ("ogrinfo", "ogr2ogr", "gdalinfo") if shutil.which(t) is None]
    if absent:
        _missing(f"GDAL tools {absent} are not on PATH", "run scripts/install_system_packages.sh (gdal-bin)")


def get_json(url: str, **query: Any) -> dict[str, Any]:
    r = requests.get(url, params={"f": "json", **query}, timeout=HTTP_TIMEOUT_S)
    r.raise_for_status()
    return dict(r.json())


@dataclass
class FeatureFacts:
    """One feature collection as the database and the API see it (lon/lat extents)."""

    table: str
    geom: str | None
    db_count: int
    db_extent: list[float] | None
    number_matched: int
    keys: dict[str, str] = field(default_factory=dict)  # bbox key → API id, all features
    rect: list[float] | None = None  # a bbox inside the data
    rect_status: int = 0
    rect_keys: list[str] = field(default_factory=list)  # the API's answer to bbox=rect


@dataclass
class World:
    url: str
    owner_url: str
    collections: dict[str, dict[str, Any]]
    workdir: Path


@pytest.fixture(scope="session")
def world(clients_installed: None, demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    collections = {c["id"]: c for c in get_json(f"{demo_server.url}/collections")["collections"]}
    return World(demo_server.url, demo_server.owner_url, collections, tmp_path_factory.mktemp("clients"))


def _geometry_column(conn: psycopg.Connection[Any], table: str, configured: str | None) -> str | None:
    if configured:
        return configured
    schema, _, name = table.rpartition(".")
    row = conn.execute(
        "SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s",
        (schema or "public", name),
    ).fetchone()
    return row[0] if row else None


def _db_facts(conn: psycopg.Connection[Any], provider: dict[str, Any]) -> tuple[str, str | None, int, Any]:
    table = provider["table"]
    ident = sql.Identifier(*table.split("."))
    geom = _geometry_column(conn, table, provider.get("geom_field"))
    (n,) = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(ident)).fetchone() or (0,)
    extent = None
    if geom:
        row = conn.execute(sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(ST_Transform({g}, 4326)) AS e FROM {t}) s"
        ).format(g=sql.Identifier(geom), t=ident)).fetchone()
        extent = list(row) if row and row[0] is not None else None
    return table, geom, int(n), extent


def _inside(extent: list[float]) -> list[float]:
    """The middle half of an extent (a bbox inside the data); a point's grows by ~1 cm."""
    x0, y0, x1, y1 = extent
    dx, dy = max((x1 - x0) / 4, 1e-7), max((y1 - y0) / 4, 1e-7)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [cx - dx, cy - dy, cx + dx, cy + dy]


@pytest.fixture(scope="session")
def feature_facts(world: World) -> dict[str, FeatureFacts]:
    out: dict[str, FeatureFacts] = {}
    with psycopg.connect(world.owner_url) as conn:
        for cid, provider in FEATURES.items():
            table, geom, n, extent = _db_facts(conn, provider)
            items_url = f"{world.url}/collections/{cid}/items"
            page = get_json(items_url, limit=ALL_ITEMS)
            facts = FeatureFacts(table, geom, n, extent, int(page.get("numberMatched", -1)))
            facts.keys = {k: str(f["id"]) for f in page["features"] if (k := geojson_key(f.get("geometry")))}
            if extent:
                facts.rect = _inside(extent)
                query: dict[str, str | int] = {"f": "json", "limit": ALL_ITEMS, "bbox": ",".join(map(str, facts.rect))}
                r = requests.get(items_url, params=query, timeout=HTTP_TIMEOUT_S)
                facts.rect_status = r.status_code
                if r.ok:
                    facts.rect_keys = [geojson_key(f.get("geometry")) or "no geometry" for f in r.json()["features"]]
            out[cid] = facts
    return out


@pytest.fixture(scope="session")
def qgis_features(world: World, feature_facts: dict[str, FeatureFacts]) -> dict[str, Any]:
    """Every feature collection opened as a QGIS OAPIF layer, in one QGIS process."""
    checks = [
        {"id": cid, "kind": "oapif", "url": world.url, "typename": cid, "rect": facts.rect}
        for cid, facts in feature_facts.items()
    ]
    return run_qgis(checks, world.workdir)


@dataclass
class CoverageFacts:
    """One coverage: its raster assets in the database, the GeoTIFF link the API offers and a download."""

    kind: str
    bounds_2180: list[float]
    band_count: int
    tiff_url: str
    local_tiff: Path


def tiff_link(collection: dict[str, Any]) -> str:
    """The GeoTIFF a desktop tool should open: a COG download (`enclosure`) if offered, else the coverage."""
    links = [link for link in collection["links"] if str(link.get("type", "")).startswith("image/tiff")]
    for rel in ("enclosure", "http://www.opengis.net/def/rel/ogc/1.0/coverage"):
        for link in links:
            if link["rel"] == rel:
                return str(link["href"])
    raise AssertionError(f"collection {collection['id']} offers no image/tiff link: {collection['links']}")


@pytest.fixture(scope="session")
def coverage_facts(world: World) -> dict[str, CoverageFacts]:
    out: dict[str, CoverageFacts] = {}
    with psycopg.connect(world.owner_url) as conn:
        for cid, provider in COVERAGES.items():
            kind = provider["data"]["kind"]
            row = conn.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), b FROM ("
                " SELECT ST_Extent(footprint) AS e, max(band_count) AS b FROM msip.raster_asset"
                " WHERE kind = %(k)s AND epoch IS NOT DISTINCT FROM"
                " (SELECT max(epoch) FROM msip.raster_asset WHERE kind = %(k)s)) s",
                {"k": kind},
            ).fetchone()
            assert row and row[0] is not None, f"no raster assets of kind {kind!r} for coverage {cid}"
            local = world.workdir / f"{cid}.tif"
            r = requests.get(f"{world.url}/collections/{cid}/coverage", params={"f": "GTiff"}, timeout=HTTP_TIMEOUT_S)
            r.raise_for_status()
            local.write_bytes(r.content)
            url = tiff_link(world.collections[cid])
            out[cid] = CoverageFacts(kind, [float(v) for v in row[:4]], int(row[4]), url, local)
    return out


@pytest.fixture(scope="session")
def qgis_rasters(world: World, coverage_facts: dict[str, CoverageFacts]) -> dict[str, Any]:
    """Every coverage opened in QGIS by URL (GDAL /vsicurl/) and as the downloaded file, in one QGIS process."""
    checks = []
    for cid, facts in coverage_facts.items():
        checks.append({"id": f"url:{cid}", "kind": "raster", "uri": f"/vsicurl/{facts.tiff_url}"})
        checks.append({"id": f"file:{cid}", "kind": "raster", "uri": str(facts.local_tiff)})
    return run_qgis(checks, world.workdir)


def _tile_job(world: World, cid: str, kind: str, extent: list[float]) -> dict[str, Any]:
    meta = get_json(f"{world.url}/collections/{cid}/tiles/WebMercatorQuad")
    (link,) = [lk for lk in meta["links"] if lk["rel"] == "item"]
    template = (link["href"].replace("{tileMatrix}", "{z}").replace("{tileRow}", "{y}")
                .replace("{tileCol}", "{x}"))
    zooms = [int(m["tileMatrix"]) for m in meta.get("tileMatrixSetLimits", [])] or [0, 22]
    return {"id": cid, "kind": kind, "template": template, "zmin": min(zooms), "zmax": max(zooms),
            "extent": extent, "size_px": 256}


@pytest.fixture(scope="session")
def qgis_tiles(world: World, feature_facts: dict[str, FeatureFacts]) -> dict[str, Any]:
    """Every map tileset as a QGIS XYZ layer and every vector tileset as a vector tile layer, rendered
    over its data's extent, in one QGIS process."""
    checks = []
    with psycopg.connect(world.owner_url) as conn:
        for cid, provider in MAP_TILES.items():
            row = conn.execute(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
                "ST_Extent(ST_Transform(footprint, 4326)) AS e FROM msip.raster_asset WHERE kind = %s) s",
                (provider["data"]["kind"],),
            ).fetchone()
            assert row and row[0] is not None, f"no raster assets for map tiles of {cid}"
            checks.append(_tile_job(world, cid, "xyz", [float(v) for v in row]))
    for cid in VECTOR_TILES:
        extent = feature_facts[cid].db_extent
        assert extent, f"vector tiles of {cid} but no features with geometry in the database"
        checks.append(_tile_job(world, cid, "vectortile", extent))
    return run_qgis(checks, world.workdir)
