"""LiDAR CRS records and units: WKT vs GeoTIFF keys, US survey vs international feet, vertical units,
broken WKT, where the refusal says the points are (no database)."""

from __future__ import annotations

from pathlib import Path

import laspy
import numpy as np
import pytest

from msip.core.errors import CrsError
from pipelines.lidar.las import lascrs
from pipelines.lidar.las.lascrs import place
from pipelines.lidar.las.reader import inspect
from tests.support.relocate.las import FT, US_FT

LIDAR = "lidar"


def _place(path: Path, crs: int | None = None):
    info, header = inspect(path)
    return place(info, header, crs)


def _geokeys(**keys: int):
    """A GeoKeyDirectory VLR holding `keys` (e.g. k3072=2180) as inline values."""
    from laspy.vlrs.known import GeoKeyDirectoryVlr, GeoKeyEntryStruct

    vlr = GeoKeyDirectoryVlr()
    entries = []
    for name, value in [("k1024", 1), *keys.items()]:
        e = GeoKeyEntryStruct()
        e.id, e.tiff_tag_location, e.count, e.value_offset = int(name[1:]), 0, 1, value
        entries.append(e)
    vlr.geo_keys_header.number_of_keys = len(entries)
    vlr.geo_keys = entries
    return vlr


def _las12(path: Path, x, y, z, vlrs) -> Path:
    """A LAS 1.2 point format 3 file with the given CRS VLRs (and nothing else)."""
    header = laspy.LasHeader(point_format=3, version="1.2")
    header.scales = np.array([0.001, 0.001, 0.001])
    header.offsets = np.array([np.floor(x.min()), np.floor(y.min()), 0.0])
    header.vlrs.extend(vlrs)
    las = laspy.LasData(header)
    las.x, las.y, las.z = x, y, z
    las.classification = np.full(len(x), 2, np.uint8)
    las.write(path)
    return path


def test_geotiff_feet_keys_place_the_points_where_they_are(shared_data, tmp_path):
    """GeoTIFF keys EPSG:32104 (a metre CRS) + ProjLinearUnits US survey foot: read as metres,
    the points landed ~1000 km away; the unit keys put them in Columbus, Nebraska."""
    src = laspy.read(shared_data / LIDAR / "file_with_both_wkt_and_geotiff_vlrs.las")
    las = laspy.convert(src, point_format_id=3, file_version="1.2")
    las.header.vlrs[:] = [v for v in las.header.vlrs if type(v).__name__ != "WktCoordinateSystemVlr"]
    las.header.global_encoding.wkt = False
    path = tmp_path / "geotiff_only.las"
    las.write(path)
    with pytest.raises(CrsError, match=r"EPSG:32104 \(US survey foot\), from its GeoTIFF keys, "
                       r"places the points at 97\.06.°W 41\.45.°N, outside Poland"):
        _place(path)


def test_wkt_wins_for_format_6_and_the_conflict_is_noted(shared_data, monkeypatch):
    monkeypatch.setattr(lascrs, "_check_in_poland", lambda *a: None)  # it is in Nebraska
    p = _place(shared_data / LIDAR / "file_with_both_wkt_and_geotiff_vlrs.las")
    assert (p.crs_label, p.source, p.xy_factor) == ("EPSG:6880", "WKT VLR", 1.0)
    assert p.z_factor == pytest.approx(US_FT, rel=1e-12)
    [conflict] = [n for n in p.notes if "disagree" in n]
    assert "the WKT VLR say EPSG:6880 (US survey foot)" in conflict
    assert "the GeoTIFF keys say EPSG:32104 (US survey foot), heights in US survey foot" in conflict
    assert "authoritative for point format 6" in conflict


def test_the_refusal_locates_the_file_right(shared_data):
    with pytest.raises(CrsError, match=r"EPSG:6880 \(US survey foot\).* at 97\.063°W 41\.455°N"):
        _place(shared_data / LIDAR / "file_with_both_wkt_and_geotiff_vlrs.las")


