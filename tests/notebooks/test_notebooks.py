"""The analyst notebooks: committed without outputs, and each runs top to bottom against the served
demo with its figures, no error cell, and headline numbers that agree with the API and the database.

Executed copies are saved to test-artifacts/notebooks/ for inspection. Each notebook ends with a
cell that displays its key results as application/json; the checks below read that output.

Longer than ~300 lines on purpose: one served demo world is shared by every notebook's run and its
checks of figures and cells.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import psycopg
import pytest
import requests

from tests.support.paths import ROOT

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "notebooks"
#: Figures (image/png outputs) each notebook promises; a new notebook must be listed here.
FIGURES = {
    "01_tree_inventory": 5,
    "02_heat_islands": 4,
    "03_green_access_3_30_300": 4,
    "04_advertising_and_zoning_audit": 5,
    "05_terrain_monitoring": 3,
}
CELL_TIMEOUT_S = 180


def test_the_notebooks_named_in_the_issue_exist():
    assert {p.stem for p in NOTEBOOKS} == set(FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], (
                f"{path.name} cell {i} has outputs: run scripts/strip_notebooks.py"
            )
            assert cell["execution_count"] is None, f"{path.name} cell {i} has an execution count"
        assert "execution" not in cell.get("metadata", {}), (
            f"{path.name} cell {i} keeps run timings"
        )


def test_strip_script_removes_what_a_run_adds(tmp_path: Path):
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.execution_count = 7
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    code.metadata["execution"] = {"iopub.status.idle": "2025-01-01T00:00:00Z"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    dirty = tmp_path / "dirty.ipynb"
    nbformat.write(nb, dirty)
    script = [sys.executable, str(ROOT / "scripts" / "strip_notebooks.py")]

    check = subprocess.run(
        [*script, "--check", str(dirty)], check=False, capture_output=True, text=True
    )
    assert check.returncode == 1 and "has outputs" in check.stdout
    assert (
        subprocess.run(
            [*script, str(dirty)], check=False, capture_output=True, text=True
        ).returncode
        == 0
    )
    assert (
        subprocess.run(
            [*script, "--check", str(dirty)], check=False, capture_output=True, text=True
        ).returncode
        == 0
    )
    assert dirty.read_bytes() == NOTEBOOKS[0].read_bytes()


# --- execution against the demo server ---------------------------------------------------------


@pytest.fixture(scope="session")
def kernel_manager_factory(tmp_path_factory):
    """Kernel managers for a `python3` kernelspec of this interpreter (the venv's ipykernel), kept
    in a private folder so neither user-level nor system kernelspecs can take its place."""
    from ipykernel.kernelspec import write_kernel_spec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(path=str(kernels / "python3"))
    ksm = KernelSpecManager(kernel_dirs=[str(kernels)])
    assert ksm.get_kernel_spec("python3").argv[0] == sys.executable

    def make():
        return KernelManager(kernel_name="python3", kernel_spec_manager=ksm)

    return make


@pytest.fixture(scope="session")
def executed(demo_server, kernel_manager_factory):
    """Run a notebook against the demo server once per session; the executed notebook."""
    from nbclient import NotebookClient

    env = {
        **os.environ,
        "MSIP_API_URL": demo_server.url,
        "MSIP_DATABASE_URL": demo_server.owner_url,
        "MSIP_READER_URL": demo_server.reader_url,
        "MSIP_API_KEY": demo_server.api_key,
        "MSIP_PROGRESS": "0",
    }
    env.pop("MPLBACKEND", None)  # the kernel's inline backend must produce the figures
    done: dict[str, nbformat.NotebookNode] = {}

    def run(name: str) -> nbformat.NotebookNode:
        if name not in done:
            nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
            client = NotebookClient(
                nb,
                km=kernel_manager_factory(),
                timeout=CELL_TIMEOUT_S,
                allow_errors=True,
                resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
            )
            client.execute(env=env)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, ARTIFACTS / f"{name}.ipynb")
            done[name] = nb
        return done[name]

    return run


def _outputs(nb: nbformat.NotebookNode):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            yield i, out


def key_results(nb: nbformat.NotebookNode) -> dict:
    """The notebook's last application/json output: its key results."""
    found = [
        out["data"]["application/json"]
        for _, out in _outputs(nb)
        if out["output_type"] in ("display_data", "execute_result")
        and "application/json" in out["data"]
    ]
    assert found, "the notebook displayed no key results (application/json)"
    return found[-1]


def api_count(base: str, collection: str, **params) -> int:
    r = requests.get(
        f"{base}/collections/{collection}/items",
        params={"f": "json", "limit": 1, "skipGeometry": "true", **params},
        timeout=60,
    )
    r.raise_for_status()
    return r.json()["numberMatched"]


def db_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.db
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_notebook_runs_with_its_figures_and_no_error(executed, name: str):
    nb = executed(name)
    errors = [
        f"cell {i}: {out['ename']}: {out['evalue']}"
        for i, out in _outputs(nb)
        if out["output_type"] == "error"
    ]
    assert not errors, f"{name} failed (see {ARTIFACTS / name}.ipynb): {errors}"
    stderr = [
        f"cell {i}: {out['text'][:300]}"
        for i, out in _outputs(nb)
        if out["output_type"] == "stream" and out["name"] == "stderr"
    ]
    assert not stderr, f"{name} wrote warnings: {stderr}"
    figures = sum(
        1
        for _, out in _outputs(nb)
        if out["output_type"] == "display_data" and "image/png" in out["data"]
    )
    assert figures >= FIGURES[name], f"{name} produced {figures} figures, expected {FIGURES[name]}"


@pytest.mark.db
@pytest.mark.slow
def test_tree_inventory_numbers_match_the_api_and_the_loader(executed, demo_server):
    r = key_results(executed("01_tree_inventory"))
    assert r["tree_count"] == api_count(demo_server.url, "trees") > 0
    assert sum(r["size_classes"].values()) == sum(r["health"].values()) == r["tree_count"]
    (latest,) = db_rows(demo_server.owner_url, "SELECT max(epoch)::text FROM msip.tree_detected")[0]
    assert r["lidar_epoch"] == latest
    assert r["detected_count"] == api_count(
        demo_server.url, "detected_trees", filter=f"epoch='{latest}'"
    )
    # The notebook repeats the LiDAR loader's matching rule on API data: same counts as msip.tree_match.
    loader = dict(
        db_rows(
            demo_server.owner_url,
            "SELECT status, count(*) FROM msip.tree_match WHERE epoch = %s GROUP BY status",
            (latest,),
        )
    )
    assert (r["matched"], r["not_detected"], r["not_in_inventory"]) == (
        loader["matched"],
        loader["not_detected"],
        loader["not_in_inventory"],
    )


@pytest.mark.db
@pytest.mark.slow
def test_heat_notebook_reads_back_what_the_process_computed(executed, demo_server):
    r = key_results(executed("02_heat_islands"))
    assert r["status"] in ("succeeded", "unchanged")
    ((kind, status),) = db_rows(
        demo_server.owner_url,
        "SELECT source_kind, status FROM msip.load_run WHERE run_id = %s",
        (r["run_id"],),
    )
    assert (kind, status) == ("analysis:heat-island", "succeeded")
    # Hot spots counted on the heat_tair coverage = the area the process reported (the COG is
    # float32, the threshold float64: allow one 5 m cell either way).
    assert r["coverage_is_run"], "the heat_tair coverage is not the raster of the notebook's run"
    assert r["hot_area_m2"] > 0
    assert abs(r["hot_area_m2"] - r["process_hot_area_m2"]) <= 25
    assert (
        r["zones"]
        == api_count(demo_server.url, "heat_zone_stats", filter=f"load_run_id={r['run_id']}")
        > 0
    )
    ((hottest,),) = db_rows(
        demo_server.owner_url,
        "SELECT designation FROM msip.heat_zone_stats WHERE load_run_id = %s "
        "ORDER BY t_air_mean_c DESC LIMIT 1",
        (r["run_id"],),
    )
    assert r["hottest_zone"] == hottest
    # District means from the coverage agree with the living-conditions grid of the same heat run.
    assert r["districts"] == 16 and r["district_max_diff_c"] < 1e-3
    assert r["t_air_min_c"] < r["t_air_max_c"]


@pytest.mark.db
@pytest.mark.slow
def test_green_access_shares_match_the_analysis_summary(executed, demo_server):
    r = key_results(executed("03_green_access_3_30_300"))
    ((population, pct_3, pct_30, pct_300, pct_all, pct_13f),) = db_rows(
        demo_server.owner_url,
        "SELECT population, pct_3, pct_30, pct_300, pct_3_30_300, pct_13f FROM msip.greenspace_access_district_current "
        "WHERE district_kind = 'all'",
    )
    assert r["residents"] == population > 0
    assert r["buildings"] == api_count(demo_server.url, "greenspace_access")
    for key, expected in [
        ("pct_3", pct_3),
        ("pct_30", pct_30),
        ("pct_300", pct_300),
        ("pct_3_30_300", pct_all),
        ("pct_13f", pct_13f),
    ]:
        # shares of the residents whose flag is known; None (unknown) where it is known for nobody
        assert r[key] == (None if expected is None else pytest.approx(expected, abs=1e-6)), key


@pytest.mark.db
@pytest.mark.slow
def test_audit_numbers_match_the_api_and_the_database(executed, demo_server):
    r = key_results(executed("04_advertising_and_zoning_audit"))
    ((latest,),) = db_rows(demo_server.owner_url, "SELECT max(load_run_id) FROM msip.ad_compliance")
    assert r["ad_run_id"] == latest
    assert (
        r["non_compliant"]
        == api_count(
            demo_server.url,
            "ad_compliance",
            filter=f"load_run_id={latest} AND verdict='non_compliant'",
        )
        > 0
    )
    by_rule = dict(
        db_rows(
            demo_server.owner_url,
            "SELECT v.rule_code, count(*) FROM msip.ad_violation v JOIN msip.ad_compliance c USING (result_id) "
            "WHERE c.load_run_id = %s GROUP BY v.rule_code",
            (latest,),
        )
    )
    assert r["violations_by_rule"] == by_rule
    ((fees, penalties),) = db_rows(
        demo_server.owner_url,
        "SELECT sum(fee_pln)::float, sum(penalty_estimate_pln)::float "
        "FROM msip.ad_compliance WHERE load_run_id = %s",
        (latest,),
    )
    # NULL sums (no fee rates, as in the demo world) must come out unknown (None), not 0.00
    assert (r["fee_total_pln"], r["penalty_total_pln"]) == (
        None if fees is None else pytest.approx(fees),
        None if penalties is None else pytest.approx(penalties),
    )
    assert r["fees_known"] == (fees is not None)
    short = [
        row[0]
        for row in db_rows(
            demo_server.owner_url,
            "SELECT local_id FROM msip.living_conditions_zone WHERE bio_active_pct < min_bio_pct AND load_run_id = "
            "(SELECT max(load_run_id) FROM msip.living_conditions_zone) ORDER BY local_id",
        )
    ]
    assert r["zones_short_of_bio_active"] == short and short


@pytest.mark.db
@pytest.mark.slow
def test_terrain_notebook_volumes_match_the_process_and_the_database(executed, demo_server):
    r = key_results(executed("05_terrain_monitoring"))
    assert r["status"] in ("succeeded", "unchanged")
    ((volume, sigma),) = db_rows(
        demo_server.owner_url,
        "SELECT volume_m3, volume_sigma_m3 FROM msip.terrain_change_region WHERE region_id = %s AND load_run_id = %s",
        (r["largest_region_id"], r["run_id"]),
    )
    assert r["largest_volume_m3"] == pytest.approx(volume) and r["largest_volume_sigma_m3"] == pytest.approx(sigma)
    # the coverage (float32) summed over the region gives the process's volume
    assert r["coverage_volume_m3"] == pytest.approx(volume, rel=0.01) and volume > 100
    assert r["quiet_share"] >= 0.99
    assert [s["epoch"] for s in r["series"]] == r["epochs"] and len(r["epochs"]) >= 2
    assert r["series"][-1]["sigma_m3"] > 0
