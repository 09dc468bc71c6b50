"""Loading a file through the real command line, as the file corpora do (tests/data/bad, ../shared/data).

`command` builds the `msip load …` arguments for a loader, `run_cli` runs `msip.cli.main`
in-process and fails the test on any exception (a traceback is the failure these tests look for).
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from msip.cli import main

EPOCH = "2024-06-15"


def command(loader: str, path: Path, spec: dict) -> list[str]:
    """The `msip` arguments that load `path` with `loader` (spec: `with` more files, `args` more options)."""
    extra = [str(path.parent / name) for name in spec.get("with", [])]
    args = [str(path), *extra]
    epoch = ["--epoch", EPOCH]
    argv = {
        "trees": ["load", "trees", *args, *epoch],
        "ads": ["load", "ads", *args, *epoch],
        "landscape_zones": ["load", "ads", "--landscape-zones", *args, *epoch],
        "zoning": ["load", "zoning", *args],
        "buildings": ["load", "base", "--buildings", *args, *epoch],
        "parks": ["load", "base", "--parks", *args, *epoch],
        "streets": ["load", "base", "--streets", *args, *epoch],
        "osm": ["load", "base", "--osm", *args, *epoch],
        "orthophoto": ["load", "orthophoto", *args, *epoch, "--workers", "1"],
        "lidar": ["load", "lidar", *args, *epoch, "--workers", "1", "--no-copc"],  # per-file runs only
        "ad_rules": ["load", "ad-rules", *args],
        "addresses": ["load", "addresses", *args],
        "boundaries": ["load", "boundaries", *args],
    }[loader]
    return [*argv, *spec.get("args", [])]


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run `msip` in-process: (exit code, stdout, stderr); an unexpected exception fails the test."""
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # noqa: BLE001 - a traceback is exactly the failure this test looks for
        out = capsys.readouterr()
        pytest.fail(f"msip {' '.join(argv)} raised {type(exc).__name__}: {exc}\n{out.out}\n{out.err}")
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """All rows of one query."""
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()
