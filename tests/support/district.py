"""The district (the default demo world, issue #17) loaded and analysed once per test session.

Every test of the `city` group (tests/system/test_district_demo.py, the district web-map screenshots)
shares this one build: generating the district takes minutes (reused while its generator stamp
matches), loading its three epochs and running the analyses minutes more on two cores.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from msip.core.settings import READER_ROLE, Settings, local_url

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


def build_district(settings: Settings) -> District:
    """Generate the district (unless a world with a matching generator stamp is there), load every file
    its manifest lists into a fresh database and run every analysis.

    Its rasters go to a store of their own: the test databases otherwise share one, and the small
    world's 2025-06-15 mosaics (same epoch, same file names) would replace the district's.
    """
    from msip.cli.commands.load_sample import load_sample_world, run_sample_analyses
    from msip.cli.commands.sample import STAMP_NAME, _stamp_matches, generator_stamp
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.sample_world import generate

    out = settings.data_dir / "sample" / "district-42"
    stamp = generator_stamp("district", 42)
    if not _stamp_matches(out, stamp):
        generate(out, size="district", seed=42)
        (out / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    cluster.start(settings)
    url = cluster.bootstrap(settings, DISTRICT_DB, fresh=True)
    migrate(url)
    store = settings.data_dir / "test-stores" / "district"
    shutil.rmtree(store, ignore_errors=True)
    district = District(url, local_url(settings.pg_socket_dir, settings.pg_port, READER_ROLE, DISTRICT_DB),
                        out, [], store)
    with district.env():
        district.lines.extend([*load_sample_world(out, url=url), *run_sample_analyses(out, url=url)])
    return district
