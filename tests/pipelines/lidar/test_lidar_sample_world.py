"""The LiDAR pipeline scored against the sample world's ground truth (both LAZ variants).

Acceptance: DTM RMSE ≤ 0.15 m on open ground; SMRF ≥ 95 % agreement with the true ground class;
trees taller than 5 m found with precision and recall ≥ 0.85 and median height error ≤ 1 m;
building heights in the nDSM within 0.5 m; every point read is stored.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date

import numpy as np
import psycopg
import pytest

pytestmark = [pytest.mark.db, pytest.mark.slow]
EPOCH = "2024-06-15"
#: The unclassified delivery of the same flight is loaded under the next day, so both can be scored.
EPOCHS = {"classified": date(2024, 6, 15), "unclassified": date(2024, 6, 16)}
OPEN_GROUND = (1, 3, 5, 6)  # road, grass, bare soil, footway


@pytest.fixture(scope="module")
def world(db_url, sample_dir, settings):
    """The sample world's epoch-1 LiDAR, both variants, loaded into an emptied test database."""
    from pipelines.lidar import load_lidar

    root = settings.data_dir / "test-stores" / uuid.uuid4().hex[:8]
    with pytest.MonkeyPatch.context() as mp, psycopg.connect(db_url, autocommit=True) as c:
        mp.setenv("MSIP_DATA_DIR", str(root))
        mp.setenv("MSIP_PROGRESS", "0")
        tables = [
            r[0]
            for r in c.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname = 'msip'"
            )
        ]
        c.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        results = {
            v: load_lidar([sample_dir / "lidar" / EPOCH / v], epoch=e, url=db_url)
            for v, e in EPOCHS.items()
        }
        yield results
    shutil.rmtree(root, ignore_errors=True)


def _mosaic(url: str, kind: str, epoch: date, ref) -> np.ndarray:
    import rasterio
    from rasterio.vrt import WarpedVRT

    with psycopg.connect(url) as c:
        (path,) = c.execute(
            "SELECT path FROM msip.raster_asset WHERE kind = %s AND epoch = %s AND is_mosaic",
            (kind, epoch),
        ).fetchone()
    with (
        rasterio.open(path) as src,
        WarpedVRT(
            src, transform=ref.transform, width=ref.width, height=ref.height, crs=ref.crs
        ) as v,
    ):
        return v.read(1, masked=True).filled(np.nan)


