"""Cut and fill volumes with their uncertainty from a DEM of difference (pure numpy; no database).

Volumes count the cells whose change is above the level of detection (the `significant`
band: dz there, 0 below the LoD, NaN unknown): fill = Σ dz·A over rises, cut = Σ |dz|·A over
falls, A the cell area. Their standard uncertainty treats the cells' errors as independent:
σ_V = A·√Σσ² (Lane et al. 2003; a fully correlated error, A·Σσ, is the conservative bound the
docs discuss). The unthresholded net over every known cell is kept beside it. Unknown cells
are never counted as no change: the known area is reported with the volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msip.core.errors import ValidationError


@dataclass(frozen=True)
class Volumes:
    """Volumes (m³), their standard uncertainty (m³) and areas (m²) of one mask of the DoD grid."""

    fill_m3: float
    cut_m3: float
    fill_sigma_m3: float
    cut_sigma_m3: float
    raw_net_m3: float | None
    raw_net_sigma_m3: float | None
    area_m2: float
    known_m2: float
    significant_m2: float

    @property
    def net_m3(self) -> float:
        return self.fill_m3 - self.cut_m3

    @property
    def net_sigma_m3(self) -> float:
        return float(np.hypot(self.fill_sigma_m3, self.cut_sigma_m3))


def volumes(dz: np.ndarray, significant: np.ndarray, sigma: np.ndarray, mask: np.ndarray,
            cell_m: float) -> Volumes:
    """The `Volumes` of the cells in `mask` (bool, same shape as the bands)."""
    a = cell_m * cell_m
    known = mask & np.isfinite(dz) & np.isfinite(significant)  # a cell without an LoD is unknown too
    sig = np.where(known, np.nan_to_num(significant), 0.0)
    s2 = np.where(known, np.nan_to_num(sigma), 0.0) ** 2
    rise, fall = sig > 0, sig < 0
    raw = float(dz[known].sum() * a) if known.any() else None
    raw_sigma = float(np.sqrt(s2[known].sum()) * a) if known.any() else None
    return Volumes(
        fill_m3=float(sig[rise].sum() * a),
        cut_m3=float(abs(sig[fall].sum()) * a),
        fill_sigma_m3=float(np.sqrt(s2[rise].sum()) * a),
        cut_sigma_m3=float(np.sqrt(s2[fall].sum()) * a),
        raw_net_m3=raw,
        raw_net_sigma_m3=raw_sigma,
        area_m2=float(mask.sum() * a),
        known_m2=float(known.sum() * a),
        significant_m2=float((rise | fall).sum() * a),
    )


@dataclass(frozen=True)
class ChangeRegion:
    """One connected area (8-neighbour) of fill or cut above the LoD, with its volume."""

    kind: str
    geom_wkb: bytes
    area_m2: float
    volume_m3: float
    volume_sigma_m3: float
    max_abs_dz_m: float
    mean_lod_m: float


def change_regions(significant: np.ndarray, sigma: np.ndarray, lod: np.ndarray, *, transform,
                   cell_m: float) -> list[ChangeRegion]:
    """The connected fill and cut areas of the `significant` band as polygons with their volumes."""
    import shapely
    from rasterio.features import shapes
    from scipy import ndimage

    a = cell_m * cell_m
    out: list[ChangeRegion] = []
    sig = np.nan_to_num(significant)
    for kind, mask in (("fill", sig > 0), ("cut", sig < 0)):
        labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
        if n == 0:
            continue
        lab = labels.ravel()
        on = lab > 0
        idx = lab[on]
        cells = np.bincount(idx, minlength=n + 1)
        vol = np.bincount(idx, weights=np.abs(sig.ravel()[on]), minlength=n + 1) * a
        s2 = np.bincount(idx, weights=np.nan_to_num(sigma.ravel()[on]) ** 2, minlength=n + 1)
        lods = np.bincount(idx, weights=np.nan_to_num(lod.ravel()[on]), minlength=n + 1)
        peak = np.zeros(n + 1)
        np.maximum.at(peak, idx, np.abs(sig.ravel()[on]))
        parts: dict[int, list] = {}
        for geom, value in shapes(labels.astype(np.int32), mask=mask, connectivity=8, transform=transform):
            parts.setdefault(int(value), []).append(shapely.geometry.shape(geom))
        for k, polys in sorted(parts.items()):
            geom = shapely.MultiPolygon(polys) if len(polys) > 1 else shapely.MultiPolygon([polys[0]])
            out.append(ChangeRegion(kind, shapely.to_wkb(shapely.make_valid(geom)), float(cells[k] * a),
                                    float(vol[k]), float(np.sqrt(s2[k]) * a), float(peak[k]),
                                    float(lods[k] / cells[k])))
    return out


def time_series(rows: list[tuple]) -> list[dict]:
    """Cumulative net volume of consecutive epoch pairs: rows (epoch_from, epoch_to, net_m3, net_sigma_m3).

    The first epoch is the reference (0 m³ ± 0); each later epoch adds its pair's net, the
    uncertainties adding in quadrature. Pairs must be consecutive (epoch_to of one = epoch_from
    of the next), else ValidationError naming the gap.
    """
    series: list[dict] = []
    total, var = 0.0, 0.0
    for i, (e1, e2, net, sigma) in enumerate(sorted(rows)):
        if i == 0:
            series.append({"epoch": e1, "cumulative_net_m3": 0.0, "sigma_m3": 0.0})
        elif series[-1]["epoch"] != e1:
            raise ValidationError(f"epoch pairs are not consecutive: {series[-1]['epoch']} then {e1} → {e2}")
        total += net
        var += sigma**2
        series.append({"epoch": e2, "cumulative_net_m3": total, "sigma_m3": float(np.sqrt(var))})
    return series
