"""Lifecycle of the project-local PostgreSQL cluster under $MSIP_HOME (not the system service).

The cluster listens on 127.0.0.1:$MSIP_PG_PORT and on a Unix socket in $MSIP_HOME/run
(mode 0700). Socket connections use trust authentication, so only the OS user owning the
cluster can reach it and no password exists anywhere; TCP asks for a password (scram), which
no role has until an operator sets one. PostgreSQL refuses to run as root, so under root the
cluster runs as the `postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from msip.core.db import connect
from msip.core.errors import ClusterError
from msip.core.paths import SQL_DIR
from msip.core.settings import DB_NAME, OWNER_ROLE, READER_ROLE, Settings, local_url

SUPERUSER = "postgres"
#: Debian installs each PostgreSQL major version's server binaries under <this>/<N>/bin.
PG_LIB_DIR = Path("/usr/lib/postgresql")
EXTENSIONS = ("postgis", "postgis_raster", "pgrouting", "pointcloud", "pointcloud_postgis")


@dataclass(frozen=True)
class ClusterStatus:
    running: bool
    pid: int | None
    url: str
    data_dir: Path

    def describe(self) -> str:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        return f"local cluster {state}\n  data: {self.data_dir}\n  url:  {self.url}"


def installed_majors(lib_dir: Path = PG_LIB_DIR) -> list[int]:
    """PostgreSQL major versions with server binaries (initdb and pg_ctl) under lib_dir/<N>/bin, highest first."""
    if not lib_dir.is_dir():
        return []
    found = [int(d.name) for d in lib_dir.iterdir() if d.name.isdigit() and _has_server(d / "bin")]
    return sorted(found, reverse=True)


def _has_server(path: Path) -> bool:
    return (path / "pg_ctl").exists() and (path / "initdb").exists()


def find_pg_bindir(
    *, env_bin: str | None = None, cluster_major: str | None = None, lib_dir: Path = PG_LIB_DIR
) -> Path:
    """Directory of the PostgreSQL server binaries to use.

    `env_bin` (MSIP_PG_BIN) wins when set. An existing cluster needs the major version that
    created it (`cluster_major`, from its PG_VERSION file): a newer server cannot open its
    data. Otherwise the highest version installed under `lib_dir` (Debian's
    /usr/lib/postgresql/<N>/bin: 15 on Debian 12, 17 on Debian 13), then `pg_config --bindir`.
    Raises ClusterError naming what was looked for and how to install it.
    """
    if env_bin:
        path = Path(env_bin)
        if not _has_server(path):
            raise ClusterError(
                f"MSIP_PG_BIN={env_bin} holds no initdb and pg_ctl; point it at a PostgreSQL server's "
                "bin folder (e.g. /usr/lib/postgresql/17/bin) or unset it to use the highest installed version"
            )
        return path
    majors = installed_majors(lib_dir)
    if cluster_major:
        path = lib_dir / cluster_major / "bin"
        if _has_server(path):
            return path
        others = ", ".join(map(str, majors)) or "none"
        raise ClusterError(
            f"the local cluster was created by PostgreSQL {cluster_major}, whose server binaries are not "
            f"installed (looked in {path}; installed versions: {others}); install postgresql-{cluster_major} "
            f"again (MSIP_PG_MAJOR={cluster_major} make setup, or from PostgreSQL's own apt repository), then move "
            "the data to the newest version with `msip db dump`, `msip db reset`, `msip db restore`"
        )
    if majors:
        return lib_dir / str(majors[0]) / "bin"
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        path = Path(out.stdout.strip())
        if out.stdout.strip() and _has_server(path):
            return path
    raise ClusterError(
        f"PostgreSQL server binaries not found (looked in {lib_dir}/<version>/bin and `pg_config --bindir`); "
        "install them with `make setup` (Debian packages postgresql-<N>, postgresql-<N>-postgis-3, "
        "postgresql-<N>-pgrouting, postgresql-<N>-pointcloud) or set MSIP_PG_BIN to the server's bin folder"
    )


def pg_bindir(settings: Settings | None = None) -> Path:
    """Server binaries for the local cluster of `settings` (the version that created it), or the
    highest installed version when no cluster exists yet (or no settings are given)."""
    major = None
    if settings is not None and is_initialised(settings):
        major = (settings.pg_data / "PG_VERSION").read_text().strip()
    return find_pg_bindir(env_bin=os.environ.get("MSIP_PG_BIN"), cluster_major=major)


def _run_as() -> str | None:
    """OS user the server must run as: None for the current user, 'postgres' under root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root, but PostgreSQL refuses to run as root and no 'postgres' system user "
            "exists; install Debian's postgresql package (make setup) or run as a normal user"
        ) from None
    return "postgres"


