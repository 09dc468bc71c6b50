"""Terrain change on three tiny loaded LiDAR epochs: volumes against the exact truth, stable ground, unknown cells."""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
import pytest
import rasterio

from msip.core.errors import ValidationError
from processing.terrain.analysis import run_terrain_change
from tests.processing.terrain.conftest import (
    EPOCHS,
    HOLE,
    MOUND,
    PIT,
    X0,
    Y0,
    TerrainWorld,
    mound_volume_m3,
    pit_volume_m3,
    truth_mask,
)

pytestmark = pytest.mark.db


def _regions(url: str, run_id: int) -> list[tuple]:
    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT epoch_from, epoch_to, kind, volume_m3, volume_sigma_m3, ST_X(ST_Centroid(geom)) - %s, "
            "ST_Y(ST_Centroid(geom)) - %s FROM msip.terrain_change_region WHERE load_run_id = %s "
            "ORDER BY volume_m3 DESC", (X0, Y0, run_id)).fetchall()


def _dod(url: str, e2: date) -> tuple[np.ndarray, rasterio.Affine]:
    with psycopg.connect(url) as c:
        path = c.execute("SELECT path FROM msip.raster_asset WHERE kind = 'terrain_dod' AND epoch = %s "
                         "ORDER BY asset_id DESC LIMIT 1", (e2,)).fetchone()[0]
    with rasterio.open(path) as src:
        return src.read(masked=True), src.transform


def test_volumes_stable_ground_and_unknown_cells(terrain_world: TerrainWorld) -> None:
    report = run_terrain_change(url=terrain_world.url, workers=1)
    assert report.status == "succeeded", report.summary()
    regions = _regions(terrain_world.url, report.run_id)
    fills = [r for r in regions if r[:3] == (EPOCHS[0], EPOCHS[1], "fill")]
    cuts = [r for r in regions if r[:3] == (EPOCHS[1], EPOCHS[2], "cut")]
    mound = max(fills, key=lambda r: r[3])
    pit = max(cuts, key=lambda r: r[3])
    print("mound", mound, mound_volume_m3(), "pit", pit, pit_volume_m3())
    assert abs(mound[5] - MOUND[0]) < 2 and abs(mound[6] - MOUND[1]) < 2
    assert abs(pit[5] - PIT[0]) < 2 and abs(pit[6] - PIT[1]) < 2
    assert mound[3] == pytest.approx(mound_volume_m3(), rel=0.05)
    assert pit[3] == pytest.approx(pit_volume_m3(), rel=0.05)
    assert 0 < mound[4] < 0.05 * mound[3]  # an uncertainty is stated, and it is small
    for i, e2 in ((1, EPOCHS[1]), (2, EPOCHS[2])):
        bands, transform = _dod(terrain_world.url, e2)
        dz, sig = bands[0], bands[2]
        changed = truth_mask(dz.shape, transform.c, transform.f, transform.a, i - 1, i)
        stable = ~changed & ~dz.mask
        share_quiet = float((sig.filled(np.nan)[stable] == 0).mean())
        print(e2, "stable cells", int(stable.sum()), "quiet share", share_quiet)
        assert share_quiet >= 0.99
    # the hole of the last epoch is unknown, never 0 change
    bands, t = _dod(terrain_world.url, EPOCHS[2])
    r0, r1 = round((t.f - (Y0 + HOLE[3] - 3)) / t.a), round((t.f - (Y0 + HOLE[1] + 3)) / t.a)
    c0, c1 = round((X0 + HOLE[0] + 3 - t.c) / t.a), round((X0 + HOLE[2] - 3 - t.c) / t.a)
    assert bands[0].mask[r0:r1, c0:c1].all() and bands[2].mask[r0:r1, c0:c1].all()


def test_rerun_unchanged_and_too_few_epochs(terrain_world: TerrainWorld) -> None:
    first = run_terrain_change(EPOCHS[:2], url=terrain_world.url, workers=1)
    again = run_terrain_change(EPOCHS[:2], url=terrain_world.url, workers=1)
    assert again.status == "unchanged" and again.run_id == first.run_id
    with pytest.raises(ValidationError, match="at least two LiDAR epochs"):
        run_terrain_change([EPOCHS[0]], url=terrain_world.url)
    with pytest.raises(ValidationError, match="no DTM of epoch 2020-01-01"):
        run_terrain_change([EPOCHS[0], date(2020, 1, 1)], url=terrain_world.url)


