"""Scaling exponents per stage of the city benchmark, and the extrapolation to Kielce and a voivodeship.

For every stage measured at ≥ 2 sizes, the exponent b of cost ∝ size^b is the least-squares slope of
log(cost) over log(area) (the LiDAR load: over log(points)), for CPU time (less disturbed than wall
time by the other sessions on the machine), wall time and peak RSS. A stage with b clearly above 1
grows faster than the area: a finding. The extrapolation starts from the largest measured size and
scales by area (the LiDAR load by points: Kielce ≈ 1.3 G points at 12 points/m²) with b = 1 and with
the fitted b.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

KIELCE_KM2 = 110.0
KIELCE_POINTS = 1.3e9
VOIVODESHIP_KM2 = 11_700.0
POINTS_PER_M2 = 12.0


def _by_points(label: str) -> bool:
    return label.startswith("load lidar")


def _size(record: dict[str, Any], label: str) -> float:
    c = record["city"]
    return float(c["counts"]["lidar_points"]) if _by_points(label) else float(c["area_km2"])


def exponents(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Stage label → {cpu, wall, rss: exponent} over the records that measured it (at ≥ 2 sizes)."""
    labels = [s["label"] for s in records[-1]["stages"]]
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        pts = [(_size(r, label), s) for r in records for s in r["stages"] if s["label"] == label and "error" not in s]
        if len({x for x, _ in pts}) < 2:
            continue
        x = np.log([p[0] for p in pts])
        fit = {}
        for key, field in (("cpu", "cpu_s"), ("wall", "wall_s"), ("rss", "peak_rss_mb")):
            y = np.log([max(p[1][field], 1e-3) for p in pts])
            fit[key] = float(np.polyfit(x, y, 1)[0])
        out[label] = fit
    return out


def _fmt_s(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(records: list[dict[str, Any]]) -> str:
    """A Markdown table: per stage, its exponents and the CPU time extrapolated to Kielce and the voivodeship."""
    records = sorted(records, key=lambda r: r["city"]["area_km2"])
    base = records[-1]
    fits = exponents(records)
    area0 = base["city"]["area_km2"]
    pts0 = base["city"]["counts"]["lidar_points"]
    sizes = ", ".join(f"{r['city']['area_km2']:.1f} km²" for r in records)
    lines = [f"sizes: {sizes}; base of the "
             f"extrapolation: {area0:.1f} km², {pts0 / 1e6:.1f} M points ({pts0 / area0 / 1e6:.1f} points/m²)",
             "",
             "| stage | b (CPU) | b (wall) | b (RSS) | CPU at base | Kielce CPU, b=1 / fitted | "
             "voivodeship CPU, b=1 / fitted |",
             "|---|---|---|---|---|---|---|"]
    totals = np.zeros(4)
    for s in base["stages"]:
        label = s["label"]
        if label.startswith("generate") or "(force)" in label:
            continue
        fit = fits.get(label)
        if _by_points(label):
            k_ratio, v_ratio = KIELCE_POINTS / pts0, VOIVODESHIP_KM2 * 1e6 * POINTS_PER_M2 / pts0
        else:
            k_ratio, v_ratio = KIELCE_KM2 / area0, VOIVODESHIP_KM2 / area0
        b = fit["cpu"] if fit else 1.0
        vals = [s["cpu_s"] * k_ratio, s["cpu_s"] * k_ratio**b, s["cpu_s"] * v_ratio, s["cpu_s"] * v_ratio**b]
        totals += vals
        flag = " **> 1**" if fit and fit["cpu"] > 1.2 else ""
        lines.append(f"| {label} | {fit['cpu']:.2f}{flag} | {fit['wall']:.2f} | {fit['rss']:.2f} | "
                     if fit else f"| {label} | — | — | — | ")
        lines[-1] += (f"{s['cpu_s']:.1f} s | {_fmt_s(vals[0])} / {_fmt_s(vals[1])} | "
                      f"{_fmt_s(vals[2])} / {_fmt_s(vals[3])} |")
    cpu0 = sum(s["cpu_s"] for s in base["stages"]
               if not s["label"].startswith("generate") and "(force)" not in s["label"])
    lines.append(f"| **total** | | | | {cpu0:.0f} s | "
                 f"{_fmt_s(totals[0])} / {_fmt_s(totals[1])} | {_fmt_s(totals[2])} / {_fmt_s(totals[3])} |")
    return "\n".join(lines) + "\n" + ("" if math.isfinite(totals.sum()) else "(non-finite totals)\n")
