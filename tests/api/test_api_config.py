"""pygeoapi-config.yml: valid for pygeoapi, no secrets, DB settings from the environment, missing data left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from msip.api.config import DB_ENV, prepare, read_yaml, set_db_env, set_jobs_env
from msip.core.paths import PYGEOAPI_CONFIG


def test_config_validates_against_pygeoapi_schema():
    from pygeoapi.config import validate_config

    assert validate_config(read_yaml(PYGEOAPI_CONFIG))


def test_config_holds_no_credentials_only_env_references():
    text = PYGEOAPI_CONFIG.read_text()
    for key in ("host", "port", "dbname", "user", "password"):
        values = re.findall(rf"^\s+{key}: (.*)$", text, flags=re.MULTILINE)
        db_values = [
            v for v in values if "MSIP_API_DB" in v or key in ("password", "dbname", "user")
        ]
        assert db_values and all(v.startswith("${MSIP_API_DB_") for v in db_values), (key, values)


def test_db_settings_come_from_the_environment(monkeypatch):
    for var in DB_ENV.values():
        monkeypatch.delenv(var, raising=False)
    env = set_db_env("postgresql://msip_reader@/msipx?host=/tmp/sock&port=6543")
    assert env["MSIP_API_DB_HOST"] == "/tmp/sock" and env["MSIP_API_DB_PORT"] == "6543"
    cfg = read_yaml(PYGEOAPI_CONFIG)
    data = cfg["resources"]["trees"]["providers"][0]["data"]
    assert (data["host"], data["port"], data["dbname"], data["user"]) == (
        "/tmp/sock",
        6543,
        "msipx",
        "msip_reader",
    )


def test_every_collection_has_polish_and_english_metadata():
    cfg = read_yaml(PYGEOAPI_CONFIG)
    for name, res in cfg["resources"].items():
        if res["type"] != "collection":
            continue
        assert {"pl", "en"} <= set(res["title"]) and {"pl", "en"} <= set(res["description"]), name
        assert res["keywords"] and res["extents"]["spatial"]["bbox"], name


@pytest.mark.db
def test_collections_without_tables_are_left_out_with_the_reason(tmp_path: Path):
    from tests.support.api_fixtures import database

    _, reader = database()
    set_db_env(reader, override=True)
    cfg = read_yaml(PYGEOAPI_CONFIG)
    cfg["resources"] = {k: cfg["resources"][k] for k in ("trees", "ndvi")}
    cfg["resources"]["ghost"] = {
        **cfg["resources"]["trees"],
        "providers": [{**cfg["resources"]["trees"]["providers"][0], "table": "msip.no_such_table"}],
    }
    prepared = prepare(cfg)
    assert set(prepared.config["resources"]) == {"trees"}
    assert "msip.no_such_table does not exist" in prepared.skipped["ghost"]
    assert "no ndvi raster is loaded yet" in prepared.skipped["ndvi"]
    trees = prepared.config["resources"]["trees"]["providers"][0]
    assert (
        trees["storage_crs"] == "http://www.opengis.net/def/crs/EPSG/0/2180"
        and len(trees["crs"]) == 7
    )


def test_process_jobs_are_kept_under_this_installations_home(monkeypatch, tmp_path):
    for var in ("MSIP_API_JOBS_DB", "MSIP_API_JOBS_DIR"):
        monkeypatch.setenv(var, "")  # records the session's value, restored after the test
        monkeypatch.delenv(var)
    monkeypatch.setenv("MSIP_HOME", str(tmp_path))
    set_jobs_env()
    manager = read_yaml(PYGEOAPI_CONFIG)["server"]["manager"]
    assert manager["connection"] == str(tmp_path / "jobs" / "jobs.db")
    assert manager["output_dir"] == f"{tmp_path / 'jobs'}/" and (tmp_path / "jobs").is_dir()
    monkeypatch.setenv("MSIP_API_JOBS_DB", "/srv/jobs.db")  # an operator's choice stays
    set_jobs_env()
    assert read_yaml(PYGEOAPI_CONFIG)["server"]["manager"]["connection"] == "/srv/jobs.db"
