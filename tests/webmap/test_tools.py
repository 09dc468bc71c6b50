"""The geoportal's tools in chromium (issue 19): measuring a known segment and polygon (geodesic,
±1 % of pyproj's GRS80 geodesic), the A4 print view with its legend, scale bar, north arrow, date,
attribution and map picture (and a one-page A4 landscape PDF), epochs side by side (each side shows
its own epoch) and the change-events layer filtered by kind. Screenshots: test-artifacts/webmap-tools-*.png.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import requests
from PIL import Image
from pyproj import Geod, Transformer

from tests.webmap.test_webmap import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    DESKTOP,
    MapPage,
    assert_drawn,
    browser,
    changed_share,
    site,
)

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.browser]
TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)
GEOD = Geod(ellps="GRS80")
#: A segment of the small world (EPSG:2180): 240 m east, 180 m north — 300 m on the plane.
SEGMENT = ((614080.0, 334700.0), (614320.0, 334880.0))
#: A 150 m × 100 m rectangle of the small world (EPSG:2180).
RECTANGLE = [(614100.0, 334700.0), (614250.0, 334700.0), (614250.0, 334800.0), (614100.0, 334800.0)]


@pytest.fixture
def page(browser, site):  # noqa: F811 (the fixtures imported above)
    p = MapPage(browser, site.url, DESKTOP)
    yield p
    p.close()


def shot(page: MapPage, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / f"webmap-tools-{name}.png"))


def lonlat(xy: tuple[float, float]) -> list[float]:
    return list(TO_LONLAT.transform(*xy))


def jump(page: MapPage, center: list[float], zoom: float) -> None:
    page.js("([c, z]) => window.msip.map.jumpTo({center: c, zoom: z})", [center, zoom])
    page.wait_idle()


def click_at(page: MapPage, point: list[float], double: bool = False) -> None:
    x, y = page.js("(p) => { const q = window.msip.map.project(p); return [q.x, q.y]; }", point)
    box = page.page.locator("#map").bounding_box()
    if double:
        page.page.mouse.dblclick(box["x"] + x, box["y"] + y)
    else:
        page.page.mouse.click(box["x"] + x, box["y"] + y)


def test_measure_a_known_segment_by_mouse(page):
    a, b = lonlat(SEGMENT[0]), lonlat(SEGMENT[1])
    _, _, geodesic_m = GEOD.inv(*a, *b)
    jump(page, [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], 16.5)
    page.page.locator("#tool-measure-length").click()
    click_at(page, a)
    click_at(page, b, double=True)  # a double-click adds its point once and ends
    result = page.js("() => window.msip.measure()")
    assert result["done"] and result["points"] == 2, result
    assert result["lengthM"] == pytest.approx(geodesic_m, rel=0.01)
    assert result["lengthM"] == pytest.approx(300.0, rel=0.01)  # the EPSG:2180 plane length, too
    text = page.page.locator("#measure-result").inner_text()
    assert re.fullmatch(r"Długość: \d{3},\d m", text), text
    assert not page.page.locator("#report").is_visible(), "a measuring click opened 'what is here'"
    shot(page, "measure-length")
    assert page.errors == []


def test_measure_an_area_from_the_keyboard(page):
    p = page.page
    corners = [lonlat(c) for c in RECTANGLE]
    area_m2, perimeter_m = GEOD.polygon_area_perimeter([c[0] for c in corners], [c[1] for c in corners])
    jump(page, corners[0], 17)
    p.locator("#tool-measure-area").focus()
    p.keyboard.press("Enter")
    assert page.js("() => document.activeElement.id") == "measure-add-centre"
    for corner in corners:
        page.js("(c) => window.msip.map.jumpTo({center: c})", corner)  # as arrow keys would pan
        p.keyboard.press("Enter")  # the focus stays on "Add the map centre"
    p.locator("#measure-finish").focus()
    p.keyboard.press("Enter")
    result = page.js("() => window.msip.measure()")
    assert result["done"] and result["points"] == 4, result
    assert result["areaM2"] == pytest.approx(abs(area_m2), rel=0.01)
    assert result["areaM2"] == pytest.approx(15000.0, rel=0.01)
    assert result["perimeterM"] == pytest.approx(perimeter_m, rel=0.01)
    assert "ha" in p.locator("#measure-result").inner_text()
    shot(page, "measure-area")
    p.keyboard.press("Escape")
    assert p.locator("#measure").is_hidden()
    assert page.errors == []


def test_print_view_holds_the_map_legend_scale_north_date_and_attribution(page, tmp_path):
    p = page.page
    p.locator("#tool-print").click()
    sheet = p.locator("#print-sheet")
    sheet.wait_for(state="visible")
    assert p.locator("#print-map").get_attribute("src").startswith("data:image/png;base64,")
    img = np.asarray(Image.open(io.BytesIO(p.locator("#print-map").screenshot())).convert("RGB")).astype(np.int16)
    assert_drawn(img, "the printed map")
    legend = p.locator(".print-legend").inner_text()
    assert "Legenda" in legend and "Drzewa (stan zdrowotny)" in legend and "stan dobry" in legend
    assert p.locator(".print-north").is_visible()
    assert re.fullmatch(r"\d+ m|\d+(,\d)? km", p.locator(".print-scale-label").inner_text())
    assert re.fullmatch(r"skala ok\. 1:[\d\s  ]+ na A4", p.locator(".print-scale-ratio").inner_text())
    # the bar is as long, as a share of the printed map, as its length is of the map's ground width
    scale = p.locator(".print-scale")
    share = float(scale.get_attribute("data-length-m")) / (
        float(scale.get_attribute("data-metres-per-pixel")) * page.js("() => window.msip.map.getCanvas().clientWidth")
    )
    bar = p.locator(".print-scale-bar").bounding_box()
    fig = p.locator(".print-figure").bounding_box()
    assert bar["width"] / fig["width"] == pytest.approx(share, rel=0.03)
    assert re.search(r"Stan na \d{1,2} \w+ 20\d\d", p.locator(".print-date").inner_text())
    assert "Dane: MSIP, CC-BY 4.0" in p.locator(".print-attribution").inner_text()
    shot(page, "print-view")
    p.emulate_media(media="print")
    assert p.locator("header.top").is_hidden() and p.locator("#print-map").is_visible()
    pdf = p.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / "map.pdf").write_bytes(pdf)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "the print view is not one page"
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([^\]]+)\]", pdf).group(1).split()]
    assert (box[2] - box[0], box[3] - box[1]) == pytest.approx((842, 595), abs=2), "not A4 landscape"
    p.emulate_media(media="screen")
    # English, closed with Escape
    p.keyboard.press("Escape")
    assert p.locator("#print-sheet").count() == 0
    p.locator("#lang-toggle").click()
    p.locator("#tool-print").click()
    p.locator("#print-sheet").wait_for(state="visible")
    legend = p.locator(".print-legend").inner_text()
    assert "Legend" in legend and "good health" in legend
    assert p.locator(".print-date").inner_text().startswith("As of ")
    assert "Data: MSIP" in p.locator(".print-attribution").inner_text()
    assert "scale about 1:" in p.locator(".print-scale-ratio").inner_text()
    shot(page, "print-view-en")
    assert page.errors == []


def halves(img: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """The left and right halves below the controls, a few pixels clear of the divider."""
    mid = img.shape[1] // 2
    return img[top:, : mid - 4], img[top:, mid + 4 :]


@pytest.mark.parametrize("kind", ["orthophoto", "chm"])
def test_epochs_side_by_side_each_side_shows_its_epoch(page, kind):
    p = page.page
    p.locator("#tool-compare").click()
    p.locator("#compare-kind").wait_for(state="visible")
    p.locator("#compare-kind").select_option(kind)
    epochs = page.js("() => [...document.querySelectorAll('#compare-left option')].map(o => o.value)")
    assert len(epochs) >= 2, epochs
    old, new = epochs[0], epochs[-1]
    page.wait_idle()
    top = int(p.locator(".cmp-controls").bounding_box()["height"]) + 20

    def picture(left: str, right: str, name: str | None = None) -> np.ndarray:
        p.locator("#compare-left").select_option(left)
        p.locator("#compare-right").select_option(right)
        page.wait_idle()
        state = page.js("() => window.msip.compare()")
        assert (state["kind"], state["left"], state["right"]) == (kind, left, right)
        return page.map_pixels(name)

    both = picture(old, new, f"tools-compare-{kind}")
    shot(page, f"compare-{kind}")
    old_old = picture(old, old)
    new_new = picture(new, new)
    left_both, right_both = halves(both, top)
    left_oo, right_oo = halves(old_old, top)
    left_nn, right_nn = halves(new_new, top)
    assert_drawn(left_both, f"the left ({old}) side", max_blank=0.7)
    assert changed_share(left_both, left_oo) < 0.001, "the left side is not the older epoch"
    assert changed_share(right_both, right_oo) > 0.003, "the right side did not change with its epoch"
    assert changed_share(right_both, right_nn) < 0.001, "the right side is not the newer epoch"
    assert changed_share(left_both, left_nn) > 0.003, "the left side did not change with its epoch"
    collection = "orthophoto" if kind == "orthophoto" else kind
    for epoch in (old, new):
        assert any(f"/collections/{collection}/tiles/" in u and f"datetime={epoch}" in u for u in page.urls)
    # the divider moves with the slider (arrow keys)
    p.locator("#compare-slider").focus()
    p.keyboard.press("End")
    assert page.js("() => window.msip.compare().position") == 100
    p.keyboard.press("Escape")
    assert p.locator("#compare").count() == 0
    assert page.errors == []


def test_change_events_layer_filters_by_kind(page, site):  # noqa: F811 (the fixture imported above)
    p = page.page
    areas = requests.get(f"{site.url}/collections/change_events_areas/items?f=json&limit=1000", timeout=60).json()
    kinds = {f["properties"]["type"] for f in areas["features"]}
    assert "new_building" in kinds and len(kinds) >= 2, kinds
    for layer in ("trees", "ads", "green"):
        page.set_layer(layer, False)
    page.set_layer("changes-areas", True)
    page.set_layer("changes-points", True)

    def drawn() -> dict[str, int]:
        return page.js("""() => { const out = {};
            for (const f of window.msip.map.queryRenderedFeatures({layers: ['changes-areas-0']}))
                out[f.properties.type] = (out[f.properties.type] || 0) + 1;
            return out; }""")

    before = drawn()
    assert set(before) == kinds, (before, kinds)
    with_all = page.map_pixels("tools-changes")
    assert "nowy budynek" in p.locator("#item-changes-areas").inner_text()
    p.locator("label[for='kind-changes-areas-new_building']").click()
    page.wait_idle()
    after = drawn()
    assert "new_building" not in after and set(after) == kinds - {"new_building"}
    assert changed_share(with_all, page.map_pixels()) > 0.001
    points = requests.get(f"{site.url}/collections/change_events_points/items?f=json&limit=1000", timeout=60).json()
    assert points["features"], "the demo has no point changes"
    shot(page, "changes-filtered")
    p.locator("#kind-changes-areas-new_building").check()
    page.wait_idle()
    assert drawn() == before
    assert page.errors == []
