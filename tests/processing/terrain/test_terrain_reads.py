"""What the terrain-change run reads: each epoch once per tile, stored patches decoded without the server's help,
and the window sums of the roughness against a plane fitted point by point."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest

from tests.processing.terrain.conftest import EPOCHS, TerrainWorld


def test_roughness_equals_a_plane_fitted_to_the_window_points() -> None:
    """The separable window sums give what a least-squares fit to the window's own points gives."""
    from processing.terrain.uncertainty import cell_moments, roughness

    rng = np.random.default_rng(7)
    h, w, cell_m, k = 12, 15, 2.0, 2
    x, y = rng.uniform(0, w * cell_m, 3000), rng.uniform(0, h * cell_m, 3000)
    z = 300 + 0.4 * x - 0.2 * y + 0.05 * np.sin(x * y) + rng.normal(0, 0.02, len(x))
    m = cell_moments(x, y, z, left=0.0, top=h * cell_m, cell_m=cell_m, shape=(h, w))
    r = roughness(m, window_px=k, cell_m=cell_m)
    col, row = np.floor(x / cell_m), np.floor((h * cell_m - y) / cell_m)
    for i, j in [(0, 0), (5, 7), (11, 14), (3, 13), (9, 1)]:
        sel = (np.abs(row - i) <= k) & (np.abs(col - j) <= k)
        design = np.column_stack([np.ones(sel.sum()), x[sel], y[sel]])
        _, rss, _, _ = np.linalg.lstsq(design, z[sel], rcond=None)
        assert r[i, j] == pytest.approx(np.sqrt(rss[0] / (sel.sum() - 3)), rel=1e-6), (i, j)


@pytest.mark.db
def test_stored_patches_are_decoded_here_as_the_server_would(terrain_world: TerrainWorld) -> None:
    """The loader's dimensional patches are read as stored (no PC_Uncompress) and give the server's points."""
    from processing.terrain.dod import TERRAIN_DTYPE, _decode_patches

    with psycopg.connect(terrain_world.url) as c:
        stored = [t for (t,) in c.execute("SELECT pa::text FROM msip.lidar_patch WHERE epoch = %s ORDER BY patch_id",
                                          (EPOCHS[0],))]
        plain = [t for (t,) in c.execute("SELECT PC_Uncompress(pa)::text FROM msip.lidar_patch WHERE epoch = %s "
                                         "ORDER BY patch_id", (EPOCHS[0],))]
    assert {int.from_bytes(bytes.fromhex(t[10:18]), "little") for t in stored} == {1}  # dimensional
    ours, servers = _decode_patches(stored), _decode_patches(plain)
    assert ours.dtype == TERRAIN_DTYPE and len(ours) > 100_000
    for name in TERRAIN_DTYPE.names:
        assert np.array_equal(ours[name], servers[name]), name


def test_a_compression_not_read_here_is_left_to_the_server() -> None:
    from processing.terrain.dod import _decode_patches, _NotDecoded

    laz = (bytes([1]) + (1).to_bytes(4, "little") + (2).to_bytes(4, "little") + (0).to_bytes(4, "little")).hex()
    with pytest.raises(_NotDecoded):
        _decode_patches([laz])


@pytest.mark.db
def test_each_tile_reads_every_epoch_once(terrain_world: TerrainWorld, monkeypatch) -> None:
    """Three epochs, two pairs: the middle epoch's DTM and ground points are read once per tile, not per pair,
    and the server is not asked to uncompress the patches."""
    import msip.core.db as db
    import processing.change.rasters as rasters
    import processing.terrain.dod as dod
    from processing.terrain.analysis import run_terrain_change
    from processing.terrain.inputs import tiles
    from processing.terrain.params import TerrainParams

    reads: dict[str, list[str]] = {"dtm": [], "points": []}
    real_points, real_grid = dod.ground_points, rasters.read_on_grid

    def points(url, epoch, bounds):
        reads["points"].append(epoch)
        return real_points(url, epoch, bounds)

    def grid(path, bounds, res, **kw):
        reads["dtm"].append(str(path))
        return real_grid(path, bounds, res, **kw)

    queries: list[str] = []
    real_connect = db.connect

    class Spy:
        """The real connection (real PostGIS), recording the SQL it is given; everything else passes through."""

        def __init__(self, conn) -> None:
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def __enter__(self):
            self.conn.__enter__()
            return self

        def __exit__(self, *exc) -> None:
            self.conn.__exit__(*exc)

        def execute(self, query, *args, **kw):
            queries.append(str(query))
            return self.conn.execute(query, *args, **kw)

    monkeypatch.setattr(db, "connect", lambda url=None, **kw: Spy(real_connect(url, **kw)))
    monkeypatch.setattr(dod, "ground_points", points)
    monkeypatch.setattr(rasters, "read_on_grid", grid)
    p = TerrainParams(tile_m=80.0)
    report = run_terrain_change(params=p, url=terrain_world.url, workers=1, force=True)
    with psycopg.connect(terrain_world.url) as c:
        area = c.execute("SELECT params->'area' FROM msip.load_run WHERE run_id = %s", (report.run_id,)).fetchone()[0]
    n_tiles = len(tiles(tuple(area), p.tile_m))
    assert n_tiles > 1 and report.status == "succeeded"
    assert sorted(reads["points"]) == sorted([e.isoformat() for e in EPOCHS] * n_tiles)
    assert len(reads["dtm"]) == len(EPOCHS) * n_tiles and len(set(reads["dtm"])) == len(EPOCHS)
    patch_reads = [q for q in queries if "msip.lidar_patch" in q]
    assert len(patch_reads) == len(EPOCHS) * n_tiles
    assert not any("PC_Uncompress" in q for q in patch_reads)
