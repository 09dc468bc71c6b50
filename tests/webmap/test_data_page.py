"""The "Dane / Data" page (/map/data/, issue 18) in chromium over the served demo: it lists every
catalogue record with its licence, update date and downloads, a search by a Polish word and by an
English word shows what the catalogue's own search finds, a download link's URL answers 200 with
the format's media type (after 202 + Retry-After while the file is built), a download started by
keyboard arrives, the English toggle switches titles, and the main map's header links the page.
Screenshots go to test-artifacts/webmap-data-*.png.
"""

from __future__ import annotations

import time

import pytest
import requests

from tests.webmap.test_webmap import ARTIFACTS, DESKTOP, browser, desktop, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.browser]
#: Rounds of asking for a download being built (a bound, so a broken build fails rather than hangs).
POLLS = 600


class DataPage:
    """One browser page on /map/data/ that records console errors and failed requests."""

    def __init__(self, chromium, server_url: str, query: str = ""):
        self.errors: list[str] = []
        self.page = chromium.new_page(viewport=DESKTOP, accept_downloads=True)
        p = self.page
        p.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        p.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        p.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))
        p.goto(f"{server_url}/map/data/{query}")
        self.wait_idle()

    def wait_idle(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        calm = 0
        while calm < 2:
            assert time.monotonic() < deadline, f"the page did not settle; errors: {self.errors}"
            calm = calm + 1 if self.page.evaluate("() => Boolean(window.msipData && window.msipData.idle())") else 0
            time.sleep(0.2)

    def shown(self) -> list[str]:
        return self.page.evaluate("() => [...document.querySelectorAll('#datasets > li')].map(e => e.dataset.id)")

    def search(self, word: str) -> list[str]:
        self.page.locator("#q").fill(word)
        self.page.locator("#q").press("Enter")
        self.wait_idle()
        return self.shown()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"webmap-data-{name}.png"), full_page=True)


@pytest.fixture
def data_page(browser, site):  # noqa: F811 (the fixtures imported above)
    p = DataPage(browser, site.url)
    yield p
    p.page.close()


