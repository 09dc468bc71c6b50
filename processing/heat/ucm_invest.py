"""Cross-check harness: the same land-cover case through natcap.invest's Urban Cooling Model and MSIP's.

A case is a land-cover array, an ET0 array and an InVEST biophysical table (lucode → kc,
green_area, shade, albedo, building_intensity). `run_invest` writes them as GeoTIFF/CSV/GPKG
in EPSG:2180 and runs `natcap.invest.urban_cooling_model.execute` (installed by `make setup`,
scripts/install_invest.sh; only this harness imports it); `run_msip` reclassifies the same table
and runs `processing.heat.ucm` on arrays; `run_msip_files` does the same from the files InVEST
reads and writes its rasters as InVEST does (tiled LZW GeoTIFF), so the two can be timed alike,
raster I/O included. Each returns CC, CC_park, HM, T_air before and after air mixing (NaN =
nodata) and the wall time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from processing.heat import ucm

#: Lower-left corner of the case grids (EPSG:2180 metres, in Kielce).
ORIGIN = (610_000.0, 330_000.0)


@dataclass
class UcmCase:
    """A land-cover case: codes (rows, cols; −1 = nodata), ET0 (mm) per cell, the biophysical table and
    the settings."""

    lulc: np.ndarray
    et0: np.ndarray
    table: dict[int, dict[str, float]]
    params: ucm.UcmParams


@dataclass
class UcmOutputs:
    """One model's rasters (NaN = nodata) and its wall time, s; `t_air` is after air mixing."""

    cc: np.ndarray
    cc_park: np.ndarray
    hm: np.ndarray
    t_air_nomix: np.ndarray
    t_air: np.ndarray
    seconds: float


#: How pygeoprocessing (so InVEST) writes its rasters; MSIP's timed file run writes the same way.
GTIFF_OPTIONS = {"driver": "GTiff", "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "lzw",
                 "BIGTIFF": "YES"}


def _reclass(case: UcmCase, column: str) -> np.ndarray:
    """The table's `column` per cell; NaN where the land cover is nodata (negative)."""
    lut = np.zeros(int(case.lulc.max()) + 1)
    for code, row in case.table.items():
        lut[code] = row[column]
    return np.where(case.lulc >= 0, lut[np.maximum(case.lulc, 0)], np.nan)


def _model(case: UcmCase, convolve=None) -> ucm.UcmResult:
    p = case.params
    if p.method == "factors":
        cc = ucm.cooling_capacity_factors(_reclass(case, "shade"), _reclass(case, "albedo"),
                                          ucm.eti(_reclass(case, "kc"), case.et0), p.weights)
    else:
        cc = ucm.cooling_capacity_intensity(_reclass(case, "building_intensity"))
    kwargs = {} if convolve is None else {"convolve": convolve}
    return ucm.urban_cooling(cc, _reclass(case, "green_area"), p, **kwargs)


def run_msip(case: UcmCase, convolve=None) -> UcmOutputs:
    """MSIP's model on the case's arrays, model only (in this process unless `convolve` runs the windows
    elsewhere)."""
    started = time.perf_counter()
    r = _model(case, convolve)
    return UcmOutputs(r.cc, r.cc_park, r.hm, r.t_air_nomix, r.t_air, time.perf_counter() - started)


def run_msip_files(paths: dict[str, str], params: ucm.UcmParams, out_dir: Path, convolve=None) -> UcmOutputs:
    """MSIP's model from the files `write_inputs` made (land cover, ET0, biophysical CSV) to GeoTIFFs of CC,
    CC_park, HM, T_air_nomix and T_air in `out_dir`; timed from the first read to the last write, as
    InVEST's `execute` is."""
    import csv

    import rasterio

    started = time.perf_counter()
    with rasterio.open(paths["lulc"]) as src:
        profile = {**GTIFF_OPTIONS, "width": src.width, "height": src.height, "count": 1, "crs": src.crs,
                   "transform": src.transform, "dtype": "float32", "nodata": np.float32(np.finfo(np.float32).min)}
        lulc = src.read(1, masked=True).astype(np.int64).filled(-1)
    et0 = _read(Path(paths["et0"]))
    with open(paths["table"], newline="") as f:
        table = {int(row.pop("lucode")): {k: float(v) for k, v in row.items()} for row in csv.DictReader(f)}
    r = _model(UcmCase(lulc, et0, table, params), convolve)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("cc", "cc_park", "hm", "t_air_nomix", "t_air"):
        arr = getattr(r, name)
        with rasterio.open(out_dir / f"{name}.tif", "w", **profile) as dst:
            dst.write(np.where(np.isnan(arr), profile["nodata"], arr).astype(np.float32), 1)
    return UcmOutputs(r.cc, r.cc_park, r.hm, r.t_air_nomix, r.t_air, time.perf_counter() - started)


