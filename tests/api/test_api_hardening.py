"""API hardening (#9): what the API's database role may do, process inputs and limits, error bodies
that leak nothing, and security headers on every kind of response.

The role tests run SQL as `msip_reader` (the role `msip serve` connects with) twice: in its
default read-only session, and after the session switched itself to read-write — the role can do
that, so the GRANTs, not the read-only default, are what must stop it. HTTP tests go to a real
`msip serve` over the analysed sample world (the `demo_server` fixture).

Longer than ~300 lines: the three areas below share one served demo and the request tables.
"""

from __future__ import annotations

import json
import re
import time

import psycopg
import pytest
import requests
from psycopg import errors

pytestmark = pytest.mark.db

PROCESSES = ("heat-island", "ad-compliance", "change", "green-access", "living-conditions", "terrain-change",
             "lidar-clip")

# ---------------------------------------------------------------------------------------------
# The reader role: SELECT only
# ---------------------------------------------------------------------------------------------

#: Statements the reader must not be able to run, and the error each gets once read-write.
WRITES = [
    ("SELECT * FROM msip.rejected_record", errors.InsufficientPrivilege),
    ("SELECT source_path, params FROM msip.load_run", errors.InsufficientPrivilege),
    ("SELECT name, hash FROM msip.api_key", errors.InsufficientPrivilege),
    ("INSERT INTO msip.api_key (name, hash, scopes) VALUES ('x', repeat('0', 64), '{execute}')",
     errors.InsufficientPrivilege),
    ("UPDATE msip.api_key SET revoked = NULL", errors.InsufficientPrivilege),
    (
        "INSERT INTO msip.tree (dataset, source_id, valid_from) VALUES ('x', 'x', '2025-01-01')",
        errors.InsufficientPrivilege,
    ),
    ("UPDATE msip.tree SET species = 'x'", errors.InsufficientPrivilege),
    ("DELETE FROM msip.tree", errors.InsufficientPrivilege),
    ("TRUNCATE msip.tree", errors.InsufficientPrivilege),
    ("CREATE TABLE msip.evil (id int)", errors.InsufficientPrivilege),
    ("CREATE TABLE public.evil (id int)", errors.InsufficientPrivilege),
    ("CREATE SCHEMA evil", errors.InsufficientPrivilege),
    ("CREATE INDEX ON msip.tree (species)", errors.InsufficientPrivilege),
    ("DROP TABLE msip.tree", errors.InsufficientPrivilege),
    ("DROP VIEW msip.load_run_public", errors.InsufficientPrivilege),
    ("ALTER TABLE msip.tree ADD COLUMN evil int", errors.InsufficientPrivilege),
    ("COMMENT ON TABLE msip.tree IS 'evil'", errors.InsufficientPrivilege),
    ("COPY msip.tree (dataset) FROM STDIN", errors.InsufficientPrivilege),
    ("COPY msip.tree FROM '/etc/hostname'", errors.InsufficientPrivilege),
    ("COPY (SELECT 1) TO '/tmp/msip-evil'", errors.InsufficientPrivilege),
    # Row locks would let a client block loaders: FOR UPDATE/SHARE need UPDATE privilege.
    ("SELECT * FROM msip.tree FOR UPDATE", errors.InsufficientPrivilege),
    ("SELECT * FROM msip.tree FOR SHARE", errors.InsufficientPrivilege),
    ("LOCK TABLE msip.tree IN ACCESS EXCLUSIVE MODE", errors.InsufficientPrivilege),
    ("SELECT nextval('msip.load_run_run_id_seq')", errors.InsufficientPrivilege),
    ("SELECT setval('msip.load_run_run_id_seq', 1)", errors.InsufficientPrivilege),
    # Functions that write or read the server's files, or large objects (written even read-only).
    ("SELECT lo_import('/etc/hostname')", errors.InsufficientPrivilege),
    ("SELECT lo_create(0)", errors.InsufficientPrivilege),
    ("SELECT lo_from_bytea(0, 'evil')", errors.InsufficientPrivilege),
    ("SELECT pg_read_file('/etc/hostname')", errors.InsufficientPrivilege),
    ("SELECT pg_ls_dir('.')", errors.InsufficientPrivilege),
    ("CREATE EXTENSION dblink", errors.InsufficientPrivilege),
    ("CREATE EXTENSION postgres_fdw", errors.InsufficientPrivilege),
    ("SET ROLE msip_owner", errors.InsufficientPrivilege),
    ("SET SESSION AUTHORIZATION msip_owner", errors.InsufficientPrivilege),
    ("CREATE ROLE evil", errors.InsufficientPrivilege),
    ("GRANT msip_owner TO msip_reader", errors.InsufficientPrivilege),
]


