"""Soak test of `msip serve`: a mixed workload at increasing concurrency, with the server's memory.

Loads and analyses the small sample world (as `make demo` does) into a database of its own
(`msip_bench_soak`, with a private raster store under $MSIP_HOME/bench-soak), serves it with
`msip serve` on loopback and, for each concurrency step, runs that many keep-alive client
threads for a bounded time over a mix of requests: items in a small CRS84 bbox (limit 100), a
single item, an MVT tile, an orthophoto map tile, a coverage subset (GeoTIFF) and a small
synchronous process execution. Reports per step throughput, p50/p95/p99 latency, error rate and
the count of 5xx answers, and the RSS of the server (gunicorn master + workers, from /proc)
sampled every second over the whole run, with its growth over the second half of the run.
Writes benchmarks/results_soak_api.md; drops the database and store at the end.

    .venv/bin/python benchmarks/soak_api.py [--steps 1,4,16,32] [--seconds 30] [--workers 2] [--keep]

Longer than ~300 lines on purpose: a benchmark is one runnable file: data, server, request mix,
memory sampling and report together.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DB = "msip_bench_soak"
RESULTS = HERE / "results_soak_api.md"
sys.path.insert(0, str(ROOT))

#: Share of each request kind in the mix (weights).
MIX = {"items": 30, "item": 25, "mvt": 20, "map_tile": 13, "coverage": 10, "process": 2}
PROCESS_BODY = {"inputs": {"bbox": [614000, 334600, 614400, 335000]}}
#: Authorization for executions (an API key made in set-up; its rate limit above what the mix sends).
AUTH: dict[str, str] = {}


def request_headers(body: bytes | None) -> dict[str, str]:
    """Headers of a request: JSON and the API key for a POST (a process execution), none for a GET."""
    return {"Content-Type": "application/json", **AUTH} if body else {}


# ---- set-up ---------------------------------------------------------------------------------


def setup(store: Path) -> tuple[str, str]:
    """(owner URL, reader URL) of msip_bench_soak holding the analysed small sample world."""
    os.environ["MSIP_DATA_DIR"] = str(store)
    os.environ["MSIP_PROGRESS"] = "0"
    from msip.cli.commands.load_sample import load_sample_world, run_sample_analyses
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import READER_ROLE, Settings, local_url
    from msip.sample_world import generate

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, DB, fresh=True)
    migrate(url)
    from msip.core.access.api_keys import create_key
    from msip.core.db import connect

    with connect(url) as conn:
        AUTH["Authorization"] = "Bearer " + create_key(conn, "soak", ["execute"], rate_per_min=100_000)[0]
    sample = store / "sample" / "small-42"
    generate(sample, size="small", seed=42)
    for _ in load_sample_world(sample, url=url):
        pass
    for _ in run_sample_analyses(sample, url=url):
        pass
    return url, local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DB)


def drop(store: Path) -> None:
    import psycopg
    from psycopg import sql

    from msip.core import cluster
    from msip.core.settings import Settings

    with psycopg.connect(cluster.superuser_url(Settings.from_env()), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))
    shutil.rmtree(store, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(owner: str, reader: str, store: Path, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "MSIP_DATABASE_URL": owner, "MSIP_READER_URL": reader, "MSIP_DATA_DIR": str(store),
           "MSIP_API_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "msip", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"msip serve exited with {proc.returncode}; see {log}")
        try:
            status, _ = get(port, "/health")
            if status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"msip serve did not answer within 90 s; see {log}")


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


# ---- workload -------------------------------------------------------------------------------


def request_paths(port: int, rng: random.Random) -> dict[str, list[tuple[str, str, bytes | None]]]:
    """(method, path, body) lists per request kind, built from the served trees."""
    import morecantile
    from pyproj import Transformer

    status, body = get(port, "/collections/trees/items?limit=2000")
    assert status == 200, body[:200]
    feats = json.loads(body)["features"]
    rng.shuffle(feats)
    wmq = morecantile.tms.get("WebMercatorQuad")
    to_2180 = Transformer.from_crs("OGC:CRS84", "EPSG:2180", always_xy=True)
    out: dict[str, list] = {k: [] for k in MIX}
    for f in feats[:300]:
        lon, lat = f["geometry"]["coordinates"][:2]
        d = 0.0015  # ≈ 100–170 m
        bbox = f"{lon - d:.6f},{lat - d:.6f},{lon + d:.6f},{lat + d:.6f}"
        out["items"].append(("GET", f"/collections/trees/items?bbox={bbox}&limit=100", None))
        out["item"].append(("GET", f"/collections/trees/items/{f['id']}", None))
        t = wmq.tile(lon, lat, 16)
        out["mvt"].append(("GET", f"/collections/trees/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}", None))
        t = wmq.tile(lon, lat, 18)
        out["map_tile"].append(("GET", f"/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}", None))
        e, n = to_2180.transform(lon, lat)
        out["coverage"].append(("GET", f"/collections/orthophoto/coverage?subset=x({e - 12.5:.2f}:{e + 12.5:.2f}),"
                                       f"y({n - 12.5:.2f}:{n + 12.5:.2f})&f=GTiff", None))
    out["process"] = [("POST", "/processes/green-access/execution", json.dumps(PROCESS_BODY).encode())]
    return out


@dataclass
class Sample:
    kind: str
    seconds: float
    status: int  # 0: connection error


@dataclass
class StepResult:
    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    def row(self) -> dict:
        lat = sorted(s.seconds for s in self.samples)
        q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
        bad = [s for s in self.samples if not (200 <= s.status < 300 or s.status == 304)]
        return {
            "clients": self.clients,
            "requests": len(self.samples),
            "rps": len(self.samples) / self.seconds,
            "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "error_rate": len(bad) / max(1, len(self.samples)),
            "errors": len(bad),
            "5xx": sum(1 for s in self.samples if s.status >= 500),
            "by_kind": {k: sum(1 for s in self.samples if s.kind == k) for k in MIX},
            "statuses": sorted({s.status for s in bad}),
        }


def run_step(port: int, paths: dict, clients: int, seconds: float, seed: int) -> StepResult:
    kinds, weights = list(MIX), list(MIX.values())
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    result = StepResult(clients, seconds)

    def worker(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[Sample] = []
        while time.perf_counter() < stop:
            kind = rng.choices(kinds, weights)[0]
            method, path, body = rng.choice(paths[kind])
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=request_headers(body))
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except OSError:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append(Sample(kind, time.perf_counter() - t0, status))
        with lock:
            result.samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    result.seconds = time.perf_counter() - t0
    return result


# ---- memory ---------------------------------------------------------------------------------


def tree_rss_bytes(root_pid: int) -> int:
    """Sum of VmRSS of root_pid and all its descendants (gunicorn master + workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


class RssSampler(threading.Thread):
    """Samples the server's RSS every second until stopped: [(seconds since start, bytes)]."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self._halt = pid, [], threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self._halt.is_set():
            self.samples.append((time.monotonic() - self.t0, tree_rss_bytes(self.pid)))
            self._halt.wait(1.0)

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def mean_mib(self, start_s: float, end_s: float) -> float:
        """Mean RSS (MiB) of the samples taken from `start_s` to `end_s` seconds into the run."""
        return statistics.mean(b for t, b in self.samples if start_s <= t <= end_s) / 2**20

    def growth(self, window_s: float = 60.0) -> tuple[float, float, float]:
        """Mean RSS (MiB) of the first minute, of the minute around the middle of the run and of
        the last minute. Caches and per-thread buffers fill while concurrency rises; a leak
        keeps growing after that, so the middle-to-end growth is the one that tells."""
        end = self.samples[-1][0]
        return (
            self.mean_mib(0, window_s),
            self.mean_mib(end / 2 - window_s / 2, end / 2 + window_s / 2),
            self.mean_mib(end - window_s, end),
        )


# ---- report ---------------------------------------------------------------------------------


def write_results(rows: list[dict], sampler: RssSampler, args, warmup: dict, env: dict) -> str:
    first, middle, last = sampler.growth()
    peak = max(b for _, b in sampler.samples) / 2**20
    minutes = sampler.samples[-1][0] / 60
    mix = ", ".join(f"{k.replace('_', ' ')} {v} %" for k, v in MIX.items())
    lines = [
        "# Soak test of the API: mixed workload at increasing concurrency",
        "",
        "What: `msip serve` over the analysed small sample world (the `make demo` data, in its own database "
        f"`{DB}`), {args.workers} gunicorn worker processes × 4 threads, loopback. Each step runs N keep-alive "
        f"client threads for {args.seconds:g} s over a random mix of requests ({mix}): items in a ≈ 300 m CRS84 "
        "bbox with limit 100, a single tree, an MVT tile (z16), an orthophoto map tile (z18, PNG rendered "
        "from the COGs), an orthophoto coverage subset (25 m × 25 m GeoTIFF) and a synchronous green-access "
        "execution over 0.16 km² (answered `unchanged` after the first run). No client sends If-None-Match, so "
        "nothing is a 304. Generated by `benchmarks/soak_api.py`.",
        "",
        "| clients | requests | req/s | p50 ms | p95 ms | p99 ms | error rate | 5xx |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['clients']} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p99']:.1f} | {100 * r['error_rate']:.2f} % | {r['5xx']} |")
    lines += [
        "",
        f"Server memory (RSS of the gunicorn master and its workers, sampled every second from /proc over the "
        f"whole {minutes:.1f} min run, {len(sampler.samples)} samples): mean of the first minute "
        f"{first:.0f} MiB, of the minute in the middle **{middle:.0f} MiB**, of the last minute "
        f"**{last:.0f} MiB**: growth over the second half **{last - middle:+.0f} MiB "
        f"({100 * (last - middle) / middle:+.1f} %)**, over the whole run {last - first:+.0f} MiB "
        f"(caches filling while concurrency rises); peak {peak:.0f} MiB.",
        "",
        "RSS over the run (MiB, one value per 10 s): "
        + " ".join(f"{b / 2**20:.0f}" for t, b in sampler.samples[::10]),
        "",
        "Requests per kind in each step: "
        + "; ".join(f"{r['clients']} clients: " + ", ".join(f"{k} {n}" for k, n in r["by_kind"].items()) for r in rows),
        "",
        f"Warm-up (not counted): one request of each kind; statuses {warmup}.",
        "",
        "## Conditions",
        "",
        f"- {env['when']}; {env['cpus']} cores, {env['mem']}; load average before the run {env['load_before']}, "
        f"after {env['load_after']} (a load average well above 2 before the run means other jobs shared the "
        "machine; absolute throughput moves with that, the 5xx count and the memory growth are the result).",
        "- Client and server on the same machine: the client threads compete with the server for the 2 cores, "
        "so throughput stops growing beyond a few clients and latency grows with the queue.",
        f"- Command: `.venv/bin/python benchmarks/soak_api.py --steps {args.steps} --seconds {args.seconds:g} "
        f"--workers {args.workers}`.",
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    return text


def environment() -> dict:
    mem = next((ln.split(":")[1].strip() for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "?")
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
            "mem": f"{int(mem.split()[0]) / 2**20:.0f} GiB RAM" if mem != "?" else "?",
            "load_before": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", default="1,4,16,32", help="client threads per step, comma-separated")
    ap.add_argument("--seconds", type=float, default=30.0, help="duration of each step")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    ap.add_argument("--keep", action="store_true", help="keep the database and raster store afterwards")
    args = ap.parse_args()
    steps = [int(s) for s in args.steps.split(",")]

    from msip.core.settings import Settings

    store = Settings.from_env().home / "bench-soak"
    env = environment()
    print(f"loading the sample world into {DB} …", flush=True)
    owner, reader = setup(store)
    proc, port = start_server(owner, reader, store, args.workers, Path("/tmp/msip-soak-serve.log"))
    try:
        paths = request_paths(port, random.Random(42))
        warmup = {}
        for kind, items in paths.items():
            method, path, body = items[0]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            conn.request(method, path, body=body, headers=request_headers(body))
            warmup[kind] = conn.getresponse().status
        print(f"warm-up statuses: {warmup}", flush=True)
        sampler = RssSampler(proc.pid)
        sampler.start()
        rows = []
        for i, clients in enumerate(steps):
            r = run_step(port, paths, clients, args.seconds, seed=i).row()
            rows.append(r)
            print(f"{clients:>3} clients: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
                  f"p99 {r['p99']:.1f} ms, errors {r['errors']} ({r['statuses']}), 5xx {r['5xx']}", flush=True)
        sampler.stop()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    env["load_after"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(write_results(rows, sampler, args, warmup, env))
    if not args.keep:
        drop(store)
    if any(r["5xx"] for r in rows):
        raise SystemExit("the server answered 5xx; see the table above and the server log")


if __name__ == "__main__":
    main()
