"""Access control (#15 finding 3): reading is public; executions and jobs need a scoped API key;
a key sees and deletes only its own jobs; executions are rate-limited per key; keys are stored
hashed. Also #15 finding 7: an async execution answers 201 with a status document, not `null`.

The app is the real one (create_app) with the real job manager over a TinyDB file, keys in the
real test database; the process is a trivial echo registered like any third-party process.
"""

from __future__ import annotations

import hashlib

import psycopg
import pytest

from tests.support.api_keys import bearer, make_key
from tests.support.echo_process import echo_config

pytestmark = pytest.mark.db

RUN = "/processes/echo/execution"
ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def app(db_url, reader_url, tmp_path, monkeypatch):
    from msip.api import create_app
    from msip.api.config import prepare

    monkeypatch.setenv("MSIP_DATABASE_URL", db_url)
    monkeypatch.setenv("MSIP_READER_URL", reader_url)
    return create_app(prepare(echo_config(tmp_path), check=False), openapi={})


@pytest.fixture
def client(app):
    return app.test_client()


def run(client, key: str, word: str = "hi", *, headers: dict | None = None) -> str:
    """Start an echo job as `key` (sync unless headers say otherwise); its job id."""
    r = client.post(RUN, json={"inputs": {"word": word}}, headers={**bearer(key), **(headers or {})})
    assert r.status_code in (200, 201), r.get_data(as_text=True)
    return r.headers["Location"].rsplit("/", 1)[1]


def test_reading_stays_public(client):
    assert client.get("/processes").status_code == 200
    assert client.get("/processes/echo?f=json").get_json()["id"] == "echo"


@pytest.mark.parametrize(("method", "path"), [
    ("POST", RUN), ("GET", "/jobs"), ("GET", "/jobs/x"), ("GET", "/jobs/x/results"), ("DELETE", "/jobs/x"),
])
def test_work_without_a_key_is_401_with_a_bearer_challenge(client, method, path):
    r = client.open(path, method=method, json={"inputs": {}} if method == "POST" else None)
    assert r.status_code == 401, r.get_data(as_text=True)
    assert r.headers["WWW-Authenticate"].startswith('Bearer realm="msip"')
    assert "msip api-key create" in r.get_json()["description"]


def test_anonymous_delete_of_a_real_job_is_401_and_the_job_stays(client, db_url):
    key = make_key(db_url)
    job = run(client, key)
    r = client.delete(f"/jobs/{job}")
    assert r.status_code == 401 and "Bearer" in r.headers["WWW-Authenticate"]
    assert client.get(f"/jobs/{job}?f=json", headers=bearer(key)).get_json()["status"] == "successful"


@pytest.mark.parametrize(("header", "error"), [
    ("Bearer msip_" + "x" * 43, "invalid_token"),
    ("Bearer not-a-key", "invalid_token"),
    ("Basic dXNlcjpwYXNz", "invalid_request"),
])
def test_a_bad_credential_is_401(client, header, error):
    r = client.get("/jobs", headers={"Authorization": header})
    assert r.status_code == 401 and f'error="{error}"' in r.headers["WWW-Authenticate"]


def test_a_key_without_the_scope_is_403(client, db_url):
    jobs_only, execute_only = make_key(db_url, ("jobs",)), make_key(db_url, ("execute",))
    r = client.post(RUN, json={"inputs": {}}, headers=bearer(jobs_only))
    assert r.status_code == 403, r.get_data(as_text=True)
    assert 'error="insufficient_scope", scope="execute"' in r.headers["WWW-Authenticate"]
    assert "needs 'execute'" in r.get_json()["description"]
    assert client.get("/jobs", headers=bearer(execute_only)).status_code == 403
    assert client.post(RUN, json={"inputs": {}}, headers=bearer(execute_only)).status_code == 200


def test_a_revoked_key_is_refused(client, db_url):
    from msip.core.access.api_keys import revoke_key

    key = make_key(db_url, name="revoke-me")
    assert client.get("/jobs", headers=bearer(key)).status_code == 200
    with psycopg.connect(db_url) as conn:
        revoke_key(conn, "revoke-me")
    assert client.get("/jobs", headers=bearer(key)).status_code == 401


