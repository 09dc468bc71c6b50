"""INSPIRE download-service multilinguality (OGC API – Features good practice, /req/multilinguality/):
`Accept-Language` pl or en is honoured with a matching `Content-Language` on the landing page, the
collections and the catalogue (its records too: the titles and abstracts are in the language the
header names); another language gets the default, Polish, and says so."""

from __future__ import annotations

import pytest

#: Accept-Language sent → (Content-Language expected, language of the texts)
ASKED = {
    "pl": ("pl-PL", "pl"),
    "en": ("en-US", "en"),
    "en-GB,en;q=0.8,pl;q=0.5": ("en-US", "en"),
    "pl-PL,pl;q=0.9,en;q=0.5": ("pl-PL", "pl"),
    "de": ("pl-PL", "pl"),
    None: ("pl-PL", "pl"),
}
LANDING = {"pl": "MSIP — Miejski System Informacji Przestrzennej (Kielce)",
           "en": "MSIP — Municipal Spatial Information System (Kielce)"}


def _get(client, path: str, accept: str | None, **params):
    headers = {"Accept-Language": accept} if accept else {}
    resp = client.get(path, headers=headers, query_string={"f": "json", **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp


@pytest.mark.parametrize("accept", list(ASKED))
def test_landing_page_and_collections_answer_in_the_asked_language(client, accept):
    content_language, lang = ASKED[accept]
    landing = _get(client, "/", accept)
    assert landing.headers["Content-Language"] == content_language
    assert landing.get_json()["title"] == LANDING[lang]
    assert "Accept-Language" in landing.headers["Vary"]
    collections = _get(client, "/collections", accept)
    assert collections.headers["Content-Language"] == content_language
    trees = next(c for c in collections.get_json()["collections"] if c["id"] == "trees")
    assert trees["title"] == {"pl": "Drzewa (inwentaryzacja, stan bieżący)", "en": "Trees (inventory, current)"}[lang]
    one = _get(client, "/collections/catalogue", accept)
    assert one.headers["Content-Language"] == content_language
    assert one.get_json()["title"] == {"pl": "Katalog danych otwartych", "en": "Open data catalogue"}[lang]


@pytest.mark.parametrize("accept", list(ASKED))
def test_catalogue_records_answer_in_the_asked_language(client, accept):
    """The records carry both languages (title, title_en); `title` and `description` are those of the
    Content-Language (was: Content-Language en-US over Polish titles)."""
    content_language, lang = ASKED[accept]
    items = _get(client, "/collections/catalogue/items", accept, limit=1000)
    assert items.headers["Content-Language"] == content_language
    record = _get(client, "/collections/catalogue/items/trees", accept)
    assert record.headers["Content-Language"] == content_language
    for props in (next(f for f in items.get_json()["features"] if f["id"] == "trees")["properties"],
                  record.get_json()["properties"]):
        assert props["title"] == {"pl": "Drzewa (inwentaryzacja, stan bieżący)",
                                  "en": "Trees (inventory, current)"}[lang]
        assert props["description"] == (props["description_en"] if lang == "en" else props["description_pl"])
        assert props["title_en"] == "Trees (inventory, current)"
        assert props["title_pl"] == "Drzewa (inwentaryzacja, stan bieżący)"
        assert props["language"] == {"code": lang}


def test_the_lang_parameter_wins_over_the_header(client):
    resp = client.get("/collections/catalogue/items/trees", headers={"Accept-Language": "en"},
                      query_string={"f": "json", "lang": "pl"})
    assert resp.headers["Content-Language"] == "pl-PL"
    assert resp.get_json()["properties"]["title"] == "Drzewa (inwentaryzacja, stan bieżący)"
