"""Independent ground truth for the green-access tests, computed from the sample world's own files.

Walking distances come from the street graph of base/streets.gpkg with scipy's Dijkstra and
no edge splitting: a target zone (outline buffered by the entrance tolerance) cut by an edge
gives its end vertices a head start equal to the distance along the edge to the zone; a
target no edge comes near reaches as far as its nearest edge plus the tolerance. A home on edge
(u, v) at s metres from u is ``snap + min(d(u) + s, d(v) + L − s, distance along the edge to
a zone piece on that edge)``. Trees and canopy come from truth/trees.csv and the true
land-cover raster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import Point

EPOCH2 = "2025-06-15"


@dataclass
class StreetGraph:
    """The street lines, their end vertices and a symmetric sparse graph of lengths."""

    lines: list
    ends: np.ndarray  # (n_lines, 2) vertex index of start and end
    n_vertices: int

    @classmethod
    def read(cls, sample_dir: Path) -> StreetGraph:
        streets = gpd.read_file(sample_dir / "base/streets.gpkg", layer="streets")
        lines = list(streets.geometry)
        index: dict[tuple[float, float], int] = {}
        ends = np.array(
            [
                [
                    index.setdefault((round(c[0], 3), round(c[1], 3)), len(index))
                    for c in (line.coords[0], line.coords[-1])
                ]
                for line in lines
            ]
        )
        return cls(lines, ends, len(index))

    def distances(self, seeds: dict[int, float]) -> np.ndarray:
        """Shortest distance from any seed vertex (with its head start, m) to every vertex."""
        n = self.n_vertices
        rows = list(self.ends[:, 0]) + list(self.ends[:, 1]) + [n] * len(seeds)
        cols = list(self.ends[:, 1]) + list(self.ends[:, 0]) + list(seeds)
        # a zero head start must stay an edge in the sparse matrix: 1e-12 m stands in for 0
        vals = [ln.length for ln in self.lines] * 2 + [max(v, 1e-12) for v in seeds.values()]
        graph = coo_matrix((vals, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
        return dijkstra(graph, directed=True, indices=n)[:n]

    def zone(
        self, outline, tolerance_m: float, max_snap_m: float
    ) -> dict[int, list[tuple[float, float]]]:
        """Per line: intervals (m from its start) of network within reach of `outline`.

        The reach is the tolerance, or (no line that close) the nearest line's distance plus
        the tolerance when that line is within `max_snap_m`.
        """
        nearest = min(line.distance(outline) for line in self.lines)
        if nearest > max_snap_m:
            return {}
        reach = tolerance_m if nearest <= tolerance_m else nearest + tolerance_m
        buffered = outline.buffer(reach, quad_segs=8)
        out: dict[int, list[tuple[float, float]]] = {}
        for i, line in enumerate(self.lines):
            if line.distance(outline) > reach:
                continue
            part = line.intersection(buffered)
            spans = []
            for piece in getattr(part, "geoms", [part]):
                if piece.is_empty:
                    continue
                a, b = (line.project(Point(piece.coords[0])), line.project(Point(piece.coords[-1])))
                spans.append((min(a, b), max(a, b)))
            if spans:
                out[i] = spans
        return out

    def seeds(self, zone: dict[int, list[tuple[float, float]]]) -> dict[int, float]:
        seeds: dict[int, float] = {}
        for i, spans in zone.items():
            length = self.lines[i].length
            u, v = self.ends[i]
            seeds[u] = min(seeds.get(u, np.inf), min(a for a, _ in spans))
            seeds[v] = min(seeds.get(v, np.inf), length - max(b for _, b in spans))
        return seeds

    def walk(
        self, point: Point, zone: dict[int, list[tuple[float, float]]], dist: np.ndarray
    ) -> float:
        """Snap leg + network distance from `point` to the zone (inf if unreachable)."""
        i = int(np.argmin([line.distance(point) for line in self.lines]))
        line = self.lines[i]
        s, snap = line.project(point), line.distance(point)
        u, v = self.ends[i]
        best = min(dist[u] + s, dist[v] + line.length - s)
        for a, b in zone.get(i, []):
            best = min(best, 0.0 if a <= s <= b else min(abs(s - a), abs(s - b)))
        return snap + best


def residential_buildings(sample_dir: Path) -> gpd.GeoDataFrame:
    b = gpd.read_file(sample_dir / f"base/buildings_{EPOCH2}.gpkg")
    return b[b.residential].set_index("building_id")


def true_park_distances(
    sample_dir: Path, *, min_area_m2: float, tolerance_m: float, max_snap_m: float
) -> dict[str, float]:
    """{building_id: walk to the nearest public green space ≥ min_area_m2}."""
    graph = StreetGraph.read(sample_dir)
    parks = gpd.read_file(sample_dir / "base/parks.gpkg", layer="green_spaces")
    parks = parks[parks.public_access & (parks.area_m2 >= min_area_m2)]
    zone: dict[int, list[tuple[float, float]]] = {}
    for outline in parks.geometry:
        for i, spans in graph.zone(outline, tolerance_m, max_snap_m).items():
            zone.setdefault(i, []).extend(spans)
    dist = graph.distances(graph.seeds(zone))
    return {
        bid: graph.walk(g.centroid, zone, dist)
        for bid, g in residential_buildings(sample_dir).geometry.items()
    }


def true_green_within(
    sample_dir: Path, *, max_m: float, tolerance_m: float, max_snap_m: float
) -> dict[str, float]:
    """{building_id: total area (ha) of public green spaces reached within max_m}."""
    graph = StreetGraph.read(sample_dir)
    parks = gpd.read_file(sample_dir / "base/parks.gpkg", layer="green_spaces")
    homes = residential_buildings(sample_dir)
    total = dict.fromkeys(homes.index, 0.0)
    for park in parks[parks.public_access].itertuples():
        zone = graph.zone(park.geometry, tolerance_m, max_snap_m)
        dist = graph.distances(graph.seeds(zone))
        for bid, g in homes.geometry.items():
            if graph.walk(g.centroid, zone, dist) <= max_m:
                total[bid] += park.area_m2 / 1e4
    return total


def true_school_distances(
    sample_dir: Path, *, tolerance_m: float, max_snap_m: float
) -> dict[str, float]:
    graph = StreetGraph.read(sample_dir)
    b = gpd.read_file(sample_dir / f"base/buildings_{EPOCH2}.gpkg")
    zone: dict[int, list[tuple[float, float]]] = {}
    for outline in b[b.kind == "school"].geometry:
        for i, spans in graph.zone(outline, tolerance_m, max_snap_m).items():
            zone.setdefault(i, []).extend(spans)
    dist = graph.distances(graph.seeds(zone))
    return {
        bid: graph.walk(g.centroid, zone, dist)
        for bid, g in residential_buildings(sample_dir).geometry.items()
    }


def true_tree_counts(sample_dir: Path, radius_m: float) -> dict[str, int]:
    """{building_id: true standing trees (epoch 2) within radius_m of the outline}."""
    t = pd.read_csv(sample_dir / "truth/trees.csv")
    t = t[~t.felled_in_epoch2.astype(bool)]
    trees = gpd.GeoSeries(gpd.points_from_xy(t.x, t.y))
    return {
        bid: int((trees.distance(g) <= radius_m).sum())
        for bid, g in residential_buildings(sample_dir).geometry.items()
    }


def true_canopy_pct(sample_dir: Path, radius_m: float) -> dict[str, float]:
    """{building_id: % of true tree-crown land cover (class 4) in the circle around the centroid}."""
    with rasterio.open(sample_dir / f"truth/landcover_{EPOCH2}.tif") as src:
        lc, t = src.read(1), src.transform
    xs = t.c + (np.arange(lc.shape[1]) + 0.5) * t.a
    ys = t.f + (np.arange(lc.shape[0]) + 0.5) * t.e
    out = {}
    for bid, g in residential_buildings(sample_dir).geometry.items():
        c = g.centroid
        inside = (xs[None, :] - c.x) ** 2 + (ys[:, None] - c.y) ** 2 <= radius_m**2
        out[bid] = 100.0 * float((lc[inside] == 4).mean())
    return out
