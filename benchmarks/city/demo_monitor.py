"""Sample, every second, the CPU of a command's process tree and of the database server beside it.

    python -m benchmarks.city.demo_monitor OUT.tsv -- msip demo --no-serve --timings

Runs the command, and writes one row a second: seconds since the start, the cumulative CPU seconds
of the command's tree (live processes plus exited children it waited for) and of the PostgreSQL
server of $MSIP_HOME (postmaster and backends, live and exited; found once it runs), the summed RSS
of the tree in MB and the 1-minute load average. The cores a stage keeps busy are the CPU
differences over a stage's interval (`--timings` prints when each stage started and ended).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchmarks.city.measure import _server_cpu


def _tree_cpu_rss(root: psutil.Process) -> tuple[float, float]:
    cpu = rss = 0.0
    with contextlib.suppress(psutil.Error):
        procs = [root, *root.children(recursive=True)]
        for p in procs:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                cpu += t.user + t.system + t.children_user + t.children_system
                rss += p.memory_info().rss
    return cpu, rss / 2**20


def _server() -> psutil.Process | None:
    pid_file = Path(os.environ.get("MSIP_HOME", ".msip")) / "pgdata" / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, psutil.Error):
        return psutil.Process(int(pid_file.read_text().split()[0]))
    return None


def main() -> int:
    out = Path(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1:]
    server = _server()
    db0 = _server_cpu(server)
    start = time.perf_counter()
    proc = subprocess.Popen(command)
    root = psutil.Process(proc.pid)
    peak_rss = 0.0
    with out.open("w") as f:
        f.write("t_s\ttree_cpu_s\tdb_cpu_s\trss_mb\tload1\n")
        while proc.poll() is None:
            if server is None:
                server = _server()
                db0 = _server_cpu(server)
            cpu, rss = _tree_cpu_rss(root)
            peak_rss = max(peak_rss, rss)
            f.write(f"{time.perf_counter() - start:.1f}\t{cpu:.1f}\t{_server_cpu(server) - db0:.1f}\t{rss:.0f}\t"
                    f"{os.getloadavg()[0]:.2f}\n")
            f.flush()
            time.sleep(1.0)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - start
    summary = (f"# wall {wall:.1f} s; command CPU {ru.ru_utime + ru.ru_stime:.1f} s; server CPU "
               f"{_server_cpu(server) - db0:.1f} s; peak tree RSS {peak_rss:.0f} MB; load {os.getloadavg()}")
    with out.open("a") as f:
        f.write(summary + "\n")
    print(summary, file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