def _reader(reader_url: str, *, read_write: bool) -> psycopg.Connection:
    conn = psycopg.connect(reader_url, autocommit=True)
    if read_write:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
    return conn


@pytest.mark.parametrize(("statement", "error"), WRITES, ids=[w[0][:40] for w in WRITES])
def test_the_reader_cannot_write_even_in_a_read_write_session(reader_url, statement, error):
    with _reader(reader_url, read_write=True) as conn, pytest.raises(
        error, match=r"permission denied|must be owner|must be superuser|only superuser|must have"
    ), conn.transaction():
        conn.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM msip.tree",
        "SELECT lo_create(0)",
        "CREATE TEMP TABLE t (x int)",
        "SELECT * FROM msip.tree FOR UPDATE",
    ],
)
def test_the_readers_sessions_are_read_only_by_default(reader_url, statement):
    with _reader(reader_url, read_write=False) as conn, pytest.raises(
        (errors.ReadOnlySqlTransaction, errors.InsufficientPrivilege), match=r"read-only|permission denied"
    ):
        conn.execute(statement)


def test_the_reader_cannot_cancel_the_owners_sessions(db_url, reader_url):
    with psycopg.connect(db_url, autocommit=True) as owner, _reader(reader_url, read_write=True) as conn:
        pid = owner.info.backend_pid
        with pytest.raises(errors.InsufficientPrivilege, match=r"permission denied|must be a member"):
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert owner.execute("SELECT 1").fetchone() == (1,)


def test_the_readers_grants_are_exactly_select(reader_url):
    """Role attributes, memberships, and privileges on every msip relation, schema and the database."""
    with _reader(reader_url, read_write=False) as conn:
        attrs = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit "
            "FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert attrs[:5] == (False, False, False, False, False)
        assert conn.execute(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = current_user"
        ).fetchone()[0] == 0
        rels = conn.execute(
            "SELECT c.relname, c.relkind, "
            "has_table_privilege(c.oid, 'SELECT'), "
            "has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'msip' AND c.relkind IN ('r', 'v', 'm', 'p', 'f')"
        ).fetchall()
        assert len(rels) > 20
        # everything in msip is readable but the loaders' bookkeeping (paths, raw refused rows) and
        # the API keys' hashes (checked through msip.api_key_lookup) …
        assert sorted(r[0] for r in rels if not r[2]) == ["api_key", "load_run", "rejected_record"]
        assert [r[0] for r in rels if r[3]] == []  # … and nothing writable
        seqs = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'msip' "
            "AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE, UPDATE') ELSE false END"
        ).fetchall()
        assert seqs == []
        assert conn.execute(
            "SELECT has_schema_privilege('msip', 'CREATE'), has_schema_privilege('public', 'CREATE'), "
            "has_database_privilege(current_database(), 'CREATE'), has_schema_privilege('msip', 'USAGE')"
        ).fetchone() == (False, False, False, True)
        assert conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname IN ('dblink', 'postgres_fdw', 'adminpack', 'file_fdw')"
        ).fetchone()[0] == 0


def test_private_tables_are_not_published():
    """The quarantine and the full run log (raw rows, local paths, messages) are not readable by
    the API's role (migration 075) and not configured: only the path-free view of load runs is."""
    from msip.api.config import read_yaml
    from msip.core.paths import PYGEOAPI_CONFIG

    cfg = read_yaml(PYGEOAPI_CONFIG)
    tables = {
        p.get("table") for r in cfg["resources"].values() for p in r.get("providers", []) if p.get("table")
    }
    assert "msip.load_run_public" in tables
    assert not tables & {"msip.rejected_record", "msip.load_run", "public._yoyo_migration"}


