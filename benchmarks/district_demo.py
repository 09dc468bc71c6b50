"""The district demo world (issue #17) scored: the analyses' "city" numbers and the ground-truth scores.

Reads a database into which `msip demo --size district` (or `msip load sample --size district` plus
the analyses) loaded the world, and the world's `truth/` folder. Numbers:

- T_air: the hottest 100 m statistics cell that is built up (buildings cover ≥ 25 % of it) minus the
  mean of the cells whose centre lies in the forest park (the largest green space, ≥ 20 ha);
- shares of residents meeting 3, 30, 300 and art. 13f (the green-access run's whole-area row);
- share of carriers breaking a rule (latest ad-compliance run) and the truth's violators found;
- living-conditions cells of 100 m;
- tree detection precision/recall per epoch (trees > 5 m, one-to-one within 2 m, as
  tests/pipelines/lidar/test_lidar_sample_world.py), DTM RMSE on open ground per epoch;
- change precision/recall per truth kind and epoch pair (points within 1.5 m, areas by half the
  smaller area, as tests/processing/change/test_change_sample.py); `canopy_lost` is scored against
  the crowns of felled trees (disks of the true crown area): a lost-canopy region is right when it
  overlaps a felled crown, a felled crown (≥ 20 m², see CANOPY_SCORED_MIN_M2) is found when a region
  overlaps it.

    .venv/bin/python benchmarks/district_demo.py [SAMPLE_DIR]     # uses MSIP_HOME's database

tests/system/test_district_demo.py imports `score` and asserts what holds.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Truth land-cover classes of open ground (road, grass, bare soil, footway) where the DTM is scored.
OPEN_GROUND = (1, 3, 5, 6)
#: Truth change kind → the detected event types that count as finding it.
CHANGE_KINDS = {
    "new_building": ("new_building",),
    "demolished_building": ("demolished_building",),
    "raised_building": ("raised_building",),
    "extended_building": ("new_building", "raised_building"),
    "felled_tree": ("felled_tree",),
    "health_decline": ("health_decline",),
    "terrain_change": ("terrain_change",),
    "slope_failure": ("terrain_change",),
    "new_ad": ("new_ad",),
    "removed_ad": ("removed_ad",),
}
POINT_TOLERANCE_M = 1.5
#: Felled crowns from this area (m²) are scored for canopy_lost: twice the analysis's smallest reported
#: region (canopy_min_area_m2, 10 m²), because only the part of a crown ≥ 2 m high shows in the CHM —
#: a felled 12 m² crown loses about 11 m² of CHM canopy, which the 3×3 opening brings under 10 m².
#: Recall over every crown ≥ 10 m² is reported beside it (`canopy_lost_crowns_10m2`).
CANOPY_SCORED_MIN_M2 = 20.0


def _rows(conn: psycopg.Connection, sql: str, params: Any = None) -> list[tuple]:
    return conn.execute(sql, params).fetchall()


def city_numbers(conn: psycopg.Connection) -> dict[str, float]:
    """The issue's "city" numbers of the latest analysis runs."""
    out: dict[str, float] = {}
    heat = _rows(conn, """
        WITH c AS (SELECT * FROM msip.heat_cell_stats WHERE load_run_id =
                     (SELECT load_run_id FROM msip.heat_run_latest WHERE mode = 'day') AND cell_size_m = 100),
             park AS (SELECT geom FROM msip.green_space ORDER BY kind = 'forest' DESC, ST_Area(geom) DESC LIMIT 1),
             built AS (SELECT c.cell_id, c.t_air_mean_c,
                         (SELECT coalesce(sum(ST_Area(ST_Intersection(b.geom, c.geom))), 0) FROM msip.building b
                          WHERE b.epoch = c.epoch AND b.geom && c.geom) / ST_Area(c.geom) AS cover
                       FROM c)
        SELECT (SELECT max(t_air_mean_c) FROM built WHERE cover >= 0.25),
               (SELECT avg(t_air_mean_c) FROM c, park WHERE ST_Contains(park.geom, ST_Centroid(c.geom))),
               (SELECT ST_Area(geom) / 1e4 FROM park),
               (SELECT min(t_air_mean_c) FROM c), (SELECT max(t_air_mean_c) FROM c)""")
    hot, park, park_ha, t_min, t_max = heat[0]
    out |= {"t_air_hot_built_c": hot, "t_air_forest_park_c": park, "forest_park_ha": park_ha,
            "t_air_range_c": (hot - park) if hot is not None and park is not None else float("nan"),
            "t_air_cell_min_c": t_min, "t_air_cell_max_c": t_max}
    share = _rows(conn, "SELECT pct_3, pct_30, pct_300, pct_3_30_300, pct_13f, population "
                        "FROM msip.greenspace_access_district_current WHERE district_kind = 'all'")
    if share:
        out |= dict(zip(["pct_3", "pct_30", "pct_300", "pct_3_30_300", "pct_13f", "population"], share[0],
                        strict=True))
    ads = _rows(conn, """SELECT count(*) FILTER (WHERE verdict = 'non_compliant'), count(*),
                                count(*) FILTER (WHERE verdict = 'not_assessed')
                         FROM msip.ad_compliance
                         WHERE load_run_id = (SELECT max(load_run_id) FROM msip.ad_compliance)""")
    bad, total, unassessed = ads[0]
    out |= {"ads_total": total, "ads_non_compliant": bad, "ads_not_assessed": unassessed,
            "pct_ads_non_compliant": 100.0 * bad / total if total else float("nan")}
    cells = _rows(conn, "SELECT cell_size_m, count(*), count(*) FILTER (WHERE population > 0) "
                        "FROM msip.living_conditions_cell GROUP BY 1")
    for size, n, lived in cells:
        out[f"living_cells_{size}m"] = n
        out[f"living_cells_{size}m_inhabited"] = lived
    return out


