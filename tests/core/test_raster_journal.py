"""The raster-store journal settled by two processes at once: a run just after its commit (its lock is
free then) and another load's recovery may both apply it — the second must find nothing left to do,
not fail (two loads in parallel lanes, `msip load sample`, hit this)."""

from __future__ import annotations

from pathlib import Path

import pytest

from msip.core.rasters.journal import _settle


def journal_of_a_run(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """A run that replaced `old.tif` (backup kept) and wrote `new.tif`; returns journal, old, backup, new."""
    old, new = tmp_path / "old.tif", tmp_path / "new.tif"
    backup = tmp_path / ".old.tif.run7.bak"
    old.write_bytes(b"new content")
    backup.write_bytes(b"old content")
    new.write_bytes(b"written")
    journal = tmp_path / "db-run7.journal"
    journal.write_text(f"tmp\t{tmp_path / '.tmp1'}\nover\t{old}\t{backup}\ntmp\t{tmp_path / '.tmp2'}\nnew\t{new}\n")
    return journal, old, backup, new


@pytest.mark.parametrize("committed", [True, False])
def test_a_journal_settled_twice_gives_the_same_outcome(tmp_path, committed):
    journal, old, backup, new = journal_of_a_run(tmp_path)
    _settle(journal, committed=committed, catalogued=None)
    _settle(journal, committed=committed, catalogued=None)  # the other process, a moment later
    assert not journal.exists() and not backup.exists()
    assert old.read_bytes() == (b"new content" if committed else b"old content")
    assert new.exists() == committed


def test_a_backup_put_back_by_the_other_process_is_no_error(tmp_path, monkeypatch):
    journal, old, _, _ = journal_of_a_run(tmp_path)
    import msip.core.rasters.journal as journal_module

    real_replace = journal_module.os.replace

    def other_process_first(src, dst):  # the other process restores the backup just before us
        real_replace(src, dst)
        real_replace(src, dst)

    monkeypatch.setattr(journal_module.os, "replace", other_process_first)
    _settle(journal, committed=False, catalogued=None)
    assert old.read_bytes() == b"old content" and not journal.exists()