@pytest.fixture(scope="module")
def truth(sample_dir):
    import rasterio

    with rasterio.open(sample_dir / "truth" / f"dtm_{EPOCH}.tif") as ref:
        dtm = ref.read(1)
        profile = ref
    with rasterio.open(sample_dir / "truth" / f"landcover_{EPOCH}.tif") as lc_src:
        lc = lc_src.read(1)
    # a 0.5 m cell is open ground when all four of its 0.25 m land-cover pixels are
    blocks = np.isin(lc, OPEN_GROUND).reshape(lc.shape[0] // 2, 2, lc.shape[1] // 2, 2)
    return {"dtm": dtm, "open": blocks.all(axis=(1, 3)), "ref": profile}


def test_every_point_read_is_stored(world, db_url):
    with psycopg.connect(db_url) as c:
        stored = dict(
            c.execute(
                "SELECT epoch, sum(PC_NumPoints(pa)) FROM msip.lidar_patch GROUP BY 1"
            ).fetchall()
        )
    for variant, result in world.items():
        assert result.ok
        assert all(r.rows_in == r.rows_loaded and r.rows_rejected == 0 for r in result.reports)
        assert stored[EPOCHS[variant]] == sum(r.rows_in for r in result.reports) > 1_500_000


@pytest.mark.parametrize("variant", EPOCHS)
def test_dtm_rmse_on_open_ground(world, db_url, truth, variant):
    dtm = _mosaic(db_url, "dtm", EPOCHS[variant], truth["ref"])
    err = (dtm - truth["dtm"])[truth["open"]]
    assert np.isfinite(err).all()
    assert np.sqrt(np.mean(err**2)) <= 0.15


def test_smrf_agrees_with_the_true_ground_class(sample_dir):
    import laspy

    from pipelines.lidar.algorithms.ground import smrf_ground
    from pipelines.lidar.algorithms.outliers import isolated
    from pipelines.lidar.params import SmrfParams

    files = sorted((sample_dir / "lidar" / EPOCH / "unclassified").glob("*.laz"))
    pts = [laspy.read(f) for f in files]
    truth = [laspy.read(f.parents[1] / "classified" / f.name) for f in files]
    x, y, z = (np.concatenate([np.asarray(getattr(p, d)) for p in pts]) for d in "xyz")
    ground_true = np.concatenate([np.asarray(t.classification) == 2 for t in truth])
    keep = ~isolated(x, y, z)
    ground = np.zeros(len(x), bool)
    b = (
        np.floor(x.min()) - 20,
        np.floor(y.min()) - 20,
        np.ceil(x.max()) + 20,
        np.ceil(y.max()) + 20,
    )
    ground[keep] = smrf_ground(x[keep], y[keep], z[keep], b, SmrfParams())
    assert (ground == ground_true).mean() >= 0.95


def _matches(
    det: np.ndarray, true_xy: np.ndarray, tolerance_m: float = 2.0
) -> list[tuple[int, int]]:
    from scipy.spatial import cKDTree

    sdm = cKDTree(true_xy).sparse_distance_matrix(cKDTree(det), tolerance_m, output_type="ndarray")
    used_t, used_d, pairs = set(), set(), []
    for _, i, j in sorted(zip(sdm["v"], sdm["i"], sdm["j"], strict=False)):
        if i not in used_t and j not in used_d:
            used_t.add(i)
            used_d.add(j)
            pairs.append((int(i), int(j)))
    return pairs


@pytest.mark.parametrize("variant", EPOCHS)
def test_trees_precision_recall_and_height(world, db_url, sample_dir, variant):
    import pandas as pd

    trees = pd.read_csv(sample_dir / "truth" / "trees.csv")
    trees = trees[trees.visible_to_lidar]
    with psycopg.connect(db_url) as c:
        det = np.array(
            c.execute(
                "SELECT ST_X(geom), ST_Y(geom), height_m FROM msip.tree_detected WHERE epoch = %s",
                (EPOCHS[variant],),
            ).fetchall()
        )
    pairs = _matches(det[:, :2], trees[["x", "y"]].to_numpy())
    ti = np.array([i for i, _ in pairs])
    dj = np.array([j for _, j in pairs])
    tall_true = np.flatnonzero(trees.height_m.to_numpy() > 5)
    tall_det = np.flatnonzero(det[:, 2] > 5)
    recall = np.isin(tall_true, ti).mean()
    precision = np.isin(tall_det, dj).mean()
    tall_pairs = trees.height_m.to_numpy()[ti] > 5
    height_error = np.abs(det[dj, 2] - trees.height_m.to_numpy()[ti])[tall_pairs]
    assert recall >= 0.85 and precision >= 0.85, (recall, precision)
    assert np.median(height_error) <= 1.0


@pytest.mark.parametrize("variant", EPOCHS)
def test_building_heights_in_ndsm(world, db_url, sample_dir, truth, variant):
    import geopandas as gpd
    import pandas as pd
    from rasterio.features import rasterize

    ndsm = _mosaic(db_url, "ndsm", EPOCHS[variant], truth["ref"])
    heights = pd.read_csv(sample_dir / "truth" / "buildings.csv")
    heights = heights[heights.epoch == EPOCH].set_index("building_id").roof_height_m
    errors = []
    for b in gpd.read_file(sample_dir / "base" / "buildings.gpkg").itertuples():
        inner = b.geometry.buffer(-1.0)
        if inner.is_empty:
            continue
        mask = rasterize(
            [(inner, 1)], out_shape=ndsm.shape, transform=truth["ref"].transform
        ).astype(bool)
        errors.append(np.nanmedian(ndsm[mask]) - heights[b.building_id])
    assert len(errors) > 50
    assert np.max(np.abs(errors)) <= 0.5
