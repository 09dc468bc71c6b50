"""Write failures under MSIP_DATA_DIR as errors that say why (full disk, permission, a file in the way) and the fix.

Shared by the raster store, the mosaics and the LiDAR loader's work files.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from msip.core.errors import StoreWriteError


def write_error(
    path: Path, exc: BaseException, *, needed_bytes: int = 0, what: str = "raster"
) -> StoreWriteError:
    """A write failure under MSIP_DATA_DIR as a message that says why (full disk, permission,
    a file in the way) and how to fix it; `what` names the thing being written."""
    text = str(exc)
    # Only an OSError's errno is an OS error number; GDAL's CPLE errors carry GDAL codes there.
    code = exc.errno if isinstance(exc, OSError) else None
    # GDAL reports a full disk as a seek/write error, numpy as a short write ("N requested and
    # M written"); less free space than the write needs (at least 1 MiB) is the tell.
    if code is None and _free_bytes(path) < max(needed_bytes, 1 << 20):
        code = errno.ENOSPC
    if code == errno.ENOSPC or "No space left" in text:
        why, fix = (
            "the disk is full",
            f"free space on the disk holding {path.parent} or point MSIP_DATA_DIR elsewhere",
        )
    elif (
        code in (errno.EACCES, errno.EPERM, errno.EROFS)
        or "ermission denied" in text
        or "Read-only" in text
    ):
        why, fix = (
            "permission denied",
            f"make {path.parent} writable or point MSIP_DATA_DIR at a writable folder",
        )
    elif code == errno.ENOTDIR:
        blocker = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), path.parent)
        why, fix = (
            f"{blocker} is a file, not a folder",
            "point MSIP_DATA_DIR at a writable folder (or move that file away)",
        )
    else:
        why, fix = (
            text or type(exc).__name__,
            f"check that {path.parent} is writable and has free space",
        )
    return StoreWriteError(f"cannot write {what} {path}: {why}; fix: {fix}")


def _free_bytes(path: Path) -> int:
    folder = next((p for p in (path.parent, *path.parents) if p.is_dir()), None)
    try:
        return shutil.disk_usage(folder).free if folder else 0
    except OSError:
        return 0
