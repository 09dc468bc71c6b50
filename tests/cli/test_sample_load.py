"""The whole sample world through every pipeline: a second load changes nothing."""

import psycopg
import pytest

from msip.cli.commands.load_sample import load_sample_world

pytestmark = [pytest.mark.db, pytest.mark.slow]

TABLES = ["load_run", "rejected_record", "tree", "advertisement", "landscape_zone", "zoning_plan",
          "zoning_zone", "building", "green_space", "walk_edge", "raster_asset", "lidar_patch",
          "tree_detected"]


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as c:
        return {t: c.execute(f"SELECT count(*) FROM msip.{t}").fetchone()[0] for t in TABLES}


def test_every_sample_source_is_loaded_and_runs_add_up(sample_db_url: str):
    n = counts(sample_db_url)
    assert all(n[t] > 0 for t in TABLES), n
    with psycopg.connect(sample_db_url) as c:
        bad = c.execute("SELECT count(*) FROM msip.load_run WHERE status <> 'succeeded' "
                        "OR rows_in <> rows_loaded + rows_rejected").fetchone()[0]
        kinds = {r[0] for r in c.execute("SELECT DISTINCT source_kind FROM msip.load_run")}
    assert bad == 0
    assert {"trees", "ads", "zoning", "orthophoto", "lidar"} <= kinds


def test_second_load_changes_nothing(sample_db_url: str, sample_dir):
    before = counts(sample_db_url)
    lines = list(load_sample_world(sample_dir, url=sample_db_url))
    assert lines and all("unchanged" in line for line in lines), [ln for ln in lines if "unchanged" not in ln]
    assert counts(sample_db_url) == before
