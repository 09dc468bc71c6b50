"""The published configuration: pygeoapi-config.yml read with env substitution, checked and completed.

`load_config()` reads the YAML (`${VAR:-default}` filled from the environment, DB settings from
the reader URL), adds what every feature collection shares (the CRS list, storage CRS), and
drops collections whose table or raster is not there yet, naming them in the log, so a fresh
database serves what it has instead of failing; feature collections get their extents from
their data (`msip.api.providers.extents`). The OpenAPI document is built from the result.
"""

from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from msip.core.errors import ConfigError

LOGGER = logging.getLogger(__name__)

#: Environment variables the config's `data` blocks use, filled from the reader URL when unset.
DB_ENV = {
    "host": "MSIP_API_DB_HOST",
    "port": "MSIP_API_DB_PORT",
    "dbname": "MSIP_API_DB_NAME",
    "user": "MSIP_API_DB_USER",
    "password": "MSIP_API_DB_PASSWORD",
}


@dataclass
class PreparedConfig:
    """The config pygeoapi runs with, and the collections left out (id → reason)."""

    config: dict
    skipped: dict[str, str] = field(default_factory=dict)


def set_db_env(reader_url: str | None = None, *, override: bool = False) -> dict[str, str]:
    """Put the reader URL's host/port/dbname/user into MSIP_API_DB_* (kept if already set)."""
    from msip.core.db import conninfo_params
    from msip.core.settings import get_settings

    params = conninfo_params(reader_url or get_settings().reader_url)
    params.setdefault("port", "5432")
    out = {}
    for key, var in DB_ENV.items():
        if key in params and (override or not os.environ.get(var)):
            os.environ[var] = params[key]
        out[var] = os.environ.get(var, "")
    return out


def set_jobs_env() -> None:
    """Keep this installation's process jobs (the job list and results) under $MSIP_HOME/jobs unless
    MSIP_API_JOBS_DB / MSIP_API_JOBS_DIR say otherwise: a shared /tmp file would mix the jobs of every
    server on the machine (the demo's, a test run's) into one list."""
    from msip.core.settings import get_settings

    jobs = get_settings().home / "jobs"
    if not os.environ.get("MSIP_API_JOBS_DB") or not os.environ.get("MSIP_API_JOBS_DIR"):
        jobs.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MSIP_API_JOBS_DB", str(jobs / "jobs.db"))
    os.environ.setdefault("MSIP_API_JOBS_DIR", f"{jobs}/")


def read_yaml(path: Path) -> dict:
    """The YAML config with `${VAR:-default}` substituted (pygeoapi's own loader)."""
    from pygeoapi.util import yaml_load

    try:
        with open(path, encoding="utf-8") as fh:
            return yaml_load(fh)
    except FileNotFoundError:
        raise ConfigError(
            f"API configuration {path} not found; pass --config or restore pygeoapi-config.yml"
        ) from None
    except OSError as exc:  # pygeoapi raises EnvironmentError for a missing ${VAR} without default
        raise ConfigError(
            f"API configuration {path}: {exc}; set the variable or give it a default (${{VAR:-value}})"
        ) from None


def _complete(resource: dict) -> None:
    from msip.api.crs import STORAGE_CRS, SUPPORTED_CRS

    for p in resource.get("providers", []):
        if p.get("type") == "feature" and str(p.get("name", "")).startswith("msip."):
            p.setdefault("crs", list(SUPPORTED_CRS))
            p.setdefault("storage_crs", STORAGE_CRS)


def check_providers(name: str, resource: dict) -> str | None:
    """None when every provider of a collection loads, else the reason (missing table, raster …)."""
    from pygeoapi.plugin import load_plugin
    from pygeoapi.provider.base import ProviderGenericError

    for p in resource.get("providers", []):
        try:
            load_plugin("provider", p)
        except ProviderGenericError as exc:
            return f"{p.get('type')} provider: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - a plugin may fail in any way; report it, do not crash the server
            return f"{p.get('type')} provider: {type(exc).__name__}: {exc}"
    return None


def prepare(config: dict, *, check: bool = True) -> PreparedConfig:
    """Complete the collections and drop those that cannot be served now (logged with the reason)."""
    cfg = copy.deepcopy(config)
    skipped: dict[str, str] = {}
    for name, res in list(cfg.get("resources", {}).items()):
        if res.get("type") != "collection":
            continue
        _complete(res)
        if check:
            reason = check_providers(name, res)
            if reason:
                skipped[name] = reason
                LOGGER.info("collection %s is not published: %s", name, reason)
                del cfg["resources"][name]
    if check:
        from msip.api.providers.extents import refresh

        refresh(cfg)
    return PreparedConfig(cfg, skipped)


def load_config(
    path: str | Path | None = None, *, reader_url: str | None = None, check: bool = True
) -> PreparedConfig:
    """Read, complete and check the API configuration (default: the repository's pygeoapi-config.yml)."""
    from msip.core.paths import PYGEOAPI_CONFIG

    set_db_env(reader_url, override=reader_url is not None)
    set_jobs_env()
    return prepare(
        read_yaml(Path(path or os.environ.get("MSIP_API_CONFIG") or PYGEOAPI_CONFIG)), check=check
    )
