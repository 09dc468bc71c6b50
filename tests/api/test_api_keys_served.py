"""API keys end to end on a real `msip serve` (#15 finding 3): a key printed by the `msip api-key`
command runs a process through OWSLib and manages its job with requests; anonymous callers are
refused; a revoked key stops working. The served demo world and its real processes are used.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests

from tests.support.paths import ROOT

pytestmark = pytest.mark.db

AREA = [614000, 334600, 614400, 335000]


def msip(demo_server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MSIP_DATABASE_URL": demo_server.owner_url}
    return subprocess.run([sys.executable, "-m", "msip", "api-key", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def owslib_headers():
    """OWSLib 0.35 keeps request headers in one module-level dict: restore it after the test."""
    from owslib import ogcapi

    saved = dict(ogcapi.REQUEST_HEADERS)
    yield
    ogcapi.REQUEST_HEADERS.clear()
    ogcapi.REQUEST_HEADERS.update(saved)


def wait_for(base: str, job: str, auth: dict) -> str:
    status = "accepted"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and status in ("accepted", "running"):
        time.sleep(0.5)
        r = requests.get(f"{base}/jobs/{job}?f=json", headers=auth, timeout=30)
        assert r.status_code == 200, r.text
        status = r.json()["status"]
    return status


def test_a_cli_key_runs_a_process_with_owslib_and_manages_its_job(demo_server, owslib_headers):
    from owslib.ogcapi.processes import Processes

    created = msip(demo_server, "create", "owslib-analyst", "--scope", "execute", "--scope", "jobs")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("msip_") and "not shown again" in created.stderr
    auth = {"Authorization": f"Bearer {key}"}
    listed = msip(demo_server, "list")
    assert "owslib-analyst\texecute,jobs" in listed.stdout and key not in listed.stdout

    with pytest.raises(RuntimeError, match="needs an API key"):
        Processes(demo_server.url).execute("green-access", {"bbox": AREA}, async_=True)
    started = Processes(demo_server.url, headers=auth).execute("green-access", {"bbox": AREA}, async_=True)
    job = started["jobID"]  # the 201 body is a status document, not null
    assert started["status"] in ("accepted", "running", "successful")
    assert wait_for(demo_server.url, job, auth) == "successful"
    result = requests.get(f"{demo_server.url}/jobs/{job}/results?f=json", headers=auth, timeout=30).json()
    assert result["outputs"][0]["status"] in ("succeeded", "unchanged")  # OWSLib asks for a document

    mine = requests.get(f"{demo_server.url}/jobs?f=json", headers=auth, timeout=30).json()["jobs"]
    assert [j["jobID"] for j in mine] == [job]
    assert requests.get(f"{demo_server.url}/jobs?f=json", timeout=30).status_code == 401
    others = requests.get(f"{demo_server.url}/jobs?f=json", headers=demo_server.auth, timeout=30).json()["jobs"]
    assert job not in {j["jobID"] for j in others}

    anonymous = requests.delete(f"{demo_server.url}/jobs/{job}", timeout=30)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.delete(f"{demo_server.url}/jobs/{job}", headers=demo_server.auth, timeout=30).status_code == 404
    assert requests.delete(f"{demo_server.url}/jobs/{job}", headers=auth, timeout=30).status_code == 200

    revoked = msip(demo_server, "revoke", "owslib-analyst")
    assert revoked.returncode == 0 and "revoked key" in revoked.stdout
    assert requests.get(f"{demo_server.url}/jobs", headers=auth, timeout=30).status_code == 401


def test_the_cli_refuses_an_unknown_scope_and_a_duplicate_name(demo_server):
    bad = msip(demo_server, "create", "x", "--scope", "admin")
    assert bad.returncode == 2 and "'admin' is not one of 'execute', 'jobs'" in bad.stderr
    assert msip(demo_server, "create", "twice", "--scope", "jobs").returncode == 0
    again = msip(demo_server, "create", "twice", "--scope", "jobs")
    assert again.returncode == 1 and "an active key named 'twice' exists" in again.stderr
    missing = msip(demo_server, "revoke", "nobody")
    assert missing.returncode == 1 and "no active API key named 'nobody'" in missing.stderr
