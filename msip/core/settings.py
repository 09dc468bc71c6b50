"""Settings: data with help text, read from environment variables with safe defaults.

Every setting is an `MSIP_*` variable. Nothing secret has a default and nothing here is
written to disk. Tests inject their own values with `Settings.from_env(env)`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from msip.core.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One configuration variable: its name, default (as text) and what it means."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("MSIP_HOME", ".msip", "Folder for the local cluster, logs and data (relative to the current directory)."),
    Setting("MSIP_DATA_DIR", "", "Raster store and sample data; default $MSIP_HOME/data."),
    Setting("MSIP_PG_PORT", "55432", "Port of the project-local PostgreSQL cluster (loopback only)."),
    Setting("MSIP_DATABASE_URL", "",
            "libpq URL of the database as msip_owner; default: the local cluster over its Unix socket."),
    Setting("MSIP_READER_URL", "",
            "libpq URL the API connects with (read-only role); default: the local cluster as msip_reader."),
    Setting("MSIP_API_URL", "http://127.0.0.1:5000", "Public base URL of the OGC API (used by notebooks and links)."),
    Setting("MSIP_DASK_SCHEDULER", "", "Address of an existing Dask scheduler; empty runs a local scheduler."),
)

DB_NAME = "msip"
OWNER_ROLE = "msip_owner"
READER_ROLE = "msip_reader"


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `Settings.from_env()`."""

    home: Path
    data_dir: Path
    pg_port: int
    database_url: str
    reader_url: str
    api_url: str
    dask_scheduler: str
    uses_local_cluster: bool

    @property
    def pg_data(self) -> Path:
        """Data directory of the project-local cluster."""
        return self.home / "pgdata"

    @property
    def pg_socket_dir(self) -> Path:
        """Unix-socket directory of the local cluster (mode 0700: only its owner connects)."""
        return self.home / "run"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read every `MSIP_*` variable from `env` (default `os.environ`), applying defaults."""
        env = dict(os.environ if env is None else env)
        value = {s.name: (env.get(s.name) or s.default) for s in SETTINGS}
        home = Path(value["MSIP_HOME"]).expanduser().resolve()
        data_dir = Path(value["MSIP_DATA_DIR"] or home / "data").expanduser().resolve()
        try:
            port = int(value["MSIP_PG_PORT"])
            if not 1024 <= port <= 65535:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"MSIP_PG_PORT={value['MSIP_PG_PORT']!r} is not a port number; "
                "use a free port between 1024 and 65535, e.g. MSIP_PG_PORT=55433"
            ) from None
        local = not value["MSIP_DATABASE_URL"]
        socket_dir = home / "run"
        database_url = value["MSIP_DATABASE_URL"] or local_url(socket_dir, port, OWNER_ROLE)
        reader_url = value["MSIP_READER_URL"] or (
            local_url(socket_dir, port, READER_ROLE) if local else with_user(database_url, READER_ROLE)
        )
        return cls(
            home=home,
            data_dir=data_dir,
            pg_port=port,
            database_url=database_url,
            reader_url=reader_url,
            api_url=value["MSIP_API_URL"].rstrip("/"),
            dask_scheduler=value["MSIP_DASK_SCHEDULER"],
            uses_local_cluster=local,
        )


def local_url(socket_dir: Path, port: int, user: str, dbname: str = DB_NAME) -> str:
    """libpq URL for the local cluster over its Unix socket (no password needed or stored)."""
    return f"postgresql://{user}@/{dbname}?host={quote(str(socket_dir))}&port={port}"


def with_user(url: str, user: str) -> str:
    """The same libpq URL with another user name and no password."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params.pop("password", None)
    params["user"] = user
    return make_conninfo("", **params)


def get_settings() -> Settings:
    """Settings of the current process environment."""
    return Settings.from_env()
