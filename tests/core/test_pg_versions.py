"""Which PostgreSQL major version set-up installs, and which server binaries msip runs.

The version picker is the shell function of scripts/install_system_packages.sh, fed
apt-cache style listings (real ones from Debian 12 and 13 in tests/data/apt); the binary
finder is msip.core.cluster.find_pg_bindir over folders laid out as Debian lays them out.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from msip.core import cluster
from msip.core.errors import ClusterError
from msip.core.settings import Settings
from tests.support.paths import ROOT, TEST_DATA

SCRIPT = ROOT / "scripts" / "install_system_packages.sh"
APT = TEST_DATA / "apt"


def pick(listing: str, default: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), "--pick-pg-major", default], input=listing,
                          capture_output=True, text=True, timeout=30)


def complete_set(n: int) -> list[str]:
    return [f"postgresql-{n}", f"postgresql-{n}-postgis-3", f"postgresql-{n}-pgrouting",
            f"postgresql-{n}-pointcloud"]


@pytest.mark.parametrize(("listing", "default", "major"), [
    ("bookworm_pkgnames.txt", "15", "15"),
    ("trixie_pkgnames.txt", "17", "17"),
    ("bookworm_pkgnames.txt", "", "15"),
    ("trixie_pkgnames.txt", "", "17"),
])
def test_picks_the_version_debian_offers(listing: str, default: str, major: str):
    result = pick((APT / listing).read_text(), default)
    assert (result.returncode, result.stdout.strip()) == (0, major)


def test_default_wins_over_a_higher_complete_version():
    # PGDG's archive offers several majors at once; postgresql-common's default is kept.
    names = complete_set(15) + complete_set(16) + complete_set(17) + ["postgresql-common"]
    assert pick("\n".join(names), "16").stdout.strip() == "16"


def test_a_default_without_its_extensions_falls_back_to_the_highest_complete_version():
    names = complete_set(15) + complete_set(16) + ["postgresql-18", "postgresql-18-postgis-3",
                                                   "postgresql-18-pgrouting"]
    assert pick("\n".join(names), "18").stdout.strip() == "16"


def test_noise_in_the_listing_is_ignored():
    names = ["postgresql-client-17", "postgresql-17-postgis-3-scripts", "postgresql-17-dbgsym",
             "postgresql-17-pgrouting-scripts", "postgresql-17", "postgresql-17-postgis-3",
             "postgresql-17-pgrouting", "postgresql-17-pointcloud", "postgresql-170"]
    assert pick("\n".join(names)).stdout.strip() == "17"


def test_no_complete_version_prints_nothing_and_fails():
    result = pick("postgresql-17\npostgresql-17-postgis-3\npostgresql-common\n", "17")
    assert (result.returncode, result.stdout) == (1, "")


def test_print_packages_names_the_server_and_its_extensions():
    out = subprocess.run(["bash", str(SCRIPT), "--print-packages"], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    major = cluster.installed_majors()[0]
    assert complete_set(major) == out[:4]


# ---- the binary finder --------------------------------------------------------------------


def fake_server(lib_dir: Path, major: int) -> Path:
    """A /usr/lib/postgresql/<major>/bin look-alike with initdb and pg_ctl."""
    bindir = lib_dir / str(major) / "bin"
    bindir.mkdir(parents=True)
    for tool in ("initdb", "pg_ctl"):
        (bindir / tool).write_text("#!/bin/sh\n")
        (bindir / tool).chmod(0o755)
    return bindir


def test_highest_installed_version_is_used(tmp_path: Path):
    fake_server(tmp_path, 15)
    newest = fake_server(tmp_path, 17)
    (tmp_path / "16" / "bin").mkdir(parents=True)  # client tools only: no server
    assert cluster.installed_majors(tmp_path) == [17, 15]
    assert cluster.find_pg_bindir(lib_dir=tmp_path) == newest


def test_an_existing_cluster_keeps_the_version_that_created_it(tmp_path: Path):
    old = fake_server(tmp_path, 15)
    fake_server(tmp_path, 17)
    assert cluster.find_pg_bindir(cluster_major="15", lib_dir=tmp_path) == old


def test_a_cluster_whose_version_is_gone_says_how_to_move_it(tmp_path: Path):
    fake_server(tmp_path, 17)
    with pytest.raises(ClusterError, match=r"created by PostgreSQL 15.*installed versions: 17.*msip db dump"):
        cluster.find_pg_bindir(cluster_major="15", lib_dir=tmp_path)


def test_msip_pg_bin_wins(tmp_path: Path):
    fake_server(tmp_path, 17)
    chosen = fake_server(tmp_path / "elsewhere", 16)
    assert cluster.find_pg_bindir(env_bin=str(chosen), cluster_major="17", lib_dir=tmp_path) == chosen


def test_msip_pg_bin_without_a_server_is_refused(tmp_path: Path):
    with pytest.raises(ClusterError, match=r"MSIP_PG_BIN=.*holds no initdb and pg_ctl"):
        cluster.find_pg_bindir(env_bin=str(tmp_path), lib_dir=tmp_path)


def test_nothing_installed_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_config either
    with pytest.raises(ClusterError, match=r"server binaries not found.*postgresql-<N>-postgis-3.*MSIP_PG_BIN"):
        cluster.find_pg_bindir(lib_dir=tmp_path / "none")


def test_pg_bindir_reads_the_clusters_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = Settings.from_env({"MSIP_HOME": str(tmp_path)})
    settings.pg_data.mkdir(parents=True)
    (settings.pg_data / "PG_VERSION").write_text("9\n")
    monkeypatch.delenv("MSIP_PG_BIN", raising=False)
    with pytest.raises(ClusterError, match=r"created by PostgreSQL 9\b"):
        cluster.pg_bindir(settings)


@pytest.mark.db
def test_the_running_cluster_uses_its_own_versions_binaries(settings: Settings, db_url: str):
    version = (settings.pg_data / "PG_VERSION").read_text().strip()
    assert cluster.pg_bindir(settings) == Path(f"/usr/lib/postgresql/{version}/bin")
