"""Measure one benchmark stage in a forked child: wall time, CPU time and peak RSS, children included.

`measure(label, fn, extra)` forks; the child runs `fn()` (which returns a short JSON-able summary) and
exits. The parent polls, every 0.2 s, the summed RSS of the child, all its descendants and the
`extra` processes (the workers of a Dask cluster the stage sends work to); CPU time is the child's
rusage from `wait4` (user + sys of it and every descendant it waited for, e.g. Dask's local process
pool) plus the CPU the `extra` processes spent meanwhile; the database server's CPU (postmaster and
backends, live and exited) is measured beside it. Summed RSS counts pages shared after a fork
once per process, so it is an upper bound of the memory really used. The load average (1 min) is
read at the start and the end: the machine is shared.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import psutil


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def _server_cpu(server: psutil.Process | None) -> float:
    """CPU of a server and all its children, live (cpu_times) and exited (the server's children_* times)."""
    if server is None:
        return 0.0
    with contextlib.suppress(psutil.Error):
        t = server.cpu_times()
        return t.user + t.system + t.children_user + t.children_system + _cpu(server.children())
    return 0.0


def _tree_rss(pid: int, extra: list[psutil.Process]) -> int:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True), *extra]
    except psutil.Error:
        procs = list(extra)
    rss = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            rss += p.memory_info().rss
    return rss


def measure(label: str, fn: Callable[[], Any], extra: list[psutil.Process] | None = None,
            server: psutil.Process | None = None) -> dict[str, Any]:
    """Run `fn` in a forked child and return {label, wall_s, cpu_s, db_cpu_s, peak_rss_mb, load_1min,
    result | error}; `db_cpu_s` is what the database `server` (the postmaster) and its backends spent."""
    extra = extra or []
    db0 = _server_cpu(server)
    read_fd, write_fd = os.pipe()
    load0 = os.getloadavg()[0]
    cpu_extra0 = _cpu(extra)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        code = 0
        try:
            out: dict[str, Any] = {"result": fn()}
        except BaseException as exc:  # noqa: BLE001 — report any failure, never hang the parent
            out, code = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}, 1
        with os.fdopen(write_fd, "w") as w:
            w.write(json.dumps(out, default=str))
        os._exit(code)
    os.close(write_fd)
    peak = 0
    status, usage = 0, None
    with os.fdopen(read_fd) as r:
        while True:
            peak = max(peak, _tree_rss(pid, extra))
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.2)
        payload = r.read()
    wall = time.perf_counter() - t0
    assert usage is not None
    out = json.loads(payload) if payload else {"error": f"child exited with status {status} and no result"}
    print(f"{label}: {wall:.1f} s wall{' FAILED ' + out['error'][:200] if 'error' in out else ''}",
          file=sys.stderr, flush=True)
    return {"label": label, "wall_s": round(wall, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime + _cpu(extra) - cpu_extra0, 2),
            "db_cpu_s": round(_server_cpu(server) - db0, 2),
            "peak_rss_mb": round(max(peak, usage.ru_maxrss * 1024) / 2**20, 1),
            "load_1min": [round(load0, 1), round(os.getloadavg()[0], 1)], **out}
