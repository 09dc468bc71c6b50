"""The per-tile sums of the living-conditions grid (processing.living.rasters.tile_sums), pinned on a tile
whose counts are known by hand: pixels, built pixels and zone pixels per cell, and (cell, zone) pairs."""

from __future__ import annotations

import numpy as np
from shapely.geometry import box

from processing.living.grid import Grid
from processing.living.rasters import CELL_SUMS, ZONE_SUMS, RasterTile, tile_sums


def test_sums_of_a_tile_match_the_counts_by_hand() -> None:
    # 2 × 2 cells of 100 m at 0.5 m pixels (40 000 each), numbered west→east, south→north
    grid = Grid.covering((614000.0, 334600.0, 614200.0, 334800.0), 100, 2180)
    building = box(614010, 334610, 614020, 334620).wkb  # 400 pixels in cell 0
    zones = ((1, box(614000, 334600, 614100, 334800).wkb),  # the west column: cells 0 and 2
             (3, box(614100, 334600, 614150, 334700).wkb))  # half of cell 1 (zone 2 is elsewhere)
    tile = RasterTile(614000.0, 334600.0, 614200.0, 334800.0, 0.5, grid, None, None, None, 2.0, 0.3,
                      (building,), zones)
    sums = tile_sums(tile)
    assert sums.cells.tolist() == [0, 1, 2, 3]
    col = {name: sums.cell_sums[:, k].tolist() for k, name in enumerate(CELL_SUMS)}
    assert col["pixels"] == [40000.0] * 4
    assert col["built"] == [400.0, 0.0, 0.0, 0.0]
    assert col["chm_valid"] == col["bio_valid"] == col["tair_n"] == [0.0] * 4  # no rasters: no data, not zero
    assert sums.zones.tolist() == [1, 3]
    assert dict(zip(ZONE_SUMS, sums.zone_sums[0].tolist(), strict=True))["pixels"] == 80000.0
    assert dict(zip(ZONE_SUMS, sums.zone_sums[1].tolist(), strict=True))["pixels"] == 20000.0
    assert sums.cell_zone.tolist() == [[0, 1, 40000], [1, 3, 20000], [2, 1, 40000]]
    assert sums.cell_zone.dtype == np.int64


def test_a_tile_outside_every_zone_has_no_zone_sums() -> None:
    grid = Grid.covering((614000.0, 334600.0, 614100.0, 334700.0), 100, 2180)
    tile = RasterTile(614000.0, 334600.0, 614100.0, 334700.0, 0.5, grid, None, None, None, 2.0, 0.3, (), ())
    sums = tile_sums(tile)
    assert sums.cells.tolist() == [0] and sums.cell_sums[0, 0] == 40000.0
    assert len(sums.zones) == 0 and sums.zone_sums.shape == (0, len(ZONE_SUMS))
    assert sums.cell_zone.shape == (0, 3)
