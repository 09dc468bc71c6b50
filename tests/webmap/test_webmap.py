"""The public web map at /map, driven in Debian's chromium through Playwright, over a served demo.

What a visitor sees: the page loads with no console errors and asks nothing of other hosts, the
orthophoto basemap is drawn (pixels vary), every layer toggle changes the picture, clicking a
known tree shows its species, the English toggle switches the UI, the layer control works at
phone width and by keyboard, and the epoch switch changes the basemap. Plus, without a browser,
the map tiles' `datetime` epoch parameter and the /map security headers.
Screenshots go to test-artifacts/webmap-*.png.

Longer than ~300 lines: the checks share one served demo, and those in the browser one chromium
and the MapPage helper.
"""

from __future__ import annotations

import io
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
import requests
from PIL import Image

from tests.support.paths import ROOT

WEB_DIST = ROOT / "web" / "dist"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1200, "height": 800}
PHONE = {"width": 375, "height": 740}

pytestmark = [pytest.mark.db, pytest.mark.slow]


# ---- helpers -----------------------------------------------------------------------------


class MapPage:
    """One browser page on /map/ that records console errors, failed requests and foreign hosts."""

    def __init__(self, browser, server_url: str, viewport: dict, query: str = ""):
        self.server = server_url
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.page = browser.new_page(viewport=viewport)
        p = self.page
        p.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        p.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        p.on("request", lambda r: self.urls.append(r.url))
        p.on(
            "response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}")
        )
        p.on(
            "requestfailed",
            lambda r: (
                "ERR_ABORTED" not in (r.failure or "")  # superseded item loads are aborted
                and self.errors.append(f"failed: {r.url} {r.failure}")
            ),
        )
        p.goto(f"{server_url}/map/{query}")
        self.wait_idle()

    def js(self, expression: str, arg=None):
        # page.evaluate goes through the DevTools protocol, so the page's CSP (no eval) allows it.
        return self.page.evaluate(expression, arg)

    def wait_idle(self, timeout_s: float = 90.0) -> None:
        """Until MapLibre has every tile and the page no pending item loads (twice in a row)."""
        deadline = time.monotonic() + timeout_s
        calm = 0
        while calm < 2:
            assert time.monotonic() < deadline, f"the map did not settle; errors: {self.errors}"
            idle = self.js("() => Boolean(window.msip && window.msip.idle())")
            calm = calm + 1 if idle else 0
            time.sleep(0.2)

    def map_pixels(self, name: str | None = None) -> np.ndarray:
        """The map element as an RGB array (saved as test-artifacts/webmap-<name>.png when named)."""
        png = self.page.locator("#map").screenshot()
        if name:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"webmap-{name}.png").write_bytes(png)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)

    def set_layer(self, layer_id: str, on: bool) -> None:
        box = self.page.locator(f"#layer-{layer_id}")
        if box.is_checked() != on:
            box.click()
        self.wait_idle()
        shown = self.js(
            "(id) => window.msip.map.getLayoutProperty(id + '-0', 'visibility')", layer_id
        )
        assert shown == ("visible" if on else "none")

    def layer_ids(self) -> list[str]:
        return self.js("() => window.msip.layers()")

    def close(self) -> None:
        self.page.close()


