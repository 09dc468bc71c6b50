"""`GET /downloads/lidar/<epoch>/<tile>.laz`: the stored points of one LiDAR epoch per source tile, as LAZ.

A source tile is one LAS/LAZ file the loader stored (`msip.lidar_patch.source_file`, one load run
each); its download holds exactly the points loaded from that file, so the tiles of an epoch add up
to its SUM(PC_NumPoints) with no point lost or doubled where sheets touch. The file is written by
the lidar-clip code (`pipelines.pointcloud.clip`), cached by the tile's load runs through the
downloads cache (`msip.api.downloads.build.cached`: a reload of the file makes a new one) and sent
with ETag and Range like the other downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

from msip.api.downloads.build import cached, versioned_file
from msip.api.downloads.formats import Format

LAZ_FORMAT = Format("laz", "application/vnd.laszip", "LAZ 1.4 (EPSG:2180 + PL-EVRF2007-NH), arkusz/tile",
                    spec_url="https://laszip.org/")
COLLECTION = "point_clouds"


def conninfo_of(resources: dict) -> str | None:
    """The database of the point_clouds collection, when it is published."""
    from msip.api.providers.db import conninfo_from_def

    res = resources.get(COLLECTION)
    return conninfo_from_def(res["providers"][0]["data"]) if res else None


@dataclass(frozen=True)
class SourceTile:
    """One source tile of an epoch: its name (the file name without .las/.laz), file, points and load runs."""

    epoch: date
    name: str
    source_file: str
    points: int
    runs: tuple[int, ...]

    @property
    def path(self) -> str:
        """Where the API serves its LAZ, relative to the API root."""
        return f"downloads/lidar/{self.epoch}/{self.name}.laz"

    def cache_file(self) -> Path:
        """The cached LAZ of the tile's current points (built or not)."""
        return versioned_file(self._stem, "laz", self._key)

    @property
    def _stem(self) -> str:
        return f"lidar-{self.epoch}-{self.name}"

    @property
    def _key(self) -> object:
        return ("lidar-tile", str(self.epoch), self.source_file, self.runs)


def tile_name(source_file: str) -> str:
    """A source file's tile name in URLs: its name without the .las/.laz suffix."""
    p = PurePath(source_file)
    return p.stem if p.suffix.lower() in (".las", ".laz") else p.name


def source_tiles(conninfo: str, epoch: date | None = None) -> list[SourceTile]:
    """The source tiles of `epoch` (or of every epoch) with their stored point counts, by epoch and name."""
    from msip.api.providers.db import fetch

    if fetch(conninfo, "SELECT to_regclass('msip.lidar_source_count')")[0][0] is None:
        return []
    # the stored sums of sql/118, not SUM(PC_NumPoints(pa)) over every patch (10–15 s on 443 M points)
    rows = fetch(conninfo, "SELECT epoch, source_file, sum(points)::bigint, "
                 "array_agg(load_run_id ORDER BY load_run_id) FROM msip.lidar_source_count "
                 "WHERE %s::date IS NULL OR epoch = %s GROUP BY 1, 2 ORDER BY 1, 2", (epoch, epoch))
    return [SourceTile(e, tile_name(f), f, int(n), tuple(int(r) for r in runs)) for e, f, n, runs in rows]


def length(tile: SourceTile) -> int | None:
    """The LAZ's size in bytes once built, else None."""
    path = tile.cache_file()
    return path.stat().st_size if path.is_file() else None


def ensure(conninfo: str, tile: SourceTile) -> Path:
    """The tile's LAZ for its current points, written (through the lidar-clip code) when missing."""

    def write(tmp: Path) -> None:
        import psycopg

        from pipelines.pointcloud.clip import clip_source_tile

        with psycopg.connect(conninfo) as conn:
            clip = clip_source_tile(conn, tile.epoch, tile.source_file)
        if clip.points != tile.points:  # reloaded between the listing and the build: never serve a mix
            raise RuntimeError(f"{tile.source_file} of {tile.epoch} holds {clip.points} points, "
                               f"listed with {tile.points}; ask again")
        tmp.write_bytes(clip.laz)

    return cached(tile._stem, "laz", tile._key, write)


def enclosure_links(conninfo: str, base_url: str, epoch: date | None = None) -> list[dict]:
    """`enclosure` links to the LAZ of every source tile (of `epoch`), with `length` once built."""
    out: list[dict] = []
    for tile in source_tiles(conninfo, epoch):
        link: dict = {"rel": "enclosure", "type": LAZ_FORMAT.media_type,
                      "title": f"LAZ {tile.epoch} {tile.name} ({tile.points} pkt/points)",
                      "href": f"{base_url.rstrip('/')}/{tile.path}", "epoch": str(tile.epoch), "tile": tile.name,
                      "points": tile.points}
        size = length(tile)
        if size is not None:
            link["length"] = size
        out.append(link)
    return out
