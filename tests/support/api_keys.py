"""API keys for tests: created in the database the app checks keys against, sent as a bearer token."""

from __future__ import annotations

import uuid

import psycopg

from msip.core.access.api_keys import SCOPES, create_key
from msip.core.settings import OWNER_ROLE, with_user

#: Tests run many executions: their keys get a limit no test reaches unless it sets its own.
TEST_RATE_PER_MIN = 100_000


def make_key(owner_url: str, scopes: tuple[str, ...] = SCOPES, *, name: str | None = None,
             rate_per_min: int | None = TEST_RATE_PER_MIN) -> str:
    """A new active key in the database at `owner_url` (as msip_owner); the key itself."""
    with psycopg.connect(owner_url) as conn:
        key, _ = create_key(conn, name or f"test-{uuid.uuid4().hex[:10]}", scopes, rate_per_min=rate_per_min)
    return key


def key_db_owner_url(app) -> str:
    """Owner URL of the database `app` (msip.api.create_app) checks keys against."""
    return with_user(app.config["MSIP_KEY_DB"], OWNER_ROLE)


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for `key`."""
    return {"Authorization": f"Bearer {key}"}


def keyed(client, scopes: tuple[str, ...] = SCOPES, **kwargs):
    """`client` (a Flask test client) sending a new key with `scopes` on every request."""
    key = make_key(key_db_owner_url(client.application), scopes, **kwargs)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client
