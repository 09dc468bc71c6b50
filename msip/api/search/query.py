"""The search itself: one ranked query over `msip.search_entry` (sql/105_search.sql).

A hit matches when its search form contains the query (diacritics and case ignored) or when
the query is similar to a word run in it (pg_trgm's word similarity, so "Zeromskego" finds
"Żeromskiego"). Ranking: the whole text equal to the query, then starting with it as whole
words ("Żeromskiego 3" before "Żeromskiego 30"), then starting with it, then containing it, then
by word similarity and whole-text similarity; among equals addresses before streets, plans, zones,
places, trees and carriers, and shorter labels first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from msip.api.providers.db import fetch

#: Kinds of hits, in the order the API documents them.
KINDS = ("address", "street", "plan", "zone", "place", "tree", "ad")
MAX_QUERY_CHARS = 100
MIN_QUERY_CHARS = 2
MAX_LIMIT = 50
#: Words people put before a street name that the data does not always carry.
_STREET_WORDS = re.compile(r"^(ulica|ul\.?|aleja|al\.?|plac|pl\.?|osiedle|os\.?)\s+", re.IGNORECASE)

_SQL = """
WITH hit AS (
    SELECT kind, kind_rank, ref, collection, label, norm, geom,
           CASE WHEN norm = %(q)s THEN 3 WHEN norm LIKE %(word)s THEN 2.5 WHEN norm LIKE %(prefix)s THEN 2
                WHEN norm LIKE %(inner)s THEN 1 ELSE 0 END
           + CASE WHEN position(%(num)s in ' ' || norm || ' ') > 0 THEN 0.4 ELSE 0 END AS match_rank,
           word_similarity(%(q)s, norm) AS similarity, similarity(%(q)s, norm) AS whole
    FROM msip.search_entry
    WHERE (norm LIKE %(inner)s OR %(q)s <%% norm) AND kind = ANY(%(kinds)s)
    ORDER BY match_rank DESC, similarity DESC, whole DESC, kind_rank, length(label), label
    LIMIT %(limit)s
)
SELECT kind, ref, collection, label, match_rank, similarity + whole / 10,
       ST_X(p), ST_Y(p), ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
FROM (
    SELECT *, ST_Transform(ST_PointOnSurface(geom), 4326) AS p,
           ST_Transform(ST_Envelope(geom), 4326)::box2d AS b
    FROM hit
) h
ORDER BY match_rank DESC, similarity DESC, whole DESC, kind_rank, length(label), label
"""


@dataclass(frozen=True)
class Hit:
    """One search hit: what it is, its label, where it is (lon/lat) and its extent (for zooming)."""

    kind: str
    ref: str
    collection: str | None
    label: str
    score: float
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]


class SearchQueryError(ValueError):
    """A query the search refuses (too short, too long, unknown kind): answered 400 with the reason."""


def clean_query(raw: str | None) -> str:
    """The query as searched: trimmed, inner spaces collapsed, a leading street word dropped."""
    if "\x00" in (raw or ""):
        raise SearchQueryError("q contains a NUL character (0x00); remove it")
    text = " ".join((raw or "").split())
    if len(text) < MIN_QUERY_CHARS:
        raise SearchQueryError(
            f"q={raw!r} is too short: give at least {MIN_QUERY_CHARS} characters, e.g. q=Żeromskiego 12"
        )
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"q is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
    stripped = _STREET_WORDS.sub("", text)
    return stripped if len(stripped) >= MIN_QUERY_CHARS else text


def parse_kinds(raw: str | None) -> list[str]:
    """The `kind` parameter (comma-separated) as a list; all kinds when absent."""
    if not raw:
        return list(KINDS)
    kinds = [k.strip() for k in raw.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise SearchQueryError(f"kind={raw!r}: unknown kind {', '.join(unknown) or '(empty)'}; use {','.join(KINDS)}")
    return kinds


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(conninfo: str, raw_query: str | None, *, limit: int = 10, kinds: list[str] | None = None) -> list[Hit]:
    """The best `limit` hits for `raw_query` (see the module docstring for matching and ranking)."""
    text = clean_query(raw_query)
    norm = fetch(conninfo, "SELECT msip.search_norm(%s)", (text,))[0][0]
    pattern = _like_escape(norm)
    numbers = re.findall(r"(?<![\w-])\d+[a-z]?(?![\w-])", norm)
    rows = fetch(
        conninfo,
        _SQL,
        {
            "q": norm,
            "word": pattern + " %",
            # a house number typed after a misspelt street still picks its own address
            "num": f" {numbers[-1]} " if numbers else "\x01",
            "prefix": pattern + "%",
            "inner": "%" + pattern + "%",
            "kinds": kinds or list(KINDS),
            # over-fetch: a street named both in the walking network and in PRG is shown once
            "limit": 2 * max(1, min(limit, MAX_LIMIT)),
        },
    )
    hits: list[Hit] = []
    streets: set[str] = set()
    for kind, ref, collection, label, match_rank, sim, lon, lat, w, s, e, n in rows:
        if kind == "street":
            if label.casefold() in streets:
                continue
            streets.add(label.casefold())
        hits.append(Hit(kind, ref, collection, label, round(float(match_rank) + float(sim), 3), lon, lat, (w, s, e, n)))
    return hits[: max(1, min(limit, MAX_LIMIT))]
