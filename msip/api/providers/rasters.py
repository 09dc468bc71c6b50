"""The raster catalogue as the API sees it: which COG (or mosaic) is the latest of a kind."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pygeoapi.provider.base import ProviderConnectionError

from msip.api.providers.db import fetch

CACHE_TTL_S = 30.0
_cache: dict[tuple[str, str], tuple[float, RasterAsset]] = {}


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


def latest_raster(conninfo: str, kind: str) -> RasterAsset:
    """The newest raster of `kind` (mosaic preferred within an epoch), cached for a few seconds."""
    key = (conninfo, kind)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_TTL_S:
        return hit[1]
    rows = fetch(
        conninfo,
        """
        SELECT kind, epoch, path, band_descriptions, nodata, coalesce(sha256, '')
        FROM msip.raster_asset WHERE kind = %s
        ORDER BY epoch DESC NULLS LAST, is_mosaic DESC, asset_id DESC LIMIT 1""",
        (kind,),
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