def test_api_sessions_stay_read_only_even_if_the_roles_default_is_changed(reader_url):
    """The reader can change its own role defaults; the API's pool sets read-only and a timeout itself."""
    from msip.api.providers import db

    conninfo = reader_url + "&options=" + requests.utils.quote(
        "-c default_transaction_read_only=off -c statement_timeout=0"
    )
    try:
        assert db.fetch(conninfo, "SHOW transaction_read_only") == [("on",)]
        assert db.fetch(conninfo, "SHOW statement_timeout") == [(f"{db.STATEMENT_TIMEOUT_MS // 1000}s",)]
        with pytest.raises(errors.ReadOnlySqlTransaction):
            db.fetch(conninfo, "CREATE TEMP TABLE evil (x int)")
    finally:
        db.close_pools()


# ---------------------------------------------------------------------------------------------
# Process inputs, request limits and the synchronous-run timeout (over HTTP)
# ---------------------------------------------------------------------------------------------


def _configured_processes() -> dict[str, str]:
    """Process id → dotted processor class, as pygeoapi-config.yml registers them."""
    from msip.api.config import read_yaml
    from msip.core.paths import PYGEOAPI_CONFIG

    resources = read_yaml(PYGEOAPI_CONFIG)["resources"]
    return {k: v["processor"]["name"] for k, v in resources.items() if v.get("type") == "process"}


def _metadata(pid: str) -> dict:
    import importlib

    module, _, cls = _configured_processes()[pid].rpartition(".")
    return getattr(importlib.import_module(module), cls).METADATA


def test_every_configured_process_is_covered():
    assert set(_configured_processes()) == set(PROCESSES)


def _bad_inputs(pid: str) -> list[tuple[str, dict | str, str]]:
    """(case, request body, expected words) for every kind of bad input this process declares."""
    inputs = _metadata(pid)["inputs"]
    valid = _metadata(pid).get("example", {}).get("inputs", {})  # required inputs (lidar-clip's area, epoch)

    def one(name: str, value: object) -> dict:
        """A valid request with input `name` replaced by a bad value: the refusal is about that input."""
        return {"inputs": {**valid, name: value}}

    cases: list[tuple[str, dict | str, str]] = [
        ("unknown input", {"inputs": {"colour": "red"}}, "unknown input"),
        ("body not JSON", "{inputs: nope", "not valid JSON"),
        ("inputs not an object", {"inputs": [1, 2]}, "JSON object"),
    ]
    for name, spec in inputs.items():
        schema = spec.get("schema", {})
        kind = schema.get("type")
        if kind in ("number", "integer") and "minimum" in schema and not any(c[0] == "below minimum" for c in cases):
            cases.append(("below minimum", one(name, schema["minimum"] - 1), "below the minimum"))
            cases.append(("above maximum", one(name, schema["maximum"] + 1), "above the maximum"))
            cases.append(("wrong type", one(name, "lots"), "must be of type"))
            cases.append(("NaN", f'{{"inputs": {{"{name}": NaN}}}}', "finite number"))
        if "enum" in schema and not any(c[0] == "not in enum" for c in cases):
            wrong = max(schema["enum"]) + 1 if kind == "integer" else "nosuch"
            cases.append(("not in enum", one(name, wrong), "is not one of"))
        if kind == "string" and "enum" not in schema and not any(c[0] == "text too long" for c in cases):
            cases.append(("text too long", one(name, "x" * 10_000), "characters long"))
        if kind == "boolean" and not any(c[0] == "boolean" for c in cases):
            cases.append(("boolean", one(name, "yes"), "must be of type boolean"))
        if schema.get("format") == "date" and not any(c[0] == "bad date" for c in cases):
            cases.append(("bad date", one(name, "yesterday"), "is not a date"))
        if "x-msip-max-area-km2" in schema:
            cap = schema["x-msip-max-area-km2"]
            side = (cap * 4e6) ** 0.5  # a square of four times the cap
            cases += [
                ("bbox over the area cap", one(name, [600000, 330000, 600000 + side, 330000 + side]),
                 "respond-async"),
                ("bbox min > max", one(name, [614400, 334600, 614000, 335000]), "min ≥ max"),
                ("bbox 3 numbers", one(name, [614000, 334600, 614400]), "at least 4 items"),
                ("bbox NaN", f'{{"inputs": {{"{name}": [614000, NaN, 614400, 335000]}}}}', "finite number"),
            ]
    return cases


