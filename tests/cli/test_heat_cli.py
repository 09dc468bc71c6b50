"""`msip run heat-island`: options from the parameter table, a summary line, one-line refusals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.db import count
from tests.support.toys.heat_toy import bbox, fresh_toy_db

MSIP = [sys.executable, "-m", "msip"]


def run(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if url:
        env["MSIP_DATABASE_URL"] = url
    return subprocess.run([*MSIP, "run", "heat-island", *args], capture_output=True, text=True, timeout=300, env=env,
                          check=False)


def test_help_lists_every_model_parameter_with_its_default():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for option in ("--mode", "--epoch", "--bbox", "--t-ref", "--cell-size-m", "--green-area-cooling-distance-m",
                   "--t-air-average-radius-m", "--hotspot-percentile", "--far-max", "--force"):
        assert option in text
    assert "[default: 450.0; 10.0<=x<=2000.0]" in text and "1.0<=x<=30.0" in text


def test_out_of_range_option_is_a_usage_error():
    result = run("--cell-size-m", "50")
    assert result.returncode == 2 and "50.0 is not in the range 1.0<=x<=30.0" in result.stderr


@pytest.mark.db
def test_run_prints_the_summary_and_stores_rows(db_url, settings):
    url = fresh_toy_db(db_url, settings.data_dir / "heat-toy-cli")
    area = ",".join(str(v) for v in bbox(0, 0, 200, 150))
    result = run("--bbox", area, "--cell-size-m", "10", "--stats-cell", "250", url=url)
    assert result.returncode == 0, result.stderr
    assert "analysis:heat-island: succeeded" in result.stdout and "hot spots" in result.stdout
    assert count(url, "SELECT count(DISTINCT cell_size_m) FROM msip.heat_cell_stats") == 1
    again = run("--bbox", area, "--cell-size-m", "10", "--stats-cell", "250", url=url)
    assert "unchanged" in again.stdout
    refused = run("--epoch", "2019-06-15", url=url)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: epoch 2019-06-15 has no complete set of chm, brightness, ndvi")