@pytest.mark.parametrize("unit_key, factor", [(9002, FT), (9003, US_FT), (9001, 1.0)])
def test_international_and_us_survey_feet_are_told_apart(tmp_path, unit_key, factor):
    """EPSG:2180 coordinates written in feet (ProjLinearUnits): 2 ppm apart = 1.2 m at E 614 000."""
    e, n = np.array([614000.0, 614030.0]), np.array([334600.0, 334620.0])
    z = np.array([260.0, 270.0])
    path = _las12(
        tmp_path / "feet.las", e / factor, n / factor, z / factor,
        [_geokeys(k3072=2180, k3076=unit_key, k4099=unit_key)],
    )  # fmt: skip
    p = _place(path)
    x, y, zz = p.to_storage(laspy.read(path).x, laspy.read(path).y, laspy.read(path).z)
    assert np.abs(x - e).max() < 0.01 and np.abs(y - n).max() < 0.01
    assert np.abs(zz - z).max() < 0.01


@pytest.mark.parametrize("key", ["k4099", "k4096"])
def test_vertical_feet_keys_convert_heights(tmp_path, key):
    """Metre coordinates with heights in feet (VerticalUnits 9002, or a vertical CRS in feet:
    EPSG:8228 NAVD88 height (ft)) were stored as metres."""
    value = 9002 if key == "k4099" else 8228
    e, n = np.array([614000.0, 614030.0]), np.array([334600.0, 334620.0])
    path = _las12(tmp_path / "zft.las", e, n, np.array([853.0, 886.0]),
                  [_geokeys(k3072=2180, k3076=9001, **{key: value})])  # fmt: skip
    p = _place(path)
    assert p.z_factor == pytest.approx(FT)
    assert any("heights in foot" in note for note in p.notes)


def test_vert_cs_units_in_wkt_convert_heights(tmp_path, monkeypatch):
    from pyproj import CRS

    header = laspy.LasHeader(point_format=6, version="1.4")
    header.add_crs(CRS("EPSG:2180+6360"))  # PUWG-1992 + NAVD88 height (ftUS)
    las = laspy.LasData(header)
    las.x, las.y, las.z = [614000.0, 614010.0], [334600.0, 334610.0], [853.0, 886.0]
    las.write(tmp_path / "vert.las")
    p = _place(tmp_path / "vert.las")
    assert (p.crs_label, p.z_factor) == ("EPSG:2180", pytest.approx(US_FT))


def test_a_vertcs_nested_in_projcs_still_gives_the_height_unit(shared_data, monkeypatch):
    """1_4_w_evlr.las: VERTCS inside PROJCS with UNIT["US survey foot",1.0] (PROJ drops it)."""
    monkeypatch.setattr(lascrs, "_check_in_poland", lambda *a: None)  # it is in New Mexico
    p = _place(shared_data / LIDAR / "1_4_w_evlr.las")
    assert p.z_factor == pytest.approx(US_FT, rel=1e-12)
    assert any("heights in US survey foot" in n for n in p.notes)


def test_copc_whose_declared_crs_does_not_fit_says_so(shared_data):
    with pytest.raises(CrsError, match=r"outside the area of use of EPSG:2991 too .* Oregon.* "
                       r"CRS or units are probably wrong"):
        _place(shared_data / LIDAR / "1.2-with-color.copc.laz")


@pytest.mark.parametrize("name", ["las14_pdrf6.laz", "warsaw_small.las"])
def test_a_broken_wkt_falls_back_to_the_crs_option(shared_data, name):
    with pytest.raises(CrsError, match=f"{name} has no usable CRS: its WKT VLR.* --crs"):
        _place(shared_data / LIDAR / name)
    p = _place(shared_data / LIDAR / name, 2180)
    assert (p.crs_label, p.source, p.z_factor) == ("EPSG:2180", "--crs", 1.0)
    assert any("used --crs EPSG:2180" in n for n in p.notes)