def ad_violations_found(conn: psycopg.Connection, sample_dir: Path, epoch: str) -> tuple[int, int, int]:
    """(true violators flagged non_compliant, true violators, compliant carriers flagged) of the latest
    ad-compliance run, over the carriers standing at `epoch` (the latest; removed ones are not assessed)."""
    import pandas as pd

    truth = pd.read_csv(sample_dir / "truth/ads_violations.csv", dtype=str).fillna("")
    if "last_epoch" in truth:
        truth = truth[(truth.last_epoch == "") | (truth.last_epoch >= epoch)]
    violators = set(truth.loc[truth.violated_rules != "", "id_nosnika"])
    flagged = {r[0] for r in _rows(conn, """
        SELECT a.source_id FROM msip.ad_compliance c JOIN msip.advertisement a USING (ad_id)
        WHERE c.load_run_id = (SELECT max(load_run_id) FROM msip.ad_compliance) AND c.verdict = 'non_compliant'""")}
    return len(violators & flagged), len(violators), len(flagged - violators)


def _mosaic(conn: psycopg.Connection, kind: str, epoch: date, ref: Any) -> np.ndarray:
    import rasterio
    from rasterio.vrt import WarpedVRT

    (path,) = conn.execute("SELECT path FROM msip.raster_asset WHERE kind = %s AND epoch = %s AND is_mosaic",
                           (kind, epoch)).fetchone()
    with rasterio.open(path) as src, WarpedVRT(src, transform=ref.transform, width=ref.width,
                                               height=ref.height, crs=ref.crs) as v:
        return v.read(1, masked=True).filled(np.nan)


