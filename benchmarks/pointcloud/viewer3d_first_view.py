"""Time to first view of the 3D viewer (/map/3d/) of a served MSIP, in headless Debian chromium.

Prints, per page load, what tests/webmap/test_viewer3d.py prints: when the first points were drawn
(the viewer's `firstViewMs`, from navigation start), when it settled (no node wanted or in flight),
points streamed, Range requests and bytes read, against the COPC file's size. Serve first, e.g.
`msip serve --port 5000`, then:

    python -m benchmarks.pointcloud.viewer3d_first_view http://127.0.0.1:5000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import time

from tests.webmap.test_webmap import CHROMIUM, CHROMIUM_ARGS, DESKTOP


def one_view(browser, base: str, timeout_s: float, screenshot: str | None = None) -> dict:
    """Open the viewer in a fresh context (empty cache), wait until it settles, optionally save a PNG."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    started = time.monotonic()
    page.goto(f"{base}/map/3d/")
    calm, deadline = 0, started + timeout_s
    while calm < 3 and time.monotonic() < deadline:
        calm = calm + 1 if page.evaluate("() => Boolean(window.msip3d && window.msip3d.idle())") else 0
        time.sleep(0.3)
    settled_s = time.monotonic() - started if calm >= 3 else None
    out = {
        "first_view_ms": page.evaluate("() => window.msip3d && window.msip3d.firstViewMs"),
        "settled_s": settled_s,
        "points": page.evaluate("() => window.msip3d && window.msip3d.pointsLoaded"),
        **(page.evaluate("() => window.msip3d && window.msip3d.requests()") or {}),
        "errors": errors,
    }
    if screenshot:
        page.screenshot(path=screenshot)
    context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the served MSIP, e.g. http://127.0.0.1:5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", help="save the settled view of the last run as this PNG")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for the viewer to settle")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for i in range(args.runs):
            shot = args.screenshot if i == args.runs - 1 else None
            print(json.dumps(one_view(browser, args.base.rstrip("/"), args.timeout, shot)))
        browser.close()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
