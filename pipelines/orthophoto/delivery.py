"""An orthophoto delivery: its GeoTIFF tiles found, its checksum and source path, and the tiles
checked against each other."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from msip.core.errors import SourceReadError
from pipelines.orthophoto.checks import TileInfo, consistency_reason, delivery_reference

TIFF_SUFFIXES = (".tif", ".tiff")


def find_tiles(paths: list[Path]) -> list[Path]:
    """GeoTIFF files named directly or found (recursively) in folders, sorted, without duplicates."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TIFF_SUFFIXES
            )
        elif p.is_file():
            files.append(p)
        else:
            raise SourceReadError(
                f"{p}: no such file or folder; give GeoTIFF tiles or folders holding them"
            )
    unique = list(dict.fromkeys(f.resolve() for f in files))
    if not unique:
        raise SourceReadError(
            f"no GeoTIFF tiles (*.tif, *.tiff) in {', '.join(map(str, paths))}; "
            "point at the delivery folder or its tiles"
        )
    return unique


def delivery_checksum(files: list[Path], shas: dict[Path, str]) -> str:
    """SHA-256 over the tiles' names and checksums (order-independent): the load run's checksum."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: (p.name, str(p))):
        h.update(f"{f.name}\0{shas[f]}\n".encode())
    return h.hexdigest()


def delivery_path(paths: list[Path], files: list[Path]) -> Path:
    """What the load run records as its source: the folder given, the single file, or the tiles' common folder."""
    if len(paths) == 1:
        return Path(paths[0]).resolve()
    return Path(os.path.commonpath([f.parent for f in files]))


def check_delivery(infos: list[TileInfo]) -> tuple[float, list[TileInfo]] | None:
    """Mark tiles that differ from the delivery (bands, dtype, pixel size, duplicate names)."""
    ref = delivery_reference(infos)
    if ref is None:
        return None
    signature, res_m = ref
    seen: dict[str, Path] = {}
    for info in infos:
        if info.reason is None:
            info.reason = consistency_reason(info, signature, res_m)
        if info.reason is None and info.path.stem in seen:
            info.reason = (
                f"{info.path.name}: has the same name as {seen[info.path.stem]} and would overwrite its "
                "COG; rename one of them"
            )
        seen.setdefault(info.path.stem, info.path)
    return res_m, [i for i in infos if i.reason is None]
