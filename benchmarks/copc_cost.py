"""What writing the COPC costs on top of the LiDAR load: `msip load lidar DIR` with and without `--no-copc`.

Runs alternate (without, with, without, …), each into a fresh epoch (so nothing is 'unchanged'),
and print wall seconds, the client's CPU (user + sys of the `msip` process tree) and the
PostgreSQL server's CPU (postmaster, its live children and the backends it reaped, from /proc)
per run, then the sums and the ratios. Needs the local cluster (`msip db start`).

    python -m benchmarks.copc_cost .msip/data/sample/small-42/lidar/2025-06-15/classified --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from msip.core.settings import get_settings

_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _proc_cpu_s(pid: int, *, reaped: bool) -> float:
    """CPU seconds of `pid` (with its waited-for children when `reaped`); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = [int(v) for v in fields[11:15]]  # utime, stime, cutime, cstime
    return (sum(ticks) if reaped else ticks[0] + ticks[1]) * _TICK_S


def server_cpu_s() -> float:
    """CPU seconds the local PostgreSQL cluster has used so far (postmaster, live and reaped children)."""
    pid = int((get_settings().home / "pgdata" / "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return _proc_cpu_s(pid, reaped=True) + sum(_proc_cpu_s(int(c), reaped=False) for c in children)


def one_run(folder: Path, epoch: date, copc: bool) -> tuple[float, float, float]:
    """(wall s, client CPU s, server CPU s) of one `msip load lidar` into `epoch`."""
    cmd = [str(Path(sys.executable).parent / "msip"), "load", "lidar", str(folder), "--epoch", epoch.isoformat()]
    if not copc:
        cmd.append("--no-copc")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server0 = server_cpu_s()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    server = server_cpu_s() - server0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, client, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind")
    parser.add_argument("--first-epoch", type=date.fromisoformat, default=date(2031, 1, 1),
                        help="epoch of the first run; each run takes the next day")
    args = parser.parse_args()
    sums = {False: [0.0, 0.0, 0.0], True: [0.0, 0.0, 0.0]}
    print(f"load average before: {os.getloadavg()}")
    print("run | mode | wall s | client CPU s | server CPU s")
    epoch = args.first_epoch
    for i in range(args.runs):
        for copc in (False, True):
            wall, client, server = one_run(args.folder, epoch, copc)
            epoch += timedelta(days=1)
            for k, v in enumerate((wall, client, server)):
                sums[copc][k] += v
            print(f"{i + 1} | {'copc' if copc else 'no-copc'} | {wall:.2f} | {client:.2f} | {server:.2f}")
    print(f"load average after: {os.getloadavg()}")
    for name, k in (("wall", 0), ("client CPU", 1), ("server CPU", 2)):
        print(f"{name}: {sums[False][k]:.2f} vs {sums[True][k]:.2f} s → +{100 * (sums[True][k] / sums[False][k] - 1):.1f} %")
    total = [sums[c][1] + sums[c][2] for c in (False, True)]
    print(f"client + server CPU: {total[0]:.2f} vs {total[1]:.2f} s → +{100 * (total[1] / total[0] - 1):.1f} %")


if __name__ == "__main__":
    main()