def catalogue(base: str, **params) -> dict:
    r = requests.get(f"{base}/collections/catalogue/items", params={"f": "json", "limit": 1000, "lang": "pl",
                                                                     **params}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def until_built(url: str, method: str = "GET") -> requests.Response:
    for _ in range(POLLS):
        r = requests.request(method, url, timeout=120)
        if r.status_code != 202:
            return r
        assert int(r.headers["Retry-After"]) > 0 and r.json()["code"] == "Accepted"
        time.sleep(0.5)
    raise AssertionError(f"{url} still being built after {POLLS} polls")


def test_the_page_lists_every_catalogue_record_with_licence_and_date(data_page, site):  # noqa: F811 (the fixture imported above)
    everything = catalogue(site.url)
    shown = data_page.shown()
    assert len(shown) == everything["numberMatched"] == len(everything["features"]) > 10
    assert set(shown) == {f["id"] for f in everything["features"]}
    trees = next(f for f in everything["features"] if f["id"] == "trees")
    card = data_page.page.locator("#datasets > li[data-id='trees']")
    assert card.locator("h2").inner_text() == trees["properties"]["title"]
    assert card.locator(".abstract").inner_text() == trees["properties"]["description"]
    licence = next(x for x in trees["links"] if x["rel"] == "license")
    assert card.locator("a[rel='license']").get_attribute("href") == licence["href"]
    assert card.locator("[data-updated]").get_attribute("data-updated") == trees["properties"]["updated"]
    formats = card.locator("a.download").evaluate_all("els => els.map(e => e.dataset.format)")
    assert formats == ["gpkg", "parquet", "csv", "xml", "api"]
    ortho = data_page.page.locator("#datasets > li[data-id='orthophoto'] a.download")
    assert ortho.evaluate_all("els => els.map(e => e.dataset.format)") == ["tif", "xml", "api"]
    meta = requests.get(card.locator("a[data-format='xml']").get_attribute("href"), timeout=60)
    assert meta.status_code == 200 and meta.headers["Content-Type"].startswith("application/vnd.iso.19139+xml")
    data_page.shot("list")
    assert data_page.errors == []


def test_a_search_by_date_shows_what_the_catalogue_finds(data_page, site):  # noqa: F811 (the fixture)
    everything = {f["id"] for f in catalogue(site.url)["features"]}
    expected = {f["id"] for f in catalogue(site.url, datetime="2024-06-15")["features"]}
    assert "orthophoto-2024-06-15" in expected and len(expected) < len(everything)
    data_page.page.locator("#date").fill("2024-06-15")
    data_page.page.locator("#search-button").click()
    data_page.wait_idle()
    assert set(data_page.shown()) == expected


@pytest.mark.parametrize("word", ["drzewa", "trees"])
def test_a_search_by_a_polish_or_an_english_word_narrows_the_list(data_page, site, word):  # noqa: F811 (the fixture imported above)
    everything = {f["id"] for f in catalogue(site.url)["features"]}
    found = catalogue(site.url, q=word)
    expected = {f["id"] for f in found["features"]}
    assert "trees" in expected and 0 < len(expected) < len(everything)
    assert set(data_page.search(word)) == expected
    assert data_page.page.locator("#status").inner_text() == f"Zbiory danych: {len(expected)}."
    assert set(data_page.search("")) == everything
    assert data_page.search("zzzz-nothing-like-this") == []
    assert data_page.page.locator("#status").inner_text() == "Żaden zbiór danych nie pasuje."
    data_page.search(word)
    data_page.shot(f"search-{word}")
    assert data_page.errors == []


@pytest.mark.parametrize(("ext", "media_type"), [("gpkg", "application/geopackage+sqlite3"), ("csv", "text/csv")])
def test_a_download_buttons_url_answers_200_with_the_right_type(data_page, site, ext, media_type):  # noqa: F811 (the fixture imported above)
    link = data_page.page.locator(f"#datasets > li[data-id='trees'] a[data-format='{ext}']")
    href = link.get_attribute("href")
    assert href == f"{site.url}/downloads/trees.{ext}"
    assert link.get_attribute("aria-label").startswith("Pobierz Drzewa")
    resp = until_built(href)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(media_type)
    if ext == "gpkg":
        assert resp.content.startswith(b"SQLite format 3\x00")
    else:
        assert resp.text.split(",")[0].endswith("id") and "geometry_wkt_epsg2180" in resp.text.splitlines()[0]
    # once built the page shows its size
    data_page.page.reload()
    data_page.wait_idle()
    size = data_page.page.locator(f"#datasets > li[data-id='trees'] a[data-format='{ext}'] .size").inner_text()
    assert size[0].isdigit() and size.split()[-1] in ("B", "kB", "MB", "GB"), size


def _being_built(site, cid: str, ext: str):  # noqa: F811 (the fixture imported above)
    """An open lock file, locked as the server's build of `cid`.`ext` holds it, and the file itself
    removed: every request for that download answers 202 until it is unlocked. Locked before the file
    is removed: a background job still building the collection's other formats (an earlier test asked
    for one) would otherwise write it again in between."""
    import fcntl

    from msip.api.config import read_yaml
    from msip.api.downloads.build import current_file, lock_file
    from msip.core.db import conninfo_params
    from tests.support.paths import ROOT

    res = read_yaml(ROOT / "pygeoapi-config.yml")["resources"][cid]
    table = next(p for p in res["providers"] if p["type"] == "feature")["table"]
    path = current_file(cid, ext, {"type": "feature", "table": table, "data": conninfo_params(site.reader_url)})
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_file(path).open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    path.unlink(missing_ok=True)
    return lock


def test_a_download_started_by_keyboard_arrives_after_it_is_built(data_page, site):  # noqa: F811 (the fixture)
    """Tab reaches the download links (each with a spoken label); Enter on one being built shows that
    it is being prepared (202 + Retry-After), and once it is built the browser downloads it."""
    import fcntl

    p = data_page.page
    target = "green_spaces"
    with p.expect_download(timeout=300_000) as download, _being_built(site, target, "csv") as lock:
        # The page learns which files are built when it loads (an earlier test may have built this one):
        # load it again now that the file is gone.
        p.reload()
        data_page.wait_idle()
        p.locator("body").focus()
        for _ in range(200):
            p.keyboard.press("Tab")
            here = p.evaluate("() => [document.activeElement.id, document.activeElement.className, "
                              "document.activeElement.closest('li.dataset')?.dataset.id, "
                              "document.activeElement.dataset.format, "
                              "document.activeElement.getAttribute('aria-label')]")
            if here[1] == "download" and here[2] == target and here[3] == "csv":
                break
        else:
            raise AssertionError(f"Tab does not reach {target}'s CSV download")
        assert "CSV" in here[4] and here[4].startswith("Pobierz ")
        fcntl.flock(lock, fcntl.LOCK_EX)
        p.keyboard.press("Enter")
        p.wait_for_function("() => document.querySelector('#status').textContent.includes('przygotowywany')",
                            timeout=60_000)
        assert p.locator(f"li[data-id='{target}'] a[data-format='csv']").get_attribute("aria-busy") == "true"
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert download.value.suggested_filename == f"{target}.csv"
    assert "pobieranie rozpoczęte" in p.locator("#status").inner_text()
    assert data_page.errors == []


def test_english_shows_the_english_titles(data_page, site):  # noqa: F811 (the fixture imported above)
    trees = next(f for f in catalogue(site.url)["features"] if f["id"] == "trees")
    data_page.page.locator("#lang-toggle").click()
    data_page.wait_idle()
    card = data_page.page.locator("#datasets > li[data-id='trees']")
    assert card.locator("h2").inner_text() == trees["properties"]["title_en"]
    assert card.locator(".abstract").inner_text() == trees["properties"]["description_en"]
    assert data_page.page.locator("html").get_attribute("lang") == "en"
    assert data_page.page.locator("#status").inner_text().startswith("Datasets: ")
    data_page.shot("english")
    assert data_page.errors == []


def test_the_main_map_links_the_data_page(desktop, site):  # noqa: F811 (the fixture imported above)
    link = desktop.page.locator("#data-link")
    assert link.inner_text() == "Dane" and "katalog" in link.get_attribute("aria-label")
    assert "bbox=" in link.get_attribute("href")  # the map's view, for "only in the map's view"
    link.click()
    desktop.page.wait_for_url(f"{site.url}/map/data/**")
    desktop.page.wait_for_function("() => window.msipData && window.msipData.idle()", timeout=60_000)
    assert desktop.page.locator("#bbox").is_checked()
    shown = desktop.page.evaluate("() => [...document.querySelectorAll('#datasets > li')].map(e => e.dataset.id)")
    bbox = desktop.page.evaluate("() => new URLSearchParams(location.search).get('bbox')")
    assert set(shown) == {f["id"] for f in catalogue(site.url, bbox=bbox)["features"]} and "trees" in shown
