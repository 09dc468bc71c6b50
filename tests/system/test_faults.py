"""Fault tests (issue 9): loaders killed with SIGKILL mid-load, the database restarted under the
API, an unwritable or full raster store — nothing is lost, nothing half-written is kept.

Kill points are drawn from a seeded RNG over the load's measured duration (from its first
database transaction to its exit, measured by an uninterrupted reference load), so a failure
names a reproducible point. What "exactly as before" means: every column of every msip table
(grouped by load run) is unchanged — a killed run leaves no `load_run` row at all, since its row
is inserted in the load's own transaction; LiDAR loads commit one run per file (resumable), so
there file runs that had committed before the kill may remain, each complete and equal to the
reference load's. Raster files a killed run wrote are listed in its journal
(`rasters/.pending/`) and undone by the next load run; the catalogue is intact all along.

Longer than ~300 lines: the kill-point harness (`World`) and the three kinds of fault it serves
belong together.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import psycopg
import pytest

from msip.core.settings import Settings
from tests.support.faults import (
    Loader,
    catalogue_problems,
    clone_db,
    copy_store,
    db_content,
    db_state,
    drop_db,
    fresh_db,
    journalled_paths,
    pending_journals,
    store_files,
)
from tests.support.paths import TEST_DATA

pytestmark = [pytest.mark.db, pytest.mark.slow]

DATA = TEST_DATA
PREFIX = os.environ.get("MSIP_TEST_DB", "msip_test")
SEED = int(os.environ.get("MSIP_FAULT_SEED", "20250615"))  # another seed: other kill moments
#: (lowest, highest) fraction of the measured load duration at which the kill lands, counted
#: from the load's first transaction, or for "first-write" from its first bulk write (trees: a
#: COPY running; rasters: the first file journalled), where the fraction is of 0.2 s.
KILL_POINTS = {"early": (0.05, 0.3), "middle": (0.35, 0.6), "late": (0.65, 0.85), "first-write": (0.0, 1.0)}
LOADERS = ("trees", "orthophoto", "lidar")
TREE_ROWS = 150_000


@dataclass
class World:
    """One loader's prepared world: a template database with the earlier data, the store's copy,
    the load's arguments, and what an uninterrupted load yields (the reference)."""

    name: str
    settings: Settings
    base_db: str
    work_db: str
    store: Path
    pristine: Path
    args: list[str]
    duration_s: float = 0.0
    before_state: dict = field(default_factory=dict)
    before_files: dict = field(default_factory=dict)
    reference_content: dict = field(default_factory=dict)
    reference_files: dict = field(default_factory=dict)
    final_run: tuple = ()

    def reset(self) -> str:
        """The working database and store as they were before the load; returns the database URL."""
        url = clone_db(self.settings, self.base_db, self.work_db)
        copy_store(self.pristine, self.store)
        return url

    def loader(self, url: str, tag: str) -> Loader:
        return Loader(self.args, url=url, store=self.store, tag=tag)


def _big_tree_csv(path: Path) -> Path:
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(606000, 624000, TREE_ROWS), rng.uniform(326000, 344000, TREE_ROWS)
    hs = rng.uniform(2, 30, TREE_ROWS)
    with path.open("w", encoding="utf-8") as f:
        f.write("nr;wysokosc;x_2180;y_2180\n")
        f.writelines(f"B{i};{h:.1f};{x:.2f};{y:.2f}\n" for i, (h, x, y) in enumerate(zip(hs, xs, ys, strict=False)))
    return path


def _plan(name: str, sample_dir: Path, tmp: Path) -> tuple[list[list[str]], list[str]]:
    """(earlier loads, the load to kill) of one loader, as `msip load` arguments."""
    if name == "trees":
        return ([["trees", str(DATA / "inventory" / "trees_pl.csv"), "--epoch", "2024-06-15"]],
                ["trees", str(_big_tree_csv(tmp / "duze_drzewa.csv")), "--epoch", "2024-06-15"])
    if name == "orthophoto":
        return ([["orthophoto", str(sample_dir / "orthophoto" / "2024-06-15"), "--epoch", "2024-06-15"]],
                ["orthophoto", str(sample_dir / "orthophoto" / "2025-06-15"), "--epoch", "2025-06-15"])
    return ([["lidar", str(sample_dir / "lidar" / "2024-06-15" / "classified" / "lidar_0_0.laz"),
              "--epoch", "2024-06-15"]],
            ["lidar", str(sample_dir / "lidar" / "2025-06-15" / "classified"), "--epoch", "2025-06-15"])


