"""Statistical grids for the living-conditions analysis: EPSG:2180-aligned or the EU grid (EPSG:3035).

A cell (i, j) of size s covers [i·s, (i+1)·s) × [j·s, (j+1)·s) in the grid's CRS. Codes:
``100mE614000N334600`` for EPSG:2180 (lower-left corner, as the heat-island cell statistics)
and the INSPIRE/Eurostat form ``CRS3035RES100mN3000000E4000000`` for EPSG:3035. Geometries
are stored in EPSG:2180; EU cells are their four corners transformed (straight edges, off by
well under a centimetre at 1 km). A point belongs to the cell its coordinates fall in.

>>> g = Grid.covering((614000, 334600, 614250, 334800), 100, 2180)
>>> g.codes()[:2], len(g)
(['100mE614000N334600', '100mE614100N334600'], 6)
>>> g.index_of([614150.0], [334750.0]).tolist()
[4]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon, box


def _to(epsg_from: int, epsg_to: int):
    from msip.core.crs import transformer

    return transformer(epsg_from, epsg_to)


@dataclass(frozen=True)
class Grid:
    """The cells of one grid that touch an area: index ranges plus a lookup of the kept cells."""

    epsg: int
    size: float
    i0: int
    j0: int
    lut: np.ndarray  # (ni, nj) → cell number, −1 where the cell is not part of the area

    @classmethod
    def covering(cls, bbox2180: tuple[float, float, float, float], size: float, epsg: int) -> Grid:
        """Every cell of the grid that intersects the EPSG:2180 box (cells numbered west→east, south→north)."""
        minx, miny, maxx, maxy = bbox2180
        area = box(minx, miny, maxx, maxy)
        if epsg == 2180:
            gx0, gy0, gx1, gy1 = minx, miny, maxx, maxy
        else:
            t = np.linspace(0, 1, 33)
            xs = np.r_[
                minx + (maxx - minx) * t,
                np.full(33, maxx),
                maxx - (maxx - minx) * t,
                np.full(33, minx),
            ]
            ys = np.r_[
                np.full(33, miny),
                miny + (maxy - miny) * t,
                np.full(33, maxy),
                maxy - (maxy - miny) * t,
            ]
            ex, ey = _to(2180, epsg).transform(xs, ys)
            gx0, gy0, gx1, gy1 = min(ex), min(ey), max(ex), max(ey)
        i0, j0 = math.floor(gx0 / size), math.floor(gy0 / size)
        ni, nj = max(1, math.ceil(gx1 / size) - i0), max(1, math.ceil(gy1 / size) - j0)
        lut = np.full((ni, nj), -1, dtype=np.int64)
        grid = cls(epsg, float(size), i0, j0, lut)
        n = 0
        for j in range(nj):
            for i in range(ni):
                poly = grid._polygon(i0 + i, j0 + j)
                if poly.intersects(area) and poly.intersection(area).area > 0:
                    lut[i, j] = n
                    n += 1
        return grid

    def __len__(self) -> int:
        return int((self.lut >= 0).sum())

    def cells(self) -> list[tuple[int, int]]:
        """(i, j) of every kept cell, in cell-number order."""
        ii, jj = np.nonzero(self.lut >= 0)
        order = np.argsort(self.lut[ii, jj])
        return [(int(self.i0 + ii[k]), int(self.j0 + jj[k])) for k in order]

    def codes(self) -> list[str]:
        s = int(self.size)
        if self.epsg == 2180:
            return [f"{s}mE{i * s}N{j * s}" for i, j in self.cells()]
        return [f"CRS{self.epsg}RES{s}mN{j * s}E{i * s}" for i, j in self.cells()]

    def polygons(self) -> list[Polygon]:
        """Cell outlines in EPSG:2180, in cell-number order."""
        return [self._polygon(i, j) for i, j in self.cells()]

    def _polygon(self, i: int, j: int) -> Polygon:
        s = self.size
        if self.epsg == 2180:
            return box(i * s, j * s, (i + 1) * s, (j + 1) * s)
        xs, ys = np.array([i, i + 1, i + 1, i]) * s, np.array([j, j, j + 1, j + 1]) * s
        x, y = _to(self.epsg, 2180).transform(xs, ys)
        return Polygon(zip(x, y, strict=True))

    def bounds2180(self) -> tuple[float, float, float, float]:
        """Bounding box of the kept cells in EPSG:2180."""
        return tuple(shapely.total_bounds(np.array(self.polygons(), dtype=object)).tolist())

    def index_of(self, x, y) -> np.ndarray:
        """Cell number of each EPSG:2180 point (−1 outside the kept cells)."""
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        if self.epsg != 2180:
            x, y = _to(2180, self.epsg).transform(x, y)
            x, y = np.asarray(x), np.asarray(y)
        i = np.floor(x / self.size).astype(np.int64) - self.i0
        j = np.floor(y / self.size).astype(np.int64) - self.j0
        ni, nj = self.lut.shape
        inside = (i >= 0) & (i < ni) & (j >= 0) & (j < nj)
        out = np.full(np.shape(x), -1, dtype=np.int64)
        out[inside] = self.lut[i[inside], j[inside]]
        return out
