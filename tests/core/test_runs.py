"""The load-run recorder tells the truth: a run that refused every row is `failed` (its rows kept),
and reasons are never cut mid-word."""

from __future__ import annotations

import psycopg
import pytest

from msip.core.runs import MESSAGE_CHARS, LoadReport, NothingLoaded, Rejection, run_load, shorten


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(sql).fetchall()


@pytest.mark.parametrize("text, limit, expected", [
    ("short enough", 20, "short enough"),
    ("CRS EPSG:32618 is not accepted for orthophotos (EPSG:2180 or PL-2000 2176–2179)", 66,
     "CRS EPSG:32618 is not accepted for orthophotos (EPSG:2180 or …"),
    ("x" * 30, 10, "xxxxxxxxx…"),  # one word longer than the limit: cut, still marked
])
def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis(text, limit, expected):
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit


def test_summary_reason_line_is_never_cut_mid_word():
    reason = ("RGB.byte.tif: CRS EPSG:32618 is not accepted for orthophotos (EPSG:2180 or PL-2000 2176–2179); "
              "reproject the tile first, or ask the supplier for EPSG:2180 tiles of the same area")
    report = LoadReport("orthophoto", "/d/RGB.byte.tif", "0" * 64, None, status="failed", rows_in=1, rows_rejected=1)
    report.rejections.append(Rejection(1, reason))
    line = next(x for x in report.summary().splitlines() if x.startswith("  rejected 1×: "))
    shown = line.removeprefix("  rejected 1×: ")
    assert shown.endswith("…") and reason.startswith(shown[:-1]) and shown[-2] == " "
    assert "PL-2 " not in line and not line.endswith("PL-2…")


@pytest.mark.db
def test_run_that_refused_every_row_is_failed_and_keeps_them(empty_db, tmp_path):
    source = tmp_path / "t.csv"
    source.write_text("a\n1\n2\n", encoding="utf-8")

    def body(run):
        run.count_in(2)
        run.conn.execute("INSERT INTO msip.load_run (source_kind, source_path, source_sha256) "
                         "VALUES ('x', 'written by the body', %s)", ("0" * 64,))  # must be rolled back
        run.reject(1, "t.csv row 1: a='1' is wrong", raw={"a": "1"})
        run.reject(2, "t.csv row 2: a='2' is wrong", raw={"a": "2"})

    with pytest.raises(NothingLoaded, match=r"^t.csv: none of its 2 rows could be loaded — 2× a; e.g. t.csv row 1: "
                                            r"a='1' is wrong; each refused one is kept"):
        run_load("trees", source, epoch=None, body=body, url=empty_db)
    assert _rows(empty_db, "SELECT source_kind, status, rows_in, rows_loaded, rows_rejected FROM msip.load_run") == [
        ("trees", "failed", 2, 0, 2)]
    assert _rows(empty_db, "SELECT row_number, reason FROM msip.rejected_record ORDER BY 1") == [
        (1, "t.csv row 1: a='1' is wrong"), (2, "t.csv row 2: a='2' is wrong")]


@pytest.mark.db
def test_run_with_one_row_loaded_succeeds(empty_db, tmp_path):
    source = tmp_path / "t.csv"
    source.write_text("a\n1\n2\n", encoding="utf-8")

    def body(run):
        run.count_in(2)
        run.reject(1, "t.csv row 1: bad")
        run.loaded(inserted=1)

    report = run_load("trees", source, epoch=None, body=body, url=empty_db)
    assert report.status == "succeeded"
    assert _rows(empty_db, "SELECT status FROM msip.load_run") == [("succeeded",)]


@pytest.mark.db
def test_long_failure_message_is_stored_whole_words(empty_db, tmp_path):
    source = tmp_path / "t.csv"
    source.write_text("a\n", encoding="utf-8")
    words = " ".join(f"word{i}" for i in range(600))

    def body(run):
        from msip.core.errors import ValidationError

        raise ValidationError(words)

    with pytest.raises(Exception, match="word0 word1"):
        run_load("trees", source, epoch=None, body=body, url=empty_db)
    (message,), = _rows(empty_db, "SELECT message FROM msip.load_run")
    assert len(message) <= MESSAGE_CHARS and message.endswith(" …")
    assert words.startswith(message[:-1])