def _runs(url: str) -> dict[int, tuple]:
    with psycopg.connect(url) as c:
        return {r[0]: r[1:] for r in c.execute(
            "SELECT run_id, source_kind, source_sha256, epoch::text, status FROM msip.load_run")}


@pytest.fixture(scope="module", params=LOADERS)
def world(request, settings: Settings, sample_dir: Path, tmp_path_factory):
    name = request.param
    tmp = tmp_path_factory.mktemp(f"faults-{name}")
    store = settings.data_dir / "test-stores" / f"flt-{name}-{uuid.uuid4().hex[:8]}"
    w = World(name, settings, f"{PREFIX}_k{name[:5]}_base", f"{PREFIX}_k{name[:5]}", store,
              store.with_name(store.name + "-pristine"), [])
    earlier, w.args = _plan(name, sample_dir, tmp)
    base_url = fresh_db(settings, w.base_db)
    for args in earlier:
        outcome, _ = Loader(args, url=base_url, store=store, tag=f"flt-prep-{name}").run()
        assert outcome.returncode == 0, outcome.stderr
    copy_store(store, w.pristine)
    url = w.reset()
    w.before_state, w.before_files = db_state(url), store_files(store)
    outcome, w.duration_s = w.loader(url, f"flt-ref-{name}").run()
    assert outcome.returncode == 0, outcome.stderr
    assert catalogue_problems(url) == []
    w.reference_content, w.reference_files = db_content(url), store_files(store)
    runs = _runs(url)
    w.final_run = runs[max(runs)]
    yield w
    for db in (w.work_db, w.base_db):
        drop_db(settings, db)
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(w.pristine, ignore_errors=True)


def _assert_as_before(w: World, url: str) -> None:
    """The database as before the load (LiDAR: plus complete file runs) and the catalogue intact."""
    state = db_state(url)
    before_runs = set(w.before_state["load_run"])
    new_runs = set(state["load_run"]) - before_runs
    for table, groups in state.items():
        old = {g: v for g, v in groups.items() if g is None or g in before_runs}
        assert old == w.before_state[table], f"msip.{table}: rows of earlier runs changed"
        assert set(groups) - set(old) <= new_runs, f"msip.{table}: rows of a run that was not committed"
    runs = _runs(url)
    if w.name != "lidar":
        assert new_runs == set(), f"a killed {w.name} load left runs {[runs[r] for r in new_runs]}"
    else:
        # Each committed run is complete: its rows equal the reference load's. The load commits one run
        # per file, then the epoch's rasters and trees ('lidar_derived'), then its COPC file ('lidar_copc'),
        # each all-or-nothing, so a late kill may land between any two of them.
        assert all(runs[r][0] in ("lidar", "lidar_derived", "lidar_copc") and runs[r][3] == "succeeded"
                   for r in new_runs), (
            f"a killed LiDAR load left runs {[runs[r] for r in new_runs]}")
        content = db_content(url)
        new_keys = {v for r, v in runs.items() if r in new_runs}
        for key, value in content.items():
            if key[1:] in new_keys:
                assert w.reference_content.get(key) == value, f"{key}: a file run is incomplete"
    assert catalogue_problems(url) == []


def _committed_kinds(w: World, url: str) -> set[str]:
    """Kinds of the runs the killed load committed (LiDAR: file runs, then derived rasters, then COPC)."""
    before = set(w.before_state["load_run"])
    return {kind for run_id, (kind, *_rest) in _runs(url).items() if run_id not in before}


