"""``manifest.json``: what was generated, with checksums; no timestamps, sorted keys."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msip.core.errors import SourceReadError

from .constants import (
    EPSG,
    EPSG_GML,
    EPSG_HEIGHT,
    GENERATOR_VERSION,
    TILE_SIZE_M,
    SizeSpec,
    district_bounds,
)

MANIFEST_NAME = "manifest.json"


class ManifestNotFoundError(SourceReadError, FileNotFoundError):
    """``manifest.json`` is missing: no sample world was generated in that folder.

    Also a :class:`FileNotFoundError`, so ``except FileNotFoundError`` works as well as
    ``except SourceReadError`` / ``except MsipError``.
    """


@dataclass
class FileRecord:
    """One generated file, relative to the output directory."""

    path: str
    kind: str
    epoch: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_manifest(
    out_dir: Path, spec: SizeSpec, seed: int, records: list[FileRecord]
) -> dict[str, Any]:
    """The manifest dict; files sorted by path."""
    files = []
    for r in sorted(records, key=lambda r: r.path):
        p = out_dir / r.path
        files.append(
            {
                "path": r.path,
                "kind": r.kind,
                "epoch": r.epoch,
                "sha256": sha256_of(p),
                "bytes": p.stat().st_size,
                **r.extra,
            }
        )
    return {
        "generator": "msip.sample_world",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "size": spec.name,
        "origin": list(spec.origin),
        "extent": list(district_bounds(spec)),
        "epsg": EPSG,
        "height_epsg": EPSG_HEIGHT,
        "zoning_gml_epsg": EPSG_GML,
        "epochs": list(spec.epochs),
        "tile_size_m": TILE_SIZE_M,
        "tiles": {"rows": spec.tiles_y, "cols": spec.tiles_x, "row_0": "south", "col_0": "west"},
        "files": files,
    }


def write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest.json`` (UTF-8, sorted keys, trailing newline)."""
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2)
    (out_dir / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")


def previous_paths(out_dir: Path) -> set[str]:
    """Relative paths listed by a manifest already in ``out_dir`` (none if there is none).

    Only paths that stay inside ``out_dir`` are returned, so a stale manifest can never point
    the clean-up at other files.
    """
    if not (out_dir / MANIFEST_NAME).exists():
        return set()
    root = out_dir.resolve()
    return {
        f["path"]
        for f in load_manifest(out_dir).get("files", [])
        if (root / f["path"]).resolve().is_relative_to(root)
    }


def load_manifest(out_dir: Path | str) -> dict[str, Any]:
    """Read the manifest of a generated sample world.

    Raises
    ------
    ManifestNotFoundError
        If ``out_dir`` holds no ``manifest.json`` (a SourceReadError and a FileNotFoundError).
    SourceReadError
        If the manifest is not valid JSON.
    """
    path = Path(out_dir) / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestNotFoundError(
            f"{path} does not exist; generate the sample world first "
            "(msip.sample_world.generate(out_dir) or `msip sample`)"
        ) from None
    except json.JSONDecodeError as exc:
        raise SourceReadError(
            f"{path} is not valid JSON ({exc}); regenerate the sample world"
        ) from exc
