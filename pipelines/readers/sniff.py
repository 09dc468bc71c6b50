"""Recognise files that cannot be what they are named: empty, or ZIP, gzip or an HTML error page.

A download that failed often leaves an HTML error page saved as `drzewa.csv`, and deliveries
arrive zipped under the inner file's name; the loaders' own parsers then report confusing
encoding or syntax errors. One check of the first bytes says what the file really is.
"""

from __future__ import annotations

from pathlib import Path

from msip.core.errors import SourceReadError

_HEAD_BYTES = 512


def refuse_unusable_file(path: Path, expected: str) -> None:
    """SourceReadError when `path` is empty (0 bytes) or is a ZIP archive, a gzip file or an
    HTML page instead of `expected` (what the loader wants, e.g. "a CSV" or "APP GML")."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise SourceReadError(f"{path.name} is empty (0 bytes); nothing to load — copy or export it again")
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    name = path.name
    if head.startswith(b"PK\x03\x04"):
        raise SourceReadError(f"{name} is a ZIP archive, not {expected}; unpack it and load the file inside")
    if head.startswith(b"\x1f\x8b"):
        raise SourceReadError(f"{name} is a gzip-compressed file, not {expected}; decompress it first "
                              f"(gunzip -c {name} > <file>)")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        raise SourceReadError(f"{name} is an HTML page, not {expected} — probably the error page of a failed "
                              "download; download the file again")


def xml_syntax_error(path: Path, exc: Exception) -> SourceReadError:
    """The one-line refusal of an XML file lxml cannot parse (an `etree.XMLSyntaxError`), with line and column."""
    position = getattr(exc, "position", None)
    line, column = position if position else (getattr(exc, "lineno", 0), 0)
    return SourceReadError(
        f"{path.name}: not well-formed XML at line {line}, column {column}: {getattr(exc, 'msg', exc)}. "
        "The file is probably truncated or damaged; export or download it again"
    )