def _assert_store_pending_only(w: World, expected: dict[str, str]) -> None:
    """Files as `expected` (before the load, or as a complete load left them where its raster run
    committed) unless journalled; every other new file is in a pending journal."""
    now = store_files(w.store)
    pending = journalled_paths(w.store)
    for rel, sha in expected.items():
        assert rel in now, f"{rel} disappeared"
        assert now[rel] == sha or rel in pending, f"{rel} was overwritten outside a journal"
    assert set(now) - set(expected) <= pending, "files written outside a journal"
    assert not any(".tmp." in rel for rel in set(now) - pending)


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_during_load_leaves_data_as_before_and_rerun_completes(world: World, point: str, monkeypatch):
    w = world
    rng = np.random.default_rng([SEED, LOADERS.index(w.name), list(KILL_POINTS).index(point)])
    first_write = point == "first-write"
    delay = rng.uniform(*KILL_POINTS[point]) * (0.2 if first_write else w.duration_s)
    for _attempt in range(4):
        url = w.reset()
        loader = w.loader(url, f"flt-kill-{w.name}-{point}")
        marker = None if not first_write else loader.copying if w.name == "trees" else loader.writing_rasters
        outcome, _ = loader.run(kill_after_s=delay, kill_when=marker)
        finished = w.final_run in _runs(url).values()
        if outcome.killed and not finished:
            break
        delay *= 0.5  # the load was quicker than measured: kill earlier
    assert outcome.killed and not finished, (
        f"the {w.name} load finished before every kill attempt (last delay {delay:.2f} s)")

    _assert_as_before(w, url)
    # A late kill may land after the epoch's rasters were committed (the 'lidar_derived' run, with its
    # journal closed) while the COPC run was writing: the raster store then holds the complete load's files.
    expected = w.reference_files if "lidar_derived" in _committed_kinds(w, url) else w.before_files
    _assert_store_pending_only(w, expected)

    # The next load run settles the killed run's journal; called directly here to see the store.
    from msip.core.rasters import journal as store_journal

    monkeypatch.setenv("MSIP_DATA_DIR", str(w.store))
    store_journal.recover(url)
    assert pending_journals(w.store) == []
    assert store_files(w.store) == expected

    outcome, _ = w.loader(url, f"flt-rerun-{w.name}-{point}").run()
    assert outcome.returncode == 0, outcome.stderr
    assert db_content(url) == w.reference_content
    assert store_files(w.store) == w.reference_files
    assert catalogue_problems(url) == []
    assert not any((w.store / "work").rglob("*.*")), "LiDAR spill files left after a complete load"


# --- the database restarts while the API serves -------------------------------------------------

@pytest.fixture
def scratch_cluster(settings: Settings):
    """A throwaway cluster of its own (folder and port) with the tree fixtures loaded; never the shared one."""
    from msip.core import cluster
    from msip.core.migrate import migrate
    from pipelines.inventory.trees import load_trees
    from tests.support.demo_server import free_port

    home = settings.home / "test-clusters" / f"flt-{uuid.uuid4().hex[:8]}"
    scratch = Settings.from_env({"MSIP_HOME": str(home), "MSIP_PG_PORT": str(free_port())})
    try:
        cluster.start(scratch)
        url = cluster.bootstrap(scratch, "msip")
        migrate(url)
        report = load_trees(DATA / "inventory" / "trees_pl.csv", epoch=date(2024, 6, 15), url=url)
        assert report.status == "succeeded"
        yield scratch, url
    finally:
        cluster.stop(scratch)
        shutil.rmtree(home, ignore_errors=True)


def _get(url: str):
    import requests

    return requests.get(url, timeout=10)  # the client's bound: a hang fails here, not a timing assertion


def test_database_restart_under_the_api_gives_503_then_recovers(scratch_cluster, settings: Settings):
    from msip.core import cluster
    from msip.core.settings import READER_ROLE, local_url
    from tests.support.demo_server import start_server, stop_server

    scratch, owner = scratch_cluster
    reader = local_url(scratch.pg_socket_dir, scratch.pg_port, READER_ROLE, "msip")
    proc, base = start_server(owner, reader, scratch.home / "serve.log", workers=1)
    try:
        items = _get(f"{base}/collections/trees/items?f=json&limit=100")
        assert items.status_code == 200
        features = items.json()["features"]
        assert len(features) >= 3
        paths = ["/collections/trees/items?f=json&limit=100",
                 f"/collections/trees/items/{features[0]['id']}?f=json", "/health"]
        metadata = ["/collections?f=json", "/collections/trees?f=json", "/collections/trees/queryables?f=json"]
        before = {p: _get(base + p).json() for p in paths}

        assert cluster.stop(scratch) is True
        for p in paths:
            r = _get(base + p)
            assert r.status_code == 503, f"{p}: {r.status_code} {r.text[:300]}"
            body = r.json()
            assert "unavailable" in body["description"], body
            assert not any(w in r.text for w in ("Traceback", "psycopg", "/run", "msip_reader")), r.text
        for p in metadata:  # served from cached metadata where it can be, else 503; never 500
            r = _get(base + p)
            assert r.status_code in (200, 503), f"{p}: {r.status_code} {r.text[:300]}"

        cluster.start(scratch)
        answers: dict = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answers = {p: _get(base + p) for p in paths}
            if all(r.status_code == 200 for r in answers.values()):
                break
            time.sleep(0.5)
        assert {p: r.status_code for p, r in answers.items()} == dict.fromkeys(paths, 200)
        for p in paths[:2]:
            assert answers[p].json()["features" if "items?" in p else "properties"] == \
                before[p]["features" if "items?" in p else "properties"]
        assert proc.poll() is None, "the API process exited instead of recovering"
    finally:
        stop_server(proc)


# --- an unwritable or full raster store ----------------------------------------------------------

