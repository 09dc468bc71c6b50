"""Cross-check against natcap.invest's Urban Cooling Model itself.

`make setup` installs natcap.invest (scripts/install_invest.sh), so these run in every `make test`;
they skip only where it is not installed at all (`MSIP_INVEST=0`, README: Optional components). An
installed natcap.invest that fails to import (e.g. GDAL bindings without numpy) fails here.

Tolerances (targets of issue 7: ≤ 1e-3 on CC and HM, ≤ 0.01 °C on T_air): max |InVEST − MSIP| ≤ 1e-6
on CC, CC_park and HM and ≤ 1e-4 °C on T_air before and after air mixing, cell by cell (InVEST
writes float32: ~2e-6 °C of rounding at 25 °C); measured ≈ 1e-7 and ≈ 1e-5 °C.
"""

from __future__ import annotations

import dataclasses
import importlib.util

import numpy as np
import pytest

if importlib.util.find_spec("natcap") is None or importlib.util.find_spec("natcap.invest") is None:
    pytest.skip("optional component natcap.invest is not installed (MSIP_INVEST=0; README: Optional components)",
                allow_module_level=True)

from processing.heat.ucm_invest import UcmCase, run_invest, run_msip, run_msip_files, synthetic_city, write_inputs
from tests.processing.heat.test_heat_ucm import (
    BIOPHYSICAL,
    ET0,
    EXPECTED_CC,
    EXPECTED_CC_PARK,
    LULC,
    INVEST_5x6,
)

pytestmark = pytest.mark.slow


#: max |InVEST − MSIP| per raster, cell by cell (°C for the temperatures).
TOLERANCE = {"cc": 1e-6, "cc_park": 1e-6, "hm": 1e-6, "t_air_nomix": 1e-4, "t_air": 1e-4}


def test_natcap_invest_imports():
    """Installed means usable: GDAL's array bindings and the model import (no skip hides a broken build)."""
    from natcap.invest.urban_cooling_model import urban_cooling_model
    from osgeo import gdal_array  # noqa: F401  (pygeoprocessing needs it; a GDAL built without numpy lacks it)

    assert callable(urban_cooling_model.execute)


def _assert_same(invest, msip) -> None:
    for name, tol in TOLERANCE.items():
        a, b = getattr(invest, name), getattr(msip, name)
        np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"{name}: nodata differs")
        assert np.nanmax(np.abs(a - b)) <= tol, f"{name}: max |InVEST − MSIP| = {np.nanmax(np.abs(a - b))}"


def test_invest_and_msip_agree_on_the_hand_computed_5x6_case(tmp_path):
    columns = ("green_area", "kc", "albedo", "shade")
    table = {code: dict(zip(columns, row, strict=False)) for code, row in BIOPHYSICAL.items()}
    case = UcmCase(lulc=LULC, et0=ET0, table=table, params=INVEST_5x6)
    invest = run_invest(case, tmp_path)
    np.testing.assert_allclose(invest.cc, EXPECTED_CC, atol=1e-6)
    np.testing.assert_allclose(invest.cc_park, EXPECTED_CC_PARK, atol=1e-6)
    _assert_same(invest, run_msip(case))


@pytest.mark.parametrize("method", ["factors", "intensity"])
def test_invest_and_msip_agree_on_a_synthetic_city_with_nodata(tmp_path, method):
    case = synthetic_city(90, 110, seed=3)
    case.lulc[:12, :20] = -1  # a nodata corner: no signal, and no pull on the neighbours
    case.params = dataclasses.replace(case.params, method=method, green_area_cooling_distance_m=250,
                                      t_air_average_radius_m=60, weights=(3, 1, 1))
    invest, msip = run_invest(case, tmp_path), run_msip(case)
    _assert_same(invest, msip)
    if method == "factors":  # both branches of HM are exercised
        uses_park = np.abs(msip.hm - msip.cc) > 1e-12
        assert 0 < uses_park.sum() < np.isfinite(msip.hm).sum()


def test_air_temperature_after_air_mixing_agrees_cell_by_cell(tmp_path):
    """T_air after InVEST's air mixing (its exp(−d/r_mix) average of T_air_nomix) against MSIP's, on a city
    where the mixing moves temperatures by far more than the tolerance, so agreeing means mixing alike."""
    case = synthetic_city(120, 100, seed=11)
    case.lulc[-15:, -25:] = -1  # nodata: no heat of its own and no pull on its neighbours
    case.params = dataclasses.replace(case.params, t_air_average_radius_m=100, green_area_cooling_distance_m=200)
    invest = run_invest(case, tmp_path / "invest")
    paths = write_inputs(case, tmp_path / "inputs")
    msip = run_msip_files(paths, case.params, tmp_path / "msip")
    valid = np.isfinite(invest.t_air)
    np.testing.assert_array_equal(valid, np.isfinite(msip.t_air), err_msg="T_air: nodata differs")
    mixing = np.abs(invest.t_air - invest.t_air_nomix)[valid]
    assert mixing.max() > 100 * TOLERANCE["t_air"], "air mixing must matter in this case"
    delta = np.abs(invest.t_air - msip.t_air)[valid]
    assert delta.max() <= TOLERANCE["t_air"], f"T_air: max |InVEST − MSIP| = {delta.max():.2e} °C"
    assert np.abs(invest.t_air_nomix - msip.t_air_nomix)[valid].max() <= TOLERANCE["t_air_nomix"]
    # the file run is the model run (ET0 read back as float32: 1e-8 °C apart), and its GeoTIFFs hold it
    np.testing.assert_allclose(msip.t_air, run_msip(case).t_air, atol=1e-6)
    import rasterio

    with rasterio.open(tmp_path / "msip" / "t_air.tif") as src:
        written = src.read(1, masked=True).astype(np.float64).filled(np.nan)
    assert np.nanmax(np.abs(written - msip.t_air)) <= 1e-5
