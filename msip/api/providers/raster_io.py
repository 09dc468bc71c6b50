"""Raster reads for the API: a fresh dataset handle per read, a bounded reader pool, a hard deadline.

GDAL dataset handles are not thread-safe, and a VRT mosaic opens its sources in GDAL's shared
pool, which the threads of a worker then share. Here no handle outlives one read: every read
opens the file in a reader thread (with `VRT_SHARED_SOURCE=0`, so a mosaic's sources are its
own), reads, and closes it. The request thread waits at most `MSIP_API_RASTER_DEADLINE_S`
seconds, then answers 503 naming the limit; a read that never returns keeps its reader thread
but no request thread, and when `MSIP_API_RASTER_READERS` readers are stuck the pool is replaced
(and, under gunicorn, the worker asks to be recycled), so a stuck file never takes a worker down.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pygeoapi.provider.base import ProviderGenericError

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        LOGGER.warning("%s=%r is not a number; using %s", name, os.environ.get(name), default)
        return default
    return value if value > 0 else default


#: Longest a request waits for one raster read (open + read + encode), seconds.
DEADLINE_S = _env_number("MSIP_API_RASTER_DEADLINE_S", 10.0)
#: Raster reads running at once in one worker process; more wait in line (within the deadline).
READERS = int(_env_number("MSIP_API_RASTER_READERS", 4))
#: GDAL options of every read: no handle shared between threads, no unbounded block cache.
GDAL_ENV = {"VRT_SHARED_SOURCE": 0, "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}


class RasterDeadlineExceeded(ProviderGenericError):
    """A raster read did not finish within the deadline: 503 naming the limit (the documented 503)."""

    http_status_code = 503
    ogc_exception_code = "ServiceUnavailable"


class _Pool:
    """The reader threads of this process; replaced when all of them are stuck."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.executor = ThreadPoolExecutor(READERS, thread_name_prefix="msip-raster")
        self.stuck: set[Future] = set()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future:
        with self.lock:
            if self.pid != os.getpid():
                # forked (gunicorn workers): the parent's reader threads do not exist here
                self.pid, self.stuck = os.getpid(), set()
                self.executor = ThreadPoolExecutor(READERS, thread_name_prefix="msip-raster")
            self.stuck = {f for f in self.stuck if not f.done()}
            return self.executor.submit(fn, *args)

    def abandon(self, future: Future) -> None:
        """Forget a read past its deadline; a fresh pool once every reader is stuck."""
        with self.lock:
            if future.cancel():  # still waiting in line: it never runs
                return
            self.stuck = {f for f in self.stuck if not f.done()} | {future}
            if len(self.stuck) < READERS:
                return
            LOGGER.error(
                "%d raster reads are stuck past %.0f s; starting a fresh reader pool", len(self.stuck), DEADLINE_S
            )
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = ThreadPoolExecutor(READERS, thread_name_prefix="msip-raster")
            self.stuck = set()
            if os.environ.get("MSIP_API_RECYCLE_ON_STUCK") == "1":
                # gunicorn: SIGTERM ends this worker gracefully and the master starts a fresh one
                os.kill(os.getpid(), signal.SIGTERM)


_pool = _Pool()


def run_guarded(fn: Callable[..., T], *args: Any, what: str, deadline_s: float | None = None) -> T:
    """Run `fn(*args)` on a reader thread; its result, or 503 after the deadline."""
    limit = DEADLINE_S if deadline_s is None else deadline_s
    future = _pool.submit(fn, *args)
    try:
        return future.result(timeout=limit)
    except FutureTimeout:
        _pool.abandon(future)
        LOGGER.warning("raster read past its deadline of %.1f s: %s", limit, what)
        raise RasterDeadlineExceeded(
            user_msg=f"reading {what} took longer than the deadline of {limit:g} s "
            "(MSIP_API_RASTER_DEADLINE_S); try again, or request a smaller bbox/subset or a scale-size"
        ) from None


def gdal_env():
    """A rasterio.Env with MSIP's read options (enter it on the reading thread)."""
    import rasterio

    return rasterio.Env(**GDAL_ENV)


@dataclass(frozen=True)
class RasterInfo:
    """What a request needs to know of a raster file, read once per file version."""

    width: int
    height: int
    indexes: tuple[int, ...]
    dtypes: tuple[str, ...]
    epsg: int | None
    is_projected: bool
    transform: Any  # affine.Affine
    bounds: tuple[float, float, float, float]
    nodata: float | None
    descriptions: tuple[str | None, ...]
    units: tuple[str | None, ...]
    profile: dict


def _read_info(path: str) -> RasterInfo:
    import rasterio

    with gdal_env(), rasterio.open(path) as src:
        return RasterInfo(
            width=src.width,
            height=src.height,
            indexes=tuple(src.indexes),
            dtypes=tuple(src.dtypes),
            epsg=src.crs.to_epsg() if src.crs else None,
            is_projected=bool(src.crs and src.crs.is_projected),
            transform=src.transform,
            bounds=tuple(src.bounds),
            nodata=src.nodata,
            descriptions=tuple(src.descriptions or ()),
            units=tuple(src.units or ()),
            profile=dict(src.profile),
        )


_info: dict[str, RasterInfo] = {}


def raster_info(path: Path | str, identity: str) -> RasterInfo:
    """Metadata of the raster at `path` (cached by its identity: path, size, mtime, hash)."""
    hit = _info.get(identity)
    if hit is None:
        hit = run_guarded(_read_info, str(path), what=f"the metadata of {Path(path).name}")
        _info[identity] = hit
    return hit