def _tmpfs(mountpoint: Path, size: str) -> bool:
    """Mount a small tmpfs at `mountpoint` (root on Linux); False where mounting is not permitted."""
    import subprocess

    mountpoint.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def full_store(settings: Settings):
    """A raster store on a real 1 MiB filesystem (tmpfs); where mount is not permitted, a store
    whose disk-full error is simulated by a GDAL writer that fails with ENOSPC (see the test)."""
    import subprocess

    root = settings.data_dir / "test-stores" / f"flt-full-{uuid.uuid4().hex[:8]}"
    mounted = _tmpfs(root, "1m")
    yield root, mounted
    if mounted:
        subprocess.run(["umount", str(root)], check=True)
    shutil.rmtree(root, ignore_errors=True)


def _raster_args(kind: str, sample_dir: Path) -> list[str]:
    if kind == "orthophoto":
        return ["orthophoto", str(sample_dir / "orthophoto" / "2025-06-15"), "--epoch", "2025-06-15"]
    return ["lidar", str(sample_dir / "lidar" / "2025-06-15" / "classified" / "lidar_0_0.laz"),
            "--epoch", "2025-06-15"]


def _assert_refused_cleanly(outcome, store: Path, url: str, kind: str, named: str, fix: str) -> None:
    # libtiff itself prints "_tiffWriteProc: No space left on device." lines before MSIP's
    # error; MSIP's own part is the last line, one line, and there is no traceback.
    lines = outcome.stderr.strip().splitlines()
    assert outcome.returncode == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert all(line.startswith("_tiff") for line in lines[:-1]), outcome.stderr
    assert lines[-1].startswith("error: ") and named in lines[-1] and fix in lines[-1], lines[-1]
    with psycopg.connect(url) as c:
        assert c.execute("SELECT count(*) FROM msip.raster_asset").fetchone()[0] == 0
        failed = c.execute("SELECT source_kind, message FROM msip.load_run WHERE status = 'failed'").fetchall()
        assert c.execute("SELECT count(*) FROM msip.load_run WHERE source_kind LIKE %s AND status = 'succeeded' "
                         "AND source_kind <> 'lidar'", (f"{kind}%",)).fetchone()[0] == 0
    assert any(k.startswith(kind) and named in (m or "") for k, m in failed), failed
    leftovers = [p for p in (store / "rasters").rglob("*") if p.is_file()] if store.is_dir() else []
    assert leftovers == [], f"half-written or orphaned files left: {leftovers}"


RASTER_KINDS = ["orthophoto", "lidar"]


@pytest.mark.parametrize("kind", RASTER_KINDS)
def test_data_dir_under_a_file_is_refused_with_the_fix(kind, settings: Settings, sample_dir, tmp_path):
    # chmod 0555 does not stop root; a data dir whose parent is a regular file stops everyone (ENOTDIR).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's parent folder should be")
    store = blocker / "data"
    url = fresh_db(settings, f"{PREFIX}_unwritable")
    outcome, _ = Loader(_raster_args(kind, sample_dir), url=url, store=store, tag=f"flt-enotdir-{kind}").run()
    _assert_refused_cleanly(outcome, store, url, kind, str(blocker), "MSIP_DATA_DIR")


@pytest.mark.parametrize("kind", RASTER_KINDS)
def test_full_disk_during_raster_load_is_refused_and_leaves_nothing(kind, settings: Settings, sample_dir,
                                                                    full_store, monkeypatch, capsys):
    store, mounted = full_store
    url = fresh_db(settings, f"{PREFIX}_fulldisk")
    loader = Loader(_raster_args(kind, sample_dir), url=url, store=store, tag=f"flt-enospc-{kind}")
    if mounted:
        outcome, _ = loader.run()
    else:  # mount not permitted: the same CLI in this process, GDAL's copy failing with ENOSPC
        outcome = _run_with_simulated_full_disk(loader, monkeypatch, capsys)
    _assert_refused_cleanly(outcome, store, url, kind, "the disk is full", "free space")


def _run_with_simulated_full_disk(loader: Loader, monkeypatch, capsys):
    from msip.cli import main
    from tests.support.faults import Outcome

    def full_disk(src, dst, **kw):
        Path(dst).write_bytes(b"II*\0partial")
        raise OSError(28, "No space left on device")

    for name, value in loader.env().items():
        if name.startswith(("MSIP_", "PG")):
            monkeypatch.setenv(name, value)
    monkeypatch.setattr("rasterio.shutil.copy", full_disk)
    monkeypatch.setattr("msip.core.rasters.tile_loop.default_workers", lambda n: 1)  # tiles in this process
    try:
        main(["load", *loader.args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return Outcome(False, code, out, err)