def write_inputs(case: UcmCase, workdir: Path) -> dict[str, str]:
    """The case as InVEST's inputs in `workdir`: lulc.tif, et0.tif, biophysical.csv, aoi.shp (EPSG:2180)."""
    import rasterio
    from affine import Affine
    from shapely.geometry import box

    workdir.mkdir(parents=True, exist_ok=True)
    rows, cols = case.lulc.shape
    cell = case.params.cell_size_m
    x0, y0 = ORIGIN
    transform = Affine(cell, 0, x0, 0, -cell, y0 + rows * cell)
    profile = {**GTIFF_OPTIONS, "width": cols, "height": rows, "count": 1, "crs": "EPSG:2180",
               "transform": transform}
    paths = {"lulc": workdir / "lulc.tif", "et0": workdir / "et0.tif", "table": workdir / "biophysical.csv",
             "aoi": workdir / "aoi.shp"}
    with rasterio.open(paths["lulc"], "w", dtype="int32", nodata=-1, **profile) as dst:
        dst.write(case.lulc.astype(np.int32), 1)
    with rasterio.open(paths["et0"], "w", dtype="float32", nodata=-1, **profile) as dst:
        dst.write(case.et0.astype(np.float32), 1)
    columns = ["lucode", "kc", "green_area", "shade", "albedo", "building_intensity"]
    lines = [",".join(columns)] + [
        ",".join([str(code)] + [repr(float(row.get(c, 0.0))) if c != "green_area" else str(int(row[c]))
                                for c in columns[1:]]) for code, row in sorted(case.table.items())]
    paths["table"].write_text("\n".join(lines) + "\n")
    import geopandas as gpd

    gpd.GeoDataFrame({"id": [1]}, geometry=[box(x0, y0, x0 + cols * cell, y0 + rows * cell)],
                     crs="EPSG:2180").to_file(paths["aoi"], driver="ESRI Shapefile")
    return {k: str(v) for k, v in paths.items()}


def _read(path: Path) -> np.ndarray:
    import rasterio

    with rasterio.open(path) as src:
        return src.read(1, masked=True).astype(np.float64).filled(np.nan)


def run_invest(case: UcmCase, workdir: Path, paths: dict[str, str] | None = None) -> UcmOutputs:
    """natcap.invest's UCM on the case in `workdir` (inputs written there unless `paths` names them); the
    time is that of `execute`: reading the inputs, the model, writing its rasters. Raises ImportError when
    natcap.invest is absent."""
    from natcap.invest.urban_cooling_model import urban_cooling_model

    workdir.mkdir(parents=True, exist_ok=True)
    paths = paths or write_inputs(case, workdir)
    p = case.params
    w = ucm.normalised_weights(p.weights)
    args: dict[str, Any] = {
        "workspace_dir": str(workdir / "invest"), "results_suffix": "", "n_workers": -1,
        "lulc_raster_path": paths["lulc"], "ref_eto_raster_path": paths["et0"],
        "aoi_vector_path": paths["aoi"], "biophysical_table_path": paths["table"],
        "green_area_cooling_distance": p.green_area_cooling_distance_m,
        "t_air_average_radius": p.t_air_average_radius_m, "t_ref": p.t_ref_c, "uhi_max": p.uhi_max_c,
        "do_energy_valuation": False, "do_productivity_valuation": False,
        "cc_method": p.method, "cc_weight_shade": w[0], "cc_weight_albedo": w[1], "cc_weight_eti": w[2],
    }
    started = time.perf_counter()
    urban_cooling_model.execute(args)
    seconds = time.perf_counter() - started
    out = Path(args["workspace_dir"])
    return UcmOutputs(_read(out / "cc.tif"), _read(out / "intermediate" / "cc_park.tif"), _read(out / "hm.tif"),
                      _read(out / "intermediate" / "T_air_nomix.tif"), _read(out / "T_air.tif"), seconds)


def synthetic_city(rows: int, cols: int, *, seed: int = 42, cell_size_m: float = 5.0) -> UcmCase:
    """A reproducible city-like land cover: blocks of buildings, streets, parks (some ≥ 2 ha), tree rows.

    Codes: 1 road, 2 building, 3 grass/park, 4 tree canopy, 5 water, 6 bare soil.
    """
    rng = np.random.default_rng(seed)
    lulc = np.full((rows, cols), 2, dtype=np.int32)
    block = max(8, int(80 / cell_size_m))
    lulc[::block, :] = 1
    lulc[:, ::block] = 1
    lulc[1::block, :] = 1
    lulc[:, 1::block] = 1
    n_parks = max(1, rows * cols // 40000)
    for _ in range(n_parks):
        h, w = rng.integers(block, 4 * block, size=2)
        r, c = rng.integers(0, max(1, rows - h)), rng.integers(0, max(1, cols - w))
        lulc[r:r + h, c:c + w] = 3
        trees = rng.random((h, w)) < 0.35
        lulc[r:r + h, c:c + w][trees] = 4
    street_trees = (lulc == 1) & (rng.random(lulc.shape) < 0.15)
    lulc[street_trees] = 4
    lulc[(lulc == 2) & (rng.random(lulc.shape) < 0.05)] = 6
    if rows > 40:
        lulc[rows // 3:rows // 3 + 3, :] = 5  # a river
    et0 = 4.0 + rng.random((rows, cols))
    table = {
        1: {"kc": 0.1, "green_area": 0, "shade": 0.0, "albedo": 0.08, "building_intensity": 0.0},
        2: {"kc": 0.1, "green_area": 0, "shade": 0.0, "albedo": 0.2, "building_intensity": 0.7},
        3: {"kc": 0.8, "green_area": 1, "shade": 0.1, "albedo": 0.25, "building_intensity": 0.0},
        4: {"kc": 1.0, "green_area": 1, "shade": 1.0, "albedo": 0.17, "building_intensity": 0.0},
        5: {"kc": 1.05, "green_area": 0, "shade": 0.0, "albedo": 0.07, "building_intensity": 0.0},
        6: {"kc": 0.3, "green_area": 0, "shade": 0.0, "albedo": 0.3, "building_intensity": 0.0},
    }
    params = ucm.UcmParams(cell_size_m=cell_size_m, t_ref_c=24.0, uhi_max_c=3.0)
    return UcmCase(lulc=lulc, et0=et0, table=table, params=params)
