"""Accessibility of the web map in chromium (issue 19): every feature in view is reachable from the
keyboard (the "features in view" list: Enter opens its popup, which takes the focus, Escape returns
to the list), and axe-core (npm, web/node_modules/axe-core/axe.min.js, evaluated in the page) finds
no serious or critical violation in any state the web map tests visit, in Polish and English.
Screenshots: test-artifacts/webmap-a11y-*.png.
"""

from __future__ import annotations

import pytest

from tests.support.paths import ROOT
from tests.webmap.test_webmap import ARTIFACTS, DESKTOP, PHONE, MapPage, browser, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.browser]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), f"{AXE} is missing; run `npm ci` in web/ (make web does)"
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def page(browser, site):  # noqa: F811 (the fixtures imported above)
    p = MapPage(browser, site.url, DESKTOP)
    yield p
    p.close()


def serious_violations(page: MapPage, axe_source: str, state: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (one line each)."""
    page.wait_idle()
    # evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not apply
    if not page.js("() => Boolean(window.axe)"):
        page.js(f"() => {{ {axe_source}\n }}")
    assert page.js("() => typeof window.axe.run") == "function"
    result = page.js("() => window.axe.run(document, {resultTypes: ['violations']})")
    page.page.screenshot(path=str(ARTIFACTS / f"webmap-a11y-{state}.png"))
    return [
        f"{state}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_features_in_view_are_reachable_from_the_keyboard(page):
    p = page.page
    p.locator("body").focus()
    for _ in range(80):
        p.keyboard.press("Tab")
        if page.js("() => document.activeElement.id") == "features-toggle":
            break
    assert page.js("() => document.activeElement.id") == "features-toggle", "Tab never reached the features list"
    p.keyboard.press("Enter")
    p.locator("#features-list").wait_for(state="visible")
    assert p.locator("#features-toggle").get_attribute("aria-expanded") == "true"
    listed = page.js("() => window.msip.features()")
    layers = {f["layer"] for f in listed}
    assert {"trees", "ads"} <= layers, layers
    shown = p.locator(".feature-item")
    assert shown.count() == min(40, len(listed))
    # to the first tree in the list by Tab, open it with Enter
    first_tree = next(i for i, f in enumerate(listed[:40]) if f["layer"] == "trees")
    p.keyboard.press("Tab")
    for _ in range(first_tree):
        p.keyboard.press("Tab")
    assert page.js("() => document.activeElement.id") == f"feature-{first_tree}"
    label = p.locator(f"#feature-{first_tree}").inner_text()
    assert label.startswith("Drzewo: ")
    p.keyboard.press("Enter")
    popup = p.locator(".maplibregl-popup")
    popup.wait_for(state="visible")
    assert "Gatunek" in popup.inner_text() and label.removeprefix("Drzewo: ") in popup.inner_text()
    assert page.js("() => Boolean(document.activeElement.closest('.maplibregl-popup'))"), "the popup has no focus"
    p.screenshot(path=str(ARTIFACTS / "webmap-a11y-feature-popup.png"))
    p.keyboard.press("Escape")
    assert popup.count() == 0
    assert page.js("() => document.activeElement.id") == f"feature-{first_tree}"
    assert page.errors == []


def test_axe_finds_no_serious_violations_in_any_state(page, browser, site, axe_source):  # noqa: F811
    p = page.page
    found = serious_violations(page, axe_source, "loaded")
    for layer in page.layer_ids():
        page.set_layer(layer, True)
    found += serious_violations(page, axe_source, "all-layers")
    p.locator("#features-toggle").click()
    p.locator(".feature-item").first.click()
    p.locator(".maplibregl-popup").wait_for(state="visible")
    found += serious_violations(page, axe_source, "popup")
    p.locator("#here-button").click()
    p.locator("#report [data-key]").first.wait_for(state="visible", timeout=20000)
    found += serious_violations(page, axe_source, "report")
    p.locator("#search-input").fill("1MPZP")
    p.locator("#search-list li").first.wait_for(state="visible", timeout=10000)
    found += serious_violations(page, axe_source, "search")
    p.locator("#search-input").press("Escape")
    p.locator("#tool-measure-length").click()
    p.locator("#measure-add-centre").click()
    page.js("() => window.msip.map.panBy([120, 60], {animate: false})")
    p.locator("#measure-add-centre").click()
    found += serious_violations(page, axe_source, "measure")
    p.locator("#tool-compare").click()
    p.locator("#compare-kind").wait_for(state="visible")
    found += serious_violations(page, axe_source, "compare")
    p.locator("#tool-print").click()
    p.locator("#print-sheet").wait_for(state="visible")
    found += serious_violations(page, axe_source, "print")
    p.keyboard.press("Escape")
    p.locator("#lang-toggle").click()
    found += serious_violations(page, axe_source, "english")
    phone = MapPage(browser, site.url, PHONE)
    try:
        phone.page.locator("#panel-toggle").click()
        found += serious_violations(phone, axe_source, "phone-panel")
        assert phone.errors == []
    finally:
        phone.close()
    assert found == [], "\n".join(found)
    assert page.errors == []
