"""The two lanes of `msip load sample` / `msip demo` (msip.cli.commands.load_sample._in_lanes): jobs of
the second lane run in one spawned child process, each after the job it waits for, and every result
comes back in the jobs' order; an error in the child is raised in the caller."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from msip.cli.commands.load_sample import _in_lanes, _Job
from msip.core.errors import ValidationError


def _record(log: str, name: str) -> list[str]:
    """Append 'name pid' to the log (runs in whichever process the lane gives it)."""
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{name} {os.getpid()}\n")
    return [f"[{name}] ok"]


def _refuse(name: str) -> list[str]:
    raise ValidationError(f"{name}: refused, as the test asks")


def _jobs(log: Path) -> list[_Job]:
    return [_Job("a", False, _record, (str(log), "a")), _Job("b", True, _record, (str(log), "b")),
            _Job("c", False, _record, (str(log), "c")), _Job("d", True, _record, (str(log), "d"), after=2),
            _Job("e", False, _record, (str(log), "e"))]


def test_the_second_lane_runs_in_a_child_after_what_it_waits_for(tmp_path: Path) -> None:
    log = tmp_path / "log"
    out = list(_in_lanes(_jobs(log), 2))
    assert [(label, lines) for label, lines, _ in out] == [(n, [f"[{n}] ok"]) for n in "abcde"]
    records = [line.split() for line in log.read_text().splitlines()]
    pid = dict(records)
    here = str(os.getpid())
    assert pid["a"] == pid["c"] == pid["e"] == here
    assert pid["b"] == pid["d"] != here
    order = [name for name, _ in records]
    assert order.index("d") > order.index("c")  # d waited for c


def test_one_lane_runs_everything_here_in_order(tmp_path: Path) -> None:
    log = tmp_path / "log"
    assert [label for label, _, _ in _in_lanes(_jobs(log), 1)] == list("abcde")
    records = [line.split() for line in log.read_text().splitlines()]
    assert [name for name, _ in records] == list("abcde")
    assert {p for _, p in records} == {str(os.getpid())}


def test_an_error_in_the_second_lane_is_raised_here(tmp_path: Path) -> None:
    jobs = [_Job("a", True, _refuse, ("a",)), _Job("b", False, _record, (str(tmp_path / "log"), "b"))]
    with pytest.raises(ValidationError, match="a: refused, as the test asks"):
        list(_in_lanes(jobs, 2))
