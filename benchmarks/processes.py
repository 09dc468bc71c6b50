"""Benchmarks of the analysis processes (issue 7): heat-island, and green-access / change when present.

Runs each benchmark script as its own process (so their peak memory does not add up), echoes
its output, and writes benchmarks/results_processes.md: the heat-island tables (InVEST vs MSIP
model on the same inputs, and the whole MSIP process) and the tail of every other benchmark's
output. Targets: heat ≥ 2× faster than InVEST at equal results; green-access ≥ 1 000 buildings/s.

    .venv/bin/python benchmarks/processes.py [--km 5] [--workers 2] [--only heat,green,change]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results_processes.md"
#: name → (script, extra arguments builder)
BENCHMARKS = {
    "heat": ("process_heat.py", lambda a: ["--km", str(a.km), "--workers", str(a.workers)]),
    "green": ("process_green_access.py", lambda a: ["--workers", str(a.workers)]),
    "change": ("process_change.py", lambda a: ["--km", str(a.km), "--workers", str(a.workers)]),
}


def run_script(script: Path, args: list[str]) -> tuple[int, str, float]:
    """(exit code, combined output, wall seconds) of one benchmark script; output echoed live."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if " INFO " in line or " DEBUG " in line:  # InVEST's logging
            continue
        print(f"    {line}", end="", flush=True)
        lines.append(line)
    return proc.wait(), "".join(lines), time.perf_counter() - started


def heat_markdown(result: dict, km: int) -> str:
    """The heat-island section of results_processes.md from process_heat.py's RESULT line."""
    out = [f"## heat-island ({km * km} km² at 5 m, {km * 200} × {km * 200} = {(km * 200) ** 2:,} cells)", ""]
    model = result.get("model")
    if model:
        inv = model["invest"]
        out += ["### Model: natcap.invest 3.20.2 vs MSIP on the same input files, timed alike (raster I/O included)",
                "",
                "| run | wall s | peak RSS MiB | × faster than InVEST "
                "| max abs Δ CC | Δ HM | Δ T_air (mixed) °C |",
                "|---|---:|---:|---:|---:|---:|---:|",
                f"| InVEST `urban_cooling_model.execute` (reads inputs, writes rasters) | {inv['seconds']:.2f} "
                f"| {inv['peak_rss_mib']:.0f} | 1.0 | – | – | – |"]
        for kind, label in (("msip", "MSIP `run_msip_files` (reads the same inputs, writes its rasters), one process"),
                            ("msip-dask", "MSIP, the same with the FFT windows on Dask local processes"),
                            ("msip-model", "MSIP model only, on arrays (no I/O; not comparable with the rows above)")):
            r = model.get(kind)
            if r is None:
                continue
            d = r["max_abs_diff"]
            out.append(f"| {label} | {r['seconds']:.2f} | {r['peak_rss_mib']:.0f} | {r['ratio']:.1f} | "
                       f"{d['cc']:.1e} | {d['hm']:.1e} | {d['t_air']:.1e} |")
        same = model["msip-dask"].get("identical_to_in_process")
        out += ["", f"Dask run bit-identical to the in-process run: {same}.", ""]
    proc = result.get("process")
    if proc:
        out += ["### Whole MSIP process (`run_heat_island`, force) on MSIP layers", "",
                "| km² | model cells | buildings | green spaces | zones | wall s | km²/s | peak RSS MiB (sum) |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|",
                (f"| {proc['km2']} | {proc['cells']:,} | {proc['buildings']} | {proc['green_spaces']} | "
                 f"{proc['zones']} | {proc['seconds']:.1f} | {proc['km2'] / proc['seconds']:.2f} | "
                 f"{proc['peak_rss_mib']:.0f} |"), ""]
    out += [(
        "Notes: InVEST and the MSIP file runs are timed alike, raster I/O included: the same input GeoTIFFs and "
        "CSV are written before the clock starts; InVEST's `execute` and MSIP's `run_msip_files` each read them and "
        "write their rasters (tiled LZW GeoTIFF). Each runs in its own process; peak RSS is summed over the "
        "process and its workers (psutil, 0.2 s). InVEST's `T_air` is float32, hence ~1e-5 °C. On the Dask row "
        "most of the "
        "time is starting the local process pool for each of the three convolutions; the windows themselves are "
        "the same as in one process. The whole-process row reads CHM, nDSM, brightness and NDVI as 0.5 m COG "
        "tiles (a real orthophoto's brightness/NDVI are 0.25 m: 4× those pixels) and includes reading the "
        "register, the input blocks, the model, two COGs, hot spots and the per-building/zone/cell rows."), ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--km", type=int, default=5, help="side of the square area, km (5 → 25 km²)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="heat,green,change", help="comma-separated subset of heat,green,change")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    sections = [
        "# Benchmark results: analysis processes (issue 7)", "",
        (f"Command: `.venv/bin/python benchmarks/processes.py --km {args.km} --workers {args.workers}` — "
         f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores shared with other users, "
         f"Python {platform.python_version()}."), "",
    ]
    for name in args.only.split(","):
        script, extra = BENCHMARKS[name]
        path = HERE / script
        if not path.exists():
            print(f"{name}: {script} not present, skipped")
            sections += [f"## {name}", "", f"`benchmarks/{script}` is not present; skipped.", ""]
            continue
        print(f"{name}: {script} {' '.join(extra(args))}", flush=True)
        code, output, wall = run_script(path, extra(args))
        if name == "heat" and code == 0:
            result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
            sections.append(heat_markdown(result, args.km))
            continue
        tail = "\n".join(output.strip().splitlines()[-15:])
        sections += [f"## {name} (`benchmarks/{script}`, exit {code}, {wall:.0f} s)", "", "```", tail, "```", ""]
    args.results.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print(f"written {args.results}")


if __name__ == "__main__":
    main()
