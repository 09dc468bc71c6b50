"""The district (the default demo world, issue #17) loaded and analysed once per test session.

Every test of the `city` group (tests/system/test_district_demo.py, the district web-map screenshots)
shares this one build: generating the district takes minutes (reused while its generator stamp
matches), loading its three epochs and running the analyses minutes more. So that the group fits in
`make test`, the build starts in a background process as soon as pytest has collected a `city` test
(tests/conftest.py), its CPU overlapping the rest of the suite, and the city tests run last, waiting
for it. The process runs in a session of its own and is killed with its workers when pytest ends.

``python -m tests.support.district OUT.json`` is that background process (see `_main`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from msip.core.errors import MsipError
from msip.core.settings import OWNER_ROLE, READER_ROLE, Settings, local_url

DISTRICT_DB = os.environ.get("MSIP_TEST_DISTRICT_DB", "msip_test_district")


@dataclass(frozen=True)
class District:
    """A database holding the analysed district: owner and reader URLs, the world folder, the summary
    lines of the first load and analyses, and the raster store its rasters were written to."""

    url: str
    reader_url: str
    sample_dir: Path
    lines: list[str]
    store: Path

    @contextlib.contextmanager
    def env(self) -> Iterator[None]:
        """MSIP_DATA_DIR pointing at the district's raster store (for a rerun of the loaders, a server)."""
        old = {k: os.environ.get(k) for k in ("MSIP_DATA_DIR", "MSIP_PROGRESS")}
        os.environ.update(MSIP_DATA_DIR=str(self.store), MSIP_PROGRESS="0")
        try:
            yield
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _paths(settings: Settings) -> tuple[Path, Path]:
    """(world folder, raster store) of the test district.

    Its rasters go to a store of their own: the test databases otherwise share one, and the small
    world's 2025-06-15 mosaics (same epoch, same file names) would replace the district's.
    """
    return settings.data_dir / "sample" / "district-42", settings.data_dir / "test-stores" / "district"


def prepare_district(settings: Settings) -> District:
    """Start the cluster and make a fresh, empty district database; nothing loaded yet.

    Runs in the pytest process: roles and databases are cluster-wide, and two sessions changing them
    at once can fail ('tuple concurrently updated'), so the background build never does this itself.
    """
    from msip.core import cluster

    out, store = _paths(settings)
    cluster.start(settings)
    url = cluster.bootstrap(settings, DISTRICT_DB, fresh=True)
    shutil.rmtree(store, ignore_errors=True)
    reader = local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DISTRICT_DB)
    return District(url, reader, out, [], store)


def fill_district(district: District) -> None:
    """Generate the district (unless a world with a matching generator stamp is there), migrate the
    prepared database, load every file the manifest lists and run every analysis."""
    from msip.cli.commands.load_sample import sample_run
    from msip.cli.commands.sample import STAMP_NAME, _stamp_matches, generator_stamp
    from msip.core.migrate import migrate
    from msip.sample_world import generate

    out = district.sample_dir
    stamp = generator_stamp("district", 42)
    if not _stamp_matches(out, stamp):
        generate(out, size="district", seed=42)
        (out / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    migrate(district.url)
    with district.env():
        district.lines.extend(sample_run(out, url=district.url))  # loads and analyses as one schedule


def build_district(settings: Settings) -> District:
    """The district prepared and filled in this process (what the background build does)."""
    district = prepare_district(settings)
    fill_district(district)
    return district


class BackgroundBuild:
    """`fill_district` running in a child process (its own session, so its worker pools die with it)."""

    def __init__(self, district: District | None, proc: subprocess.Popen | None, result: Path, log: Path,
                 error: MsipError | None = None) -> None:
        self.district, self.proc, self.result, self.log, self.error = district, proc, result, log, error

    @classmethod
    def start(cls, settings: Settings) -> BackgroundBuild:
        """Prepare the database here, then start the child; a failure to prepare is kept for `wait`."""
        result, log = settings.home / "test-district-build.json", settings.home / "test-district-build.log"
        result.unlink(missing_ok=True)
        try:
            district = prepare_district(settings)
        except MsipError as exc:  # reported by the district fixture, as the failure of the city tests
            return cls(None, None, result, log, exc)
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.support.district", str(result)],
                cwd=Path(__file__).resolve().parents[2], stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "MSIP_PROGRESS": "0"}, start_new_session=True,
            )
        return cls(district, proc, result, log)

    def wait(self) -> District:
        """Block until the build ends; the filled district, or RuntimeError with the log's tail."""
        if self.error is not None:
            raise self.error
        assert self.proc is not None and self.district is not None
        code = self.proc.wait()
        if code != 0 or not self.result.is_file():
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"the background district build exited with {code} (log {self.log}):\n{tail}")
        lines = json.loads(self.result.read_text(encoding="utf-8"))["lines"]
        d = self.district
        return District(d.url, d.reader_url, d.sample_dir, lines, d.store)

    def stop(self) -> None:
        """Kill the build and every process it started, if it still runs (pytest ending or failing)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, grace_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 20)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=grace_s)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers the build left behind


def _orphan_watch() -> None:
    """Kill this build (its whole process group) when the pytest process that started it is gone,
    e.g. killed with SIGKILL, which leaves it no chance to stop the build itself."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(2)
    os.killpg(0, signal.SIGKILL)


def _main(result: Path) -> None:
    """The background build: fill the district prepared by the pytest process, write its lines."""
    import threading

    threading.Thread(target=_orphan_watch, daemon=True).start()
    settings = Settings.from_env()
    out, store = _paths(settings)
    district = District(local_url(settings.pg_socket_dir, settings.pg_port, OWNER_ROLE, DISTRICT_DB),
                        "", out, [], store)
    start = time.perf_counter()
    fill_district(district)
    times = os.times()
    result.write_text(json.dumps({
        "lines": district.lines, "wall_s": time.perf_counter() - start,
        "cpu_s": times.user + times.system + times.children_user + times.children_system,
    }), encoding="utf-8")


if __name__ == "__main__":
    _main(Path(sys.argv[1]))
