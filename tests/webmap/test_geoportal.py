"""The geoportal's first slice in chromium (issue 19): searching by address and by plan number
zooms to the hit, the "what is here" panel shows the API's values for the clicked point, and a
permalink (view, layers, epoch, selection) opens the same map. Over the served demo world with
PRG address points for its buildings. Screenshots go to test-artifacts/webmap-geoportal-*.png.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from pyproj import Transformer

from tests.support.addresses import load_small_world_addresses
from tests.webmap.test_webmap import ARTIFACTS, DESKTOP, MapPage, browser, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.browser]
TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)
#: A point among trees, carriers and zones of the small world (EPSG:2180).
HERE = (614200.0, 334800.0)


@pytest.fixture(scope="module")
def portal(site, tmp_path_factory):  # noqa: F811 (the fixture imported above)
    """The served demo with the small world's address points loaded (idempotent)."""
    load_small_world_addresses(site.sample_dir, site.owner_url, tmp_path_factory.mktemp("prg"))
    return site


@pytest.fixture
def page(browser, portal):  # noqa: F811 (the fixture imported above)
    p = MapPage(browser, portal.url, DESKTOP)
    yield p
    p.close()


def shot(page: MapPage, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / f"webmap-geoportal-{name}.png"))


def first_hit(base: str, q: str) -> dict:
    hits = requests.get(f"{base}/search", params={"q": q}, timeout=30).json()["features"]
    assert hits, q
    return hits[0]


def type_and_enter(page: MapPage, text: str) -> None:
    """Focus the search box by keyboard (Tab from the page start), type, wait for suggestions, Enter."""
    p = page.page
    p.locator("body").focus()
    for _ in range(10):
        p.keyboard.press("Tab")
        if page.js("() => document.activeElement.id") == "search-input":
            break
    assert page.js("() => document.activeElement.id") == "search-input", "Tab does not reach the search box"
    p.keyboard.type(text)
    p.locator("#search-list li").first.wait_for(state="visible", timeout=10000)
    assert p.locator("#search-input").get_attribute("aria-expanded") == "true"
    p.keyboard.press("Enter")
    page.wait_idle()


def view(page: MapPage) -> tuple[float, float, float]:
    return tuple(page.js("() => { const m = window.msip.map, c = m.getCenter(); return [c.lng, c.lat, m.getZoom()]; }"))


def test_search_by_address_zooms_to_it_and_shows_what_is_there(page, portal):
    hit = first_hit(portal.url, "Żeromskiego 3")
    assert hit["properties"]["kind"] == "address"
    type_and_enter(page, "zeromskiego 3")
    lon, lat, zoom = view(page)
    assert zoom >= 17
    assert (lon, lat) == pytest.approx(tuple(hit["geometry"]["coordinates"]), abs=1e-6)
    assert page.page.locator("#report").is_visible()
    assert page.page.locator("[data-key='location.address.label']").inner_text() == "Żeromskiego 3, 25-001 Kielce"
    assert page.js("() => window.msip.selection()") == hit["id"]
    shot(page, "search-address")
    assert page.errors == []


def test_search_by_plan_number_zooms_to_the_plan(page, portal):
    hit = first_hit(portal.url, "1MPZP")
    assert hit["properties"]["kind"] == "plan"
    type_and_enter(page, "1MPZP")
    w, s, e, n = hit["bbox"]
    bounds = page.js("() => window.msip.map.getBounds().toArray()")
    (vw, vs), (ve, vn) = bounds
    assert vw <= w + 1e-6 and vs <= s + 1e-6 and ve >= e - 1e-6 and vn >= n - 1e-6, "the plan is not all in view"
    # … and fills it: the view is at most a few times the plan's size
    assert (ve - vw) < 4 * (e - w) or (vn - vs) < 4 * (n - s)
    lon, lat, _ = view(page)
    assert lon == pytest.approx((w + e) / 2, abs=(e - w) / 4) and lat == pytest.approx((s + n) / 2, abs=(n - s) / 4)
    shot(page, "search-plan")
    assert page.errors == []


