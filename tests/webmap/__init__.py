"""Tests of the public web map at /map (chromium through Playwright)."""
