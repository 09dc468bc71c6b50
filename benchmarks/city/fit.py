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


def _cpu(stage: dict[str, Any]) -> float:
    """CPU seconds of a stage: its process tree, Dask workers and the database server."""
    return float(stage["cpu_s"]) + float(stage.get("db_cpu_s", 0.0))


def exponents(records: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Stage label → exponents over the records (one world kind, ≥ 2 sizes): `cpu`, `wall`, `rss` fitted
    over every size, `cpu_last` between the two largest sizes (where fixed costs weigh least)."""
    records = sorted(records, key=lambda r: r["city"]["area_km2"])
    out: dict[str, dict[str, float]] = {}
    for label in [s["label"] for s in records[-1]["stages"]]:
        pts = [(_size(r, label), s) for r in records for s in r["stages"] if s["label"] == label and "error" not in s]
        if len({x for x, _ in pts}) < 2:
            continue
        x = np.log([p[0] for p in pts])
        fit = {}
        for key, get in (("cpu", _cpu), ("wall", lambda s: s["wall_s"]), ("rss", lambda s: s["peak_rss_mb"])):
            y = np.log([max(get(p[1]), 1e-2) for p in pts])
            fit[key] = float(np.polyfit(x, y, 1)[0])
        (x0, s0), (x1, s1) = pts[-2], pts[-1]
        fit["cpu_last"] = math.log(max(_cpu(s1), 1e-2) / max(_cpu(s0), 1e-2)) / math.log(x1 / x0)
        out[label] = fit
    return out


def _fmt_s(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(records: list[dict[str, Any]]) -> str:
    """Markdown: per world kind the exponents per stage; the CPU time extrapolated from the largest run of
    the district world (else the largest run) to Kielce and the voivodeship, linearly (b = 1) and with
    the exponent between the two largest sizes where that is above 1."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r.get("source_size", "district"), []).append(r)
    fits = {kind: exponents(rs) for kind, rs in groups.items()}
    base = max(groups.get("district") or records, key=lambda r: r["city"]["area_km2"])
    area0 = base["city"]["area_km2"]
    pts0 = base["city"]["counts"]["lidar_points"]
    kinds = sorted(fits)
    sizes = "; ".join(f"{k}: " + ", ".join(f"{r['city']['area_km2']:.2f}" for r in
                                          sorted(groups[k], key=lambda r: r["city"]["area_km2"])) + " km²"
                      for k in kinds)
    lines = [f"sizes: {sizes}. Base of the extrapolation: {base.get('source_size', 'district')} × "
             f"{base['districts']}, {area0:.1f} km², {pts0 / 1e6:.1f} M points ({pts0 / area0 / 1e6:.1f} points/m²)",
             "",
             "| stage | " + " | ".join(f"b {k} (CPU all / last two; wall; RSS)" for k in kinds) +
             " | CPU at base | Kielce CPU, b=1 / b>1 | voivodeship CPU, b=1 / b>1 |",
             "|---|" + "---|" * len(kinds) + "---|---|---|"]
    totals = np.zeros(4)
    for s in base["stages"]:
        label = s["label"]
        if label.startswith("generate") or "(force)" in label:
            continue
        if _by_points(label):
            k_ratio, v_ratio = KIELCE_POINTS / pts0, VOIVODESHIP_KM2 * 1e6 * POINTS_PER_M2 / pts0
        else:
            k_ratio, v_ratio = KIELCE_KM2 / area0, VOIVODESHIP_KM2 / area0
        bs = [fits[k][label]["cpu_last"] for k in kinds if label in fits[k]]
        b = max([1.0, *bs])
        cpu = _cpu(s)
        vals = [cpu * k_ratio, cpu * k_ratio**b, cpu * v_ratio, cpu * v_ratio**b]
        totals += vals
        cells = []
        for k in kinds:
            f = fits[k].get(label)
            flag = " **>1**" if f and f["cpu_last"] > 1.15 and f["cpu"] > 1.15 else ""
            cells.append(f"{f['cpu']:.2f} / {f['cpu_last']:.2f}{flag}; {f['wall']:.2f}; {f['rss']:.2f}" if f else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {cpu:.1f} s | {_fmt_s(vals[0])} / {_fmt_s(vals[1])} | "
                     f"{_fmt_s(vals[2])} / {_fmt_s(vals[3])} |")
    cpu0 = sum(_cpu(s) for s in base["stages"] if not s["label"].startswith("generate") and "(force)" not in s["label"])
    lines.append("| **total** | " + " | " * len(kinds) + f"{cpu0:.0f} s | {_fmt_s(totals[0])} / {_fmt_s(totals[1])} | "
                 f"{_fmt_s(totals[2])} / {_fmt_s(totals[3])} |")
    return "\n".join(lines) + "\n"
