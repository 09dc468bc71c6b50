"""Base layers into PostGIS: buildings with epochs, green spaces, the pgRouting walk graph, OSM."""

from __future__ import annotations

import csv
from datetime import date

import geopandas as gpd
import psycopg
import pytest
from click.testing import CliRunner

from msip.core.errors import CrsError, SourceReadError
from pipelines.base_layers.load import load_buildings, load_green_spaces, load_walk_network
from pipelines.base_layers.osm import load_osm
from pipelines.base_layers.rows import estimate_population
from tests.support.db import count
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
DATA = TEST_DATA / "base"
E1, E2 = date(2024, 6, 15), date(2025, 6, 15)


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def _reasons(url: str, run_id: int) -> str:
    return "\n".join(
        r[0]
        for r in _rows(url, "SELECT reason FROM msip.rejected_record WHERE run_id = %s", (run_id,))
    )


@pytest.mark.parametrize(
    "footprint, storeys, height, residential, expected",
    [
        (480.0, 5, None, True, 68),  # floor(480 × 5 / 35)
        (100.0, None, 9.2, True, 8),  # storeys from height: round(9.2 / 3) = 3
        (100.0, None, None, True, 2),  # neither: 1 storey
        (500.0, 3, 10.0, False, 0),  # not residential
    ],
)
def test_population_estimate(footprint, storeys, height, residential, expected):
    assert estimate_population(footprint, storeys, height, residential) == expected


