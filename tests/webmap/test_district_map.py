"""The web map on the district (the default demo world, issue #17): screenshots of what a visitor of
`make demo` sees — the whole district on the orthophoto, the heat map, the three epochs — saved as
test-artifacts/webmap-district-*.png, each checked to be a drawn picture without page errors.

Shares the session's one district build (the `district` fixture) with tests/system/test_district_demo.py.
"""

from __future__ import annotations

import pytest

from tests.webmap.test_webmap import DESKTOP, WEB_DIST, MapPage, assert_drawn, browser, changed_share

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.city, pytest.mark.browser]
__all__ = ["browser"]  # the chromium fixture, shared with test_webmap.py


@pytest.fixture(scope="module")
def district_site(district, settings):
    """`msip serve` over the district's database (its rasters in its own store)."""
    from tests.support.demo_server import start_server, stop_server

    assert (WEB_DIST / "index.html").is_file(), "web/dist is not built; run `make web`"
    with district.env():
        proc, base = start_server(district.url, district.reader_url, settings.home / "test-district-server.log")
    try:
        yield base
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def page(browser, district_site):
    p = MapPage(browser, district_site, DESKTOP)
    yield p
    p.close()


def test_the_district_map_draws_every_layer_and_the_heat(page) -> None:
    assert_drawn(page.map_pixels("district-loaded"), "the district with its default layers")
    for layer in page.layer_ids():
        page.set_layer(layer, layer == "orthophoto")
    basemap = page.map_pixels("district-basemap")
    assert_drawn(basemap, "the district's orthophoto")
    page.set_layer("heat", True)
    heat = page.map_pixels("district-heat")
    assert changed_share(basemap, heat) > 0.2, "the heat layer barely shows over the district"
    page.set_layer("heat", False)
    for layer in ("trees", "green", "buildings"):
        page.set_layer(layer, True)
    assert_drawn(page.map_pixels("district-green"), "trees, green spaces and buildings")
    assert page.errors == []


def test_the_district_has_three_epochs_on_the_map(page) -> None:
    for epoch in ("2019-06-15", "2022-06-15", "2025-06-15"):
        assert page.page.locator(f"#epoch-{epoch}").count() == 1, epoch
    page.page.locator("label[for='epoch-2019-06-15']").click()
    page.wait_idle()
    older = page.map_pixels("district-epoch-2019")
    assert any("datetime=2019-06-15" in u for u in page.urls)
    assert_drawn(older, "the 2019 orthophoto")
    assert page.errors == []
