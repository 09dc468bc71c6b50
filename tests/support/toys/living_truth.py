"""Ground truth per 100 m EPSG:2180 cell of the sample world (epoch 2025-06-15), from its own files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio

EPOCH2 = "2025-06-15"
LC_BUILDING, LC_GRASS, LC_CROWN = 2, 3, 4


def _code(x: np.ndarray, y: np.ndarray, size: int) -> np.ndarray:
    return np.char.add(
        np.char.add(f"{size}mE", (np.floor(x / size) * size).astype(int).astype(str)),
        np.char.add("N", (np.floor(y / size) * size).astype(int).astype(str)),
    )


def population(sample_dir: Path, size: int = 100) -> dict[str, int]:
    b = gpd.read_file(sample_dir / f"base/buildings_{EPOCH2}.gpkg")
    b = b[b.residential]
    c = b.geometry.centroid
    return (
        pd.Series(b.population.values).groupby(_code(c.x.values, c.y.values, size)).sum().to_dict()
    )


def landcover_shares(sample_dir: Path, size: int = 100) -> pd.DataFrame:
    """Per cell: % of true tree crown, of grass or crown (vegetation) and of building land cover."""
    with rasterio.open(sample_dir / f"truth/landcover_{EPOCH2}.tif") as src:
        lc, t = src.read(1), src.transform
    x = t.c + (np.arange(lc.shape[1]) + 0.5) * t.a
    y = t.f + (np.arange(lc.shape[0]) + 0.5) * t.e
    codes = _code(*np.meshgrid(x, y), size).ravel()
    flat = lc.ravel()
    df = pd.DataFrame(
        {
            "cell": codes,
            "crown": flat == LC_CROWN,
            "green": np.isin(flat, (LC_GRASS, LC_CROWN)),
            "building": flat == LC_BUILDING,
        }
    )
    return df.groupby("cell").mean() * 100


def trees(sample_dir: Path, size: int = 100) -> dict[str, int]:
    t = pd.read_csv(sample_dir / "truth/trees.csv")
    t = t[~t.felled_in_epoch2.astype(bool)]
    return pd.Series(1, index=_code(t.x.values, t.y.values, size)).groupby(level=0).sum().to_dict()


def ads(sample_dir: Path, size: int = 100) -> dict[str, int]:
    a = pd.read_csv(sample_dir / f"ads/nosniki_reklamowe_{EPOCH2}.csv", sep=";", decimal=",")
    return (
        pd.Series(1, index=_code(a.x_2180.values, a.y_2180.values, size))
        .groupby(level=0)
        .sum()
        .to_dict()
    )