def test_buildings_checked_estimated_and_placed(empty_db):
    report = load_buildings(DATA / "buildings.geojson", epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (9, 5, 4)
    reasons = _reasons(empty_db, report.run_id)
    for expected in (
        "row 5 (id B5): storeys='trzy' is not a number",
        "row 6 (id B1): duplicate id 'B1'",
        "row 8 (id B8): geometry is missing or empty",
        "row 9 (id B9): point (E 639905.0, N 485105.0) is outside Kielce",
    ):
        assert expected in reasons
    assert any("B7: repaired invalid geometry" in n for n in report.notes)
    rows = _rows(
        empty_db,
        "SELECT source_id, residential, storeys, population, population_estimated, "
        "round(footprint_m2) FROM msip.building ORDER BY source_id",
    )
    assert rows == [
        ("B1", True, 2, 4, False, 100),
        ("B2", True, 5, 68, True, 480),
        ("B3", False, 1, 0, True, 300),
        ("B4", True, None, 8, True, 100),
        ("B7", True, 1, 5, True, 200),
    ]
    # GeoJSON is WGS84 lon/lat: B1 must land on its EPSG:2180 square (614010–614020, 334610–334620).
    ((x, y),) = _rows(
        empty_db,
        "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM msip.building "
        "WHERE source_id = 'B1') s",
    )
    assert (x, y) == pytest.approx((614015, 334615), abs=0.05)


def test_epochs_side_by_side_and_current_view(empty_db):
    load_buildings(DATA / "buildings.geojson", epoch=E1, url=empty_db)
    second = load_buildings(DATA / "buildings_2025-06-15.geojson", epoch=E2, url=empty_db)
    assert (second.rows_inserted, second.rows_retired) == (4, 0)
    assert count(empty_db, "SELECT count(*) FROM msip.building") == 9
    assert _rows(
        empty_db, "SELECT source_id, population FROM msip.building_current ORDER BY source_id"
    ) == [("B1", 4), ("B10", 30), ("B2", 82), ("B4", 8)]
    assert load_buildings(DATA / "buildings.geojson", epoch=E1, url=empty_db).status == "unchanged"


def test_reloading_an_epoch_replaces_its_snapshot(empty_db):
    load_buildings(DATA / "buildings.geojson", epoch=E1, url=empty_db)
    report = load_buildings(DATA / "buildings_2025-06-15.geojson", epoch=E1, url=empty_db)
    assert (
        report.rows_inserted,
        report.rows_updated,
        report.rows_unchanged,
        report.rows_retired,
    ) == (1, 1, 2, 2)
    assert _rows(empty_db, "SELECT source_id FROM msip.building ORDER BY 1") == [
        ("B1",),
        ("B10",),
        ("B2",),
        ("B4",),
    ]
    forced = load_buildings(
        DATA / "buildings_2025-06-15.geojson", epoch=E1, url=empty_db, force=True
    )
    assert (forced.rows_unchanged, forced.rows_inserted, forced.rows_retired) == (4, 0, 0)


@pytest.mark.filterwarnings("ignore:Could not parse column", "ignore:Column names longer than 10")
def test_green_spaces_from_a_shapefile(empty_db, tmp_path):
    shp = tmp_path / "parki.shp"  # dBase cuts public_access to public_acc
    with pytest.warns(RuntimeWarning, match="public_acc"):
        gpd.read_file(DATA / "parks.geojson").to_file(shp)
    report = load_green_spaces(shp, epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (4, 3, 1)
    assert "public_access='może' is not a yes/no value" in _reasons(empty_db, report.run_id)
    assert any("public access unknown for 1 green spaces" in n for n in report.notes)
    assert _rows(
        empty_db,
        "SELECT source_id, public_access, round(area_m2) FROM msip.green_space_current ORDER BY 1",
    ) == [("P1", True, 10000), ("P2", True, 600), ("P3", None, 400)]


def test_walk_network_is_split_and_routable(empty_db):
    report = load_walk_network(DATA / "streets.geojson", epoch=E1, url=empty_db)
    assert (report.rows_in, report.rows_loaded, report.rows_rejected) == (7, 4, 3)
    reasons = _reasons(empty_db, report.run_id)
    assert (
        "road_class='motorway' is closed to pedestrians" in reasons
        and "width_m='szeroka'" in reasons
    )
    assert "8 edges, 11 vertices" in " ".join(
        report.notes
    ) and "3 connected components" in " ".join(report.notes)
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.walk_edge WHERE cost <> length_m OR reverse_cost <> length_m "
            "OR abs(length_m - ST_Length(geom)) > 1e-6",
        )
        == 0
    )
    # source/target are the vertices at the edge's ends.
    assert (
        count(
            empty_db,
            "SELECT count(*) FROM msip.walk_edge e JOIN msip.walk_vertex s ON s.id = e.source "
            "JOIN msip.walk_vertex t ON t.id = e.target WHERE ST_Equals(s.geom, ST_StartPoint(e.geom)) "
            "AND ST_Equals(t.geom, ST_EndPoint(e.geom))",
        )
        == 8
    )
    # The footway ending 2 cm short of ul. Testowa is joined to it: 200 + 100 + 200 m to the top of S2.
    ((cost,),) = _rows(
        empty_db,
        """
        SELECT agg_cost FROM pgr_dijkstra('SELECT id, source, target, cost, reverse_cost FROM msip.walk_edge_current',
          (SELECT id FROM msip.walk_vertex WHERE ST_DWithin(geom, ST_SetSRID(ST_Point(614100, 334600), 2180), 0.01)),
          (SELECT id FROM msip.walk_vertex WHERE ST_DWithin(geom, ST_SetSRID(ST_Point(614200, 335000), 2180), 0.01)))
        ORDER BY seq DESC LIMIT 1""",
    )
    assert cost == pytest.approx(500.0, abs=0.01)
    again = load_walk_network(DATA / "streets.geojson", epoch=E1, url=empty_db, force=True)
    assert (again.rows_inserted, again.rows_retired) == (4, 4)
    assert count(empty_db, "SELECT count(*) FROM msip.walk_edge") == 8