PROCESS_CASES = [(pid, *case) for pid in PROCESSES for case in _bad_inputs(pid)]


@pytest.mark.parametrize(("pid", "case", "body", "words"), PROCESS_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in PROCESS_CASES])
def test_every_process_refuses_bad_inputs_with_400(demo_server, pid, case, body, words):
    data = body if isinstance(body, str) else json.dumps(body)
    r = requests.post(f"{demo_server.url}/processes/{pid}/execution", data=data,
                      headers={"Content-Type": "application/json", **demo_server.auth}, timeout=30)
    assert r.status_code == 400, r.text
    assert words in r.json()["description"]


def test_refused_inputs_are_one_log_line_without_a_traceback(demo_server):
    """Tracebacks in the server log are kept for the server's own faults, not for clients' typos."""
    start = demo_server.log.stat().st_size
    r = requests.post(f"{demo_server.url}/processes/heat-island/execution", json={"inputs": {"colour": "red"}},
                      headers=demo_server.auth, timeout=30)
    assert r.status_code == 400, r.text
    time.sleep(0.5)  # the worker's log line reaches the file
    with demo_server.log.open() as fh:
        fh.seek(start)
        logged = fh.read()
    assert "unknown input(s) ['colour']" in logged and "Traceback" not in logged, logged


def test_every_process_declares_an_area_cap_or_has_no_area():
    for pid in PROCESSES:
        bbox = _metadata(pid)["inputs"].get("bbox")
        assert bbox is None or bbox["schema"]["x-msip-max-area-km2"] > 0


def test_limit_above_the_maximum_is_refused(demo_server):
    from msip.api.config import read_yaml
    from msip.core.paths import PYGEOAPI_CONFIG

    max_items = read_yaml(PYGEOAPI_CONFIG)["server"]["limits"]["max_items"]
    ok = requests.get(f"{demo_server.url}/collections/trees/items?limit={max_items}&skipGeometry=true", timeout=60)
    assert ok.status_code == 200
    over = requests.get(f"{demo_server.url}/collections/trees/items?limit={max_items + 1}", timeout=30)
    assert over.status_code == 400 and "limit" in over.json()["description"].lower()


def _second_server(demo_server, tmp_path, monkeypatch, **env):
    from tests.support.demo_server import start_server

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return start_server(demo_server.owner_url, demo_server.reader_url, tmp_path / "server.log", workers=1)


@pytest.mark.slow
def test_a_sync_run_past_the_timeout_answers_503_and_async_still_works(demo_server, tmp_path, monkeypatch):
    from tests.support.demo_server import stop_server

    proc, base = _second_server(demo_server, tmp_path, monkeypatch, MSIP_PROCESS_SYNC_TIMEOUT_S="0.2")
    body = {"inputs": {"bbox": [614000, 334600, 614400, 335000], "force": True}}
    try:
        r = requests.post(f"{base}/processes/green-access/execution", json=body, timeout=60,
                          headers=demo_server.auth)
        assert r.status_code == 503, r.text
        text = r.json()["description"]
        assert "longer than 0.2 s" in text and "Prefer: respond-async" in text
        job = requests.post(f"{base}/processes/green-access/execution", json=body, timeout=60,
                            headers={"Prefer": "respond-async", **demo_server.auth})
        assert job.status_code == 201, job.text
        deadline = time.monotonic() + 300
        status = None
        while time.monotonic() < deadline:
            status = requests.get(job.headers["Location"].replace(demo_server.url, base) + "?f=json",
                                  headers=demo_server.auth, timeout=30).json()["status"]
            if status in ("successful", "failed"):
                break
            time.sleep(1)
        assert status == "successful"
    finally:
        stop_server(proc)


