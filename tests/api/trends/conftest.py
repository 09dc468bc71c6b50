"""The served demo world with address points, as in tests/api/search (the same session fixtures)."""

from tests.api.search.conftest import geoportal, owner  # noqa: F401 (fixtures)
