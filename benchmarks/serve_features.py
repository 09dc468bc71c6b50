"""Benchmark `msip serve` against tipg and a minimal psycopg endpoint on ≥ 1 M features.

Loads N generated trees (default 1 000 000, inside Kielce's extent) into a database of its own
(`msip_bench_api`, reused when it already holds N) with the product's own schema: the migrations
as they are, their indexes and nothing else (the collection `trees` serves the view
msip.tree_current, backed by the partial GiST index of migration 060). It starts three servers on loopback with the
same number of worker processes — `msip serve`, tipg (uvicorn, from benchmarks/_work/tipg-venv)
and a minimal psycopg-over-HTTP WSGI app running the same SQL as MSIP's provider — and measures
requests/s and p50/p99 latency with a bounded load generator (C client threads for D seconds)
for (a) items in a small bbox, limit 100, (b) one item by id, (c) one MVT tile, all three over
the same view msip.tree_current. Prints the ratios and writes them, with the tipg version, the
indexes measured, the date and the machine's load, to benchmarks/results_serve_features.md.

    .venv/bin/python benchmarks/serve_features.py [--points N] [--seconds D] [--clients C] [--workers W]
                                                  [--rounds R] [--only bbox|item|tile] [--keep]

tipg is installed into its own venv (it needs FastAPI/asyncpg): `python3 -m venv
benchmarks/_work/tipg-venv && benchmarks/_work/tipg-venv/bin/pip install tipg uvicorn`.
tipg connects as msip_owner: it creates helper functions in pg_temp, which the read-only
msip_reader role may not.

Longer than ~300 lines on purpose: a benchmark is one runnable file: data, three servers, load
generator and report together.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
DB = "msip_bench_api"
EXTENT = (605_000.0, 325_000.0, 625_000.0, 345_000.0)  # EPSG:2180, Kielce
sys.path.insert(0, str(ROOT))


# ---- data ---------------------------------------------------------------------------------


def setup_database(n: int) -> tuple[str, str]:
    """(owner URL, reader URL) of the benchmark database holding n current trees (msip.tree_current).

    The trees are inserted into the schema exactly as the migrations leave it: the indexes the
    product has are maintained while loading, none is dropped, none is added."""
    import psycopg

    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import READER_ROLE, Settings, local_url

    settings = Settings.from_env()
    cluster.start(settings)
    owner = local_url(settings.pg_socket_dir, settings.pg_port, "msip_owner", DB)
    reader = local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DB)
    try:
        with psycopg.connect(owner) as conn:
            row = conn.execute("SELECT count(*) FROM msip.tree_current").fetchone()
            if row is not None and row[0] == n:
                print(f"reusing {DB} with {n:,} trees")
                return owner, reader
    except psycopg.Error:
        pass
    t0 = time.perf_counter()
    owner = cluster.bootstrap(settings, DB, fresh=True)
    migrate(owner)
    x0, y0, x1, y1 = EXTENT
    with psycopg.connect(owner, autocommit=True) as conn:
        run = conn.execute(
            "INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status, rows_in, rows_loaded) "
            "VALUES ('trees', 'benchmark', repeat('b', 64), 'succeeded', %s, %s) RETURNING run_id",
            (n, n),
        ).fetchone()
        assert run is not None
        run_id = run[0]
        conn.execute("SELECT setseed(0.42)")
        conn.execute(f"""
            INSERT INTO msip.tree (dataset, source_id, valid_from, species, species_latin, height_m,
                                   trunk_circumference_cm, crown_diameter_m, health, load_run_id, geom)
            SELECT 'bench', 'B' || g, DATE '2024-06-15',
                   (ARRAY['lipa drobnolistna','klon zwyczajny','dąb szypułkowy','brzoza brodawkowata'])[1 + g % 4],
                   (ARRAY['Tilia cordata','Acer platanoides','Quercus robur','Betula pendula'])[1 + g % 4],
                   round((3 + random() * 25)::numeric, 1), round((20 + random() * 300)::numeric, 0),
                   round((1 + random() * 12)::numeric, 1), (ARRAY['dobry','średni','zły'])[1 + g % 3], {run_id},
                   ST_SetSRID(ST_MakePoint({x0} + random() * {x1 - x0}, {y0} + random() * {y1 - y0}), 2180)
            FROM generate_series(1, {n}) g""")
        conn.execute("VACUUM ANALYZE msip.tree")
    print(f"loaded {n:,} trees into {DB} in {time.perf_counter() - t0:.0f} s")
    return owner, reader


def tipg_version() -> str:
    """Version of tipg in its benchmark venv, or 'not installed'."""
    python = WORK / "tipg-venv" / "bin" / "python"
    if not python.exists():
        return "not installed"
    out = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('tipg'))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "unknown"


def tree_indexes(owner: str) -> list[str]:
    """Index definitions on msip.tree as the migrations left them (what the servers are measured on)."""
    import psycopg

    with psycopg.connect(owner) as conn:
        rows = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'msip' AND tablename = 'tree' ORDER BY indexname"
        ).fetchall()
    return [r[0].replace("CREATE ", "", 1) for r in rows]


def write_config() -> Path:
    """pygeoapi-config.yml reduced to its collection `trees`, unchanged (the view msip.tree_current)."""
    import yaml

    cfg = yaml.safe_load((ROOT / "pygeoapi-config.yml").read_text())
    cfg["resources"] = {"trees": cfg["resources"]["trees"]}
    cfg = {k: v for k, v in cfg.items() if not k.startswith("x-")}
    WORK.mkdir(exist_ok=True)
    path = WORK / "bench-config.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False))
    return path


# ---- the minimal endpoint (same SQL as msip's provider) -------------------------------------

ITEMS_SQL = """SELECT coalesce(json_agg(f), '[]')::text FROM (SELECT json_build_object('type', 'Feature', 'id', tree_id,
 'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 7, 0)::json, 'properties', json_build_object({props})) AS f
 FROM msip.tree_current
 WHERE ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, 4326), %s), 2180))
 ORDER BY tree_id LIMIT 100 OFFSET 0) s"""
COUNT_SQL = """SELECT count(*) FROM (SELECT 1 FROM msip.tree_current
 WHERE ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(%s, %s, %s, %s, 4326), %s), 2180))
 LIMIT 100001) s"""
ITEM_SQL = """SELECT json_build_object('type', 'Feature', 'id', tree_id,
 'geometry', ST_AsGeoJSON(ST_Transform(geom, 4326), 7, 0)::json,
 'properties', json_build_object({props}))::text FROM msip.tree_current WHERE tree_id = %s"""
TILE_SQL = """WITH b AS (SELECT ST_TileEnvelope(%s, %s, %s) AS env)
 SELECT ST_AsMVT(t, 'tree', 4096, 'geom', 'id') FROM (SELECT tree_id AS id, {cols},
 ST_AsMVTGeom(ST_Transform(geom, 3857), b.env, 4096, 64, true) AS geom FROM msip.tree_current, b
 WHERE geom && ST_Transform(ST_Segmentize(ST_Expand(b.env, ST_Area(b.env) ^ 0.5 / 64),
                                          ST_Area(b.env) ^ 0.5 / 8), 2180)) t
 WHERE t.geom IS NOT NULL"""
PROPS = [
    "dataset",
    "source_id",
    "valid_from",
    "species",
    "species_latin",
    "trunk_circumference_cm",
    "trunk_circumferences_cm",
    "dbh_cm",
    "height_m",
    "crown_diameter_m",
    "health",
    "attrs",
    "load_run_id",
]
_pool = None


def baseline_app(environ, start_response):
    """WSGI: /items?bbox=…, /items/<id>, /tiles/<z>/<y>/<x> with psycopg_pool and the SQL above."""
    global _pool
    from urllib.parse import parse_qs

    from psycopg_pool import ConnectionPool

    if _pool is None:
        _pool = ConnectionPool(
            os.environ["BENCH_READER_URL"], min_size=1, max_size=4, kwargs={"autocommit": True}
        )
    path = environ["PATH_INFO"].strip("/").split("/")
    props = ", ".join(f"'{p}', {p}" for p in PROPS)
    with _pool.connection() as conn:
        if path[0] == "items" and len(path) == 1:
            b = [float(v) for v in parse_qs(environ["QUERY_STRING"])["bbox"][0].split(",")]
            seg = max(b[2] - b[0], b[3] - b[1]) / 32
            feats = conn.execute(ITEMS_SQL.format(props=props), (*b, seg)).fetchone()[0]
            matched = conn.execute(COUNT_SQL, (*b, seg)).fetchone()[0]
            body = (
                '{"type":"FeatureCollection","features":' + feats + f',"numberMatched":{matched}}}'
            ).encode()
            ctype = "application/geo+json"
        elif path[0] == "items":
            body = (
                conn.execute(ITEM_SQL.format(props=props), (int(path[1]),)).fetchone()[0].encode()
            )
            ctype = "application/geo+json"
        else:
            z, y, x = map(int, path[1:4])
            cols = ", ".join(p for p in PROPS if p not in ("trunk_circumferences_cm", "attrs"))
            body = bytes(conn.execute(TILE_SQL.format(cols=cols), (z, x, y)).fetchone()[0] or b"")
            ctype = "application/vnd.mapbox-vector-tile"
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


# ---- servers and load ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, proc: subprocess.Popen, name: str) -> None:
    for _ in range(240):
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"{name} did not start on port {port}")


def start_servers(
    owner: str, reader: str, config: Path, workers: int
) -> dict[str, tuple[int, subprocess.Popen]]:
    from msip.core.db import conninfo_params

    servers = {}
    env = {
        **os.environ,
        "MSIP_READER_URL": reader,
        "MSIP_API_CONFIG": str(config),
        "MSIP_API_LOG_LEVEL": "ERROR",
    }
    port = free_port()
    servers["msip"] = (
        port,
        subprocess.Popen(
            [sys.executable, "-m", "msip", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    )
    tipg = WORK / "tipg-venv" / "bin" / "uvicorn"
    if tipg.exists():
        p = conninfo_params(owner)
        port = free_port()
        tenv = {
            **os.environ,
            "DATABASE_URL": f"postgresql://{p['user']}@{quote(p['host'], safe='')}:{p['port']}/{p['dbname']}",
            "TIPG_DB_SCHEMAS": '["msip"]',
            "TIPG_DB_TABLES": '["msip.tree_current"]',
            "TIPG_TABLE_CONFIG__msip_tree_current__PK": "tree_id",
            "TIPG_MAX_FEATURES_PER_QUERY": "10000",
            "TIPG_DB_MAX_CONN_SIZE": "4",
            "TIPG_DB_SPATIAL_EXTENT": "false",
            "TIPG_DB_DATETIME_EXTENT": "false",
        }
        servers["tipg"] = (
            port,
            subprocess.Popen(
                [
                    str(tipg),
                    "tipg.main:app",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--log-level",
                    "warning",
                ],
                env=tenv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
    else:
        print(f"tipg not found at {tipg}; install it (see the module docstring) to compare")
    port = free_port()
    servers["psycopg"] = (
        port,
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--chdir",
                str(HERE),
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "serve_features:baseline_app",
            ],
            env={**os.environ, "BENCH_READER_URL": reader},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    )
    probes = {"msip": "/health", "tipg": "/healthz", "psycopg": "/items/1"}
    try:
        for name, (port, proc) in servers.items():
            wait_for(port, probes[name], proc, name)
    except BaseException:
        stop_servers(servers)
        raise
    return servers


def stop_servers(servers: dict[str, tuple[int, subprocess.Popen]]) -> None:
    """Terminate the servers this run started (and only those)."""
    for _, proc in servers.values():
        proc.terminate()
    for _, proc in servers.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def scenario_paths(
    rng: random.Random, n_points: int, count: int = 400
) -> dict[str, dict[str, list[str]]]:
    """The same random requests for every server: bbox of ≈ 250 m, an id, a z16 tile."""
    import morecantile
    from pyproj import Transformer

    t = Transformer.from_crs(2180, 4326, always_xy=True)
    wmq = morecantile.tms.get("WebMercatorQuad")
    out: dict[str, dict[str, list[str]]] = {"bbox": {}, "item": {}, "tile": {}}
    bboxes, ids, tiles = [], [], []
    for _ in range(count):
        e = rng.uniform(EXTENT[0] + 500, EXTENT[2] - 500)
        n = rng.uniform(EXTENT[1] + 500, EXTENT[3] - 500)
        x1, y1 = t.transform(e, n)
        x2, y2 = t.transform(e + 250, n + 250)
        bboxes.append(f"{x1:.6f},{y1:.6f},{x2:.6f},{y2:.6f}")
        ids.append(rng.randint(1, n_points))
        tiles.append(wmq.tile(x1, y1, 16))
    out["bbox"]["msip"] = [f"/collections/trees/items?bbox={b}&limit=100" for b in bboxes]
    out["bbox"]["tipg"] = [f"/collections/msip.tree_current/items?bbox={b}&limit=100" for b in bboxes]
    out["bbox"]["psycopg"] = [f"/items?bbox={b}" for b in bboxes]
    out["item"]["msip"] = [f"/collections/trees/items/{i}" for i in ids]
    out["item"]["tipg"] = [f"/collections/msip.tree_current/items/{i}" for i in ids]
    out["item"]["psycopg"] = [f"/items/{i}" for i in ids]
    out["tile"]["msip"] = [
        f"/collections/trees/tiles/WebMercatorQuad/{k.z}/{k.y}/{k.x}" for k in tiles
    ]
    out["tile"]["tipg"] = [
        f"/collections/msip.tree_current/tiles/WebMercatorQuad/{k.z}/{k.x}/{k.y}" for k in tiles
    ]
    out["tile"]["psycopg"] = [f"/tiles/{k.z}/{k.y}/{k.x}" for k in tiles]
    return out


def load(port: int, paths: list[str], seconds: float, clients: int) -> dict[str, float]:
    """Requests/s, p50 and p99 latency (ms) of `clients` keep-alive threads for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, errs, i = [], 0, k
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += clients
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept": "*/*"})
                resp = conn.getresponse()
                resp.read()
                if resp.status not in (200, 204):
                    errs += 1
            except OSError:
                errs += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors[0] += errs

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "n": len(latencies),
        "errors": errors[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument(
        "--seconds", type=float, default=8.0, help="load duration per server and scenario"
    )
    ap.add_argument("--clients", type=int, default=8, help="concurrent keep-alive client threads")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of every server")
    ap.add_argument(
        "--only", choices=["bbox", "item", "tile"], action="append", help="run only these requests"
    )
    ap.add_argument(
        "--rounds", type=int, default=2, help="repeat the measurements, keep each cell's best round"
    )
    ap.add_argument(
        "--keep",
        action="store_true",
        help=f"keep the database {DB} for the next run (default: drop it)",
    )
    args = ap.parse_args()
    conditions: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "load_before": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        "tipg": tipg_version(),
    }
    owner, reader = setup_database(args.points)
    conditions["indexes"] = tree_indexes(owner)
    conditions["load_start"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    servers = start_servers(owner, reader, write_config(), args.workers)
    try:
        paths = scenario_paths(random.Random(42), args.points)
        results: dict[str, dict[str, dict[str, float]]] = {}
        rounds: dict[str, dict[str, list[float]]] = {}  # req/s of every round, for the spread
        # Servers take turns within each round, so load from other work on the machine hits all of them.
        for _ in range(args.rounds):
            for scenario, per_server in paths.items():
                if args.only and scenario not in args.only:
                    continue
                for name, (port, _) in servers.items():
                    load(port, per_server[name][:20], 1.0, args.clients)  # warm-up
                    r = load(port, per_server[name], args.seconds, args.clients)
                    best = results.setdefault(scenario, {}).get(name)
                    rounds.setdefault(scenario, {}).setdefault(name, []).append(r["rps"])
                    if best is None or r["rps"] > best["rps"]:
                        results[scenario][name] = r
                    print(
                        f"{scenario:5} {name:8} {r['rps']:8.1f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
                        f"({r['n']} requests, {r['errors']} errors)"
                    )
        conditions["load_after"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        conditions["rounds"] = rounds
        write_results(results, args, conditions)
    finally:
        stop_servers(servers)
        if not args.keep:
            drop_database()


def drop_database() -> None:
    """Remove the benchmark database (it holds about 300 MB for a million trees)."""
    import psycopg
    from psycopg import sql

    from msip.core import cluster
    from msip.core.settings import Settings

    with psycopg.connect(cluster.superuser_url(Settings.from_env()), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))
    print(f"dropped {DB} (use --keep to reuse it)")


def write_results(results: dict, args: argparse.Namespace, conditions: dict) -> None:
    names = {
        "bbox": "(a) items, small bbox (≈250 m), limit 100",
        "item": "(b) single item by id",
        "tile": "(c) one MVT tile (z16)",
    }
    setup = (
        f"{args.points:,} current trees in EPSG:2180, served by all three from the view msip.tree_current over "
        "msip.tree with the indexes the migrations create (listed below, none dropped or added), "
        f"{args.workers} worker processes per server, "
        f"{args.clients} keep-alive client threads for {args.seconds:g} s per cell (best of {args.rounds} rounds), "
        "all on loopback on the same 2-core machine (shared with other work, so absolute numbers move between "
        "runs; the ratios are the result). Generated by `benchmarks/serve_features.py`."
    )
    lines = [
        "# Serving features: `msip serve` vs tipg vs a minimal psycopg endpoint",
        "",
        setup,
        "",
        "| request | server | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|",
    ]
    ratios = []
    for scenario, per in results.items():
        for name, r in per.items():
            lines.append(
                f"| {names[scenario]} | {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |"
            )
        m = per["msip"]["rps"]
        tip = per.get("tipg", {}).get("rps")
        ratios.append(
            f"| {names[scenario]} | {m / tip:.2f}× |" if tip else f"| {names[scenario]} | n/a |"
        )
        ratios[-1] += f" {m / per['psycopg']['rps']:.0%} |"
        runs = conditions["rounds"][scenario]
        tipg_runs = runs.get("tipg", [float("nan")] * len(runs["msip"]))
        per_round = [(a / b, a / c) for a, b, c in zip(runs["msip"], tipg_runs, runs["psycopg"], strict=True)]
        ratios[-1] += (f" {min(t for t, _ in per_round):.2f}–{max(t for t, _ in per_round):.2f}× |"
                       f" {min(q for _, q in per_round):.0%}–{max(q for _, q in per_round):.0%} |")
    lines += [
        "",
        "Ratios of each cell's best round, and their range over the rounds (the same round's three servers "
        "compared):",
        "",
        "| request | msip ÷ tipg (target ≥ 1.0×) | msip ÷ minimal psycopg (target ≥ 50 %) | ÷ tipg per round "
        "| ÷ psycopg per round |",
        "|---|---:|---:|---:|---:|",
        *ratios,
        "",
        "## Conditions",
        "",
        f"- {conditions['when']}; tipg {conditions['tipg']} (from PyPI, in benchmarks/_work/tipg-venv, "
        "uvicorn workers, connecting as msip_owner); msip serve with pygeoapi's config of `trees` unchanged; "
        "the minimal endpoint: gunicorn gthread × 4 threads, psycopg_pool, the provider's SQL.",
        f"- Load average before loading {conditions['load_before']}, before measuring {conditions['load_start']}, "
        f"after {conditions['load_after']}: other engineers' jobs used the same 2 cores while this ran "
        "(a load average above 2 means they did), so absolute req/s move between runs; each cell is the "
        "best of its rounds and the servers take turns within a round.",
        "- Indexes on msip.tree (as the migrations create them): "
        + "; ".join(f"`{d}`" for d in conditions["indexes"]),
        f"- Command: `.venv/bin/python benchmarks/serve_features.py --points {args.points} --seconds {args.seconds:g} "
        f"--clients {args.clients} --workers {args.workers} --rounds {args.rounds}`.",
        "",
    ]
    out = HERE / "results_serve_features.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
