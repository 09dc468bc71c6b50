"""Extents of the collections from their data: lon/lat bbox and time span, kept current.

The config's city-wide `extents` are only a fallback (an empty table, no raster). `refresh(cfg)`
puts each collection's own extent into the config pygeoapi serves — both the `/collections` list
and the single-collection page read it. A feature collection gets the bbox of its geometries
transformed to CRS84 (so it hugs the data: a transformed EPSG:2180 envelope would overshoot by
metres) and the span of its `time_field`; a raster collection (coverage or map tiles of a
catalogued raster kind) gets the lon/lat bounds of its latest raster — the grid the coverage
serves (its epochs stay on the single-collection page, see `compute_raster`). Extents are
computed once per data version (the latest load or analysis run, and for rasters the latest
raster's identity), so a load or an analysis refreshes them on the next metadata request.
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import UTC, date, datetime, time
from typing import Any

from psycopg import sql

from msip.api.crs import CRS84
from msip.api.providers.db import conninfo_from_def, data_version, fetch, table_info
from msip.api.providers.map_tiles import lonlat_bounds
from msip.api.providers.rasters import latest_raster

LOGGER = logging.getLogger(__name__)
#: Degrees are rounded outwards to this many decimals (1e-7° ≈ 1 cm).
DIGITS = 7
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

_lock = threading.Lock()
#: (conninfo, table or "raster:" + kind, time field) → (data version, extents or None for no data)
_cache: dict[tuple[str, str, str | None], tuple[object, dict[str, Any] | None]] = {}
#: The extents each collection was configured with (the fallback), by id of its config block.
_configured: dict[int, dict[str, Any]] = {}


def _feature_provider(resource: dict) -> dict | None:
    return next(
        (
            p
            for p in resource.get("providers", [])
            if p.get("type") == "feature" and str(p.get("name", "")).startswith("msip.")
        ),
        None,
    )


def _raster_provider(resource: dict) -> dict | None:
    """The provider of a catalogued raster kind (coverage first, then map tiles), if any."""
    found = [
        p
        for p in resource.get("providers", [])
        if p.get("type") in ("coverage", "tile")
        and str(p.get("name", "")).startswith("msip.")
        and isinstance(p.get("data"), dict)
        and "kind" in p["data"]
    ]
    found.sort(key=lambda p: p["type"] != "coverage")
    return found[0] if found else None


def _utc(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _outward(values: tuple[float, float, float, float]) -> list[float]:
    scale = 10**DIGITS
    x1, y1, x2, y2 = values
    return [
        math.floor(x1 * scale) / scale,
        math.floor(y1 * scale) / scale,
        math.ceil(x2 * scale) / scale,
        math.ceil(y2 * scale) / scale,
    ]


def compute(provider_def: dict) -> dict[str, Any] | None:
    """The extents of one feature provider's table from its rows; None when it has no rows."""
    conninfo = conninfo_from_def(provider_def["data"])
    info = table_info(
        conninfo,
        provider_def["table"],
        provider_def.get("geom_field"),
        provider_def.get("id_field"),
    )
    time_field = provider_def.get("time_field")
    box: sql.Composable = sql.SQL("NULL::box2d")
    if info.geom is not None:
        box = sql.SQL("ST_Extent(ST_Transform({}, 4326))").format(sql.Identifier(info.geom))
    span: sql.Composable = (
        sql.SQL("min({0}), max({0})").format(sql.Identifier(time_field))
        if time_field
        else sql.SQL("NULL, NULL")
    )
    query = sql.SQL(
        "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), t0, t1, n FROM "
        "(SELECT {} AS b, {}, count(*) AS n FROM {}) s(b, t0, t1, n)"
    ).format(box, span, info.ident)
    x1, y1, x2, y2, t0, t1, n = fetch(conninfo, query)[0]
    if not n:
        return None
    out: dict[str, Any] = {}
    if x1 is not None:
        out["spatial"] = {"bbox": _outward((x1, y1, x2, y2)), "crs": CRS84}
    if time_field and t0 is not None:
        out["temporal"] = {"begin": _utc(t0), "end": _utc(t1), "trs": TRS}
    return out


def compute_raster(provider_def: dict) -> dict[str, Any]:
    """The spatial extent of a raster kind: its latest raster's lon/lat bounds.

    Not the temporal one: pygeoapi would then answer a coverage `datetime` outside the epochs
    with its own "datetime parameter out of range" before the provider names the epochs; the
    single-collection page lists the epochs (`extent.temporal.values`) from the provider.
    """
    conninfo = conninfo_from_def(provider_def["data"])
    asset = latest_raster(conninfo, str(provider_def["data"]["kind"]))
    return {"spatial": {"bbox": _outward(lonlat_bounds(asset.path, asset.identity)), "crs": CRS84}}


def _current(p: dict, version: object) -> tuple[object, dict[str, Any] | None]:
    """(version, extents) of one provider's data, recomputed when the data changed."""
    conninfo = conninfo_from_def(p["data"])
    if p.get("type") == "feature":
        key: tuple[str, str, str | None] = (conninfo, str(p["table"]), p.get("time_field"))
    else:
        kind = str(p["data"]["kind"])
        key = (conninfo, f"raster:{kind}", None)
        # The raster catalogue caches the latest asset for a few seconds: key on the asset
        # too, so an extent computed from a stale asset is recomputed once the cache turns.
        version = (version, latest_raster(conninfo, kind).identity)
    with _lock:
        cached = _cache.get(key)
    if cached is None or cached[0] != version:
        cached = (version, compute(p) if p.get("type") == "feature" else compute_raster(p))
        with _lock:
            _cache[key] = cached
    return cached


def refresh(cfg: dict) -> None:
    """Put every collection's current extents into `cfg` (recomputed when the data changed).

    Collections keep their configured extents where the data gives none (an empty table, no
    geometry, no time field, no raster). A database error leaves the extents as they were.
    """
    versions: dict[str, object] = {}
    unreachable: set[str] = set()
    for name, res in cfg.get("resources", {}).items():
        if res.get("type") != "collection":
            continue
        p = _feature_provider(res) or _raster_provider(res)
        if p is None:
            continue
        conninfo = conninfo_from_def(p["data"])
        if conninfo in unreachable:
            # One wait for the pool per request, not one per collection: a database that is
            # down must not hold a metadata request past the client's bound.
            continue
        try:
            if conninfo not in versions:
                try:
                    versions[conninfo] = data_version(conninfo)
                except Exception:
                    unreachable.add(conninfo)
                    raise
            cached = _current(p, versions[conninfo])
        except Exception as exc:  # noqa: BLE001 - metadata must not fail over an extent
            LOGGER.warning("extents of collection %s not refreshed: %s", name, exc)
            continue
        configured = _configured.setdefault(id(res), dict(res.get("extents") or {}))
        extents = dict(configured)
        extents.update(cached[1] or {})
        res["extents"] = extents