def test_each_key_sees_and_deletes_only_its_own_jobs(client, db_url):
    a, b = make_key(db_url), make_key(db_url)
    a_jobs = {run(client, a, "a1"), run(client, a, "a2", headers=ASYNC)}
    b_job = run(client, b, "b1")

    def listed(key):
        return {j["jobID"] for j in client.get("/jobs?f=json", headers=bearer(key)).get_json()["jobs"]}

    assert listed(a) == a_jobs and listed(b) == {b_job}
    for path in (f"/jobs/{b_job}?f=json", f"/jobs/{b_job}/results?f=json"):
        assert client.get(path, headers=bearer(a)).status_code == 404
    assert client.delete(f"/jobs/{b_job}", headers=bearer(a)).status_code == 404
    assert client.get(f"/jobs/{b_job}/results?f=json", headers=bearer(b)).get_json()["echo"] == "b1"
    assert client.delete(f"/jobs/{b_job}", headers=bearer(b)).status_code == 200
    assert client.get(f"/jobs/{b_job}?f=json", headers=bearer(b)).status_code == 404
    assert listed(a) == a_jobs


def test_an_async_execution_answers_201_with_a_status_document(client, db_url):
    key = make_key(db_url)
    r = client.post(RUN, json={"inputs": {"word": "later"}}, headers={**bearer(key), **ASYNC})
    assert r.status_code == 201 and r.mimetype == "application/json"
    body = r.get_json()
    job = r.headers["Location"].rsplit("/", 1)[1]
    assert body["jobID"] == job and body["processID"] == "echo"
    assert body["status"] in ("accepted", "running", "successful")
    hrefs = {link["rel"]: link["href"] for link in body["links"]}
    assert hrefs["monitor"].startswith(r.headers["Location"])


def test_executions_are_rate_limited_per_key_across_workers(app, db_url, tmp_path):
    from msip.api import create_app
    from msip.api.config import prepare

    slow, other = make_key(db_url, rate_per_min=2), make_key(db_url)
    client = app.test_client()
    for _ in range(2):
        assert client.post(RUN, json={"inputs": {}}, headers=bearer(slow)).status_code == 200
    r = client.post(RUN, json={"inputs": {}}, headers=bearer(slow))
    assert r.status_code == 429, r.get_data(as_text=True)
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "2 executions in the last minute" in r.get_json()["description"]
    assert client.post(RUN, json={"inputs": {}}, headers=bearer(other)).status_code == 200
    # another worker (an app of its own) on the same job store counts the same executions
    twin = create_app(prepare(echo_config(tmp_path), check=False), openapi={}).test_client()
    assert twin.post(RUN, json={"inputs": {}}, headers=bearer(slow)).status_code == 429


def test_keys_are_stored_hashed_and_the_reader_cannot_read_them(db_url, reader_url):
    key = make_key(db_url, name="hashed")
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT row_to_json(k)::text, hash FROM msip.api_key k WHERE name = 'hashed'").fetchall()
    assert len(rows) == 1 and key not in rows[0][0] and key[5:] not in rows[0][0]
    assert rows[0][1] == hashlib.sha256(key.encode()).hexdigest()
    denied = pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table api_key")
    with psycopg.connect(reader_url) as conn, denied:
        conn.execute("SELECT hash FROM msip.api_key")
    with psycopg.connect(reader_url) as conn:
        found = conn.execute("SELECT name FROM msip.api_key_lookup(%s)", (rows[0][1],)).fetchall()
    assert found == [("hashed",)]


def test_a_new_key_that_reuses_an_old_id_does_not_inherit_its_jobs(client, db_url):
    """Ids restart when a database is recreated while the job store stays: ownership is the key's uid."""
    old = make_key(db_url, name="old-key")
    job = run(client, old)
    with psycopg.connect(db_url) as conn:
        (old_id,) = conn.execute("DELETE FROM msip.api_key WHERE name = 'old-key' RETURNING id").fetchone()
        conn.execute("SELECT setval('msip.api_key_id_seq', %s, false)", (old_id,))
    new = make_key(db_url, name="new-key")
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT id FROM msip.api_key WHERE name = 'new-key'").fetchone() == (old_id,)
    assert client.get("/jobs?f=json", headers=bearer(new)).get_json()["jobs"] == []
    assert client.get(f"/jobs/{job}?f=json", headers=bearer(new)).status_code == 404


def test_the_openapi_document_declares_the_key_where_it_is_needed(tmp_path):
    from msip.api.auth import describe_security
    from msip.api.config import prepare
    from msip.api.openapi import build_openapi

    oas = describe_security(build_openapi(prepare(echo_config(tmp_path), check=False).config))
    scheme = oas["components"]["securitySchemes"]["msipApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer") and "msip api-key create" in scheme["description"]
    execution = oas["paths"]["/processes/echo/execution"]["post"]
    assert execution["security"] == [{"msipApiKey": []}] and {"401", "403", "429"} <= set(execution["responses"])
    assert oas["paths"]["/jobs/{jobId}"]["delete"]["security"] == [{"msipApiKey": []}]
    assert "security" not in oas["paths"]["/processes/echo"]["get"]