def changed_share(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels whose colour differs by more than a little between two screenshots."""
    assert a.shape == b.shape
    return float((np.abs(a - b).max(axis=2) > 12).mean())


def assert_drawn(img: np.ndarray, what: str, max_blank: float = 0.5) -> None:
    """The map shows a picture: varied pixels, many colours, little bare background or blank white."""
    colours = len(np.unique(img.reshape(-1, 3), axis=0))

    def near(rgb: list[int]) -> float:
        return float((np.abs(img - np.array(rgb)).max(axis=2) <= 2).mean())

    blank = near([0xE8, 0xE8, 0xE3]) + near([255, 255, 255])
    assert img.std() > 15 and colours > 500, (
        f"{what} looks blank: std {img.std():.1f}, {colours} colours"
    )
    assert blank < max_blank, f"{blank:.0%} of {what} is bare background or white"


def isolated_tree(base: str) -> dict:
    """The tree (GeoJSON feature) farthest from any other tree or advertisement, so a click hits it."""
    trees = requests.get(f"{base}/collections/trees/items?f=json&limit=10000", timeout=60).json()
    ads = requests.get(
        f"{base}/collections/ad_compliance/items?f=json&limit=10000", timeout=60
    ).json()
    pts = np.array([f["geometry"]["coordinates"][:2] for f in trees["features"] + ads["features"]])
    scale = np.array([math.cos(math.radians(pts[:, 1].mean())), 1.0])
    xy = pts * scale
    best, best_d = None, -1.0
    for i, feature in enumerate(trees["features"]):
        d = np.hypot(*(xy - xy[i]).T)
        d[i] = np.inf
        if d.min() > best_d:
            best, best_d = feature, float(d.min())
    assert best is not None and best["properties"]["species"], "the demo has no tree with a species"
    return best


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium (a required package: missing is a failure, never a download or skip)."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing; install the Debian package chromium"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(demo_server):
    """The demo server, once the web map is built (make web builds web/dist)."""
    assert (WEB_DIST / "index.html").is_file(), "web/dist is not built; run `make web`"
    return demo_server


@pytest.fixture
def desktop(browser, site):
    page = MapPage(browser, site.url, DESKTOP)
    yield page
    page.close()


# ---- without a browser -------------------------------------------------------------------


def _ortho_tile(base: str, z: int = 17) -> str:
    import morecantile

    r = requests.get(f"{base}/collections/orthophoto/tiles/WebMercatorQuad?f=json", timeout=30)
    assert r.status_code == 200, r.text[:300]
    meta = r.json()
    (w, s), (e, n) = meta["boundingBox"]["lowerLeft"], meta["boundingBox"]["upperRight"]
    t = morecantile.tms.get("WebMercatorQuad").tile((w + e) / 2, (s + n) / 2, z)
    return f"{base}/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}?f=png"


def test_orthophoto_tiles_of_each_epoch(site):
    r = requests.get(f"{site.url}/collections/orthophoto/tiles/WebMercatorQuad?f=json", timeout=30)
    assert r.status_code == 200, r.text[:300]
    meta = r.json()
    assert meta["msip:epochs"] == ["2024-06-15", "2025-06-15"]
    assert meta["msip:epoch"] == "2025-06-15"
    url = _ortho_tile(site.url)
    old = requests.get(f"{url}&datetime=2024-06-15", timeout=60)
    new = requests.get(f"{url}&datetime=2025-06-15", timeout=60)
    latest = requests.get(url, timeout=60)
    for r in (old, new, latest):
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/png", r.text[:200]
    assert old.content != new.content, "the two epochs rendered the same tile"
    assert latest.content == new.content, "without datetime the latest epoch is rendered"
    assert old.headers["ETag"] != new.headers["ETag"]
    again = requests.get(
        f"{url}&datetime=2024-06-15", headers={"If-None-Match": old.headers["ETag"]}, timeout=60
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("value", "status", "reason"),
    [
        ("2024-6-15", 400, "is not a date"),
        ("2024-13-01", 400, "is not a date"),
        ("yesterday", 400, "datetime=YYYY-MM-DD"),
        ("2024-06-15/2025-06-15", 400, "is not a date"),
        ("2023-06-15", 404, "the epochs loaded are: 2024-06-15, 2025-06-15"),
    ],
)
def test_orthophoto_tile_epoch_errors(site, value, status, reason):
    r = requests.get(f"{_ortho_tile(site.url)}&datetime={value}", timeout=60)
    assert r.status_code == status, r.text[:300]
    assert reason in r.json()["description"]


def test_vector_tiles_refuse_an_epoch(site):
    r = requests.get(
        f"{site.url}/collections/trees/tiles/WebMercatorQuad/17/43955/73044?datetime=2024-06-15",
        timeout=60,
    )
    assert r.status_code == 400 and "no tile epochs" in r.json()["description"]


def test_heat_tiles_have_a_legend(site):
    meta = requests.get(
        f"{site.url}/collections/heat_tair/tiles/WebMercatorQuad?f=json", timeout=30
    ).json()
    legend = meta["msip:legend"]
    assert legend["unit"] == "°C" and 10 < legend["min"] < legend["max"] < 50
    assert len(legend["colors"]) == 5 and all(
        re.fullmatch(r"#[0-9a-f]{6}", c) for c in legend["colors"]
    )


def test_map_is_served_with_security_headers(site):
    moved = requests.get(f"{site.url}/map", allow_redirects=False, timeout=30)
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/map/")
    r = requests.get(f"{site.url}/map/", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    h = r.headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "SAMEORIGIN" and h["Referrer-Policy"]
    # no inline scripts; every script and stylesheet comes from /map/ itself
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", r.text, re.DOTALL)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"(src|href)=\"(https?:)?//", r.text)
    worker = requests.get(f"{site.url}/map/maplibre-gl-csp-worker.js", timeout=30)
    assert worker.status_code == 200 and worker.headers["Content-Security-Policy"] == csp
    assert requests.get(f"{site.url}/map/.built", timeout=30).status_code == 404


# ---- in the browser ----------------------------------------------------------------------


@pytest.mark.browser
def test_page_loads_offline_without_errors_and_draws_the_basemap(desktop, site):
    page = desktop
    assert page.layer_ids() == [
        "orthophoto",
        "heat",
        "living",
        "terrain-change",
        "zoning",
        "green",
        "buildings",
        "trees",
        "ads",
        "changes-areas",
        "changes-points",
    ]
    page.map_pixels("loaded")
    for layer in page.layer_ids():
        if layer != "orthophoto":
            page.set_layer(layer, False)
    assert_drawn(page.map_pixels("basemap"), "the basemap")
    foreign = [u for u in page.urls if not u.startswith(site.url) and not u.startswith("data:")]
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"
    assert any("/collections/orthophoto/tiles/WebMercatorQuad/" in u for u in page.urls)
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("layer", ["trees", "ads", "green", "buildings", "zoning", "heat"])
def test_toggling_a_layer_changes_the_map(desktop, layer):
    page = desktop
    page.set_layer(layer, True)
    shown = page.map_pixels(f"layer-{layer}")
    page.set_layer(layer, False)
    hidden = page.map_pixels()
    assert changed_share(shown, hidden) > 0.002, f"toggling {layer} changed nothing visible"
    page.set_layer(layer, True)
    again = page.map_pixels()
    assert changed_share(shown, again) < 0.25 * changed_share(shown, hidden)
    assert page.errors == []


@pytest.mark.browser
def test_clicking_a_tree_shows_its_species(desktop, site):
    page = desktop
    tree = isolated_tree(site.url)
    lon, lat = tree["geometry"]["coordinates"][:2]
    page.js("([lon, lat]) => window.msip.map.jumpTo({center: [lon, lat], zoom: 19})", [lon, lat])
    page.wait_idle()
    x, y = page.js(
        "([lon, lat]) => { const p = window.msip.map.project([lon, lat]); return [p.x, p.y]; }",
        [lon, lat],
    )
    box = page.page.locator("#map").bounding_box()
    page.page.mouse.click(box["x"] + x, box["y"] + y)
    popup = page.page.locator(".maplibregl-popup")
    popup.wait_for(state="visible", timeout=10000)
    props = tree["properties"]
    text = popup.inner_text()
    assert "Drzewo" in text and "Gatunek" in text
    assert props["species"] in text, f"{props['species']!r} not in popup {text!r}"
    assert props["source_id"] in text
    page.map_pixels("popup-tree")
    link = popup.locator("a.api-link").get_attribute("href")
    assert link == f"{site.url}/collections/trees/items/{tree['id']}"
    item = requests.get(link, params={"f": "json"}, timeout=30).json()
    assert item["properties"]["species"] == props["species"]
    # the popup follows the language
    page.page.locator("#lang-toggle").click()
    text_en = page.page.locator(".maplibregl-popup").inner_text()
    assert "Species" in text_en and "Tree" in text_en and "Gatunek" not in text_en
    assert props["species_latin"] in text_en
    assert page.errors == []


@pytest.mark.browser
def test_english_toggle_changes_the_ui_language(desktop):
    page = desktop.page
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator("#title").inner_text() == "MSIP — mapa miasta"
    assert page.locator("label[for=layer-trees]").inner_text() == "Drzewa (stan zdrowotny)"
    assert page.locator(".maplibregl-ctrl-zoom-in").get_attribute("aria-label") == "Przybliż"
    assert "Dane: MSIP" in page.locator(".maplibregl-ctrl-attrib").inner_text()
    page.locator("#lang-toggle").click()
    assert page.locator("html").get_attribute("lang") == "en"
    attribution = page.locator(".maplibregl-ctrl-attrib").inner_text()
    assert "Data: MSIP" in attribution and "Dane" not in attribution
    assert page.locator("#title").inner_text() == "MSIP — city map"
    assert page.locator("label[for=layer-trees]").inner_text() == "Trees (health)"
    assert page.locator("#layers-heading").inner_text() == "Layers"
    assert "good health" in page.locator("#item-trees .legend").inner_text()
    assert page.locator("#lang-toggle").inner_text() == "Polski"
    assert page.locator(".maplibregl-ctrl-zoom-in").get_attribute("aria-label") == "Zoom in"
    desktop.map_pixels("english")
    page.locator("#lang-toggle").click()
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.locator("#layers-heading").inner_text() == "Warstwy"
    assert desktop.errors == []


@pytest.mark.browser
def test_phone_width_keeps_the_map_and_a_reachable_layer_control(browser, site):
    page = MapPage(browser, site.url, PHONE)
    try:
        p = page.page
        box = p.locator("#map").bounding_box()
        assert box["width"] >= 360 and box["height"] >= 400, box
        # a square district in a tall screen: more bare background around it than on a desktop
        assert_drawn(page.map_pixels(), "the map at phone width", max_blank=0.7)
        toggle = p.locator("#panel-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not p.locator("#layer-trees").is_visible(), "the panel should fold away on a phone"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        trees = p.locator("#layer-trees")
        assert trees.is_visible()
        tb = trees.bounding_box()
        assert tb["x"] >= 0 and tb["x"] + tb["width"] <= PHONE["width"]
        page.wait_idle()
        assert_drawn(page.map_pixels(), "the map beside the open panel")
        box = p.locator("#map").bounding_box()
        assert box["width"] >= 360 and box["height"] >= 250, box
        p.screenshot(path=str(ARTIFACTS / "webmap-phone.png"))
        page.set_layer("trees", False)
        page.set_layer("trees", True)
        assert page.errors == []
    finally:
        page.close()


@pytest.mark.browser
def test_keyboard_reaches_the_layer_toggles_and_space_toggles(desktop):
    page = desktop
    p = page.page
    p.locator("body").focus()
    visited = []
    for _ in range(40):
        p.keyboard.press("Tab")
        focused = page.js("() => document.activeElement.id || document.activeElement.tagName")
        visited.append(focused)
        if focused == "layer-trees":
            break
    assert visited[-1] == "layer-trees", f"Tab never reached the trees toggle: {visited}"
    assert "lang-toggle" in visited
    outline = page.js("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused toggle has no visible focus"
    p.keyboard.press("Space")
    page.wait_idle()
    assert not p.locator("#layer-trees").is_checked()
    assert page.js("() => window.msip.map.getLayoutProperty('trees-0', 'visibility')") == "none"
    p.keyboard.press("Space")
    page.wait_idle()
    assert page.js("() => window.msip.map.getLayoutProperty('trees-0', 'visibility')") == "visible"
    assert page.errors == []


@pytest.mark.browser
def test_epoch_switch_changes_the_basemap(desktop):
    page = desktop
    for layer in ("trees", "ads", "green"):
        page.set_layer(layer, False)
    latest = page.map_pixels()
    page.page.locator("label[for='epoch-2024-06-15']").click()
    page.wait_idle()
    older = page.map_pixels("epoch-2024")
    assert any("datetime=2024-06-15" in u for u in page.urls)
    assert changed_share(latest, older) > 0.001, "switching the epoch did not change the basemap"
    page.page.locator("#epoch-2025-06-15").check()
    page.wait_idle()
    assert changed_share(latest, page.map_pixels()) < 0.5 * changed_share(latest, older)
    assert page.errors == []
