"""File checksums: the SHA-256 that load runs, the raster catalogue and the raster journal record."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Bytes read at a time (1 MiB).
CHUNK_BYTES = 1 << 20


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (sorted relative paths and their checksums)."""
    path = Path(path)
    if path.is_dir():
        h = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode())
            h.update(file_sha256(f).encode())
        return h.hexdigest()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()
