"""A whole-city run, measured (issue #17): stitched districts → fresh database → every load and analysis → API.

    python -m benchmarks.city --districts 1            # 4.8 km²; --districts 21 ≈ 100 km² (Kielce-sized)
    python -m benchmarks.city --districts 1 --dask-compare 1,2   # + Dask analyses on a LocalCluster of 1, 2 workers
    python -m benchmarks.city --fit .msip/bench/city-*.json      # exponents per stage and the extrapolation

Districts are `msip sample --size district` worlds (2.0 × 2.4 km; generated once per seed under
$MSIP_HOME/bench/src, reused while the generator's stamp matches), stitched side by side by
`benchmarks.city.stitch` (one epoch, translated copies cycling through `--seeds`). LiDAR density is
the generator's (4 pulses/m², ≈ 5 points/m² with crown returns), thinned with `--lidar-keep`; the
orthophoto is the generator's 0.25 m RGBN, averaged to `--ortho-pixel-m`. Every stage runs in a forked
child (`benchmarks.city.measure`): wall, CPU (user + sys incl. children and Dask workers), peak RSS
(summed over the process tree) and the load average. Writes `$MSIP_HOME/bench/city-<tag>.json` and
prints a Markdown table. It resets the database of MSIP_HOME's local cluster: use a MSIP_HOME of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.city.measure import measure

ROOT = Path(__file__).resolve().parents[2]
DISTRICT_EPOCH = "2025-06-15"
#: The Dask-using analyses re-run (force) on each cluster size by --dask-compare.
DASK_ANALYSES = ("heat-island", "green-access", "living-conditions")


def _home() -> Path:
    return Path(os.environ.get("MSIP_HOME", ROOT / ".msip")).resolve()


def generate_source(seed: int, size: str = "district") -> dict[str, Any]:
    """The world of `size` and `seed` under $MSIP_HOME/bench/src (reused while the generator stamp matches)."""
    from msip.cli.commands.demo import STAMP_NAME, _stamp_matches, generator_stamp
    from msip.sample_world import generate

    out = _home() / f"bench/src/{size}-{seed}"
    stamp = generator_stamp(size, seed)
    if _stamp_matches(out, stamp):
        return {"reused": str(out)}
    generate(out, size=size, seed=seed)
    (out / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    return {"generated": str(out)}


def fresh_database() -> dict[str, Any]:
    """Start the local cluster, drop and recreate its database, migrate, empty the raster store."""
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import get_settings

    s = get_settings()
    db_name = os.environ.get("MSIP_CITYBENCH_DB")
    if db_name:  # a second database of the running cluster (--database)
        cluster.bootstrap(s, db_name, fresh=True)
    else:
        cluster.start(s)
        cluster.bootstrap(s, fresh=True)
    migrate(s.database_url)
    shutil.rmtree(s.data_dir / "rasters", ignore_errors=True)
    return {"database": s.database_url.split("@")[-1]}


def postmaster() -> psutil.Process:
    """The local cluster's server process (first line of postmaster.pid)."""
    from msip.core.settings import get_settings

    return psutil.Process(int((get_settings().pg_data / "postmaster.pid").read_text().split()[0]))


def _load_step(step: Any) -> Any:
    """A load plan step; the LiDAR load without its COPC (measured as a stage of its own, `_copc`)."""
    from msip.cli.commands.load_sample import _loaders

    def run() -> list[str]:
        if step.loader == "lidar":
            from pipelines import lidar

            result = lidar.load_lidar(list(step.paths), epoch=step.epoch, copc=False)
        else:
            result = _loaders()[step.loader](step.paths, step.epoch, None)
        reports = result if isinstance(result, list | tuple) else [result]
        return [r.summary()[:300] for r in reports][:3]

    return run


def _copc(epoch: str) -> Any:
    """The epoch's COPC from the stored points (read back from pgpointcloud: the load kept none here).

    It holds every point of the epoch in memory (≈ 25 bytes each, and a sorted copy), so
    `--copc` is for the sizes that fit; RESULTS.md gives the memory per point.
    """
    def run() -> str:
        from datetime import date

        from pipelines.pointcloud.publish import publish_epoch_copc

        return str(publish_epoch_copc(date.fromisoformat(epoch)).summary())[:300]

    return run