def _pg(settings: Settings, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [str(pg_bindir(settings) / tool), *args]
    user = _run_as()
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
    if check and result.returncode != 0:
        raise ClusterError(f"{tool} failed: {(result.stderr or result.stdout).strip()}")
    return result


def _prepare_dirs(settings: Settings) -> None:
    """Create $MSIP_HOME's folders, owned by the server's OS user, or explain why not."""
    user = _run_as()
    for path in (settings.home, settings.pg_socket_dir, settings.log_dir):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ClusterError(
                f"cannot create {path}: {exc.strerror}; make the folder writable or set MSIP_HOME "
                "to a writable folder, e.g. MSIP_HOME=$HOME/.msip"
            ) from None
    if not os.access(settings.home, os.W_OK):
        raise ClusterError(
            f"the cluster folder {settings.home} is not writable; fix its permissions or set "
            "MSIP_HOME to a writable folder, e.g. MSIP_HOME=$HOME/.msip"
        )
    os.chmod(settings.pg_socket_dir, 0o700)
    if user:
        info = pwd.getpwnam(user)
        for path in (settings.pg_socket_dir, settings.log_dir):
            os.chown(path, info.pw_uid, info.pw_gid)
        if settings.pg_data.exists():
            os.chown(settings.pg_data, info.pw_uid, info.pw_gid)
        probe = subprocess.run(["runuser", "-u", user, "--", "test", "-x", str(settings.home)])
        if probe.returncode != 0:
            raise ClusterError(
                f"the server runs as OS user '{user}', which cannot enter {settings.home} "
                "(a parent folder is private); set MSIP_HOME to a folder it can reach, e.g. /var/tmp/msip"
            )


def is_initialised(settings: Settings) -> bool:
    return (settings.pg_data / "PG_VERSION").exists()


def init(settings: Settings) -> bool:
    """Create the cluster if it does not exist yet; returns True when it was created."""
    _prepare_dirs(settings)
    if is_initialised(settings):
        return False
    settings.pg_data.mkdir(mode=0o700, exist_ok=True)
    user = _run_as()
    if user:
        info = pwd.getpwnam(user)
        os.chown(settings.pg_data, info.pw_uid, info.pw_gid)
    _pg(settings, "initdb", "-D", str(settings.pg_data), "-U", SUPERUSER, "-E", "UTF8",
        "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256")
    return True


def status(settings: Settings) -> ClusterStatus:
    """Whether the project's own cluster runs (read from its data dir, not from the port)."""
    url = local_url(settings.pg_socket_dir, settings.pg_port, OWNER_ROLE)
    pid = None
    pidfile = settings.pg_data / "postmaster.pid"
    if is_initialised(settings) and pidfile.exists():
        result = _pg(settings, "pg_ctl", "status", "-D", str(settings.pg_data), check=False)
        if result.returncode == 0:
            pid = int(pidfile.read_text().splitlines()[0])
    return ClusterStatus(running=pid is not None, pid=pid, url=url, data_dir=settings.pg_data)


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def start(settings: Settings) -> ClusterStatus:
    """Start the local cluster (initialising it first) and prepare roles, database, extensions.

    Idempotent: a running cluster is left as it is (only the bootstrap SQL is re-checked).
    """
    init(settings)
    current = status(settings)
    if not current.running:
        if _port_taken(settings.pg_port):
            raise ClusterError(
                f"port {settings.pg_port} on 127.0.0.1 is already used by another program; "
                f"stop it or choose another port, e.g. MSIP_PG_PORT={settings.pg_port + 1} msip db start"
            )
        log = settings.log_dir / "postgresql.log"
        options = (
            f"-c port={settings.pg_port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories='{settings.pg_socket_dir}' -c unix_socket_permissions=0700 "
            "-c shared_buffers=256MB -c max_connections=200 -c work_mem=32MB "
            "-c maintenance_work_mem=256MB -c max_wal_size=2GB"
        )
        result = _pg(settings, "pg_ctl", "start", "-D", str(settings.pg_data), "-l", str(log),
                     "-w", "-t", "60", "-o", options, check=False)
        if result.returncode != 0:
            raise ClusterError(
                f"the local cluster did not start (port {settings.pg_port}, data {settings.pg_data}); "
                f"server log {log} says: {_log_tail(log)}. Fix the cause above, or run "
                "`msip db reset` to recreate the cluster"
            )
    bootstrap(settings)
    return status(settings)


def stop(settings: Settings) -> bool:
    """Stop the project's own cluster (by its data dir; other PostgreSQL servers are untouched)."""
    if not status(settings).running:
        return False
    _pg(settings, "pg_ctl", "stop", "-D", str(settings.pg_data), "-m", "fast", "-w", "-t", "60")
    return True


def reset(settings: Settings) -> ClusterStatus:
    """Delete the local cluster with all its data and start an empty one."""
    stop(settings)
    if settings.pg_data.exists():
        shutil.rmtree(settings.pg_data)
    return start(settings)


def superuser_url(settings: Settings, dbname: str = "postgres") -> str:
    """URL of the local cluster's superuser over its Unix socket (trust authentication, no password)."""
    return local_url(settings.pg_socket_dir, settings.pg_port, SUPERUSER, dbname)


def bootstrap(settings: Settings, dbname: str = DB_NAME, *, fresh: bool = False) -> str:
    """As superuser: roles, database `dbname` and its extensions (sql/admin/*.sql, idempotent).

    `fresh=True` drops the database first (the test suite's own database). Returns the
    owner's URL of that database. Connects through `msip.core.db.connect`, so an unreachable
    cluster raises the same DatabaseError (server named, fix given) as every other connection.
    """
    with connect(superuser_url(settings), autocommit=True) as conn:
        conn.execute((SQL_DIR / "admin" / "roles.sql").read_text())
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(dbname), sql.Identifier(OWNER_ROLE)
                )
            )
    with connect(superuser_url(settings, dbname), autocommit=True) as conn:
        conn.execute((SQL_DIR / "admin" / "database.sql").read_text())
    return local_url(settings.pg_socket_dir, settings.pg_port, OWNER_ROLE, dbname)


__all__ = ["EXTENSIONS", "READER_ROLE", "bootstrap", "init", "reset", "start", "status", "stop"]