def _watched_file(path, features: list[tuple[str | None, object]]):
    import json

    import shapely

    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
        "features": [{"type": "Feature", "properties": {"name": n} if n else {},
                      "geometry": shapely.geometry.mapping(g) if g is not None else None} for n, g in features],
    }), encoding="utf-8")
    return path


def test_watched_area_volumes_and_time_series(terrain_world: TerrainWorld, tmp_path) -> None:
    import shapely

    from pipelines.watched_areas.load import load_watched_areas
    from processing.terrain.results import area_time_series, run_outputs

    cu, cv, hx, hy, _, ramp = MOUND
    site = shapely.box(X0 + cu - hx - ramp - 3, Y0 + cv - hy - ramp - 3, X0 + cu + hx + ramp + 3,
                       Y0 + cv + hy + ramp + 3).union(shapely.Point(X0 + PIT[0], Y0 + PIT[1]).buffer(18))
    hole = shapely.box(X0 + HOLE[0] - 5, Y0 + HOLE[1] - 5, X0 + HOLE[2], Y0 + HOLE[3])
    path = _watched_file(tmp_path / "obszary.geojson", [("budowa", site), ("luka", hole), (None, hole),
                                                        ("budowa", site)])
    loaded = load_watched_areas(path, url=terrain_world.url)
    assert (loaded.rows_in, loaded.rows_loaded, loaded.rows_rejected) == (4, 2, 2)
    assert {r.reason.split(": ", 1)[1] for r in loaded.rejections} == {
        "has no name (give a name/nazwa/id property)", "duplicate name 'budowa'"}
    report = run_terrain_change(url=terrain_world.url, workers=1)
    out = run_outputs(report.run_id, url=terrain_world.url)
    by = {(v["area"], v["epoch_from"]): v for v in out["volumes"]}
    first = by[("budowa", EPOCHS[0].isoformat())]
    second = by[("budowa", EPOCHS[1].isoformat())]
    assert first["fill_m3"] == pytest.approx(mound_volume_m3(), rel=0.05) and first["cut_m3"] < 5
    assert second["cut_m3"] == pytest.approx(pit_volume_m3(), rel=0.05) and second["fill_m3"] < 5
    series = area_time_series("budowa", url=terrain_world.url)
    assert [s["epoch"] for s in series] == [e.isoformat() for e in EPOCHS]
    assert series[2]["cumulative_net_m3"] == pytest.approx(mound_volume_m3() - pit_volume_m3(), rel=0.05)
    assert series[2]["sigma_m3"] > series[1]["sigma_m3"] > 0
    # the hole: its cells are unknown in the last pair, reported as such, not as 0 change
    gap = by[("luka", EPOCHS[1].isoformat())]
    assert gap["area_m2"] - gap["known_m2"] >= 200  # the 20 m × 20 m hole less the loader's 2 m reach
    assert any("luka" in n and "unknown" in n for n in report.notes)
    with pytest.raises(ValidationError, match="no terrain-change volumes for watched area 'nowhere'"):
        area_time_series("nowhere", url=terrain_world.url)


def test_process_runs_the_analysis_and_checks_its_inputs(terrain_world: TerrainWorld, monkeypatch) -> None:
    from msip.api.processes.base import ProcessInputError
    from msip.api.processes.terrain_change import TerrainChangeProcessor

    monkeypatch.setenv("MSIP_DATABASE_URL", terrain_world.url)
    proc = TerrainChangeProcessor({"name": "terrain-change"})
    mime, out = proc.execute({"epochs": [e.isoformat() for e in EPOCHS[:2]], "cell_m": 1})
    assert mime == "application/json"
    assert out["epochs"] == [e.isoformat() for e in EPOCHS[:2]]
    fills = [f["properties"] for f in out["regions"]["features"] if f["properties"]["kind"] == "fill"]
    assert max(f["volume_m3"] for f in fills) == pytest.approx(mound_volume_m3(), rel=0.05)
    with pytest.raises(ProcessInputError, match="no DTM of epoch 2030-01-01"):
        proc.execute({"epochs": ["2019-06-15", "2030-01-01"]})
    with pytest.raises(ProcessInputError, match="'lod_z'=9 is above the maximum 4"):
        proc.execute({"lod_z": 9})


def test_equal_results_give_equal_checksums(terrain_world: TerrainWorld) -> None:
    first = run_terrain_change(EPOCHS[1:], url=terrain_world.url, workers=1)
    forced = run_terrain_change(EPOCHS[1:], url=terrain_world.url, workers=2, force=True)
    assert forced.run_id != first.run_id
    sums = [next(n for n in r.notes if n.startswith("results checksum ")) for r in (first, forced)]
    assert sums[0] == sums[1] and "None" not in sums[0]