def test_sync_timeout_setting_is_read_from_the_environment(monkeypatch):
    from msip.api.processes import base

    monkeypatch.setenv(base.SYNC_TIMEOUT_ENV, "2.5")
    assert base.sync_timeout_s() == 2.5
    for bad in ("0", "-1", "soon", "nan"):
        monkeypatch.setenv(base.SYNC_TIMEOUT_ENV, bad)
        assert base.sync_timeout_s() == base.SYNC_TIMEOUT_S


# ---------------------------------------------------------------------------------------------
# Error bodies leak nothing; security headers everywhere
# ---------------------------------------------------------------------------------------------

#: Bad requests across every route: (method, path, body).
SWEEP = [
    ("GET", "/nosuch", None),
    ("GET", "/collections/nosuch", None),
    ("GET", "/collections/nosuch/items", None),
    ("GET", "/collections/trees/items?bbox=1,2,3", None),
    ("GET", "/collections/trees/items?bbox=20,50,21,51&bbox-crs=EPSG:9999", None),
    ("GET", "/collections/trees/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857", None),
    ("GET", "/collections/trees/items?limit=1000000000", None),
    ("GET", "/collections/trees/items?offset=-1", None),
    ("GET", "/collections/trees/items?filter=%27;%20DROP%20TABLE%20msip.tree;%20--", None),
    ("GET", "/collections/trees/items?filter=nosuch%20=%201", None),
    ("GET", "/collections/trees/items?filter=species%20%3E%205", None),
    ("GET", "/collections/trees/items?filter=height_m%20/%200%20%3E%201", None),
    ("GET", "/collections/trees/items?filter=S_INTERSECTS(geom,POLYGON((0%200,1)))", None),
    ("GET", "/collections/trees/items?sortby=nosuch", None),
    ("GET", "/collections/trees/items?properties=nosuch", None),
    ("GET", "/collections/trees/items?datetime=yesterday", None),
    ("GET", "/collections/trees/items?f=exe", None),
    ("GET", "/collections/trees/items?f=html&bbox=1,2,3", None),
    ("GET", "/collections/trees/items/999999999", None),
    ("GET", "/collections/trees/items/%27%20OR%201=1", None),
    ("GET", "/collections/trees/items/99999999999999999999999", None),
    ("GET", "/collections/trees/queryables?f=exe", None),
    ("GET", "/collections/trees/tiles/NoSuchTMS", None),
    ("GET", "/collections/trees/tiles/WebMercatorQuad/3/0/0", None),
    ("GET", "/collections/trees/tiles/WebMercatorQuad/15/99999/99999", None),
    ("GET", "/collections/trees/tiles/NoSuchTMS/15/0/0", None),
    ("GET", "/collections/orthophoto/tiles/WebMercatorQuad/40/0/0", None),
    ("GET", "/collections/orthophoto/coverage?subset=x(a:b)", None),
    ("GET", "/collections/orthophoto/coverage?subset=z(1:2)", None),
    ("GET", "/collections/orthophoto/coverage?properties=9", None),
    (
        "GET",
        "/collections/orthophoto/coverage?bbox=0,0,10,10&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2180",
        None,
    ),
    ("GET", "/TileMatrixSets/NoSuch", None),
    ("GET", "/processes/nosuch", None),
    ("POST", "/processes/nosuch/execution", "{}"),
    ("POST", "/processes/green-access/execution", "{not json"),
    ("POST", "/processes/green-access/execution", '{"inputs": {"bbox": [1, 2, "x", 4]}}'),
    ("POST", "/processes/heat-island/execution", '{"inputs": {"epoch": "1999-01-01"}}'),
    ("POST", "/processes/change/execution", '{"inputs": {"epoch_from": "2030-01-01", "epoch_to": "2031-01-01"}}'),
    ("GET", "/jobs/nosuch", None),
    ("GET", "/jobs/nosuch/results", None),
    ("DELETE", "/jobs/nosuch", None),
    ("POST", "/collections/trees/items", '{"type": "Feature"}'),
    ("PUT", "/collections/trees/items/1", '{"type": "Feature"}'),
    ("PATCH", "/collections/trees/items/1", "{}"),
    ("DELETE", "/collections/trees/items/1", None),
    ("GET", "/map/../../etc/passwd", None),
    ("GET", "/map/%2e%2e/%2e%2e/etc/passwd", None),
    ("GET", "/static/../../../etc/passwd", None),
]