def _analysis(name: str, *, force: bool = False) -> Any:
    def run() -> str:
        from processing.advertising.analysis import ANALYSIS as AD
        from processing.green_access.analysis import ANALYSIS as GREEN
        from processing.heat.analysis import ANALYSIS as HEAT
        from processing.living.analysis import ANALYSIS as LIVING

        by_name = {a.name: a for a in (AD, HEAT, GREEN, LIVING)}
        return str(by_name[name].run_values({}, force=force).summary())[:300]

    return run


def _ad_rules(city: Path) -> Any:
    def run() -> str:
        from pipelines.ad_rules.load import load_ad_rules

        return str(load_ad_rules(city / "ads/zasady_reklamowe.yaml").summary())[:300]

    return run


def _warm_imports() -> None:
    """Import the loaders, analyses and API once in the parent, so a stage's figures exclude import time."""
    import msip.api
    import msip.cli.commands.load_sample  # noqa: F401
    import pipelines.ad_rules.load  # noqa: F401
    import processing.advertising.analysis
    import processing.green_access.analysis
    import processing.heat.analysis
    import processing.living.analysis  # noqa: F401
    from msip.cli.commands.load_sample import _loaders

    _loaders()


def start_cluster(workers: int) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """A distributed LocalCluster of `workers` single-threaded worker processes in a child process;
    sets MSIP_DASK_SCHEDULER to its address. Returns the child and its process tree (for measuring)."""
    code = ("import time; from distributed import LocalCluster; "
            f"c = LocalCluster(n_workers={workers}, threads_per_worker=1, processes=True, dashboard_address=None); "
            "print(c.scheduler_address, flush=True); time.sleep(86400)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    os.environ["MSIP_DASK_SCHEDULER"] = address
    time.sleep(2)
    root = psutil.Process(proc.pid)
    return proc, [root, *root.children(recursive=True)]


def stop_cluster(proc: subprocess.Popen[str]) -> None:
    os.environ.pop("MSIP_DASK_SCHEDULER", None)
    proc.terminate()
    proc.wait(30)


def run_city(args: argparse.Namespace) -> dict[str, Any]:
    """Every stage of one city size; returns the record written as JSON."""
    from benchmarks.city.api import api_requests
    from benchmarks.city.stitch import stitch
    from msip.sample_world.load import load_plan

    seeds = [int(s) for s in args.seeds.split(",")]
    city = _home() / f"bench/city-{args.districts}{args.tag}"
    stages = [measure(f"generate {args.source_size} seed {s}", lambda s=s: generate_source(s, args.source_size))
              for s in seeds]
    sources = [_home() / f"bench/src/{args.source_size}-{s}" for s in seeds]
    stages.append(measure("stitch", lambda: {k: v for k, v in stitch(
        sources, args.districts, city, epoch=args.epoch, ortho_pixel_m=args.ortho_pixel_m,
        lidar_keep=args.lidar_keep).items() if k != "files"}))
    info = stages[-1].get("result", {})
    _warm_imports()
    cluster_proc, extra = start_cluster(args.dask_workers) if args.dask_workers else (None, [])
    stages.append(measure("fresh database", fresh_database))
    db = postmaster()
    for step in load_plan(city).steps:
        stages.append(measure(f"load {step.label}", _load_step(step), extra, db))
        if step.loader == "lidar" and args.copc:
            stages.append(measure(f"COPC {args.epoch}", _copc(args.epoch), extra, db))
    stages.append(measure("load advertising rules", _ad_rules(city), extra, db))
    for name in ("ad-compliance", *DASK_ANALYSES):
        stages.append(measure(f"analysis {name}", _analysis(name), extra, db))
    api = lambda: api_requests(info.get("extent"), info.get("district_m"))  # noqa: E731
    stages.append(measure("API requests", api, extra, db))
    if cluster_proc is not None:
        stop_cluster(cluster_proc)
    for workers in args.dask_compare:
        proc, extra = start_cluster(workers) if workers else (None, [])
        for name in DASK_ANALYSES:
            stages.append(measure(f"analysis {name} (force) on {workers or 'local'} "
                                  f"{'workers' if workers else 'processes'}", _analysis(name, force=True), extra, db))
        if proc is not None:
            stop_cluster(proc)
    return {"districts": args.districts, "source_size": args.source_size, "seeds": seeds, "epoch": args.epoch,
            "dask_workers": args.dask_workers, "copc": args.copc,
            "ortho_pixel_m": args.ortho_pixel_m, "lidar_keep": args.lidar_keep, "city": info,
            "cpu_count": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M"), "stages": stages}


def table(record: dict[str, Any]) -> str:
    """The record's stages as a Markdown table."""
    lines = ["| stage | wall s | CPU s | DB CPU s | peak RSS MB | load avg (start → end) |",
             "|---|---|---|---|---|---|"]
    for s in record["stages"]:
        err = f" **failed: {s['error'][:120]}**" if "error" in s else ""
        lines.append(f"| {s['label']}{err} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} | {s.get('db_cpu_s', 0):.1f} | "
                     f"{s['peak_rss_mb']:.0f} | {s['load_1min'][0]} → {s['load_1min'][1]} |")
    return "\n".join(lines)


def _use_database(name: str) -> None:
    """Point the loaders, analyses and API at database `name` of the local cluster and a raster store of its own."""
    from msip.core.settings import local_url

    home = _home()
    port = int(os.environ.get("MSIP_PG_PORT", "55432"))
    os.environ["MSIP_CITYBENCH_DB"] = name
    os.environ["MSIP_DATABASE_URL"] = local_url(home / "run", port, "msip_owner", name)
    os.environ["MSIP_READER_URL"] = local_url(home / "run", port, "msip_reader", name)
    os.environ["MSIP_DATA_DIR"] = str(home / f"data-{name}")


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.city", description=__doc__.splitlines()[0])
    p.add_argument("--districts", type=int, default=1, help="districts of 4.8 km² (21 ≈ 100 km²)")
    p.add_argument("--source-size", default="district", help="world stitched (small: 0.16 km², for quick checks)")
    p.add_argument("--seeds", default="42", help="comma-separated district seeds, cycled over the copies")
    p.add_argument("--epoch", default=DISTRICT_EPOCH, help="the one epoch loaded")
    p.add_argument("--ortho-pixel-m", type=float, default=0.25, help="orthophoto pixel (generated 0.25 m, averaged)")
    p.add_argument("--lidar-keep", type=float, default=1.0, help="fraction of the generated LiDAR points kept")
    p.add_argument("--copc", action="store_true", help="also write the epoch's COPC (a stage of its own; it "
                   "holds every point in memory, so only for sizes that fit)")
    p.add_argument("--dask-workers", type=int, default=0, help="run on a LocalCluster of N workers (0: local)")
    p.add_argument("--dask-compare", type=lambda t: [int(x) for x in t.split(",")], default=[],
                   help="then re-run the Dask analyses (force) on clusters of these sizes (0: local processes)")
    p.add_argument("--database", default="", help="use this database of the running local cluster (and a raster "
                   "store of its own) instead of resetting the default one")
    p.add_argument("--tag", default="", help="suffix of the JSON file name")
    p.add_argument("--fit", nargs="+", type=Path, help="fit exponents and extrapolate from these JSON records")
    args = p.parse_args()
    if args.database:
        _use_database(args.database)
    if args.fit:
        from benchmarks.city.fit import report

        print(report([json.loads(f.read_text()) for f in args.fit]))
        return
    record = run_city(args)
    out = _home() / f"bench/city-{args.districts}{args.tag}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    c = record["city"]
    points = c.get("counts", {}).get("lidar_points", 0)
    dask = f"LocalCluster of {args.dask_workers}" if args.dask_workers else "local processes"
    print(f"city: {args.districts} district(s), {c.get('area_km2', 0):.1f} km², seeds {record['seeds']}, "
          f"epoch {args.epoch}, orthophoto {args.ortho_pixel_m} m, LiDAR {points:,} points "
          f"(keep {args.lidar_keep}), Dask {dask}")
    print(table(record))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
