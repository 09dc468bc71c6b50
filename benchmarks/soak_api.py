"""Hostile soak test of `msip serve`: a mixed workload with every request under a deadline, and the server's memory.

Loads and analyses the small sample world (as `make demo` does) into a database of its own
(`msip_bench_soak`, with a private raster store under $MSIP_HOME/bench-soak), serves it with
`msip serve` on loopback and, for each concurrency step, runs that many keep-alive client
threads for a bounded time over a mix of requests (MIX, KINDS): items, single items, MVT and map
tiles, coverage subsets, full-extent GeoTIFFs of every coverage, large CoverageJSON, deep pages
near the end of the biggest collections, bad CRSs (4xx expected) and synchronous process runs.
Every request waits at most --timeout seconds (default 20). Counts what was answered as designed
(a 413 over the coverage limits and a 4xx for a bad CRS included), the 503s the API documents
(raster deadline, database timeout/outage, synchronous run timeout) apart, and as failures any
other 5xx, timeout, dropped connection or unexpected status; samples the RSS of the server
(gunicorn master + workers, from /proc) every second. When executions answer 401 it makes an API
key with `msip api-key create`. Writes benchmarks/results_soak_api.md; drops the database and
store at the end (unless --keep); exits non-zero on any failure.

    .venv/bin/python benchmarks/soak_api.py [--steps 32] [--seconds 300] [--workers 2] [--timeout 20]
                                            [--keep] [--reuse]

Longer than ~300 lines on purpose: a benchmark is one runnable file: data, server, request mix,
memory sampling and report together.
"""

from __future__ import annotations

import argparse
import collections
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

#: Share of each request kind in the mix (weights, summing to 100).
MIX = {
    "items": 26, "item": 15, "mvt": 12, "map_tile": 10, "coverage": 8, "coverage_full": 4,
    "coveragejson": 4, "deep_page": 8, "bad_crs": 10, "process": 3,
}
#: What each kind is, for the report.
KINDS = {
    "items": "items in a ≈ 300 m CRS84 bbox, limit 100",
    "item": "one tree by id",
    "mvt": "an MVT tile of trees (z16)",
    "map_tile": "an orthophoto map tile (z18, PNG from the COGs)",
    "coverage": "an orthophoto coverage subset (25 m × 25 m GeoTIFF)",
    "coverage_full": "the full extent of a coverage as GeoTIFF, every coverage in turn",
    "coveragejson": "large CoverageJSON: the full extent, and a 200 m × 200 m window, of every coverage",
    "deep_page": "deep paging: limit 100 at an offset 50–150 before the end of every collection "
                 "holding ≥ 400 features",
    "bad_crs": "bad CRSs (an unknown EPSG code, a malformed name) in crs and bbox-crs of items and "
               "bbox-crs of coverages (4xx expected)",
    "process": "a synchronous execution (with an API key, scope execute) of the example inputs of "
               "green-access, heat-island, living-conditions or change",
}
#: Statuses that answer a kind as designed (413: a coverage over the documented size limits).
EXPECTED = {k: {200} for k in MIX} | {
    "coverage": {200, 413}, "coverage_full": {200, 413}, "coveragejson": {200, 413},
    "bad_crs": {400, 404, 406, 413, 422},
}
#: Example inputs of the processes run synchronously (answered `unchanged` once computed).
PROCESSES = {
    "green-access": {"bbox": [614000, 334600, 614400, 335000]},
    "heat-island": {"mode": "day", "bbox": [614000, 334600, 614400, 335000], "cell_size_m": 5},
    "living-conditions": {"bbox": [614000, 334600, 614400, 335000], "cell_m": 100, "grid_epsg": 2180},
    "change": {"epoch_from": "2024-06-15", "epoch_to": "2025-06-15", "bbox": [614000, 334600, 614400, 335000]},
}
#: The 503s the API documents (README, docs/operations.md), told apart by their message.
DOCUMENTED_503 = {
    "raster read deadline": ("deadline", "raster"),
    "database query timeout": ("narrow", "took longer", "statement"),
    "database unavailable": ("database is unavailable",),
    "synchronous run timeout": ("respond-async",),
}
#: Authorization for executions: an API key, made when the server asks for one (401).
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


def get_json(port: int, path: str) -> dict:
    status, body = get(port, path)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: {body[:200]!r}")
    return json.loads(body)


COVERAGE_REL = "http://www.opengis.net/def/rel/ogc/1.0/coverage"
BAD_CRS = "http://www.opengis.net/def/crs/EPSG/0/99999"


