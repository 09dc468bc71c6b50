"""Every feature collection in QGIS (OAPIF provider), GDAL (`ogr2ogr`/`ogrinfo` from `OAPIF:`) and OWSLib.

Known failures are strict xfails naming the finding of issue 15 they wait for: when the fix lands,
the check passes (XPASS fails the run) and the marker is removed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from .catalogue import FEATURES, RECORDS, params, tool
from .conftest import FeatureFacts, World

pytestmark = [pytest.mark.clients, pytest.mark.db, pytest.mark.slow]

M_PER_DEG_LAT = 111_320.0


def _spatial(facts: FeatureFacts) -> bool:
    return facts.geom is not None


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_qgis_layer_is_valid_and_draws_every_feature(cid: str, qgis_features: dict[str, Any],
                                                     feature_facts: dict[str, FeatureFacts]) -> None:
    got, facts = qgis_features[cid], feature_facts[cid]
    assert got["valid"], f"QGIS cannot open {cid} as an OAPIF layer: {got.get('error')}"
    if not _spatial(facts):
        assert got["wkb_type"] == "NoGeometry", f"{cid} has no geometry but QGIS types it {got['wkb_type']}"
        return
    assert got["wkb_type"] not in ("NoGeometry", "Unknown"), f"QGIS types {cid} {got['wkb_type']}"
    assert got["undrawn_features"] == 0, (
        f"QGIS types {cid} {got['wkb_type']}, so {got['undrawn_features']} of {got['features_read']} features "
        "(missing geometry or another geometry kind) are invisible; publish one geometry type per collection"
    )


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_qgis_count_equals_number_matched_and_database(cid: str, qgis_features: dict[str, Any],
                                                       feature_facts: dict[str, FeatureFacts]) -> None:
    got, facts = qgis_features[cid], feature_facts[cid]
    counts = {"QGIS featureCount": got.get("feature_count"), "QGIS features read": got.get("features_read"),
              "API numberMatched": facts.number_matched, f"database {facts.table}": facts.db_count}
    assert len(set(counts.values())) == 1, f"{cid}: the counts differ: {counts}"


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_qgis_filter_rect_equals_api_bbox(cid: str, qgis_features: dict[str, Any],
                                          feature_facts: dict[str, FeatureFacts]) -> None:
    got, facts = qgis_features[cid], feature_facts[cid]
    if not _spatial(facts):  # no geometry: QGIS offers no rectangle filter, the API refuses bbox with a 400
        assert got["wkb_type"] == "NoGeometry" and facts.rect is None
        return
    assert facts.rect_status == 200, f"{cid}: the API answered bbox={facts.rect} with {facts.rect_status}"
    qgis, api = Counter(got["rect_keys"]), Counter(facts.rect_keys)
    assert api, f"{cid}: bbox {facts.rect} (the middle of the data) selects nothing; the check needs features"
    only_qgis = [facts.keys.get(k, k) for k in qgis - api]
    only_api = [facts.keys.get(k, k) for k in api - qgis]
    assert qgis == api, f"{cid} bbox {facts.rect}: only in QGIS {only_qgis[:10]}, only in the API {only_api[:10]}"


def _extent_gap_m(a: list[float], b: list[float]) -> float:
    """The largest difference between two lon/lat boxes' edges, in metres."""
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians((a[1] + a[3]) / 2))
    return max(abs(a[i] - b[i]) * (m_per_deg_lon if i % 2 == 0 else M_PER_DEG_LAT) for i in range(4))


@pytest.mark.parametrize("cid", FEATURES)
def test_qgis_layer_extent_matches_the_data(cid: str, qgis_features: dict[str, Any],
                                            feature_facts: dict[str, FeatureFacts]) -> None:
    got, facts = qgis_features[cid], feature_facts[cid]
    if not _spatial(facts):
        assert got["extent"] is None, f"{cid} has no geometry but QGIS gives it the extent {got['extent']}"
        return
    assert facts.db_extent and got["extent"], f"{cid}: extent QGIS {got['extent']}, database {facts.db_extent}"
    gap = _extent_gap_m(got["extent"], facts.db_extent)
    assert gap <= 1.0, (
        f"{cid}: QGIS's layer extent {got['extent']} is {gap:.0f} m off the data's ST_Extent {facts.db_extent}; "
        "compute the collection's extent from its data"
    )


