"""GET /report?f=pdf: the server's PDF of "what is here" carries, row by row, the very numbers of the
JSON (its text read back with pypdf), in Polish with its diacritics and in English; a missing font
is refused with the package to install."""

from __future__ import annotations

import io
import re

import pytest
import requests
from pypdf import PdfReader

from msip.api.report import pdf as pdf_module
from msip.api.report.html import layout, lookup, shown
from msip.api.report.pdf import ReportFontError, font_paths, render_pdf
from tests.api.search.test_report import HERE, at

pytestmark = [pytest.mark.db, pytest.mark.slow]


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_pdf_carries_the_json_numbers(geoportal, lang):
    rep = at(geoportal, *HERE)
    loc = rep["location"]
    r = requests.get(f"{geoportal.url}/report",
                     params={"lon": loc["lon"], "lat": loc["lat"], "f": "pdf", "lang": lang}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    text = flat(pdf_text(r.content))
    assert ("Co tu jest?" if lang == "pl" else "What is here?") in text
    checked = 0
    for section in layout(rep, lang):
        for rows in section.tables:
            for label, paths in rows:
                values = "   ".join(shown(rep, p, lang) for p in paths)
                assert flat(f"{label} {values}") in text, (label, paths)
                checked += sum(isinstance(lookup(rep, p), int | float) for p in paths)
    assert checked >= 10, checked
    # the numbers a resident looks for, spelled as the JSON has them
    for key in ("heights.dtm_m", "air_temperature.t_air_c", "trees.count", "carriers.count"):
        value = lookup(rep, key)
        assert value is not None, key
        number = repr(value).removesuffix(".0")
        assert (number.replace(".", ",") if lang == "pl" else number) in text, key
    if lang == "pl":
        assert "Wysokości" in text and "Nośniki reklamowe" in text  # diacritics come through the embedded font


def test_the_json_links_its_pdf(geoportal):
    rep = at(geoportal, *HERE)
    pdf = [link for link in rep["links"] if link["type"] == "application/pdf"]
    assert len(pdf) == 1 and pdf[0]["href"].endswith("&f=pdf")


def test_the_embedded_font_and_a_missing_one(tmp_path, monkeypatch):
    regular, _bold = font_paths()
    rep = {"location": {"lon": 20.6, "lat": 50.8, "easting": 1.0, "northing": 2.0, "address": None},
           "zoning": {"zones": [], "note": "żaden plan"},
           "heights": {"dtm_m": None, "dsm_m": None, "epoch": None, "note": None},
           "trees": {"radius_m": 50, "count": None, "species": [], "health": [], "note": None},
           "green_rule": {"building_id": None, "note": None},
           "air_temperature": {"t_air_c": 26.38, "epoch": None, "note": None},
           "carriers": {"radius_m": 100, "count": 0, "non_compliant": 0, "items": [], "note": None},
           "changes": {"radius_m": 50, "since": None, "count": None, "items": [], "note": None}}
    raw = render_pdf(rep, "pl", compress=False)
    assert b"/FontFile2" in raw and regular.stem.encode() in raw  # embedded, not a base-14 reference
    text = pdf_text(raw)
    assert "26,38 °C" in text and "żaden plan" in text and "nieznane" in text  # unknown is not 0
    monkeypatch.setattr(pdf_module, "FONT_DIRS", (tmp_path,))  # no font anywhere
    with pytest.raises(ReportFontError, match="install the Debian package fonts-dejavu-core"):
        render_pdf(rep, "pl")

