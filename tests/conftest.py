"""Fixture ladder for the suite: cluster → fresh test database → real migrations → data.

`make test` starts the project's cluster, so a database that cannot be reached is an error,
not a skip. The suite works in its own database (`msip_test`), recreated once per session;
the demo database `msip` is never touched by tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest

from msip.core.settings import READER_ROLE, Settings, local_url
from tests.support.district import BackgroundBuild
from tests.support.paths import ROOT

TEST_DB = os.environ.get("MSIP_TEST_DB", "msip_test")
# Tests write rasters to their own store, never into the demo's $MSIP_DATA_DIR.
_HOME = Path(os.environ.get("MSIP_HOME") or ".msip").resolve()
os.environ["MSIP_DATA_DIR"] = str(_HOME / "test-data")
SHARED_DATA = ROOT.parent / "shared" / "data"
if os.environ.get("MSIP_SHARED_DATA"):
    SHARED_DATA = Path(os.environ["MSIP_SHARED_DATA"])


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def db_url(settings: Settings) -> str:
    """Owner URL of a freshly created test database with every migration applied."""
    from msip.core import cluster
    from msip.core.migrate import migrate

    if not settings.uses_local_cluster:
        pytest.fail("the test suite needs the project-local cluster: unset MSIP_DATABASE_URL")
    cluster.start(settings)
    url = cluster.bootstrap(settings, TEST_DB, fresh=True)
    migrate(url)
    os.environ["MSIP_TEST_DATABASE_URL"] = url
    return url


@pytest.fixture(scope="session")
def reader_url(db_url: str, settings: Settings) -> str:
    """URL of the test database as the read-only API role."""
    return local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, TEST_DB)


@pytest.fixture
def conn(db_url: str):
    """An autocommit connection to the test database as msip_owner."""
    with psycopg.connect(db_url, autocommit=True) as c:
        yield c


@pytest.fixture
def empty_db(db_url: str) -> str:
    """The test database with every msip table emptied (schema kept); returns its URL."""
    with psycopg.connect(db_url, autocommit=True) as c:
        tables = [r[0] for r in c.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname = 'msip'")]
        if tables:
            c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return db_url


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory, settings: Settings) -> Path:
    """The small sample world (seed 42), generated once per session by the current generator
    (never the demo's copy, which an older generator may have written)."""
    from msip.sample_world import generate

    out = settings.data_dir / "sample" / "small-42"
    generate(out, size="small", seed=42)
    return out


@pytest.fixture
def store(settings: Settings, monkeypatch) -> Path:
    """A private raster store ($MSIP_DATA_DIR) the database server can read (tmp_path is 0700)."""
    import shutil
    import uuid

    root = settings.data_dir / "test-stores" / uuid.uuid4().hex[:8]
    monkeypatch.setenv("MSIP_DATA_DIR", str(root))
    monkeypatch.setenv("MSIP_PROGRESS", "0")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real third-party sample files in ../shared/data (skipped only when that folder is absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party sample data folder {SHARED_DATA} is absent")
    return SHARED_DATA


SAMPLE_DB = os.environ.get("MSIP_TEST_SAMPLE_DB", "msip_test_sample")
_DISTRICT_BUILD = pytest.StashKey[BackgroundBuild]()


@pytest.fixture(scope="session")
def sample_db_url(settings: Settings, sample_dir: Path) -> str:
    """Owner URL of a database (msip_test_sample) holding the whole small sample world,
    loaded once per session through every pipeline — what the API and analysis tests read."""
    from msip.cli.commands.load_sample import load_sample_world
    from msip.core import cluster
    from msip.core.migrate import migrate

    cluster.start(settings)
    url = cluster.bootstrap(settings, SAMPLE_DB, fresh=True)
    migrate(url)
    for _ in load_sample_world(sample_dir, url=url):
        pass
    return url


@pytest.fixture(scope="session")
def sample_reader_url(sample_db_url: str, settings: Settings) -> str:
    """The sample-world database as the read-only API role."""
    return local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, SAMPLE_DB)


@pytest.fixture(scope="session")
def demo_server(settings: Settings, sample_dir: Path):
    """The sample world loaded and analysed in its own database and served by `msip serve`
    on a free loopback port (see tests/support/demo_server.py); stopped at the end of the session."""
    from tests.support.api_keys import make_key
    from tests.support.demo_server import DemoServer, load_demo_database, start_server, stop_server

    owner, reader = load_demo_database(settings, sample_dir)
    log = settings.home / "test-demo-server.log"
    proc, base = start_server(owner, reader, log)
    try:
        yield DemoServer(url=base, owner_url=owner, reader_url=reader, sample_dir=sample_dir, log=log,
                         api_key=make_key(owner, name="demo-tests"))
    finally:
        stop_server(proc)


@pytest.hookimpl(trylast=True)  # after `-m`/`-k` deselected what will not run
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """City tests last; their district build starts now in the background (tests/support/district.py),
    so its minutes of CPU overlap the rest of the suite instead of adding to it."""
    city = [i for i in items if i.get_closest_marker("city")]
    if not city or config.option.collectonly:
        return
    items[:] = [i for i in items if not i.get_closest_marker("city")] + city
    if Settings.from_env().uses_local_cluster:
        config.stash[_DISTRICT_BUILD] = BackgroundBuild.start(Settings.from_env())


def pytest_unconfigure(config: pytest.Config) -> None:
    """Never leave the background district build running (pytest ended, failed or was interrupted)."""
    build = config.stash.get(_DISTRICT_BUILD, None)
    if build is not None:
        build.stop()


@pytest.fixture(scope="session")
def district(settings: Settings, request: pytest.FixtureRequest):
    """The district (default demo world) loaded and analysed once per session: the `city` group shares it
    (tests/support/district.py; built in the background from the start of the session when city tests
    were collected); its raster store is removed at the end."""
    import shutil

    from tests.support.district import build_district

    build = request.config.stash.get(_DISTRICT_BUILD, None)
    d = build.wait() if build is not None else build_district(settings)
    yield d
    shutil.rmtree(d.store, ignore_errors=True)