def dtm_rmse(conn: psycopg.Connection, sample_dir: Path, epoch: str) -> float:
    """RMSE (m) of the loaded DTM against the true terrain on open ground."""
    import rasterio

    with rasterio.open(sample_dir / f"truth/dtm_{epoch}.tif") as ref:
        true = ref.read(1)
        dtm = _mosaic(conn, "dtm", date.fromisoformat(epoch), ref)
    with rasterio.open(sample_dir / f"truth/landcover_{epoch}.tif") as src:
        lc = src.read(1)
    open_ = np.isin(lc, OPEN_GROUND).reshape(lc.shape[0] // 2, 2, lc.shape[1] // 2, 2).all(axis=(1, 3))
    err = (dtm - true)[open_ & np.isfinite(dtm)]
    return float(np.sqrt(np.mean(err**2)))


def tree_scores(conn: psycopg.Connection, sample_dir: Path, epoch: str) -> tuple[float, float]:
    """(precision, recall) of LiDAR tree detection of trees > 5 m standing at `epoch`."""
    import pandas as pd
    from scipy.spatial import cKDTree

    trees = pd.read_csv(sample_dir / "truth/trees.csv")
    trees = trees[trees.visible_to_lidar & trees[f"standing_{epoch}"].astype(bool)]
    det = np.array(_rows(conn, "SELECT ST_X(geom), ST_Y(geom), height_m FROM msip.tree_detected WHERE epoch = %s",
                         (date.fromisoformat(epoch),)))
    heights = trees[f"height_m_{epoch}"].to_numpy()
    sdm = cKDTree(trees[["x", "y"]].to_numpy()).sparse_distance_matrix(cKDTree(det[:, :2]), 2.0,
                                                                        output_type="ndarray")
    used_t: set[int] = set()
    used_d: set[int] = set()
    for _, i, j in sorted(zip(sdm["v"], sdm["i"], sdm["j"], strict=True)):
        if i not in used_t and j not in used_d:
            used_t.add(int(i))
            used_d.add(int(j))
    tall_true = np.flatnonzero(heights > 5)
    tall_det = np.flatnonzero(det[:, 2] > 5)
    return float(np.isin(tall_det, list(used_d)).mean()), float(np.isin(tall_true, list(used_t)).mean())


def _match(det: Any, true: Any) -> bool:
    if true.geom_type == "Point" or det.geom_type == "Point":
        return bool(det.distance(true) <= POINT_TOLERANCE_M)
    return bool(det.intersection(true).area >= 0.5 * min(det.area, true.area))


def _pr(detected: list, true: list, match: Any = _match) -> tuple[int, int, float, float]:
    """(detected, true, precision, recall); precision NaN without detections."""
    import shapely

    tree_t = shapely.STRtree(true)
    tree_d = shapely.STRtree(detected)
    hit_d = sum(any(match(d, true[k]) for k in tree_t.query(d.buffer(POINT_TOLERANCE_M))) for d in detected)
    hit_t = sum(any(match(detected[k], t) for k in tree_d.query(t.buffer(POINT_TOLERANCE_M))) for t in true)
    return (len(detected), len(true), hit_d / len(detected) if detected else float("nan"),
            hit_t / len(true) if true else float("nan"))


def change_scores(conn: psycopg.Connection, sample_dir: Path) -> dict[tuple[str, str, str], tuple]:
    """(kind, epoch_from, epoch_to) → (detected, true, precision, recall), incl. canopy_lost."""
    import shapely

    truth = json.loads((sample_dir / "truth/changes.geojson").read_text())["features"]
    out: dict[tuple[str, str, str], tuple] = {}
    pairs = sorted({(f["properties"]["epoch_from"], f["properties"]["epoch_to"]) for f in truth})
    for e0, e1 in pairs:
        run = _rows(conn, """SELECT max(run_id) FROM msip.load_run WHERE source_kind = 'analysis:change'
                             AND status IN ('succeeded', 'unchanged') AND params->>'epoch_from' = %s
                             AND params->>'epoch_to' = %s""", (e0, e1))[0][0]
        events = _rows(conn, "SELECT type, ST_AsBinary(geom) FROM msip.change_event WHERE load_run_id = "
                             "(SELECT max(load_run_id) FROM msip.change_event ce JOIN msip.load_run r "
                             " ON r.run_id = ce.load_run_id WHERE r.params->>'epoch_from' = %s "
                             " AND r.params->>'epoch_to' = %s)", (e0, e1)) if run is not None else []
        by_type: dict[str, list] = {}
        for t, g in events:
            by_type.setdefault(t, []).append(shapely.from_wkb(bytes(g)))
        mine = [f for f in truth if (f["properties"]["epoch_from"], f["properties"]["epoch_to"]) == (e0, e1)]
        kinds = sorted({f["properties"]["type"] for f in mine})
        for kind in kinds:
            if kind not in CHANGE_KINDS:
                continue
            true = [shapely.geometry.shape(f["geometry"]) for f in mine if f["properties"]["type"] == kind]
            det = [g for t in CHANGE_KINDS[kind] for g in by_type.get(t, [])]
            # precision: the detections of these types that match a true change of any kind they find
            # (an extension is found as a new or raised building); NaN for a kind found by two types
            peers = [shapely.geometry.shape(f["geometry"]) for f in mine
                     if set(CHANGE_KINDS.get(f["properties"]["type"], ())) & set(CHANGE_KINDS[kind])]
            n_det, _, precision, _ = _pr(det, peers)
            _, n_true, _, recall = _pr(det, true)
            shared = len(CHANGE_KINDS[kind]) > 1
            out[(kind, e0, e1)] = (n_det, n_true, float("nan") if shared else precision, recall)
        felled = [f for f in mine if f["properties"]["type"] == "felled_tree"]
        crowns = [shapely.geometry.shape(f["geometry"]).buffer(np.sqrt(f["properties"]["area_m2"] / np.pi))
                  for f in felled]
        areas = np.array([f["properties"]["area_m2"] for f in felled])
        lost = by_type.get("canopy_lost", [])
        if crowns:
            # precision against every felled crown, recall over the crowns large enough to be reported
            n_det, _, precision, _ = _pr(lost, crowns, match=lambda d, t: bool(d.intersects(t)))
            for label, min_m2 in (("canopy_lost", CANOPY_SCORED_MIN_M2), ("canopy_lost_crowns_10m2", 10.0)):
                scored = [c for c, a in zip(crowns, areas, strict=True) if a >= min_m2]
                _, n_true, _, recall = _pr(lost, scored, match=lambda d, t: bool(d.intersects(t)))
                out[(label, e0, e1)] = (n_det, n_true, precision, recall)
    return out


def score(url: str, sample_dir: Path) -> dict[str, Any]:
    """Every number of the module docstring."""
    with psycopg.connect(url) as conn:
        epochs = [str(e) for e in json.loads((sample_dir / "manifest.json").read_text())["epochs"]]
        return {
            "city": city_numbers(conn),
            "ad_violators_found": ad_violations_found(conn, sample_dir, epochs[-1]),
            "dtm_rmse_m": {e: dtm_rmse(conn, sample_dir, e) for e in epochs},
            "trees_pr": {e: tree_scores(conn, sample_dir, e) for e in epochs},
            "change": change_scores(conn, sample_dir),
        }


def main() -> None:
    from msip.core.settings import get_settings

    settings = get_settings()
    sample_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.data_dir / "sample/district-42"
    s = score(settings.database_url, sample_dir)
    for k, v in s["city"].items():
        print(f"{k:32s} {v:10.3f}" if isinstance(v, float) else f"{k:32s} {v}")
    found, violators, false = s["ad_violators_found"]
    print(f"ad violators found               {found} of {violators} ({false} compliant carriers flagged)")
    for e in s["dtm_rmse_m"]:
        p, r = s["trees_pr"][e]
        print(f"{e}: DTM RMSE {s['dtm_rmse_m'][e]:.3f} m; trees > 5 m precision {p:.3f} recall {r:.3f}")
    for (kind, e0, e1), (nd, nt, p, r) in sorted(s["change"].items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"change {e0[:4]}→{e1[:4]} {kind:20s} detected {nd:5d} true {nt:5d} precision {p:.3f} recall {r:.3f}")


if __name__ == "__main__":
    main()
