"""Every coverage in GDAL (`gdalinfo` by URL, via `OGCAPI:`, and on the downloaded GeoTIFF) and QGIS.

Known failures are strict xfails naming the finding of issue 15 they wait for.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from .catalogue import COVERAGES, params, tool
from .conftest import CoverageFacts, World

pytestmark = [pytest.mark.clients, pytest.mark.db, pytest.mark.slow]

BANDS_RGB = ["Red", "Green", "Blue"]
M_PER_DEG_LAT = 111_320.0


def _pixel_m(info: dict[str, Any]) -> float:
    return abs(float(info["geoTransform"][1]))


def _bounds(info: dict[str, Any]) -> list[float]:
    (x0, y0), (x1, y1) = info["cornerCoordinates"]["lowerLeft"], info["cornerCoordinates"]["upperRight"]
    return [float(x0), float(y0), float(x1), float(y1)]


def _gdalinfo(path: str, *options: str) -> dict[str, Any]:
    done = tool("gdalinfo", "-json", *options, path)
    assert done.returncode == 0, f"gdalinfo {' '.join(options)} {path} failed: {done.stderr.strip()[-600:]}"
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_gdalinfo_opens_the_coverage_by_url(cid: str, coverage_facts: dict[str, CoverageFacts]) -> None:
    facts = coverage_facts[cid]
    info = _gdalinfo(f"/vsicurl/{facts.tiff_url}")
    assert _bounds(info) == pytest.approx(facts.bounds_2180, abs=_pixel_m(info) / 2)


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_gdal_ogcapi_driver_opens_the_coverage(cid: str, world: World,
                                               coverage_facts: dict[str, CoverageFacts]) -> None:
    info = _gdalinfo(f"OGCAPI:{world.url}/collections/{cid}", "-oo", "API=COVERAGE")
    assert len(info["bands"]) == coverage_facts[cid].band_count


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_qgis_opens_the_coverage_by_url(cid: str, qgis_rasters: dict[str, Any],
                                        coverage_facts: dict[str, CoverageFacts]) -> None:
    got, facts = qgis_rasters[f"url:{cid}"], coverage_facts[cid]
    assert got["valid"], f"QGIS cannot open /vsicurl/{facts.tiff_url}: {got.get('error')}"
    assert got["crs"] == "EPSG:2180" and got["band_count"] == facts.band_count, got
    assert got["extent"] == pytest.approx(facts.bounds_2180, abs=1.0)


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_coverage_geotiff_has_the_storage_crs_and_the_data_bounds(cid: str, qgis_rasters: dict[str, Any],
                                                                  coverage_facts: dict[str, CoverageFacts]) -> None:
    facts = coverage_facts[cid]
    info = _gdalinfo(str(facts.local_tiff))
    wkt = info["coordinateSystem"]["wkt"]
    assert wkt.rstrip().endswith('ID["EPSG",2180]]'), f"{cid}: the GeoTIFF's CRS is not EPSG:2180: {wkt[-200:]}"
    assert _bounds(info) == pytest.approx(facts.bounds_2180, abs=_pixel_m(info) / 2), (
        f"{cid}: the GeoTIFF covers {_bounds(info)}, the raster assets {facts.bounds_2180}"
    )
    assert len(info["bands"]) == facts.band_count
    got = qgis_rasters[f"file:{cid}"]
    assert got["valid"] and got["crs"] == "EPSG:2180", f"QGIS on the downloaded {cid}: {got}"
    assert got["extent"] == pytest.approx(facts.bounds_2180, abs=_pixel_m(info) / 2)


def _expected_interpretation(kind: str, band_count: int) -> list[str] | None:
    """RGB for the first three bands of an image (the orthophoto); None where only 'not Alpha' is asked
    (a multi-band grid of measurements, such as the DoD's dz / LoD bands, is not a picture)."""
    return BANDS_RGB if kind == "orthophoto" and band_count >= 3 else None


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_band_colour_interpretation(cid: str, qgis_rasters: dict[str, Any],
                                    coverage_facts: dict[str, CoverageFacts]) -> None:
    """No band of an MSIP raster is transparency (the orthophoto's 4th band is near infrared)."""
    facts = coverage_facts[cid]
    gdal_names = [b["colorInterpretation"] for b in _gdalinfo(str(facts.local_tiff))["bands"]]
    qgis_names = qgis_rasters[f"file:{cid}"].get("color_interpretation")
    for client, names in (("gdalinfo", gdal_names), ("QGIS", qgis_names)):
        assert names and "Alpha" not in names, (
            f"{cid}: {client} reads the bands as {names}; a data band marked Alpha makes QGIS draw the image "
            "transparent — write its colour interpretation (e.g. Undefined for NIR)"
        )
        rgb = _expected_interpretation(facts.kind, len(names))
        assert rgb is None or names[:3] == rgb, f"{cid}: {client} reads the bands as {names}, expected {rgb} first"


@pytest.mark.parametrize("cid", params(COVERAGES, {}))
def test_coverage_advertised_extent_matches_its_grid(cid: str, world: World,
                                                     coverage_facts: dict[str, CoverageFacts]) -> None:
    info = _gdalinfo(str(coverage_facts[cid].local_tiff))
    lons, lats = zip(*info["wgs84Extent"]["coordinates"][0], strict=True)
    grid = [min(lons), min(lats), max(lons), max(lats)]
    (advertised, *_) = world.collections[cid]["extent"]["spatial"]["bbox"]
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(grid[1]))
    # The lon/lat box of a projected grid is a little wider than its corners; allow 2 pixels.
    tolerance_deg = 2 * _pixel_m(info) / m_per_deg_lon + 1e-6
    assert advertised == pytest.approx(grid, abs=tolerance_deg), (
        f"{cid}: advertised bbox {advertised}, the GeoTIFF's grid covers {grid}"
    )