@pytest.mark.parametrize(
    "content, error, message",
    [
        (b"", SourceReadError, "empty"),
        (
            b'{"type": "FeatureCollection", "features": [',
            SourceReadError,
            "cannot be read as geojson",
        ),
    ],
)
def test_unreadable_base_files_are_refused(empty_db, tmp_path, content, error, message):
    path = tmp_path / "streets.geojson"
    path.write_bytes(content)
    with pytest.raises(error, match=message):
        load_walk_network(path, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.walk_edge") == 0


@pytest.mark.filterwarnings("ignore:Could not parse column")
def test_a_file_without_ids_is_refused(empty_db, tmp_path):
    path = tmp_path / "parks.gpkg"
    gpd.read_file(DATA / "parks.geojson").drop(columns=["park_id"]).to_file(path, layer="green_spaces")
    with pytest.raises(SourceReadError, match="has no id column \\(one of park_id, green_id, id, fid\\)"):
        load_green_spaces(path, url=empty_db)


@pytest.mark.filterwarnings("ignore:Could not parse column", "ignore:'crs' was not provided")
def test_a_file_without_crs_needs_crs(empty_db, tmp_path):
    frame = gpd.read_file(DATA / "parks.geojson").set_crs(None, allow_override=True)
    path = tmp_path / "parks.gpkg"
    frame.to_file(path, layer="green_spaces")
    with pytest.raises(CrsError, match="has no CRS; pass --crs"):
        load_green_spaces(path, url=empty_db)
    assert load_green_spaces(path, url=empty_db, crs=2180).rows_loaded == 3


@pytest.mark.parametrize("content", [b"", b"not a protobuf at all"])
def test_broken_pbf_is_refused(empty_db, tmp_path, content):
    pbf = tmp_path / "broken.osm.pbf"
    pbf.write_bytes(content)
    with pytest.raises(SourceReadError, match=r"broken.osm.pbf: not a readable OSM PBF file"):
        load_osm(pbf, url=empty_db)


def test_sample_world_base_layers(empty_db, sample_dir):
    base = sample_dir / "base"
    truth = list(csv.DictReader((sample_dir / "truth" / "buildings.csv").open(encoding="utf-8")))
    for epoch, name in ((E1, "buildings.gpkg"), (E2, "buildings_2025-06-15.gpkg")):
        report = load_buildings(base / name, epoch=epoch, url=empty_db)
        assert report.rows_loaded == sum(1 for t in truth if t["epoch"] == epoch.isoformat())
        assert report.rows_rejected == 0
    assert count(empty_db, "SELECT count(*) FROM msip.building_current") == sum(
        1 for t in truth if t["epoch"] == E2.isoformat()
    )
    assert count(empty_db, "SELECT count(*) FROM msip.building WHERE population_estimated") == 0
    parks = load_green_spaces(base / "parks.gpkg", epoch=E1, url=empty_db)
    assert parks.rows_rejected == 0 and parks.rows_loaded > 0
    walk = load_walk_network(base / "streets.gpkg", epoch=E1, url=empty_db)
    assert walk.rows_rejected == 0 and "1 connected components" in " ".join(walk.notes)


def test_cli_base_loads_each_layer_as_its_own_run(empty_db, monkeypatch):
    from msip.cli import cli

    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "load",
            "base",
            "--buildings",
            str(DATA / "buildings.geojson"),
            "--parks",
            str(DATA / "parks.geojson"),
            "--streets",
            str(DATA / "streets.geojson"),
            "--epoch",
            "2024-06-15",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "9 in = 5 loaded + 4 rejected" in result.output
        and "7 in = 4 loaded + 3 rejected" in result.output
    )
    assert (
        count(
            empty_db,
            "SELECT count(DISTINCT source_kind) FROM msip.load_run WHERE status = 'succeeded'",
        )
        == 3
    )
    both = runner.invoke(
        cli,
        [
            "load",
            "base",
            "--osm",
            str(DATA / "streets.geojson"),
            "--buildings",
            str(DATA / "buildings.geojson"),
        ],
    )
    assert both.exit_code == 2 and "either --osm or" in both.output
