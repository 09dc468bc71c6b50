"""API keys: made here, stored hashed in msip.api_key, checked by the API and managed by `msip api-key`.

A key is `msip_` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored: a key of that entropy cannot be guessed from the hash, so a slow password hash would
only slow every request down. The API checks a key through `msip.api_key_lookup(hash)`
(SECURITY DEFINER), because its role, msip_reader, may not read the table.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from msip.core.db import one_row
from msip.core.errors import ConfigError, ValidationError

#: What a key may do: start processes; list, read and delete its own jobs.
SCOPES = ("execute", "jobs")
KEY_PREFIX = "msip_"


@dataclass(frozen=True)
class ApiKey:
    """A key as the database knows it (never the key itself)."""

    id: int
    #: A random id, what jobs record as their owner (ids restart when a database is recreated).
    uid: str
    name: str
    scopes: tuple[str, ...]
    rate_per_min: int | None
    created: datetime | None = None
    revoked: datetime | None = None


def hash_key(key: str) -> str:
    """SHA-256 (hex) of a key, as stored in msip.api_key.hash."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The scopes, sorted and unique; ValidationError naming the unknown ones and the valid set."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError(
            f"unknown or missing scope(s) {unknown or '(none)'}; use --scope with one of {', '.join(SCOPES)}"
        )
    return tuple(sorted(set(scopes)))


def create_key(
    conn: psycopg.Connection, name: str, scopes: list[str] | tuple[str, ...],
    *, rate_per_min: int | None = None,
) -> tuple[str, ApiKey]:
    """Create a key; (the key, to show once; its record). The connection must be the owner's."""
    wanted = check_scopes(scopes)
    if rate_per_min is not None and rate_per_min <= 0:
        raise ValidationError(f"rate_per_min={rate_per_min} must be a positive number of executions per minute")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        row = one_row(conn.execute(
            "INSERT INTO msip.api_key (name, hash, scopes, rate_per_min) VALUES (%s, %s, %s, %s) "
            "RETURNING id, uid, created",
            (name, hash_key(key), list(wanted), rate_per_min),
        ))
    except psycopg.errors.UniqueViolation:
        raise ConfigError(
            f"an active key named {name!r} exists; revoke it first (`msip api-key revoke {name}`) "
            "or choose another name"
        ) from None
    except psycopg.errors.CheckViolation:
        raise ValidationError(
            f"key name {name!r} is not allowed; use 1-63 letters, digits, '_', '.', '@' or '-'"
        ) from None
    conn.commit()
    return key, ApiKey(int(row[0]), str(row[1]), name, wanted, rate_per_min, row[2])


def list_keys(conn: psycopg.Connection, *, include_revoked: bool = False) -> list[ApiKey]:
    """Keys in creation order (active only unless `include_revoked`)."""
    rows = conn.execute(
        "SELECT id, uid, name, scopes, rate_per_min, created, revoked FROM msip.api_key "
        "WHERE %s OR revoked IS NULL ORDER BY id",
        (include_revoked,),
    ).fetchall()
    return [_key(r) for r in rows]


def revoke_key(conn: psycopg.Connection, name_or_id: str) -> ApiKey:
    """Revoke the active key with this name (or numeric id); ConfigError when there is none."""
    row = conn.execute(
        "UPDATE msip.api_key SET revoked = now() "
        "WHERE revoked IS NULL AND (name = %s OR id::text = %s) "
        "RETURNING id, uid, name, scopes, rate_per_min, created, revoked",
        (name_or_id, name_or_id),
    ).fetchone()
    if row is None:
        raise ConfigError(f"no active API key named {name_or_id!r}; see `msip api-key list`")
    conn.commit()
    return _key(row)


def lookup(conn: psycopg.Connection, key: str) -> ApiKey | None:
    """The active key matching `key` (through msip.api_key_lookup, so msip_reader may call it)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = conn.execute(
        "SELECT id, uid, name, scopes, rate_per_min FROM msip.api_key_lookup(%s)", (hash_key(key),)
    ).fetchone()
    return None if row is None else _key(row)


def _key(row: tuple[Any, ...]) -> ApiKey:
    """An ApiKey from (id, uid, name, scopes, rate_per_min[, created, revoked])."""
    return ApiKey(int(row[0]), str(row[1]), row[2], tuple(row[3]), row[4], *row[5:7])
