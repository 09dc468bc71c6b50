"""Cross-check against natcap.invest's Urban Cooling Model itself (skipped when natcap.invest is absent).

Targets of issue 7: max |Δ| ≤ 1e-3 on CC and HM, ≤ 0.01 °C on T_air; measured ≈ 1e-7 and 1e-5 °C.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytest.importorskip(
    "natcap.invest.urban_cooling_model.urban_cooling_model",
    reason="optional component natcap.invest is not installed (README: Optional components)",
)

from processing.heat.ucm_invest import UcmCase, run_invest, run_msip, synthetic_city
from tests.processing.heat.test_heat_ucm import (
    BIOPHYSICAL,
    ET0,
    EXPECTED_CC,
    EXPECTED_CC_PARK,
    LULC,
    INVEST_5x6,
)

pytestmark = pytest.mark.slow


def _assert_same(invest, msip) -> None:
    for name, tol in (("cc", 1e-6), ("cc_park", 1e-6), ("hm", 1e-6), ("t_air", 1e-4)):
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
