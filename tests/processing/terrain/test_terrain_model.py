"""The uncertainty model, the significance filter and the volume sums on hand-made arrays (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from msip.core.errors import ValidationError
from processing.terrain.dod import significance
from processing.terrain.uncertainty import cell_moments, roughness, sigma_grid
from processing.terrain.volumes import time_series, volumes


def _points(n: int, noise_m: float, seed: int = 1, slope: float = 0.3):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, 40, n), rng.uniform(0, 40, n)
    z = 300 + slope * x - 0.1 * y + rng.uniform(-noise_m, noise_m, n)
    return x, y, z


def test_roughness_is_the_scatter_about_the_local_plane_whatever_the_slope() -> None:
    x, y, z = _points(40 * 40 * 4, 0.03)
    m = cell_moments(x, y, z, left=0, top=40, cell_m=1.0, shape=(40, 40))
    assert m[0].sum() == len(x)
    r = roughness(m, window_px=2, cell_m=1.0)
    # uniform ±3 cm: σ = 0.03/√3 = 0.0173 m; a slope of 30 % adds nothing (the plane takes it)
    assert np.nanmedian(r) == pytest.approx(0.03 / np.sqrt(3), rel=0.1)


def test_sigma_falls_with_density_and_grows_across_gaps() -> None:
    x, y, z = _points(40 * 40 * 4, 0.03)
    keep = ~((x > 10) & (x < 30) & (y > 10) & (y < 30))  # a 20 m hole (a building)
    m = cell_moments(x[keep], y[keep], z[keep], left=0, top=40, cell_m=1.0, shape=(40, 40))
    sigma, fill = sigma_grid(m, window_px=2, cell_m=1.0, floor_m=0.01, gap_m_per_m=0.05)
    n = m[0]
    dense = sigma[(n >= 6) & np.isfinite(sigma)]
    sparse = sigma[(n == 1) & np.isfinite(sigma)]
    assert dense.mean() < sparse.mean()
    assert sigma[20, 20] > sigma[12, 20] > sigma[5, 20]  # centre of the hole > its edge > measured
    assert sigma[20, 20] == pytest.approx(np.sqrt(0.01**2 + fill**2 + (0.05 * 9) ** 2), rel=0.15)


def test_no_points_at_all_is_unknown_not_zero() -> None:
    m = cell_moments(np.array([]), np.array([]), np.array([]), left=0, top=10, cell_m=1.0, shape=(10, 10))
    sigma, fill = sigma_grid(m, window_px=2, cell_m=1.0, floor_m=0.01, gap_m_per_m=0.05)
    assert fill is None and np.isnan(sigma).all()


def test_significance_keeps_coherent_change_and_drops_specks() -> None:
    dz = np.zeros((20, 20))
    dz[5:10, 5:10] = 0.5  # a 25-cell mound
    dz[15, 15] = 0.5  # one noisy cell
    dz[2, 2] = np.nan
    lod = np.full(dz.shape, 0.1)
    sig = significance(dz, lod, min_cells=4)
    assert (sig[5:10, 5:10] == 0.5).all() and sig[15, 15] == 0 and np.isnan(sig[2, 2])


def test_volumes_count_known_cells_only() -> None:
    dz = np.array([[1.0, 1.0], [np.nan, -0.5]])
    sig = np.array([[1.0, np.nan], [np.nan, -0.5]])
    v = volumes(dz, sig, np.full((2, 2), 0.1), np.ones((2, 2), bool), 1.0)
    assert (v.fill_m3, v.cut_m3, v.net_m3) == (1.0, 0.5, 0.5)
    assert (v.area_m2, v.known_m2, v.significant_m2) == (4.0, 2.0, 2.0)
    assert v.net_sigma_m3 == pytest.approx(np.hypot(0.1, 0.1))


def test_time_series_adds_pairs_and_refuses_gaps() -> None:
    s = time_series([("2019", "2022", 100.0, 3.0), ("2022", "2025", -40.0, 4.0)])
    assert [(p["epoch"], p["cumulative_net_m3"], p["sigma_m3"]) for p in s] == [
        ("2019", 0.0, 0.0), ("2022", 100.0, 3.0), ("2025", 60.0, 5.0)]
    with pytest.raises(ValidationError, match="not consecutive: 2022 then 2023"):
        time_series([("2019", "2022", 1.0, 0.1), ("2023", "2025", 1.0, 0.1)])
