"""Fixtures of the download tests: requests wait for the builds they start (the background tests set their own wait)."""

from __future__ import annotations

import pytest

from msip.api.downloads.background import WAIT_ENV


@pytest.fixture(autouse=True)
def _wait_for_builds(monkeypatch):
    """A request that starts a build waits for it (up to 10 min), so these tests get the file, not a 202."""
    monkeypatch.setenv(WAIT_ENV, "600")
