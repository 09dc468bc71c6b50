"""The two lanes of `msip load sample` / `msip demo` (msip.cli.lanes.run_jobs): one lane here, one in a
spawned child; each job starts only after the jobs it needs, jobs of one group never overlap, the
longest chain starts first, every result comes back in the jobs' order, and an error in the child is
raised in the caller."""

from __future__ import annotations

import os
import time
from itertools import pairwise
from pathlib import Path

import pytest

from msip.cli.lanes import SECOND_LANE_NICE, Job, ranks, run_jobs
from msip.core.errors import ValidationError


def _record(log: str, name: str, sleep_s: float = 0.0) -> list[str]:
    """Append 'name pid start end' to the log (runs in whichever process the lane gives it)."""
    start = time.monotonic()
    time.sleep(sleep_s)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{name} {os.getpid()} {start} {time.monotonic()}\n")
    return [f"[{name}] ok"]


def _refuse_in_child(parent_pid: int, name: str) -> list[str]:
    time.sleep(0.5)  # so that each lane takes one of the two jobs
    if os.getpid() != parent_pid:
        raise ValidationError(f"{name}: refused, as the test asks")
    return [f"[{name}] ok"]


def _log(log: Path) -> dict[str, tuple[str, float, float]]:
    rows = [line.split() for line in log.read_text().splitlines()]
    return {name: (pid, float(start), float(end)) for name, pid, start, end in rows}


def _jobs(log: Path) -> list[Job]:
    def job(name: str, needs: str = "", cost_s: float = 1.0, sleep_s: float = 0.2, group: str | None = None) -> Job:
        return Job(name, _record, (str(log), name, sleep_s), frozenset(needs), cost_s, group)

    # a → c → e is the long chain; b and d are short; d needs c (which runs in either lane)
    return [job("a", cost_s=10), job("b"), job("c", "a", cost_s=10), job("d", "c"), job("e", "c", cost_s=10)]


def test_jobs_wait_for_what_they_need_and_come_back_in_order(tmp_path: Path) -> None:
    log = tmp_path / "log"
    out = list(run_jobs(_jobs(log), 2))
    assert [(done.label, done.lines) for done in out] == [(n, [f"[{n}] ok"]) for n in "abcde"]
    runs = _log(log)
    for name, need in (("c", "a"), ("d", "c"), ("e", "c")):
        assert runs[name][1] >= runs[need][2], f"{name} started before {need} ended"
    assert len({pid for pid, _, _ in runs.values()}) == 2  # both lanes worked: here and in the child
    assert all(done.end_s >= done.start_s + done.seconds * 0.9 for done in out)


def test_the_longest_chain_goes_first() -> None:
    jobs = _jobs(Path("unused"))
    assert ranks(jobs) == [30.0, 1.0, 20.0, 1.0, 10.0]
    short_first = [Job("short", _record, (), cost_s=1), Job("long", _record, (), cost_s=5),
                   Job("after-long", _record, (), frozenset({"long"}), cost_s=5)]
    assert ranks(short_first) == [1.0, 10.0, 5.0]


def test_jobs_of_one_group_never_overlap(tmp_path: Path) -> None:
    log = tmp_path / "log"
    jobs = [Job(n, _record, (str(log), n, 0.3), group="lidar") for n in "xyz"] + [
        Job("free", _record, (str(log), "free", 0.3))]
    assert [done.label for done in run_jobs(jobs, 2)] == ["x", "y", "z", "free"]
    spans = sorted((start, end) for name, (_, start, end) in _log(log).items() if name != "free")
    assert all(later[0] >= earlier[1] for earlier, later in pairwise(spans)), spans


def test_one_lane_runs_everything_here_in_order(tmp_path: Path) -> None:
    log = tmp_path / "log"
    assert [done.label for done in run_jobs(_jobs(log), 1)] == list("abcde")
    rows = [line.split() for line in log.read_text().splitlines()]
    assert [row[0] for row in rows] == list("abcde")
    assert {row[1] for row in rows} == {str(os.getpid())}


def test_an_error_in_the_second_lane_is_raised_here() -> None:
    jobs = [Job(n, _refuse_in_child, (os.getpid(), n)) for n in "ab"]
    with pytest.raises(ValidationError, match="refused, as the test asks"):
        list(run_jobs(jobs, 2))


def _niceness(log: str, name: str) -> list[str]:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{name} {os.getpid()} {os.nice(0)} 0\n")
    time.sleep(0.3)
    return [f"[{name}] ok"]


def test_jobs_marked_here_run_here_and_the_child_runs_at_a_lower_priority(tmp_path: Path) -> None:
    log = tmp_path / "log"
    jobs = [Job(n, _niceness, (str(log), n), here=n.startswith("h")) for n in ("h1", "h2", "h3", "free1", "free2")]
    assert [done.label for done in run_jobs(jobs, 2)] == ["h1", "h2", "h3", "free1", "free2"]
    rows = {name: (pid, int(nice)) for name, pid, nice, _ in (line.split() for line in log.read_text().splitlines())}
    here, ours = str(os.getpid()), os.nice(0)
    assert all(rows[n][0] == here for n in ("h1", "h2", "h3"))
    children = [nice for pid, nice in rows.values() if pid != here]
    assert children and all(nice == ours + SECOND_LANE_NICE for nice in children)  # the child took the free ones
