"""Indicators and trends in chromium (issue 19): clicking a place shows charts of the chosen grid
indicator of its living-conditions cell and of its zone's air-temperature anomaly, with a point per
epoch equal to the API's /trends; the living-conditions choropleth and its legend use the
indicator's fixed stops whatever the data; the heat legend says what its colours mean; the panel
links the server's PDF. Screenshots go to test-artifacts/webmap-trends-*.png."""

from __future__ import annotations

import json

import pytest
import requests

from tests.webmap.test_geoportal import HERE, TO_LONLAT, page, portal, shot  # noqa: F401 (fixtures)
from tests.webmap.test_webmap import browser, site  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.browser]


def click_here(page) -> None:  # noqa: F811 (the fixture's name)
    lon, lat = TO_LONLAT.transform(*HERE)
    page.js("([lon, lat]) => window.msip.map.jumpTo({center: [lon, lat], zoom: 18})", [lon, lat])
    page.wait_idle()
    x, y = page.js("([lon, lat]) => { const p = window.msip.map.project([lon, lat]); return [p.x, p.y]; }", [lon, lat])
    box = page.page.locator("#map").bounding_box()
    page.page.mouse.click(box["x"] + x, box["y"] + y)
    page.page.locator("#trends figure.trend").first.wait_for(state="visible", timeout=20000)
    page.wait_idle()


def charts(page) -> list[dict]:  # noqa: F811
    return page.js("""() => [...document.querySelectorAll('#trends figure.trend')].map(f => ({
        indicator: f.dataset.indicator, place: f.dataset.place,
        points: [...f.querySelectorAll('circle.point')].map(c => [c.dataset.epoch, JSON.parse(c.dataset.value)])}))""")


def api_points(base: str, indicator: str, place: str) -> list:
    kind, ident = place.split(":")
    doc = requests.get(f"{base}/trends", params={"indicator": indicator, kind: ident}, timeout=60).json()
    return [[p["epoch"], p["value"]] for p in doc["points"] if p["value"] is not None]


def test_a_trend_chart_has_the_api_points(page, portal):  # noqa: F811
    click_here(page)
    shown = charts(page)
    assert {c["indicator"] for c in shown} == {"canopy_pct", "t_air_anomaly_c"}, shown
    for chart in shown:
        assert len(chart["points"]) >= 2, chart
        assert chart["points"] == api_points(portal.url, chart["indicator"], chart["place"])
    page.page.locator("#trends").scroll_into_view_if_needed()
    shot(page, "trends-chart")
    # another indicator: the chart follows the choice (and so does the map)
    page.page.locator("#layer-living").check()
    page.page.locator("#indicator-select").select_option("built_pct")
    page.page.locator("#trends figure[data-indicator='built_pct']").wait_for(state="visible", timeout=20000)
    page.wait_idle()
    built = next(c for c in charts(page) if c["indicator"] == "built_pct")
    assert len(built["points"]) >= 2 and built["points"] == api_points(portal.url, "built_pct", built["place"])
    pdf = page.page.locator("#report-pdf").get_attribute("href")
    r = requests.get(pdf, timeout=60)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")


def test_the_choropleth_and_legend_use_the_fixed_stops(page, portal):  # noqa: F811
    scales = {i["name"]: i["scale"] for i in requests.get(f"{portal.url}/trends", timeout=30).json()["indicators"]}
    page.set_layer("living", True)
    for name in ("canopy_pct", "built_pct", "pct_3_30_300"):
        page.page.locator("#indicator-select").select_option(name)
        page.wait_idle()
        expr = page.js("() => window.msip.map.getPaintProperty('living-0', 'fill-color')")
        # ["case", [null test], no-data colour, ["interpolate", ["linear"], value, v0, c0, v1, c1, …]]
        assert expr[2] == scales[name]["no_data"]
        ramp = expr[3]
        assert ramp[:2] == ["interpolate", ["linear"]] and ramp[2][-1] == ["get", name]
        stops = [[ramp[i], ramp[i + 1]] for i in range(3, len(ramp), 2)]
        assert stops == scales[name]["stops"] and stops[0][0] == 0 and stops[-1][0] == 100
        legend = page.js("""() => [...document.querySelectorAll('#item-living .legend li')]
            .map(li => [li.querySelector('.swatch').style.background, li.textContent])""")
        assert len(legend) == len(stops) + 1  # the stops and "no data"
        assert legend[0][1].startswith("0 %") and legend[-2][1].startswith("100 %"), legend
    # the data on screen span much less than 0–100 %: the colours did not stretch over them
    values = page.js("""() => window.msip.map.querySourceFeatures('living').map(f => f.properties.built_pct)""")
    values = [v for v in values if v is not None]
    assert values and max(values) - min(values) < 100
    shot(page, "trends-choropleth")


def test_the_heat_legend_says_what_a_colour_means(page, portal):  # noqa: F811
    meta = requests.get(f"{portal.url}/collections/heat_tair/tiles/WebMercatorQuad?f=json", timeout=30).json()
    page.set_layer("heat", True)
    labels = page.js("() => [...document.querySelectorAll('#item-heat .gradient-labels span')].map(s => s.textContent)")
    assert labels == meta["msip:legend"]["labels"]["pl"], labels
    assert "T_ref" in labels[0] and json.dumps(meta["msip:legend"]["min"]) != json.dumps(meta["msip:legend"]["max"])
    shot(page, "trends-heat-legend")