def request_paths(port: int, rng: random.Random) -> dict[str, list[tuple[str, str, bytes | None]]]:
    """(method, path, body) lists per request kind, built from the served collections and trees."""
    import morecantile
    from pyproj import Transformer

    feats = get_json(port, "/collections/trees/items?limit=2000")["features"]
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
    colls = get_json(port, "/collections?f=json")["collections"]
    coverages = [c["id"] for c in colls if any(ln.get("rel") == COVERAGE_REL for ln in c.get("links", []))]
    if not coverages:
        raise SystemExit("the API lists no coverage collection (no link rel=coverage in /collections)")
    for cid in coverages:
        out["coverage_full"].append(("GET", f"/collections/{cid}/coverage?f=GTiff", None))
        out["coveragejson"].append(("GET", f"/collections/{cid}/coverage?f=json", None))
        x0, y0, x1, y1 = get_json(port, f"/collections/{cid}?f=json")["extent"]["spatial"]["bbox"][0][:4]
        e, n = to_2180.transform((x0 + x1) / 2, (y0 + y1) / 2)
        out["coveragejson"].append(("GET", f"/collections/{cid}/coverage?subset=x({e - 100:.2f}:{e + 100:.2f}),"
                                           f"y({n - 100:.2f}:{n + 100:.2f})&f=json", None))
        out["bad_crs"] += [
            ("GET", f"/collections/{cid}/coverage?bbox={x0},{y0},{x1},{y1}&bbox-crs={BAD_CRS}&f=GTiff", None),
            ("GET", f"/collections/{cid}/coverage?bbox=1,2,3,4&bbox-crs=not-a-crs&f=GTiff", None),
        ]
    for c in colls:
        if c["id"] in coverages or c.get("itemType") != "feature":
            continue
        matched = get_json(port, f"/collections/{c['id']}/items?limit=1&f=json").get("numberMatched") or 0
        if matched >= 400:
            out["deep_page"] += [("GET", f"/collections/{c['id']}/items?limit=100&offset={matched - back}&f=json",
                                  None) for back in (50, 100, 150)]
        out["bad_crs"] += [
            ("GET", f"/collections/{c['id']}/items?crs={BAD_CRS}&limit=10", None),
            ("GET", f"/collections/{c['id']}/items?crs=EPSG:2180xyz&limit=10", None),
            ("GET", f"/collections/{c['id']}/items?bbox=614000,334000,615000,335000&bbox-crs={BAD_CRS}", None),
            ("GET", f"/collections/{c['id']}/items?bbox=1,2,3,4&bbox-crs=not-a-crs", None),
        ]
    out["process"] = [("POST", f"/processes/{pid}/execution", json.dumps({"inputs": inputs}).encode())
                      for pid, inputs in PROCESSES.items()]
    return out


