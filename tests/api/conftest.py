"""Fixtures of the API tests: the in-process app over the API test database (tests.support.api_fixtures)."""

from __future__ import annotations

import pytest

from tests.support.api_fixtures import app


@pytest.fixture(scope="module")
def client():
    """A Flask test client of the app (one per test module; tests/api/processes/ modules define their own)."""
    return app().test_client()
