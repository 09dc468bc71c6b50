"""The one vector reader: both outputs read the same layer, and one CRS rule decides file CRS vs --crs (no database)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from msip.core.errors import CrsError, SourceReadError
from pipelines.readers.tabular import read_table
from pipelines.readers.vector_io import VECTOR_SUFFIXES, declared_epsg, read_vector
from tests.support.paths import TEST_DATA

DATA = TEST_DATA / "inventory"


def test_frame_and_columns_outputs_read_the_same_layer():
    frame = read_vector(DATA / "zones.geojson")
    columns = read_vector(DATA / "zones.geojson", output="columns")
    assert (frame.layer, frame.format) == (columns.layer, columns.format) == ("landscape_zones", "geojson")
    assert frame.epsg == columns.epsg == 2180
    assert len(frame.frame) == len(columns.frame) == len(columns.geometry)
    assert list(columns.frame.columns) == [c for c in frame.frame.columns if c != "geometry"]
    geoms = shapely.from_wkb(np.asarray(columns.geometry.to_pylist(), dtype=object))
    assert all(a.equals(b) for a, b in zip(geoms, frame.frame.geometry, strict=True))


def test_inventory_tables_read_vector_files_through_the_columns_output():
    table = read_table(DATA / "trees_en.geojson")
    source = read_vector(DATA / "trees_en.geojson", output="columns")
    assert (table.epsg, table.crs_text) == (source.epsg, source.crs_text)
    assert table.geometry.equals(source.geometry)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".json", ".shp"])
def test_one_suffix_table(suffix):
    assert suffix in VECTOR_SUFFIXES


@pytest.mark.parametrize("file_code, crs, expected", [(2180, None, 2180), (None, 2178, 2178), (2176, 2176, 2176)])
def test_crs_rule_takes_the_files_crs_else_the_option(file_code, crs, expected):
    assert declared_epsg("z.gpkg", file_code, crs) == expected


@pytest.mark.parametrize("file_code, crs, crs_text, match", [
    (4326, 2180, "EPSG:4326", r"z\.gpkg declares EPSG:4326 but --crs says EPSG:2180; drop --crs"),
    (None, None, None, r"z\.gpkg has no CRS; pass --crs"),
    (None, None, 'LOCAL_CS["site grid"]', r"z\.gpkg: its CRS has no EPSG code .*reproject"),
    (3857, None, "EPSG:3857", r"z\.gpkg: CRS EPSG:3857 is not accepted"),
])
def test_crs_rule_refuses_with_the_reason(file_code, crs, crs_text, match):
    with pytest.raises(CrsError, match=match):
        declared_epsg("z.gpkg", file_code, crs, crs_text=crs_text)


def test_frame_output_applies_the_crs_rule_at_once():
    with pytest.raises(CrsError, match="declares EPSG:2180 but --crs says EPSG:2178"):
        read_vector(DATA / "zones.geojson", crs=2178)


@pytest.mark.parametrize("output, match", [
    ("frame", r"bad\.gpkg: cannot be read as gpkg"),
    ("columns", r"bad\.gpkg cannot be opened as a vector file"),
])
def test_unreadable_file_is_refused_in_each_outputs_wording(tmp_path, output, match):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage at all " * 40)
    with pytest.raises(SourceReadError, match=match):
        read_vector(bad, output=output)