#: Words that would mean a body leaks internals: tracebacks, SQL, DB errors, server paths.
LEAKS = re.compile(
    r'Traceback|File "|psycopg|SELECT |INSERT |FROM msip|ERROR: |syntax error at|relation "|/work/|/tmp/|'
    r"/usr/lib|site-packages|\.venv|postgresql://|msip_reader|msip_owner|password"
)


@pytest.mark.parametrize(("method", "path", "body"), SWEEP, ids=[f"{m} {p}" for m, p, _ in SWEEP])
def test_bad_requests_answer_4xx_and_leak_nothing(demo_server, method, path, body):
    r = requests.request(method, demo_server.url + path, data=body, timeout=60,  # a key: inputs are checked
                         headers={**demo_server.auth, **({"Content-Type": "application/json"} if body else {})})
    assert 400 <= r.status_code < 500, f"{r.status_code}: {r.text[:300]}"
    leak = LEAKS.search(r.text)
    assert leak is None, f"{method} {path} leaks {leak.group(0)!r}: {r.text[:300]}"
    if path.endswith("etc/passwd"):
        assert "root:" not in r.text


def _tile_paths(base: str) -> tuple[str, str]:
    """An MVT tile with a tree in it and an orthophoto map tile over the same place (z 16)."""
    import morecantile

    tree = requests.get(f"{base}/collections/trees/items?limit=1", timeout=30).json()["features"][0]
    lon, lat = tree["geometry"]["coordinates"][:2]
    t = morecantile.tms.get("WebMercatorQuad").tile(lon, lat, 16)
    return (f"/collections/trees/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}",
            f"/collections/orthophoto/tiles/WebMercatorQuad/{t.z}/{t.y}/{t.x}")


def _kinds(base: str) -> list[tuple[str, str, str]]:
    mvt, png = _tile_paths(base)
    return [
        ("json", "GET", "/collections?f=json"),
        ("json items", "GET", "/collections/trees/items?limit=2"),
        ("html landing", "GET", "/?f=html"),
        ("html items", "GET", "/collections/trees/items?limit=2&f=html"),
        ("openapi html", "GET", "/openapi?f=html"),
        ("vector tile", "GET", mvt),
        ("map tile", "GET", png),
        ("coverage", "GET", "/collections/orthophoto/coverage?subset=x(614100:614110),y(334900:334910)&f=GTiff"),
        ("map", "GET", "/map"),
        ("health", "GET", "/health"),
        ("metrics", "GET", "/metrics"),
        ("error json", "GET", "/collections/nosuch"),
        ("error html", "GET", "/collections/nosuch?f=html"),
        ("error 405", "DELETE", "/collections/trees/items/1"),
        ("process error", "POST", "/processes/green-access/execution"),
    ]


KINDS = ["json", "json items", "html landing", "html items", "openapi html", "vector tile", "map tile",
         "coverage", "map", "health", "metrics", "error json", "error html", "error 405", "process error"]


@pytest.mark.parametrize("kind", KINDS)
def test_security_headers_on_every_kind_of_response(demo_server, kind):
    method, path = next((m, p) for k, m, p in _kinds(demo_server.url) if k == kind)
    r = requests.request(method, demo_server.url + path, timeout=60, headers=demo_server.auth,
                         data="{not json" if method == "POST" else None)
    assert r.status_code < 500, r.text[:300]
    h = r.headers
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("Referrer-Policy")
    csp = h.get("Content-Security-Policy", "")
    assert h.get("X-Frame-Options") in ("DENY", "SAMEORIGIN") or "frame-ancestors" in csp
    if "text/html" in h.get("Content-Type", ""):
        assert csp, f"{path} is HTML without a Content-Security-Policy"
        assert "script-src *" not in csp and "'unsafe-eval'" not in csp
