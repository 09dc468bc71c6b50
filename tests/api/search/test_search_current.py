"""The search reads a stored copy of what is searchable (msip.search_item, sql/116_search_table.sql):
a load's rows are found once its transaction commits, retired or removed rows are gone, a rolled-back
load changes nothing, and the copy always equals the view msip.search_entry it is made from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
import pytest

from msip.api.search.query import search
from msip.core.errors import ValidationError
from pipelines.inventory.trees import load_trees
from tests.support.db import count
from tests.support.paths import TEST_DATA

pytestmark = pytest.mark.db
TREES = TEST_DATA / "inventory" / "trees_pl.csv"
E1 = date(2024, 6, 15)
#: What the copy and the view must agree on, row for row.
SAME = "SELECT kind, kind_rank, ref, collection, label, norm::text FROM msip.{}"


def _copy_is_the_view(url: str) -> None:
    with psycopg.connect(url) as c:
        copy = set(c.execute(SAME.format("search_item")).fetchall())
        view = set(c.execute(SAME.format("search_entry")).fetchall())
    assert copy == view, (copy - view, view - copy)


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql).fetchall()


def _run(c: psycopg.Connection) -> int:
    return c.execute("INSERT INTO msip.load_run (source_kind, source_path, source_sha256, status) "
                     "VALUES ('addresses', 'test', repeat('0', 64), 'running') RETURNING run_id").fetchone()[0]


def _address(c: psycopg.Connection, run: int, number: str, street: str = "Żeromskiego") -> None:
    c.execute(
        "INSERT INTO msip.address (iip_namespace, local_id, prg_model, locality, street, house_number, postcode, "
        "source_epsg, row_hash, geom, load_run_id) VALUES ('PL.TEST', %s, '2021', 'Kielce', %s, %s, '25-001', "
        "2180, 'x', ST_SetSRID(ST_MakePoint(614100, 334700), 2180), %s)",
        (f"{street}-{number}", street, number, run),
    )


def test_a_tree_load_is_found_after_it_commits_and_a_new_version_retires_its_trees(empty_db, reader_url, tmp_path):
    report = load_trees(TREES, epoch=E1, url=empty_db)
    assert report.rows_inserted == 4
    hit = search(reader_url, "klc-3")[0]
    tree_id = count(empty_db, "SELECT tree_id FROM msip.tree_current WHERE source_id = 'KLC-3'")
    assert (hit.kind, hit.ref, hit.label) == ("tree", str(tree_id), "KLC-3 — dąb szypułkowy")
    assert -180 < hit.lon < 180 and hit.bbox[0] <= hit.lon <= hit.bbox[2]  # stored in degrees, not metres
    _copy_is_the_view(empty_db)

    second = tmp_path / "trees_pl_2025-06-15.csv"  # KLC-3 felled, KLC-5 planted
    lines = TREES.read_text(encoding="utf-8").splitlines()
    second.write_text("\n".join([*lines[:3], *lines[4:], lines[1].replace("KLC-1;", "KLC-5;")]) + "\n",
                      encoding="utf-8")
    kept = "SELECT xmin::text FROM msip.search_item WHERE label LIKE 'KLC-1 %'"
    written = _rows(empty_db, kept)
    assert load_trees(second, url=empty_db).rows_retired == 1
    assert _rows(empty_db, kept) == written  # an unchanged tree's entry is not rewritten
    labels = [h.label for h in search(reader_url, "klc", kinds=["tree"])]
    assert not any(label.startswith("KLC-3") for label in labels), labels
    assert any(label.startswith("KLC-5") for label in labels), labels
    _copy_is_the_view(empty_db)


def test_readers_see_the_old_copy_until_commit_and_a_rollback_changes_nothing(empty_db, reader_url):
    with psycopg.connect(empty_db) as c:
        _address(c, _run(c), "3")
        assert search(reader_url, "Żeromskiego 3") == []  # not committed yet
    labels = [(h.kind, h.label) for h in search(reader_url, "Żeromskiego 3")]
    assert labels[0] == ("address", "Żeromskiego 3, 25-001 Kielce")
    assert ("street", "Żeromskiego") in [(h.kind, h.label) for h in search(reader_url, "Żeromskiego")]
    assert [h.label for h in search(reader_url, "Kielce", kinds=["place"])] == ["Kielce"]  # the locality

    with psycopg.connect(empty_db) as c:
        _address(c, _run(c), "5", street="Sienkiewicza")
        c.rollback()
    assert search(reader_url, "Sienkiewicza") == []
    _copy_is_the_view(empty_db)


def test_deletes_and_truncates_empty_the_copy_and_a_no_op_marks_nothing(empty_db, reader_url):
    with psycopg.connect(empty_db) as c:
        run = _run(c)
        for number in ("1", "2"):
            _address(c, run, number)
    assert count(empty_db, "SELECT count(*) FROM msip.search_item WHERE kind = 'address'") == 2
    with psycopg.connect(empty_db) as c:
        c.execute("UPDATE msip.address SET street = street WHERE false")
        assert c.execute("SELECT count(*) FROM msip.search_stale").fetchone()[0] == 0
        c.execute("DELETE FROM msip.address WHERE house_number = '1'")
        assert c.execute("SELECT kind FROM msip.search_stale ORDER BY 1").fetchall() == [
            ("address",), ("place",), ("street",)]
    assert [h.label for h in search(reader_url, "Żeromskiego", kinds=["address"])] == ["Żeromskiego 2, 25-001 Kielce"]
    assert count(empty_db, "SELECT count(*) FROM msip.search_stale") == 0  # cleared at commit
    with psycopg.connect(empty_db) as c:
        c.execute("TRUNCATE msip.address CASCADE")
    assert count(empty_db, "SELECT count(*) FROM msip.search_item") == 0
    _copy_is_the_view(empty_db)


def test_a_refused_load_leaves_the_search_as_it_was(empty_db, reader_url, tmp_path: Path):
    load_trees(TREES, epoch=E1, url=empty_db)
    before = count(empty_db, "SELECT count(*) FROM msip.search_item")
    changed = tmp_path / "trees_pl.csv"  # the same version with KLC-1 renamed: refused, nothing written
    changed.write_text(TREES.read_text(encoding="utf-8").replace("KLC-1;", "KLC-9;"), encoding="utf-8")
    with pytest.raises(ValidationError, match="different content"):
        load_trees(changed, epoch=E1, url=empty_db)
    assert count(empty_db, "SELECT count(*) FROM msip.search_item") == before
    assert [h.label for h in search(reader_url, "klc-9") if h.label.startswith("KLC-9")] == []
    _copy_is_the_view(empty_db)
