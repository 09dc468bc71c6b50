"""The raster catalogue as the API sees it: the latest COG (or mosaic) of a kind, or of an epoch."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pygeoapi.provider.base import ProviderConnectionError

from msip.api.providers.db import fetch

CACHE_TTL_S = 30.0
_cache: dict[tuple[str, str, date | None], tuple[float, RasterAsset]] = {}


class RasterMissing(ProviderConnectionError):
    """No raster of the kind is catalogued (or its file is gone): 404 with the fix."""

    http_status_code = 404
    ogc_exception_code = "NotFound"


@dataclass(frozen=True)
class RasterAsset:
    """One catalogued COG/VRT: kind, epoch, path, band names and nodata."""

    kind: str
    epoch: date | None
    path: Path
    band_descriptions: tuple[str, ...]
    nodata: float | None
    identity: str


def raster_epochs(conninfo: str, kind: str) -> list[date]:
    """The epochs of `kind` that have a raster, oldest first."""
    rows = fetch(
        conninfo,
        "SELECT DISTINCT epoch FROM msip.raster_asset"
        " WHERE kind = %s AND epoch IS NOT NULL ORDER BY epoch",
        (kind,),
    )
    return [r[0] for r in rows]


def latest_raster(conninfo: str, kind: str, epoch: date | None = None) -> RasterAsset:
    """The newest raster of `kind`, or that of `epoch` (mosaic preferred), cached a few seconds."""
    key = (conninfo, kind, epoch)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_TTL_S:
        return hit[1]
    rows = fetch(
        conninfo,
        """
        SELECT kind, epoch, path, band_descriptions, nodata, coalesce(sha256, '')
        FROM msip.raster_asset WHERE kind = %s AND (%s::date IS NULL OR epoch = %s::date)
        ORDER BY epoch DESC NULLS LAST, is_mosaic DESC, asset_id DESC LIMIT 1""",
        (kind, epoch, epoch),
    )
    if not rows and epoch is not None:
        known = ", ".join(str(e) for e in raster_epochs(conninfo, kind)) or "none"
        raise RasterMissing(
            user_msg=f"no {kind} raster of epoch {epoch}; the epochs loaded are: {known}"
        )
    if not rows:
        raise RasterMissing(
            user_msg=f"no {kind} raster is loaded yet; load one with `msip load {kind}`"
        )
    kind, epoch, path, bands, nodata, sha = rows[0]
    try:
        st = os.stat(path)
    except OSError:
        raise RasterMissing(
            user_msg=f"the {kind} raster of {epoch} is catalogued but its file is missing; "
            f"reload it with `msip load {kind}`"
        ) from None
    asset = RasterAsset(
        kind,
        epoch,
        Path(path),
        tuple(bands or ()),
        nodata,
        f"{path}:{st.st_size}:{st.st_mtime_ns}:{sha}",
    )
    _cache[key] = (time.monotonic(), asset)
    return asset
