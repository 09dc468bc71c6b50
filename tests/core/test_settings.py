"""Settings from environment variables: defaults, derived URLs and errors that give the fix."""

import pytest

from msip.core.errors import ConfigError
from msip.core.settings import SETTINGS, Settings


def test_defaults_point_at_the_local_cluster(tmp_path):
    s = Settings.from_env({"MSIP_HOME": str(tmp_path)})
    assert s.uses_local_cluster
    assert s.pg_port == 55432
    assert s.data_dir == tmp_path / "data"
    assert s.database_url == f"postgresql://msip_owner@/msip?host={tmp_path}/run&port=55432"
    assert "msip_reader@" in s.reader_url
    assert "password" not in s.database_url


def test_external_database_url_is_used_as_given_and_reader_derived():
    s = Settings.from_env({"MSIP_DATABASE_URL": "postgresql://msip_owner:secret@db.example:5433/city"})
    assert not s.uses_local_cluster
    assert s.database_url.endswith("@db.example:5433/city")
    assert "user=msip_reader" in s.reader_url
    assert "secret" not in s.reader_url


@pytest.mark.parametrize("port", ["abc", "80", "70000"])
def test_bad_port_names_the_variable_and_the_fix(port):
    with pytest.raises(ConfigError, match=r"MSIP_PG_PORT=.* e\.g\. MSIP_PG_PORT=55433"):
        Settings.from_env({"MSIP_PG_PORT": port})


def test_every_setting_has_help_text():
    assert all(s.help and s.name.startswith("MSIP_") for s in SETTINGS)
