"""The search itself: one ranked query over `msip.search_item`, the stored copy of the view
`msip.search_entry` (sql/105_search.sql, sql/116_search_table.sql) that the database refreshes at
the commit of every load.

A hit matches when its search form contains the query (diacritics and case ignored; for a
2-character query, a word of it starts with the query) or, from 3 characters, when the query is
similar to a word run in it (pg_trgm's word similarity, so "Zeromskego" finds "Żeromskiego").
Ranking: the whole text equal to the query, then starting with it as whole words ("Żeromskiego 3"
before "Żeromskiego 30"), then starting with it, then containing it, then by word similarity and
whole-text similarity; among equals addresses before streets, plans, zones, places, trees and
carriers, and shorter labels first. Only a few candidates per kind are ranked so (see `_SQL`):
where thousands of entries start with the query alike (19 000 tree ids "KLC-D-…" for "kl"), the
first in alphabetical order stand for them.
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
#: Fuzzy (trigram) matching from this many characters: shorter queries have no trigram to compare.
FUZZY_MIN_CHARS = 3
#: At most this many prefix matches of a kind are read (in alphabetical order) to pick its shortest:
#: reading all 19 000 tree ids for "kl" cost 25–30 ms, 500 cost under 1 ms.
PREFIX_SCAN = 500
#: Words people put before a street name that the data does not always carry.
_STREET_WORDS = re.compile(r"^(ulica|ul\.?|aleja|al\.?|plac|pl\.?|osiedle|os\.?)\s+", re.IGNORECASE)

#: Highest code point: `norm < prefix || _TOP` bounds a prefix range in byte order (msip.search_item.norm
#: is COLLATE "C"), which a generic (prepared) plan still serves from the btree, unlike `LIKE $1`.
_TOP = "\U0010ffff"

# Only a few candidates are scored with the ranking of the module docstring, each tier read from an
# index and only when the tiers before it leave room: per kind, its best prefix matches (exact, then
# the query as whole words, then the shortest among the first PREFIX_SCAN in alphabetical order);
# then, for kinds those do not fill, its substrings (word starts first, shorter first; a 2-character
# query has no trigram inside a word, so only word starts); then, when all that does not fill the
# page, fuzzy matches nearest by word similarity and by whole-text similarity (GiST KNN), or for 2
# characters the rest of the substrings.
_SQL = """
WITH prefixed AS (
    SELECT m.* FROM unnest(%(kinds)s::text[]) AS k(kind) CROSS JOIN LATERAL (
        SELECT * FROM (
            SELECT {cols} FROM msip.search_item s
            WHERE s.kind = k.kind AND s.norm >= %(q)s AND s.norm < %(top)s
            ORDER BY s.norm LIMIT %(scan)s
        ) s
        ORDER BY s.norm = %(q)s DESC, s.norm LIKE %(word)s DESC, length(s.norm), s.norm LIMIT %(pool)s
    ) m
), candidate AS MATERIALIZED (
    SELECT {cols} FROM msip.search_item s
    WHERE s.norm LIKE %(substring)s AND NOT (s.norm >= %(q)s AND s.norm < %(top)s)
      AND s.kind = ANY(ARRAY(SELECT k FROM unnest(%(kinds)s::text[]) k
                             WHERE (SELECT count(*) FROM prefixed p WHERE p.kind = k) < %(pool)s))
), inside AS (
    SELECT m.* FROM unnest(%(kinds)s::text[]) AS k(kind) CROSS JOIN LATERAL (
        SELECT * FROM candidate c WHERE c.kind = k.kind
        ORDER BY c.norm LIKE %(word_inner)s DESC, length(c.norm), c.norm LIMIT %(pool)s
    ) m
), matched AS (
    SELECT * FROM prefixed UNION ALL SELECT * FROM inside
), rest AS (  -- only when the matches do not fill the page
    SELECT * FROM (
        SELECT {cols} FROM msip.search_item s  -- nearest by word similarity …
        WHERE %(fuzzy)s AND s.kind = ANY(%(kinds)s) AND (SELECT count(*) FROM matched) < %(limit)s
        ORDER BY %(q)s <<-> lower(s.norm) LIMIT 2 * %(pool)s
    ) f
    WHERE %(q)s <%% f.norm AND f.norm NOT LIKE %(inner)s
    UNION
    SELECT * FROM (
        SELECT {cols} FROM msip.search_item s  -- … and by whole-text similarity (a street among its addresses)
        WHERE %(fuzzy)s AND s.kind = ANY(%(kinds)s) AND (SELECT count(*) FROM matched) < %(limit)s
        ORDER BY %(q)s <-> lower(s.norm) LIMIT %(pool)s
    ) f
    WHERE %(q)s <%% f.norm AND f.norm NOT LIKE %(inner)s
    UNION ALL
    (SELECT {cols} FROM msip.search_item s  -- 2 characters: inside words
     WHERE NOT %(fuzzy)s AND s.kind = ANY(%(kinds)s) AND (SELECT count(*) FROM matched) < %(limit)s
       AND s.norm LIKE %(inner)s AND s.norm NOT LIKE %(word_inner)s AND NOT (s.norm >= %(q)s AND s.norm < %(top)s)
     ORDER BY length(s.norm), s.norm LIMIT 2 * %(pool)s)
), hit AS (
    SELECT *,
           CASE WHEN norm = %(q)s THEN 3 WHEN norm LIKE %(word)s THEN 2.5 WHEN norm LIKE %(prefix)s THEN 2
                WHEN norm LIKE %(inner)s THEN 1 ELSE 0 END
           + CASE WHEN position(%(num)s in ' ' || norm || ' ') > 0 THEN 0.4 ELSE 0 END AS match_rank,
           word_similarity(%(q)s, norm) AS similarity, similarity(%(q)s, norm) AS whole
    FROM (SELECT * FROM matched UNION ALL SELECT * FROM rest) c
)
SELECT kind, ref, collection, label, match_rank, similarity + whole / 10, lon, lat, west, south, east, north
FROM hit
ORDER BY match_rank DESC, similarity DESC, whole DESC, kind_rank, length(label), label
LIMIT %(limit)s
""".format(cols="s.kind, s.kind_rank, s.ref, s.collection, s.label, s.norm, s.lon, s.lat, "
                  "s.west, s.south, s.east, s.north")


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
    wanted = max(1, min(limit, MAX_LIMIT))
    fuzzy = len(norm) >= FUZZY_MIN_CHARS
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
            "word_inner": "% " + pattern + "%",
            # two characters make no trigram inside a word: only word starts are looked up
            "substring": "%" + pattern + "%" if fuzzy else "% " + pattern + "%",
            "top": norm + _TOP,
            "fuzzy": fuzzy,
            "kinds": kinds or list(KINDS),
            # over-fetch: a street named both in the walking network and in PRG is shown once
            "limit": 2 * wanted,
            # per kind (and twice that for the fuzzy walk); the slack keeps near-ties for the ranking
            "pool": 2 * wanted + 8,
            # prefix matches read per kind, in alphabetical order, to find its shortest among them
            "scan": PREFIX_SCAN,
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
    return hits[:wanted]