def _lookup(doc, path: str):
    for part in path.split("."):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def test_what_is_here_panel_shows_the_api_values(page, portal):
    lon, lat = TO_LONLAT.transform(*HERE)
    page.js("([lon, lat]) => window.msip.map.jumpTo({center: [lon, lat], zoom: 18})", [lon, lat])
    page.wait_idle()
    x, y = page.js("([lon, lat]) => { const p = window.msip.map.project([lon, lat]); return [p.x, p.y]; }", [lon, lat])
    box = page.page.locator("#map").bounding_box()
    page.page.mouse.click(box["x"] + x, box["y"] + y)
    page.page.locator("#report [data-key='heights.dtm_m']").wait_for(state="visible", timeout=20000)
    page.wait_idle()
    shown = page.js("() => window.msip.report()")
    where = {"lon": shown["location"]["lon"], "lat": shown["location"]["lat"]}
    api = requests.get(f"{portal.url}/report", params=where, timeout=60).json()
    cells = page.js("""() => [...document.querySelectorAll('#report [data-key]')]
        .map(e => [e.dataset.key, e.dataset.value, e.textContent])""")
    keys = {k for k, _, _ in cells}
    assert {"heights.dtm_m", "heights.dsm_m", "air_temperature.t_air_c", "trees.count", "green_rule.meets_3_30_300",
            "carriers.count", "changes.count", "zoning.zones.0.max_height_m"} <= keys, keys
    for key, value, text in cells:
        expected = _lookup(api, key)
        assert json.loads(value) == expected, key
        if isinstance(expected, float):
            number = repr(expected).removesuffix(".0").replace(".", ",")
            assert re.match(rf"^{re.escape(number)}( |$)", text), (key, text)
        elif isinstance(expected, int) and not isinstance(expected, bool):
            assert text == str(expected), key
        elif expected is None:
            assert text == "nieznane", key
    assert api["trees"]["count"] > 0 and api["heights"]["dtm_m"] is not None
    print_href = page.page.locator("#report-print").get_attribute("href")
    html = requests.get(print_href, timeout=60)
    assert html.status_code == 200 and 'data-key="heights.dtm_m"' in html.text
    shot(page, "what-is-here")
    # English, and closing by keyboard
    page.page.locator("#lang-toggle").click()
    assert page.page.locator("#report-heading").inner_text() == "What is here?"
    page.page.locator("#report-close").focus()
    page.page.keyboard.press("Enter")
    assert not page.page.locator("#report").is_visible()
    assert "sel=" not in page.js("() => location.hash")
    assert page.errors == []


def test_permalink_round_trip(browser, page, portal):  # noqa: F811
    p = page.page
    page.set_layer("trees", False)
    page.set_layer("zoning", True)
    p.locator("label[for='epoch-2024-06-15']").click()
    lon, lat = TO_LONLAT.transform(*HERE)
    page.js("([lon, lat]) => window.msip.map.jumpTo({center: [lon, lat], zoom: 17.5})", [lon, lat])
    page.wait_idle()
    p.locator("#here-button").click()
    page.wait_idle()
    sel = page.js("() => window.msip.selection()")
    assert sel and sel.startswith("pt:")
    time.sleep(0.3)
    url = p.url
    assert "layers=" in url and "epoch=2024-06-15" in url and "sel=pt" in url, url
    before = view(page)
    report_before = page.js("() => window.msip.report()")
    shot(page, "permalink-before")

    again = MapPage(browser, portal.url, DESKTOP, query=url.split("/map/", 1)[1])
    try:
        assert again.page.url == url
        lon2, lat2, zoom2 = view(again)
        assert zoom2 == pytest.approx(before[2], abs=0.01)
        assert (lon2, lat2) == pytest.approx(before[:2], abs=1e-5)
        assert not again.page.locator("#layer-trees").is_checked() and again.page.locator("#layer-zoning").is_checked()
        assert again.js("() => window.msip.map.getLayoutProperty('trees-0', 'visibility')") == "none"
        assert again.js("() => window.msip.map.getLayoutProperty('zoning-0', 'visibility')") == "visible"
        assert again.page.locator("#epoch-2024-06-15").is_checked()
        assert again.js("() => window.msip.epoch()") == "2024-06-15"
        assert any("datetime=2024-06-15" in u for u in again.urls), "the restored epoch's tiles were not asked for"
        assert again.js("() => window.msip.selection()") == sel
        assert again.page.locator("#report").is_visible()
        assert again.js("() => window.msip.report()") == report_before
        again.page.screenshot(path=str(ARTIFACTS / "webmap-geoportal-permalink-restored.png"))
        assert again.errors == []
    finally:
        again.close()
    assert page.errors == []