def _ogr_values(out: str, column: str) -> list[str]:
    return re.findall(rf"^\s*{column} \(\w+\) = (.*)$", out, flags=re.MULTILINE)


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_ogr2ogr_to_geopackage_same_count_and_one_geometry_type(cid: str, world: World,
                                                               feature_facts: dict[str, FeatureFacts]) -> None:
    facts = feature_facts[cid]
    gpkg: Path = world.workdir / f"{cid}.gpkg"
    gpkg.unlink(missing_ok=True)
    done = tool("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{world.url}", cid)
    assert done.returncode == 0, f"ogr2ogr OAPIF:{world.url} {cid} failed: {done.stderr[-1000:]}"
    assert "not normally allowed" not in done.stderr, f"ogr2ogr {cid}: {done.stderr[-1000:]}"
    count = tool("ogrinfo", "-ro", "-q", str(gpkg), "-sql", f'SELECT count(*) AS n FROM "{cid}"')
    assert _ogr_values(count.stdout, "n") == [str(facts.db_count)], f"{cid}: ogrinfo says {count.stdout[-500:]}"
    declared = tool("ogrinfo", "-ro", "-q", str(gpkg), "-sql",
                    f"SELECT geometry_type_name AS t FROM gpkg_geometry_columns WHERE table_name = '{cid}'")
    kinds = tool("ogrinfo", "-ro", "-q", str(gpkg), "-sql",
                 f'SELECT DISTINCT ST_GeometryType(geom) AS t FROM "{cid}" WHERE geom IS NOT NULL')
    declared_types, feature_types = _ogr_values(declared.stdout, "t"), sorted(set(_ogr_values(kinds.stdout, "t")))
    if not _spatial(facts):  # GDAL declares GEOMETRY for a layer it cannot type; no feature may have one
        assert feature_types == [], f"{cid} has no geometry but the GeoPackage holds {feature_types}"
        return
    assert len(declared_types) == 1 and feature_types == declared_types, (
        f"{cid}: the GeoPackage layer declares {declared_types} but holds {feature_types}; "
        "publish one geometry type per collection"
    )


#: PostgreSQL column type → the OGR field types GDAL may give the property (a JSON Schema "integer"
#: becomes Integer; GDAL widens to Integer64 itself when a value needs it).
OGR_TYPES = {
    "smallint": {"Integer"}, "integer": {"Integer"}, "bigint": {"Integer", "Integer64"}, "numeric": {"Real"},
    "real": {"Real"}, "double precision": {"Real"}, "text": {"String"}, "character varying": {"String"},
    "character": {"String"}, "date": {"Date"}, "timestamp with time zone": {"DateTime"},
    "timestamp without time zone": {"DateTime"}, "boolean": {"Integer(Boolean)"},
}


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_ogrinfo_types_every_property_from_the_database(cid: str, world: World,
                                                       feature_facts: dict[str, FeatureFacts]) -> None:
    """Also a property null on every feature of the first page ("unknown") keeps its column's type, not String."""
    import psycopg

    schema, _, table = feature_facts[cid].table.rpartition(".")
    with psycopg.connect(world.owner_url) as conn:
        columns = dict(conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s", (schema or "public", table)).fetchall())
    done = tool("ogrinfo", "-ro", "-so", f"OAPIF:{world.url}", cid)
    assert done.returncode == 0, f"ogrinfo OAPIF: {cid} failed: {done.stderr[-600:]}"
    got = dict(re.findall(r"^(\w+): ([\w()]+) \(", done.stdout, flags=re.MULTILINE))
    wrong = {
        name: (got[name], OGR_TYPES[pg])
        for name, pg in columns.items()
        if name in got and pg in OGR_TYPES and got[name] not in OGR_TYPES[pg]
    }
    assert not wrong, f"{cid}: GDAL types (got, expected) {wrong}"
    assert got, f"{cid}: ogrinfo lists no fields: {done.stdout[-600:]}"


def test_ogrinfo_lists_the_feature_collections_only(world: World) -> None:
    done = tool("ogrinfo", "-ro", "-q", f"OAPIF:{world.url}")
    listed = re.findall(r"^\d+: (\S+)", done.stdout, flags=re.MULTILINE)
    expected = sorted([*FEATURES, *RECORDS])
    assert sorted(listed) == expected, f"ogrinfo OAPIF: lists {listed}, not {expected}; stderr {done.stderr[-300:]}"


def test_owslib_lists_the_feature_collections(world: World) -> None:
    from owslib.ogcapi.features import Features

    assert sorted(Features(world.url).feature_collections()) == sorted(FEATURES)


@pytest.mark.parametrize("cid", params(FEATURES, {}))
def test_owslib_reads_items(cid: str, world: World, feature_facts: dict[str, FeatureFacts]) -> None:
    from owslib.ogcapi.features import Features

    page = Features(world.url).collection_items(cid, limit=10)
    facts = feature_facts[cid]
    assert page["numberMatched"] == facts.db_count, f"{cid}: OWSLib numberMatched {page['numberMatched']}"
    assert len(page["features"]) == min(10, facts.db_count), f"{cid}: OWSLib read {len(page['features'])} features"
    assert all(("geometry" in f) and f.get("id") is not None for f in page["features"]), f"{cid}: {page['features'][0]}"
