"""The bad-input corpus (tests/data/bad): every malformed file through its `msip load` command, exact outcomes.

Each file of the corpus is loaded into an emptied test database through the real command line
(`msip.cli.main`, the console script's entry point), and the outcome written in
tests/data/bad/EXPECTED.yaml is asserted: a refused file exits non-zero with one line naming
the file, what is wrong and the fix, and nothing is stored; a loaded file has exactly the
expected rows in / loaded / rejected in msip.load_run (always in = loaded + rejected), and its
rejected rows are kept in msip.rejected_record with their reasons.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import yaml

from msip.cli import main
from tests.support.paths import ROOT, TEST_DATA

pytestmark = pytest.mark.db
BAD = TEST_DATA / "bad"
EXPECTED: dict[str, dict] = yaml.safe_load((BAD / "EXPECTED.yaml").read_text(encoding="utf-8"))
EPOCH = "2024-06-15"
#: What each loader writes to, for "refused means nothing stored".
TABLES = {
    "trees": "msip.tree", "ads": "msip.advertisement", "landscape_zones": "msip.landscape_zone",
    "zoning": "msip.zoning_zone", "buildings": "msip.building", "parks": "msip.green_space",
    "streets": "msip.walk_edge", "orthophoto": "msip.raster_asset", "lidar": "msip.lidar_patch",
    "ad_rules": "msip.ad_rule_set",
}


def command(loader: str, path: Path, spec: dict) -> list[str]:
    """The `msip` arguments that load `path` with `loader`."""
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
        "orthophoto": ["load", "orthophoto", *args, *epoch, "--workers", "1"],
        "lidar": ["load", "lidar", *args, *epoch, "--workers", "1"],
        "ad_rules": ["load", "ad-rules", *args],
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


def _rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql, params).fetchall()


def test_expected_covers_the_corpus_exactly():
    files = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file()} - {"EXPECTED.yaml", "README.md"}
    assert files == set(EXPECTED)
    assert {spec["loader"] for spec in EXPECTED.values()} == set(TABLES)
    size = sum(p.stat().st_size for p in BAD.rglob("*") if p.is_file())
    assert size < 2 * 1024 * 1024


def test_generator_reproduces_the_corpus_byte_for_byte(tmp_path):
    out = tmp_path / "bad"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_bad_corpus.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    committed = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file()}
    assert written == committed
    differ = [name for name in sorted(written) if (out / name).read_bytes() != (BAD / name).read_bytes()]
    assert differ == [], f"regenerate with: .venv/bin/python scripts/make_bad_corpus.py ({differ})"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name, empty_db, store, monkeypatch, capsys):
    spec = EXPECTED[name]
    path = BAD / name
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    code, out, err = run_cli(command(spec["loader"], path, spec), capsys)
    shown = f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err, shown
    assert code == spec["exit_code"], shown
    stored = _rows(empty_db, f"SELECT count(*) FROM {TABLES[spec['loader']]}")[0][0]
    if spec["outcome"] == "refused":
        lines = err.strip().splitlines()
        assert len(lines) >= 1 and lines[-1].startswith("error: "), shown
        if spec["loader"] != "lidar":  # lidar prints its per-file summary, then the one-line error
            assert len(lines) == 1, shown
        # LiDAR names each refused file on stdout, then ends with one summarising error line.
        said = out + err if spec["loader"] == "lidar" else err
        assert spec["message"] in said, shown
        assert path.name in said, shown
        assert _rows(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'succeeded'")[0][0] == 0
        assert stored == 0
        return
    # LiDAR adds a 'lidar_derived' run (rasters, trees) after the per-file runs; counts are per file.
    runs = _rows(empty_db, "SELECT run_id, status, rows_in, rows_loaded, rows_rejected, source_path, message "
                           "FROM msip.load_run WHERE source_kind <> 'lidar_derived' ORDER BY run_id")
    nothing = spec["rows_loaded"] == 0 and spec["rows_rejected"] > 0  # every row refused: a failed run
    assert runs and all(r[1] == ("failed" if nothing else "succeeded") for r in runs), f"{runs}\n{shown}"
    totals = tuple(sum(r[i] for r in runs) for i in (2, 3, 4))
    assert totals == (spec["rows_in"], spec["rows_loaded"], spec["rows_rejected"]), shown
    assert all(r[2] == r[3] + r[4] for r in runs)
    reasons = [r[0] for r in _rows(empty_db, "SELECT reason FROM msip.rejected_record ORDER BY rejected_id")]
    assert bool(reasons) == (spec["rows_rejected"] > 0), reasons
    if spec["loader"] not in ("lidar",):  # LiDAR keeps one record per file and reason, with the count
        assert len(reasons) == spec["rows_rejected"], reasons
    for expected in spec["reasons"]:
        assert any(expected in r for r in reasons), f"{expected!r} not in {reasons}"
    for note in spec.get("notes", []):
        assert note in out, shown
    if spec["loader"] != "ad_rules":  # a rules file is rows of several tables, not one per source row
        assert stored > 0 or spec["rows_loaded"] == 0
