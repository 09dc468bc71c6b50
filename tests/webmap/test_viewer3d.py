"""The 3D point-cloud viewer at /map/3d/, driven in Debian's chromium through Playwright over a served demo.

The canvas shows a picture (pixel variance), points were streamed by octree node with Range
requests (never the whole file), a geological site's "view in 3D" button flies the camera to its
stored viewpoint, and a two-click measure between two known points gives their distance (±1 %)
and height difference. The time to first view is printed (recorded in benchmarks/RESULTS.md),
never asserted. Screenshots go to test-artifacts/viewer3d-*.png.
"""

from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import laspy
import numpy as np
import psycopg
import pytest
import requests
from PIL import Image

from tests.webmap.test_webmap import ARTIFACTS, DESKTOP, WEB_DIST, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.db, pytest.mark.slow]

SITE_NAME = "Kamieniołom testowy"


@pytest.fixture(scope="module")
def cloud(demo_server):
    """The latest epoch's COPC file: its header (bounds, point count) and size in bytes."""
    assert (WEB_DIST / "3d" / "index.html").is_file(), "web/dist/3d is not built; run `make web`"
    with psycopg.connect(demo_server.owner_url) as conn:
        path = conn.execute("SELECT path FROM msip.pointcloud_asset ORDER BY epoch DESC LIMIT 1").fetchone()[0]
    with laspy.open(path) as f:
        h = f.header
        return {"min": [float(v) for v in h.mins], "max": [float(v) for v in h.maxs],
                "count": int(h.point_count), "bytes": Path(path).stat().st_size}


@pytest.fixture(scope="module")
def geosite(demo_server, cloud, tmp_path_factory):
    """One geological site in the middle of the small world, its viewpoint over the south-west corner."""
    from pipelines.geosites.load import load_geosites

    (x0, y0, _), (x1, y1, z1) = cloud["min"], cloud["max"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    vp = {"name": "z południowego zachodu", "x": round(x0 + 20, 2), "y": round(y0 + 20, 2), "z": round(z1 + 60, 2),
          "heading_deg": 45.0, "pitch_deg": -35.0}
    ring = [[cx - 40, cy - 40], [cx + 40, cy - 40], [cx + 40, cy + 40], [cx - 40, cy + 40], [cx - 40, cy - 40]]
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
           "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                         "properties": {"site_id": "test-1", "name": SITE_NAME, "protection": "rezerwat przyrody",
                                        "description": "test", "viewpoints": [vp]}}]}
    path = tmp_path_factory.mktemp("geosites") / "geostanowiska_test.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert load_geosites(path, url=demo_server.owner_url).status == "succeeded"
    yield vp
    with psycopg.connect(demo_server.owner_url) as conn:
        conn.execute("DELETE FROM msip.geosite WHERE source_id = 'test-1' AND name = %s", (SITE_NAME,))


class Viewer:
    """One page on /map/3d/ that records console errors, failed requests and the URLs asked."""

    def __init__(self, chromium, base: str):
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.page = p = chromium.new_page(viewport=DESKTOP)
        p.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        p.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        p.on("request", lambda r: self.urls.append(r.url))
        p.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))
        started = time.monotonic()
        p.goto(f"{base}/map/3d/")
        self.wait_idle()
        self.settled_s = time.monotonic() - started

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def wait_idle(self, timeout_s: float = 120.0) -> None:
        """Until the viewer wants no more nodes and has none in flight (three checks in a row)."""
        deadline = time.monotonic() + timeout_s
        calm = 0
        while calm < 3:
            assert time.monotonic() < deadline, f"the viewer did not settle; errors: {self.errors}"
            calm = calm + 1 if self.js("() => Boolean(window.msip3d && window.msip3d.idle())") else 0
            time.sleep(0.3)

    def pixels(self, name: str) -> np.ndarray:
        box = self.page.locator("#view").bounding_box()  # page.screenshot: no waiting for "stable" frames
        png = self.page.screenshot(clip=box)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"viewer3d-{name}.png").write_bytes(png)
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


@pytest.fixture(scope="module")
def viewer(browser, demo_server, geosite):  # noqa: F811 (the fixture imported above)
    v = Viewer(browser, demo_server.url)
    yield v
    v.page.close()


def test_points_are_streamed_by_node_and_drawn(viewer, demo_server, cloud):
    img = viewer.pixels("first-view")
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    assert img.std() > 15 and colours > 200, f"the canvas looks blank: std {img.std():.1f}, {colours} colours"
    loaded = viewer.js("() => window.msip3d.pointsLoaded")
    assert loaded > 0 and int(viewer.page.locator("#view").get_attribute("data-points-loaded")) == loaded
    stats = viewer.js("() => window.msip3d.requests()")
    assert stats["requests"] >= 3, stats  # header, hierarchy, then nodes one by one
    assert stats["bytes"] < cloud["bytes"], f"the whole file was fetched: {stats} of {cloud['bytes']} bytes"
    assert loaded <= cloud["count"]
    copc = [u for u in viewer.urls if ".copc.laz" in u]
    assert copc, "no COPC request"
    foreign = [u for u in viewer.urls if not u.startswith(demo_server.url) and not u.startswith("data:")]
    assert not foreign, f"the viewer asked other hosts: {foreign[:3]}"
    assert not viewer.errors, viewer.errors
    first_ms = viewer.js("() => window.msip3d.firstViewMs")
    print(f"\n3D viewer, small world: first points drawn {first_ms:.0f} ms after navigation start; "
          f"settled in {viewer.settled_s:.1f} s with {loaded} of {cloud['count']} points, "
          f"{stats['requests']} range requests, {stats['bytes'] / 1e6:.1f} of {cloud['bytes'] / 1e6:.1f} MB")


