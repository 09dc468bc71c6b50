"""Benchmark GET /search (the geoportal's search box) on a loaded database: p50/p95/max latency.

Runs the API in-process (Flask test client: the whole request path — parameter checks, the two
queries through the reader pool, GeoJSON — without HTTP sockets) over the database that
`MSIP_READER_URL` (default: the local cluster's `msip`, e.g. after `make demo`) names, with a mix of
what people type: partial words as suggestions arrive (2–5 characters), full addresses with and
without diacritics, typos, plan numbers, tree and carrier ids. Each query runs `--rounds` times
after one warm-up round; prints one line per query kind and the overall p95, which issue 19 wants
at most 50 ms on the demo world.

    .venv/bin/python benchmarks/search.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = {
    "typing (2–5 chars)": ["ze", "zer", "zero", "sienk", "pa", "jag", "ki", "1m", "kl", "nr"],
    "address": ["Żeromskiego 3", "zeromskiego 12", "ul. Sienkiewicza 5", "Jagiellońska 7", "Paderewskiego 2"],
    "typo": ["Zeromskigo 3", "Sienkewicza", "Padrewskiego 3", "Jagielonska"],
    "plan / zone": ["1MPZP", "śródmieście zachód", "1SN", "strefa zieleni"],
    "tree / carrier id": ["KLC-D-000004", "klc-d-0004", "NR-0001", "MZD-ZR.4082"],
    "place": ["Staszica", "park miejski", "Kielce"],
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    import psycopg

    from msip.api import create_app
    from msip.api.config import load_config
    from msip.core.settings import Settings

    settings = Settings.from_env()
    client = create_app(load_config(reader_url=settings.reader_url)).test_client()
    with psycopg.connect(settings.reader_url) as conn:
        sizes = dict(conn.execute("SELECT kind, count(*) FROM msip.search_item GROUP BY kind").fetchall())
    print("entries searched:", ", ".join(f"{k} {n}" for k, n in sorted(sizes.items())))
    every: list[float] = []
    for label, queries in QUERIES.items():
        times: list[float] = []
        for rnd in range(args.rounds + 1):
            for q in queries:
                t0 = time.perf_counter()
                r = client.get("/search", query_string={"q": q, "limit": 8})
                dt = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, (q, r.status_code, r.get_data(as_text=True)[:200])
                if rnd:  # round 0 warms the pool and the caches
                    times.append(dt)
        every += times
        print(f"{label:22s} n={len(times):4d}  p50 {statistics.median(times):6.1f} ms  "
              f"p95 {percentile(times, 95):6.1f} ms  max {max(times):6.1f} ms")
    print(f"{'all':22s} n={len(every):4d}  p50 {statistics.median(every):6.1f} ms  "
          f"p95 {percentile(every, 95):6.1f} ms  max {max(every):6.1f} ms")


if __name__ == "__main__":
    main()
