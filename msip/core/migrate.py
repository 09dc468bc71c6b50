"""Schema migrations: the ordered `sql/NNN_name.sql` files, applied once each by yoyo-migrations.

yoyo records applied migrations in `public._yoyo_migration` and takes a lock, so two
concurrent `msip db migrate` calls cannot both apply the same file.
"""

from __future__ import annotations

from urllib.parse import urlencode

from msip.core.db import conninfo_params, redact
from msip.core.errors import DatabaseError
from msip.core.paths import SQL_DIR
from msip.core.settings import get_settings


def yoyo_uri(url: str) -> str:
    """A yoyo connection URI (psycopg 3 driver) for any libpq URL or key=value string."""
    params = conninfo_params(url)
    dbname = params.pop("dbname", "msip")
    return f"postgresql+psycopg:///{dbname}?{urlencode(params)}"


def migrate(url: str | None = None) -> list[str]:
    """Apply the migrations not yet applied, in order; returns the ids applied (empty: no-op)."""
    from yoyo import get_backend, read_migrations
    from yoyo.exceptions import LockTimeout

    url = url or get_settings().database_url
    try:
        backend = get_backend(yoyo_uri(url))
    except Exception as exc:  # noqa: BLE001 - yoyo wraps driver errors in its own types
        raise DatabaseError(
            f"cannot open the database for migrations ({redact(url)}): {str(exc).strip()}. "
            "Start it with `msip db start` or fix MSIP_DATABASE_URL"
        ) from None
    migrations = read_migrations(str(SQL_DIR))
    try:
        with backend.lock(timeout=120):
            pending = backend.to_apply(migrations)
            ids = [m.id for m in pending]
            backend.apply_migrations(pending)
    except LockTimeout:
        raise DatabaseError("another `msip db migrate` holds the migration lock; wait for it") from None
    except Exception as exc:  # noqa: BLE001 - any failure of a migration's SQL or of yoyo rolls back
        raise DatabaseError(f"a migration failed and was rolled back: {str(exc).strip()}") from None
    finally:
        backend.connection.close()
    return ids


def pending(url: str | None = None) -> list[str]:
    """Ids of migrations present in sql/ but not applied in the database."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(yoyo_uri(url or get_settings().database_url))
    try:
        return [m.id for m in backend.to_apply(read_migrations(str(SQL_DIR)))]
    finally:
        backend.connection.close()