def test_colour_modes_change_the_picture(viewer):
    by_class = viewer.pixels("class")
    viewer.page.select_option("#colour", "height")
    by_height = viewer.pixels("height")
    viewer.page.select_option("#colour", "classification")
    changed = float((np.abs(by_class - by_height).max(axis=2) > 12).mean())
    assert changed > 0.05, f"colouring by height changed only {changed:.1%} of the canvas"


def test_geosite_button_flies_to_its_viewpoint(viewer, geosite):
    button = viewer.page.get_by_role("button", name=f"Pokaż {SITE_NAME} w 3D")
    before = viewer.js("() => window.msip3d.camera()")
    flights = viewer.js("() => window.msip3d.flights")
    button.focus()
    viewer.page.keyboard.press("Enter")  # keyboard reachable
    viewer.page.wait_for_function(f"() => window.msip3d.flights > {flights}", timeout=20_000)
    after = viewer.js("() => window.msip3d.camera()")
    moved = math.dist([before[k] for k in "xyz"], [after[k] for k in "xyz"])
    assert moved > 50, f"the camera moved only {moved:.1f} m"
    off = math.dist([after[k] for k in "xyz"], [geosite[k] for k in "xyz"])
    assert off < 1.0, f"the camera is {off:.2f} m from the stored viewpoint {geosite}"
    viewer.wait_idle()
    viewer.pixels("geosite")


def _highest_apart(points: np.ndarray, min_apart_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sampled points, each the highest within 3 m among the samples, at least `min_apart_m` apart."""
    tops = []
    for p in points:
        near = points[np.hypot(*(points[:, :2] - p[:2]).T) < 3.0]
        if p[2] >= near[:, 2].max():
            tops.append(p)
    tops_arr = np.array(tops)
    a = tops_arr[np.argmin(tops_arr[:, 0] + tops_arr[:, 1])]
    far = tops_arr[np.hypot(*(tops_arr[:, :2] - a[:2]).T) >= min_apart_m]
    assert len(far), "no two sampled points far enough apart"
    return a, far[np.argmax(far[:, 0] + far[:, 1])]


def test_measure_two_known_points(viewer, cloud):
    (x0, y0, _), (x1, y1, _) = cloud["min"], cloud["max"]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    viewer.js("([x, y, z, h]) => window.msip3d.lookDown(x, y, z, h)", [cx, cy, cloud["min"][2], 450.0])
    viewer.wait_idle()
    pts = np.array(viewer.js("() => window.msip3d.samplePoints(6000)"))
    box = viewer.page.locator("#view").bounding_box()
    a, b = _highest_apart(pts[(np.abs(pts[:, 0] - cx) < 120) & (np.abs(pts[:, 1] - cy) < 120)], 100.0)
    viewer.page.locator("#measure").click()
    for p in (a, b):
        sx, sy = viewer.js("([x, y, z]) => window.msip3d.project(x, y, z)", p.tolist())
        assert 0 < sx < box["width"] and 0 < sy < box["height"], f"{p} is off screen ({sx:.0f}, {sy:.0f})"
        viewer.page.mouse.click(box["x"] + sx, box["y"] + sy)
    m = viewer.js("() => window.msip3d.measurement")
    assert m is not None, viewer.page.locator("#measure-result").text_content()
    true_d = float(np.linalg.norm(b - a))
    assert abs(m["distance_m"] - true_d) <= 0.01 * true_d, f"measured {m['distance_m']:.2f} m, true {true_d:.2f} m"
    assert abs(m["dz_m"] - float(b[2] - a[2])) <= 0.5, f"height difference {m['dz_m']:.2f} m, true {b[2] - a[2]:.2f} m"
    text = viewer.page.locator("#measure-result").text_content()
    assert f"{m['distance_m']:.2f}".replace(".", ",") in text, text
    viewer.pixels("measure")


def test_english_labels(viewer):
    viewer.page.locator("#lang-toggle").click()
    assert viewer.page.locator("#sites-heading").text_content() == "Geological sites"
    assert viewer.page.get_by_role("button", name=f"View {SITE_NAME} in 3D").count() == 1
    viewer.page.locator("#lang-toggle").click()
    assert viewer.page.locator("#sites-heading").text_content() == "Geostanowiska"


def test_viewer_page_headers(demo_server):
    moved = requests.get(f"{demo_server.url}/map/3d", allow_redirects=False, timeout=30)
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/map/3d/")
    csp = requests.get(f"{demo_server.url}/map/3d/", timeout=30).headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")  # WebAssembly only, no JS eval
    wasm = requests.head(f"{demo_server.url}/map/3d/laz-perf.wasm", timeout=30)
    assert wasm.status_code == 200 and wasm.headers["Content-Type"] == "application/wasm"


def test_main_map_links_to_the_viewer(browser, demo_server):  # noqa: F811
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(f"{demo_server.url}/map/")
        link = page.wait_for_selector("#link-3d", state="attached", timeout=60_000)  # in the layer panel
        assert link.get_attribute("href") == "3d/"
        page.goto(link.evaluate("a => a.href"))
        assert page.url == f"{demo_server.url}/map/3d/"
        page.wait_for_function("() => window.msip3d && window.msip3d.pointsLoaded > 0", timeout=60_000)
    finally:
        page.close()