def create_api_key(owner: str) -> str:
    """A fresh API key (scope execute, a rate limit above what the mix sends), made as README says."""
    import re

    env = {**os.environ, "MSIP_DATABASE_URL": owner}
    result = subprocess.run(
        [sys.executable, "-m", "msip", "api-key", "create", f"soak-{os.getpid()}", "--scope", "execute",
         "--rate-per-min", "100000"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    key = re.search(r"msip_[A-Za-z0-9_-]{16,}", result.stdout)
    if result.returncode != 0 or key is None:
        raise SystemExit(f"executions need an API key, and `msip api-key create` failed: "
                         f"{(result.stderr or result.stdout).strip()[:300]}")
    return key.group(0)


@dataclass
class Sample:
    kind: str
    seconds: float
    status: int  # 0: connection error, -1: no answer within the client's timeout
    reason: str = ""  # a 503's documented cause, or its message when undocumented


def classify_503(body: bytes) -> str:
    """The documented cause of a 503 (DOCUMENTED_503), or 'undocumented: <message>'."""
    try:
        text = str(json.loads(body).get("description", ""))
    except (ValueError, AttributeError):
        text = body[:200].decode(errors="replace")
    for cause, needles in DOCUMENTED_503.items():
        if any(n in text for n in needles):
            return cause
    return f"undocumented: {text[:120]}"


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100)[q - 1] * 1000


@dataclass
class StepResult:
    clients: int
    seconds: float
    samples: list[Sample] = field(default_factory=list)

    def outcome(self, s: Sample) -> str:
        """expected | documented 503 | other 5xx | timeout | connection error | unexpected status."""
        if s.status in EXPECTED[s.kind]:
            return "expected"
        if s.status == 503 and not s.reason.startswith("undocumented"):
            return "documented 503"
        if s.status >= 500:
            return "other 5xx"
        return {-1: "timeout", 0: "connection error"}.get(s.status, "unexpected status")

    def row(self) -> dict:
        lat = sorted(s.seconds for s in self.samples)
        outcomes = [self.outcome(s) for s in self.samples]
        per_kind = {}
        for k in MIX:
            mine = [s for s in self.samples if s.kind == k]
            secs = sorted(s.seconds for s in mine)
            per_kind[k] = {
                "n": len(mine), "p50": pct(secs, 50), "p99": pct(secs, 99), "max": secs[-1] * 1000 if secs else 0.0,
                "statuses": dict(sorted(collections.Counter(s.status for s in mine).items())),
            }
        return {
            "clients": self.clients,
            "requests": len(self.samples),
            "rps": len(self.samples) / self.seconds,
            "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "max": lat[-1] * 1000 if lat else 0.0,
            "outcomes": dict(collections.Counter(outcomes)),
            "5xx": sum(1 for o in outcomes if o == "other 5xx"),
            "doc503": dict(collections.Counter(s.reason for s, o in zip(self.samples, outcomes, strict=True)
                                               if o == "documented 503")),
            "failures": sum(1 for o in outcomes if o not in ("expected", "documented 503")),
            "unexpected": sorted({(s.kind, s.status, s.reason) for s, o in zip(self.samples, outcomes, strict=True)
                                  if o not in ("expected", "documented 503")})[:20],
            "by_kind": per_kind,
        }


def run_step(port: int, paths: dict, clients: int, seconds: float, seed: int, timeout_s: float) -> StepResult:
    """`clients` keep-alive threads sending the mix for `seconds`; each request waits at most timeout_s."""
    kinds, weights = list(MIX), list(MIX.values())
    stop = time.perf_counter() + seconds
    lock = threading.Lock()
    result = StepResult(clients, seconds)

    def worker(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
        mine: list[Sample] = []
        while time.perf_counter() < stop:
            kind = rng.choices(kinds, weights)[0]
            method, path, body = rng.choice(paths[kind])
            t0 = time.perf_counter()
            reason = ""
            try:
                conn.request(method, path, body=body, headers=request_headers(body))
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                if status == 503 or status >= 500:
                    reason = classify_503(data) if status == 503 else data[:120].decode(errors="replace")
            except TimeoutError:
                status = -1
            except OSError:
                status = 0
            if status <= 0:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
            mine.append(Sample(kind, time.perf_counter() - t0, status, reason))
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
        self.pid, self._halt = pid, threading.Event()
        self.samples: list[tuple[float, int]] = []
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


def write_results(rows: list[dict], sampler: RssSampler, args, warmup: dict, env: dict, paths: dict) -> str:
    first, middle, last = sampler.growth()
    peak = max(b for _, b in sampler.samples) / 2**20
    minutes = sampler.samples[-1][0] / 60
    lines = [
        "# Soak test of the API: a hostile mixed workload",
        "",
        "What: `msip serve` over the analysed small sample world (the `make demo` data, in its own database "
        f"`{DB}`), {args.workers} gunicorn worker processes × 4 threads, loopback. Each step runs N keep-alive "
        f"client threads for {args.seconds:g} s over a random mix of requests; every request waits at most "
        f"**{args.timeout:g} s** (the client's timeout: a request not answered by then counts as a failure). "
        "No client sends If-None-Match, so nothing is a 304. Generated by `benchmarks/soak_api.py`.",
        "",
        "## Request mix",
        "",
        "| kind | share | what | distinct requests | answered as designed |",
        "|---|---:|---|---:|---|",
    ]
    for k, w in MIX.items():
        lines.append(f"| {k} | {w} % | {KINDS[k]} | {len(paths[k])} | "
                     f"{', '.join(str(c) for c in sorted(EXPECTED[k]))} |")
    lines += [
        "",
        "Statuses 413 (a coverage above the documented size limits) and 4xx for a bad CRS count as answered. "
        "503s that the API documents (raster read deadline, database query timeout or outage, synchronous "
        "run timeout) are counted separately; every other 5xx, a timeout or a dropped connection is a failure.",
        "",
        "## Results",
        "",
        "| clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures | other 5xx | documented 503 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        doc = sum(r["doc503"].values())
        lines.append(f"| {r['clients']} | {r['requests']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p99']:.1f} | {r['max']:.0f} | {r['failures']} | {r['5xx']} | {doc} |")
    for r in rows:
        lines += [
            "",
            f"Per kind, {r['clients']} clients (statuses: count; -1 = no answer within {args.timeout:g} s, "
            "0 = connection error):",
            "",
            "| kind | requests | p50 ms | p99 ms | max ms | statuses |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for k, v in r["by_kind"].items():
            st = ", ".join(f"{code}: {n}" for code, n in v["statuses"].items())
            lines.append(f"| {k} | {v['n']} | {v['p50']:.1f} | {v['p99']:.1f} | {v['max']:.0f} | {st} |")
        lines.append("")
        lines.append(f"Outcomes: {r['outcomes']}; documented 503s by cause: {r['doc503'] or 'none'}"
                     + (f"; failures (kind, status, message): {r['unexpected']}" if r["unexpected"] else "") + ".")
    lines += [
        "",
        "## Server memory",
        "",
        f"RSS of the gunicorn master and its workers, sampled every second from /proc over the whole "
        f"{minutes:.1f} min run ({len(sampler.samples)} samples): mean of the first minute {first:.0f} MiB, "
        f"of the minute in the middle **{middle:.0f} MiB**, of the last minute **{last:.0f} MiB**: growth over "
        f"the second half **{last - middle:+.0f} MiB ({100 * (last - middle) / middle:+.1f} %)**, over the "
        f"whole run {last - first:+.0f} MiB; peak {peak:.0f} MiB.",
        "",
        "RSS over the run (MiB, one value per 10 s): "
        + " ".join(f"{b / 2**20:.0f}" for t, b in sampler.samples[::10]),
        "",
        f"Warm-up (not counted): one request of each kind and each process once; statuses {warmup}.",
        "",
        "## Conditions",
        "",
        f"- {env['when']}; {env['cpus']} cores, {env['mem']}; load average before the run {env['load_before']}, "
        f"after {env['load_after']}. Other engineers' jobs (test suites, benchmarks) shared the 2 cores while "
        "this ran (a load average above 2 means they did): absolute throughput and latency move with that; "
        "the failure and 5xx counts and the memory growth are the result.",
        "- Client and server on the same machine: the client threads compete with the server for the 2 cores.",
        f"- Command: `.venv/bin/python benchmarks/soak_api.py --steps {args.steps} --seconds {args.seconds:g} "
        f"--workers {args.workers} --timeout {args.timeout:g}`.",
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


def warm_up(port: int, paths: dict, owner: str) -> dict:
    """One request of each kind and every process once (their first run computes); makes an API key
    when executions answer 401 (API keys for executions)."""
    warmup = {}
    for kind, items in paths.items():
        for method, path, body in items if kind == "process" else items[:1]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request(method, path, body=body, headers=request_headers(body))
            resp = conn.getresponse()
            resp.read()
            if resp.status == 401 and body and not AUTH:
                AUTH["Authorization"] = "Bearer " + create_api_key(owner)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request(method, path, body=body, headers=request_headers(body))
                resp = conn.getresponse()
                resp.read()
            warmup[path.split("?")[0] if kind == "process" else kind] = resp.status
    return warmup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", default="32", help="client threads per step, comma-separated")
    ap.add_argument("--seconds", type=float, default=300.0, help="duration of each step")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds a client waits for an answer (the deadline of every request)")
    ap.add_argument("--keep", action="store_true", help="keep the database and raster store afterwards")
    ap.add_argument("--reuse", action="store_true", help="reuse the database and store a --keep run left")
    args = ap.parse_args()
    steps = [int(s) for s in args.steps.split(",")]

    from msip.core.settings import READER_ROLE, Settings, local_url

    settings = Settings.from_env()
    store = settings.home / "bench-soak"
    env = environment()
    if args.reuse:
        owner = local_url(settings.pg_socket_dir, settings.pg_port, "msip_owner", DB)
        reader = local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DB)
    else:
        print(f"loading the sample world into {DB} …", flush=True)
        owner, reader = setup(store)
    proc, port = start_server(owner, reader, store, args.workers, Path("/tmp/msip-soak-serve.log"))
    try:
        paths = request_paths(port, random.Random(42))
        warmup = warm_up(port, paths, owner)
        print(f"warm-up statuses: {warmup}", flush=True)
        sampler = RssSampler(proc.pid)
        sampler.start()
        rows = []
        for i, clients in enumerate(steps):
            r = run_step(port, paths, clients, args.seconds, seed=i, timeout_s=args.timeout).row()
            rows.append(r)
            print(f"{clients:>3} clients: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
                  f"max {r['max']:.0f} ms, outcomes {r['outcomes']}, documented 503 {r['doc503']}, "
                  f"failures {r['unexpected']}", flush=True)
        sampler.stop()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    env["load_after"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(write_results(rows, sampler, args, warmup, env, paths))
    if not args.keep:
        drop(store)
    if any(r["failures"] for r in rows):
        raise SystemExit("requests failed (other 5xx, timeouts, dropped connections or unexpected statuses); "
                         "see the table above and the server log /tmp/msip-soak-serve.log")


if __name__ == "__main__":
    main()
