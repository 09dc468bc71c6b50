"""What writing the COPC costs on top of the LiDAR load: `msip load lidar DIR` with and without `--no-copc`.

Runs alternate (without, with, without, …), each into a fresh epoch (so nothing is 'unchanged'),
for each code tree given with `--tree` (e.g. an export of main beside this branch, alternating
too, so both see the same machine), and print wall seconds, the client's CPU (user + sys of the
`msip` process tree) and the PostgreSQL server's CPU (postmaster, its live children and the
backends it reaped, from /proc) per run, then the sums and the ratios. Needs the local cluster (`msip db start`).

    python -m benchmarks.pointcloud.copc_cost .msip/data/sample/small-42/lidar/2025-06-15/classified --runs 3
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


def one_run(folder: Path, epoch: date, copc: bool, tree: str | None = None) -> tuple[float, float, float]:
    """(wall s, client CPU s, server CPU s) of one `msip load lidar` into `epoch` (with the code in `tree`)."""
    cmd = [str(Path(sys.executable).parent / "msip"), "load", "lidar", str(folder), "--epoch", epoch.isoformat()]
    if not copc:
        cmd.append("--no-copc")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server0 = server_cpu_s()
    start = time.perf_counter()
    env = os.environ | ({"PYTHONPATH": tree} if tree else {})
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
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
    parser.add_argument("--tree", action="append", help="a code tree to run (PYTHONPATH); repeat to compare")
    args = parser.parse_args()
    trees: list[str | None] = args.tree or [None]
    sums = {(t, c): [0.0, 0.0, 0.0] for t in trees for c in (False, True)}
    print(f"load average before: {os.getloadavg()}")
    print("run | tree | mode | wall s | client CPU s | server CPU s")
    epoch = args.first_epoch
    for i in range(args.runs):
        for tree in trees:
            for copc in (False, True):
                wall, client, server = one_run(args.folder, epoch, copc, tree)
                epoch += timedelta(days=1)
                for k, v in enumerate((wall, client, server)):
                    sums[tree, copc][k] += v
                mode = "copc" if copc else "no-copc"
                print(f"{i + 1} | {tree or '.'} | {mode} | {wall:.2f} | {client:.2f} | {server:.2f}", flush=True)
    print(f"load average after: {os.getloadavg()}")
    for tree in trees:
        off, on = sums[tree, False], sums[tree, True]
        print(f"tree {tree or '.'}:")
        for name, k in (("wall", 0), ("client CPU", 1), ("server CPU", 2)):
            print(f"  {name}: {off[k]:.2f} vs {on[k]:.2f} s → +{100 * (on[k] / off[k] - 1):.1f} %")
        total = [off[1] + off[2], on[1] + on[2]]
        print(f"  client + server CPU: {total[0]:.2f} vs {total[1]:.2f} s → +{100 * (total[1] / total[0] - 1):.1f} %")


if __name__ == "__main__":
    main()
