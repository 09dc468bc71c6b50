"""Spilling cleaned points to disk by processing tile (with a buffer) for the parallel tile stage.

Tiles are squares of `tile_m` metres on a grid aligned at multiples of `tile_m` in EPSG:2180.
A point is written to its own tile and to every neighbour whose buffer (`buffer_m`) it falls
in, so each tile later sees its surroundings and rasters, ground and trees match across tile
edges (no seams). Records are 18 bytes, coordinates relative to the tile's lower-left corner.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.lidar.las.reader import PointChunk

SPILL_DTYPE = np.dtype(
    [
        ("dx", "<f4"),
        ("dy", "<f4"),
        ("z", "<f4"),
        ("cls", "u1"),
        ("ret", "u1"),
        ("nret", "u1"),
        ("flags", "u1"),
        ("file", "<u2"),
    ]
)
#: Bits of the `flags` byte: points kept in the store but left out of every raster.
WITHHELD, OVERLAP = 1, 2
DONE = "done.json"
#: Layout of the spill folder (one sub-folder per tile, one record file per decoded chunk);
#: a done marker of another layout (an older version's crash) is not reused.
LAYOUT = 3


@dataclass(frozen=True)
class TileGrid:
    """Square tiles of `tile_m` m (EPSG:2180, on multiples of tile_m) read with a buffer."""

    tile_m: float
    buffer_m: float

    def bounds(self, key: tuple[int, int]) -> tuple[float, float, float, float]:
        """Core extent (minx, miny, maxx, maxy) of tile `key` = (column i, row j)."""
        i, j = key
        return (i * self.tile_m, j * self.tile_m, (i + 1) * self.tile_m, (j + 1) * self.tile_m)

    def name(self, key: tuple[int, int]) -> str:
        """'E614000_N334600': the tile's lower-left corner in metres."""
        minx, miny, _, _ = self.bounds(key)
        return f"E{minx:.0f}_N{miny:.0f}"

    def assign(
        self, x: np.ndarray, y: np.ndarray
    ) -> list[tuple[tuple[int, int], np.ndarray, bool]]:
        """[(tile key, point indices, is_core)] for each tile whose buffered extent holds points."""
        t, b = self.tile_m, self.buffer_m
        i0 = np.floor(x / t).astype(np.int64)
        j0 = np.floor(y / t).astype(np.int64)
        fx, fy = x - i0 * t, y - j0 * t
        ilo, jlo = int(i0.min()) - 1, int(j0.min()) - 1
        span = int(j0.max()) - jlo + 2
        key0 = (i0 - ilo) * span + (j0 - jlo)  # small: a chunk touches few tiles
        side_x = {-1: fx < b, 0: None, 1: fx >= t - b}
        side_y = {-1: fy < b, 0: None, 1: fy >= t - b}
        idx_parts, key_parts = [np.arange(len(x))], [key0]
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                if di == dj == 0:
                    continue
                mx, my = side_x[di], side_y[dj]
                m = mx if my is None else (my if mx is None else mx & my)
                sel = np.flatnonzero(m)
                if len(sel):
                    idx_parts.append(sel)
                    key_parts.append(key0[sel] + di * span + dj)
        idx = np.concatenate(idx_parts)
        key = np.concatenate(key_parts)
        n_core = len(x)
        # stable: core entries (listed first) stay first; radix sort when the keys are small
        order = np.argsort(key.astype(np.uint16) if key.max() < 65536 else key, kind="stable")
        ks = key[order]
        cuts = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1, len(ks)]
        out = []
        for a, e in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=False):
            k = int(ks[a])
            members = order[a:e]
            key_ij = (k // span + ilo, k % span + jlo)
            core = members[members < n_core]
            if len(core):
                out.append((key_ij, idx[core], True))
            rest = members[members >= n_core]
            if len(rest):
                out.append((key_ij, idx[rest], False))
        return out


@dataclass
class TileStats:
    """Core points of one tile from one file: count and extent (m)."""

    n: int = 0
    minx: float = float("inf")
    miny: float = float("inf")
    maxx: float = float("-inf")
    maxy: float = float("-inf")

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        self.n += len(x)
        self.minx, self.maxx = min(self.minx, float(x.min())), max(self.maxx, float(x.max()))
        self.miny, self.maxy = min(self.miny, float(y.min())), max(self.maxy, float(y.max()))

    def merge(self, other: TileStats) -> None:
        """Add the core points of `other` (the same tile, another chunk)."""
        self.n += other.n
        self.minx, self.maxx = min(self.minx, other.minx), max(self.maxx, other.maxx)
        self.miny, self.maxy = min(self.miny, other.miny), max(self.maxy, other.maxy)


@dataclass
class FileSpill:
    """The spilled points of one source file: per-tile record files plus a done marker."""

    folder: Path
    file_index: int
    grid: TileGrid
    tiles: dict[tuple[int, int], TileStats] = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    keep_points: bool = False
    """Also keep each stored chunk's points as stored (POINT_DTYPE), so the COPC need not read them back."""

    def start(self) -> FileSpill:
        """Empty the folder (a half-written spill from a crash is never reused)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        return self

    def tile_dir(self, key: tuple[int, int]) -> Path:
        return self.folder / f"t_{key[0]}_{key[1]}"

    def tile_paths(self, key: tuple[int, int]) -> list[Path]:
        """The record files of tile `key`, in chunk order (so every run reads points alike)."""
        folder = self.tile_dir(key)
        return sorted(folder.glob("*.bin")) if folder.is_dir() else []

    def write(self, chunk: PointChunk, part: int = 0) -> None:
        """Append a cleaned chunk (EPSG:2180 metres) to the tiles it belongs to.

        `part` (the chunk's number in the file) names the record file, so chunks decoded by
        several processes at once never share a file and are read back in file order.
        """
        if not len(chunk):
            return
        t = self.grid.tile_m
        for key, idx, core in self.grid.assign(chunk.x, chunk.y):
            rec = np.empty(len(idx), dtype=SPILL_DTYPE)
            rec["dx"] = chunk.x[idx] - key[0] * t
            rec["dy"] = chunk.y[idx] - key[1] * t
            rec["z"] = chunk.z[idx]
            rec["cls"] = chunk.classification[idx]
            rec["ret"] = chunk.return_number[idx]
            rec["nret"] = chunk.number_of_returns[idx]
            rec["flags"] = chunk.withheld[idx] * WITHHELD + chunk.overlap_mask[idx] * OVERLAP
            rec["file"] = self.file_index
            folder = self.tile_dir(key)
            folder.mkdir(exist_ok=True)
            with open(folder / f"{part:06d}.bin", "ab") as fh:
                rec.tofile(fh)
            stats = self.tiles.setdefault(key, TileStats())
            if core:
                stats.add(chunk.x[idx], chunk.y[idx])

    def write_points(self, points: np.ndarray, part: int) -> None:
        """Keep the points one chunk stored in patches (POINT_DTYPE records, one file per chunk)."""
        folder = self.folder / "stored"
        folder.mkdir(exist_ok=True)
        points.tofile(folder / f"{part:06d}.bin")

    def points_files(self) -> list[Path]:
        """The kept stored-point files, in chunk order (empty when none were kept)."""
        folder = self.folder / "stored"
        return sorted(folder.glob("*.bin")) if folder.is_dir() else []

    def merge(self, tiles: dict[tuple[int, int], TileStats]) -> None:
        """Add per-tile stats of chunks spilled by another process into this folder."""
        for key, st in tiles.items():
            self.tiles.setdefault(key, TileStats()).merge(st)

    def finish(self, facts: dict) -> None:
        """Write the done marker with per-tile stats and file facts (classes seen …)."""
        self.facts = facts
        doc = {
            "layout": LAYOUT,
            "facts": facts,
            "tiles": [
                [k[0], k[1], s.n, s.minx, s.miny, s.maxx, s.maxy] for k, s in self.tiles.items()
            ],
        }
        tmp = self.folder / (DONE + ".tmp")
        tmp.write_text(json.dumps(doc))
        tmp.replace(self.folder / DONE)

    def load_done(self) -> bool:
        """Read the done marker of a complete earlier spill; False when there is none."""
        marker = self.folder / DONE
        if not marker.is_file():
            return False
        doc = json.loads(marker.read_text())
        if doc.get("layout") != LAYOUT:
            return False
        self.facts = doc["facts"]
        self.tiles = {
            (int(i), int(j)): TileStats(int(n), a, b, c, d) for i, j, n, a, b, c, d in doc["tiles"]
        }
        return True


def read_tile(paths: list[Path]) -> np.ndarray:
    """All spilled records of one tile (from several files), concatenated."""
    parts = [np.fromfile(p, dtype=SPILL_DTYPE) for p in paths if p.is_file()]
    if not parts:
        return np.empty(0, dtype=SPILL_DTYPE)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
