"""Every real third-party file in ../shared/data through its `msip load` command, as delivered (issue 16).

tests/data/real/EXPECTED.yaml lists each file (SOURCES.md there says where it comes from and
its traps) with the loader that takes it and the outcome: refused files exit non-zero with one
line naming the file, the problem and the fix, and store nothing; loaded files have exactly the
rows in = loaded + rejected written in the table, with their reasons and notes. The table must
cover the folder: a new file without an expected outcome fails. Skipped only when ../shared/data
is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.corpus import command, rows, run_cli
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
EXPECTED: dict[str, dict] = yaml.safe_load((TEST_DATA / "real" / "EXPECTED.yaml").read_text(encoding="utf-8"))
#: Files that are not loader inputs: the provenance notes, the metadata schemas (issue 18) and the
#: APP XML schemas `load zoning --validate` uses.
NOT_INPUTS = ("SOURCES.md", "metadata/", "zoning/app_schema_")


def test_expected_covers_every_real_file(shared_data: Path) -> None:
    files = {
        str(p.relative_to(shared_data))
        for p in shared_data.rglob("*")
        if p.is_file() and not str(p.relative_to(shared_data)).startswith(NOT_INPUTS)
    }
    assert sorted(files - set(EXPECTED)) == [], "add the new files' expected outcomes to tests/data/real/EXPECTED.yaml"
    assert sorted(set(EXPECTED) - files) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file(name: str, shared_data: Path, empty_db: str, store: Path, monkeypatch, capsys) -> None:
    spec = EXPECTED[name]
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    for before in spec.get("before", []):
        code, out, err = run_cli(command(before["loader"], shared_data / before["path"], before), capsys)
        assert code == 0, f"loading {before['path']} first failed: {out}\n{err}"
    code, out, err = run_cli(command(spec["loader"], shared_data / name, spec), capsys)
    shown = f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in out + err, shown
    if spec["outcome"] == "refused":
        assert code != 0, shown
        lines = err.strip().splitlines()
        assert lines and lines[-1].startswith("error: "), shown
        said = out + err if spec["loader"] == "lidar" else lines[-1]
        assert Path(name).name in said and spec["message"] in said, shown
        if spec["loader"] != "lidar":  # LiDAR names each refused file on stdout, then one summarising line
            assert len(lines) == 1, shown
        assert rows(empty_db, "SELECT count(*) FROM msip.load_run WHERE status = 'succeeded' "
                              "AND source_path LIKE %s", (f"%{Path(name).name}",))[0][0] == 0, shown
        return
    assert code == 0, shown
    runs = rows(empty_db, "SELECT status, rows_in, rows_loaded, rows_rejected FROM msip.load_run "
                          "WHERE source_path LIKE %s AND source_kind <> 'lidar_derived' ORDER BY run_id",
                (f"%{Path(name).name}",))
    assert runs and all(r[0] == "succeeded" for r in runs), f"{runs}\n{shown}"
    totals = tuple(sum(r[i] for r in runs) for i in (1, 2, 3))
    assert totals == (spec["rows_in"], spec["rows_loaded"], spec["rows_rejected"]), shown
    reasons = [r[0] for r in rows(empty_db, "SELECT reason FROM msip.rejected_record")]
    for expected in spec.get("reasons", []):
        assert any(expected in r for r in reasons), f"{expected!r} not in {reasons}"
    for note in spec.get("notes", []):
        assert note in out + err, shown
