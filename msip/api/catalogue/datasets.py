"""The datasets MSIP publishes, read from the configuration and the database, cached by the data version.

One dataset per published feature or coverage collection, per orthophoto, LiDAR and point-cloud
(COPC) epoch and per zoning plan. Extents are the data's (the collections' computed extents, raster footprints, plan
outlines); lineage is the load and analysis runs whose rows the dataset holds (file name,
checksum, date, counts — `msip.load_run_public`, which has no local paths). Computed on request
by the read-only API role and kept until a load or an analysis run changes the data version.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from psycopg import sql

from msip.api.catalogue.themes import theme_of
from msip.api.downloads.formats import COPC_FORMAT, Format
from msip.api.pointcloud.tiles import LAZ_FORMAT, source_tiles
from msip.api.providers import extents
from msip.api.providers.db import conninfo_from_def, data_version, fetch, table_info

#: Raster kinds made from a LiDAR survey (listed in its epoch's record with the point patches).
LIDAR_KINDS = ("dtm", "dsm", "ndsm", "chm")


@dataclass
class Dataset:
    """One published dataset: what the catalogue record, the ISO record and the DCAT entry describe."""

    id: str
    family: str  # collection id, or "orthophoto" / "lidar" / "zoning_plan" for the per-epoch/plan records
    kind: str  # features | coverage | orthophoto-epoch | lidar-epoch | point-cloud-epoch | zoning-plan
    collection: str | None  # the API collection that serves it
    title: dict[str, str]
    abstract: dict[str, str]
    keywords: list[str]
    bbox: list[float] | None = None  # lon/lat (CRS84)
    begin: datetime | None = None
    end: datetime | None = None
    lineage: list[dict[str, Any]] = field(default_factory=list)
    count: int | None = None
    resolution_m: float | None = None
    epoch: date | None = None
    item_id: str | None = None  # the dataset's item in its collection (a zoning plan's plan_pk)
    files: list[tuple[str, Format]] = field(default_factory=list)
    """Files of this dataset other than the collection downloads: (path below the API root, format)."""
    parts: list[tuple[str, Format, int]] = field(default_factory=list)
    """Files each holding a part of the dataset (a LiDAR epoch's source tiles): (path, format, points); links only."""

    @property
    def theme(self) -> str | None:
        return theme_of(self.family)[0]

    @property
    def topic(self) -> str:
        return theme_of(self.family)[1]

    @property
    def updated(self) -> datetime | None:
        """When the data last changed: the latest run that wrote it."""
        ends = [r["finished_at"] for r in self.lineage if r.get("finished_at")]
        return max(ends) if ends else None


_lock = threading.Lock()
_cache: dict[tuple, list[Dataset]] = {}


def _utc(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _texts(value: Any, fallback: str) -> dict[str, str]:
    if isinstance(value, dict):
        pl = str(value.get("pl") or next(iter(value.values()), fallback))
        return {"pl": pl, "en": str(value.get("en") or pl)}
    return {"pl": str(value or fallback), "en": str(value or fallback)}


def slug(text: str) -> str:
    """A URL-safe identifier part (letters, digits, `.`, `_`, `-`)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")


def _lineage(conninfo: str, run_rows: list[tuple[int | None, int]]) -> list[dict[str, Any]]:
    """The public run records of (run id, rows in the dataset) pairs, oldest first."""
    counts = {r: n for r, n in run_rows if r is not None}
    if not counts:
        return []
    rows = fetch(
        conninfo,
        "SELECT run_id, source_kind, source_file, source_sha256, epoch, status, rows_in, rows_loaded, "
        "rows_rejected, finished_at FROM msip.load_run_public WHERE run_id = ANY(%s) ORDER BY run_id",
        (list(counts),),
    )
    keys = ("run_id", "source_kind", "source_file", "source_sha256", "epoch", "status", "rows_in",
            "rows_loaded", "rows_rejected", "finished_at")
    return [{**dict(zip(keys, r, strict=True)), "rows_in_dataset": counts[r[0]]} for r in rows]


def _provider(res: dict, ptype: str) -> dict | None:
    return next((p for p in res.get("providers", []) if p.get("type") == ptype
                 and str(p.get("name", "")).startswith("msip.")), None)


def _collection(cid: str, res: dict) -> Dataset | None:
    fp, cp = _provider(res, "feature"), _provider(res, "coverage")
    if fp is None and cp is None:
        return None
    ds = Dataset(
        id=cid, family=cid, kind="features" if fp else "coverage", collection=cid,
        title=_texts(res.get("title"), cid), abstract=_texts(res.get("description"), cid),
        keywords=[str(k) for k in res.get("keywords") or []],
    )
    ext = res.get("extents") or {}
    if ext.get("spatial", {}).get("bbox"):
        ds.bbox = [float(v) for v in ext["spatial"]["bbox"][:4]]
    temporal = ext.get("temporal") or {}
    ds.begin, ds.end = _utc(temporal.get("begin")), _utc(temporal.get("end"))
    if fp is not None:
        conninfo = conninfo_from_def(fp["data"])
        info = table_info(conninfo, fp["table"], fp.get("geom_field"), fp.get("id_field"))
        if info.column("load_run_id") is not None:
            runs = fetch(conninfo, sql.SQL("SELECT load_run_id, count(*) FROM {} GROUP BY 1").format(info.ident))
        else:
            runs = []
        ds.count = sum(n for _, n in runs) if runs else fetch(
            conninfo, sql.SQL("SELECT count(*) FROM {}").format(info.ident))[0][0]
        ds.lineage = _lineage(conninfo, runs)
    else:
        assert cp is not None
        conninfo = conninfo_from_def(cp["data"])
        kind = str(cp["data"]["kind"])
        runs = fetch(conninfo, "SELECT load_run_id, count(*) FROM msip.raster_asset WHERE kind = %s GROUP BY 1",
                     (kind,))
        ds.lineage = _lineage(conninfo, runs)
        stats = fetch(conninfo, "SELECT min(resolution_m), min(epoch), max(epoch) FROM msip.raster_asset "
                      "WHERE kind = %s", (kind,))[0]
        ds.resolution_m = stats[0]
        ds.begin, ds.end = ds.begin or _utc(stats[1]), ds.end or _utc(stats[2])
    return ds


def _bbox(row: tuple) -> list[float] | None:
    return None if row[0] is None else [float(v) for v in row[:4]]


_BOX = "ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)"


def _orthophoto_epochs(conninfo: str) -> list[Dataset]:
    out = []
    for epoch, res_m in fetch(conninfo, "SELECT epoch, min(resolution_m) FROM msip.raster_asset "
                              "WHERE kind = 'orthophoto' AND epoch IS NOT NULL GROUP BY epoch ORDER BY epoch"):
        box = fetch(conninfo, f"SELECT {_BOX} FROM (SELECT ST_Extent(ST_Transform(footprint, 4326)) b "
                    "FROM msip.raster_asset WHERE kind = 'orthophoto' AND epoch = %s) s", (epoch,))[0]
        runs = fetch(conninfo, "SELECT load_run_id, count(*) FROM msip.raster_asset WHERE kind IN "
                     "('orthophoto', 'ndvi', 'brightness') AND epoch = %s GROUP BY 1", (epoch,))
        out.append(Dataset(
            id=f"orthophoto-{epoch}", family="orthophoto", kind="orthophoto-epoch", collection="orthophoto",
            title={"pl": f"Ortofotomapa z {epoch}", "en": f"Orthophoto of {epoch}"},
            abstract={"pl": f"Ortofotomapa (R, G, B, NIR) z nalotu {epoch}, piksel {res_m:g} m, EPSG:2180, "
                            "z pochodnymi NDVI i jasnością.",
                      "en": f"Orthophoto (R, G, B, NIR) flown on {epoch}, {res_m:g} m pixels, EPSG:2180, "
                            "with its NDVI and brightness."},
            keywords=["ortofotomapa", "orthophoto", "NIR", str(epoch)], bbox=_bbox(box),
            begin=_utc(epoch), end=_utc(epoch), lineage=_lineage(conninfo, runs), resolution_m=res_m, epoch=epoch,
        ))
    return out


def _lidar_epochs(conninfo: str) -> list[Dataset]:
    # from the stored per-file sums of sql/118, not over every patch (seconds on a city's points)
    if fetch(conninfo, "SELECT to_regclass('msip.lidar_source_count')")[0][0] is None:
        return []
    out = []
    for epoch, patches in fetch(conninfo, "SELECT epoch, sum(patches)::bigint FROM msip.lidar_source_count "
                                "GROUP BY 1 ORDER BY 1"):
        box = fetch(conninfo, f"SELECT {_BOX} FROM (SELECT ST_Extent(ST_Transform(extent, 4326)) b "
                    "FROM msip.lidar_source_count WHERE epoch = %s) s", (epoch,))[0]
        runs = fetch(conninfo, "SELECT load_run_id, sum(patches)::bigint FROM msip.lidar_source_count "
                     "WHERE epoch = %s GROUP BY 1 "
                     "UNION ALL SELECT load_run_id, count(*) FROM msip.raster_asset WHERE kind = ANY(%s) "
                     "AND epoch = %s GROUP BY 1", (epoch, list(LIDAR_KINDS), epoch))
        res_m = fetch(conninfo, "SELECT min(resolution_m) FROM msip.raster_asset WHERE kind = ANY(%s) "
                      "AND epoch = %s", (list(LIDAR_KINDS), epoch))[0][0]
        out.append(Dataset(
            id=f"lidar-{epoch}", family="lidar", kind="lidar-epoch", collection="dtm",
            title={"pl": f"Lotnicze skanowanie laserowe (LiDAR) z {epoch}",
                   "en": f"Airborne laser scanning (LiDAR) of {epoch}"},
            abstract={"pl": f"Chmura punktów LiDAR z nalotu {epoch} ({patches} łat), EPSG:2180, wysokości "
                            "PL-EVRF2007-NH, z modelami NMT, NMPT, nDSM i CHM.",
                      "en": f"LiDAR point cloud flown on {epoch} ({patches} patches), EPSG:2180, heights "
                            "PL-EVRF2007-NH, with its DTM, DSM, nDSM and CHM."},
            keywords=["LiDAR", "ALS", "chmura punktów", "point cloud", str(epoch)], bbox=_bbox(box),
            begin=_utc(epoch), end=_utc(epoch), lineage=_lineage(conninfo, runs), count=patches,
            resolution_m=res_m, epoch=epoch,
        ))
    return out


def _point_cloud_epochs(conninfo: str) -> list[Dataset]:
    """One record per streamable point cloud (COPC) of a LiDAR epoch, linking the file."""
    if fetch(conninfo, "SELECT to_regclass('msip.point_cloud_epoch')")[0][0] is None:
        return []
    out = []
    for epoch, points, href, run_id, *box in fetch(
        conninfo, f"SELECT epoch, a.point_count, v.copc_href, a.load_run_id, {_BOX} FROM msip.pointcloud_asset a "
        "JOIN msip.point_cloud_epoch v USING (epoch), ST_Transform(a.footprint, 4326) b ORDER BY epoch"):
        out.append(Dataset(
            id=f"point-cloud-{epoch}", family="point_clouds", kind="point-cloud-epoch", collection="point_clouds",
            title={"pl": f"Chmura punktów LiDAR (COPC) z {epoch}", "en": f"LiDAR point cloud (COPC) of {epoch}"},
            abstract={"pl": f"Chmura punktów lotniczego skanowania laserowego z nalotu {epoch} ({points} punktów) "
                            "jako COPC (LAZ 1.4 z oktdrzewem, odczyt fragmentami przez HTTP Range), EPSG:2180, "
                            "wysokości PL-EVRF2007-NH, z klasami i numerami odbić.",
                      "en": f"Airborne laser scanning point cloud flown on {epoch} ({points} points) as COPC "
                            "(LAZ 1.4 with an octree, read in parts with HTTP Range), EPSG:2180, heights "
                            "PL-EVRF2007-NH, with classes and return numbers."},
            keywords=["LiDAR", "ALS", "COPC", "LAZ", "chmura punktów", "point cloud", str(epoch)],
            bbox=_bbox(tuple(box)), begin=_utc(epoch), end=_utc(epoch),
            lineage=_lineage(conninfo, [(run_id, points)]), count=points, epoch=epoch,
            files=[(str(href), COPC_FORMAT)],
            parts=[(t.path, LAZ_FORMAT, t.points) for t in source_tiles(conninfo, epoch)],
        ))
    return out


def _zoning_plans(conninfo: str) -> list[Dataset]:
    out = []
    for row in fetch(conninfo, f"SELECT iip_namespace, local_id, version_id, title, plan_type_label, status_label, "
                     f"valid_from, valid_to, load_run_id, {_BOX}, plan_pk FROM (SELECT *, ST_Transform(geom, 4326) b "
                     "FROM msip.zoning_plan_current) s ORDER BY iip_namespace, local_id"):
        ns, local_id, version, title, ptype, status, v_from, v_to, run_id = row[:9]
        kind = ptype or "plan"
        out.append(Dataset(
            id=f"zoning-plan-{slug(ns)}-{slug(local_id)}", family="zoning_plan", kind="zoning-plan",
            collection="zoning_plans",
            title={"pl": str(title), "en": f"{title} (spatial planning act)"},
            abstract={"pl": f"Akt planowania przestrzennego ({kind}, status: {status or 'nieznany'}), "
                            f"identyfikator IIP {ns}/{local_id}{'/' + version if version else ''}.",
                      "en": f"Spatial planning act ({kind}, status: {status or 'unknown'}), "
                            f"IIP identifier {ns}/{local_id}{'/' + version if version else ''}."},
            keywords=["MPZP", "APP", "plan miejscowy", "zoning", str(ns)], bbox=_bbox(row[9:13]),
            begin=_utc(v_from), end=_utc(v_to), lineage=_lineage(conninfo, [(run_id, 1)]), count=1,
            item_id=str(row[13]),
        ))
    return out


def build(cfg: dict) -> list[Dataset]:
    """Every published dataset of `cfg`, computed once per data version."""
    resources = {k: v for k, v in cfg.get("resources", {}).items() if v.get("type") == "collection"}
    defs = [p for res in resources.values() for p in res.get("providers", [])
            if isinstance(p.get("data"), dict) and str(p.get("name", "")).startswith("msip.")]
    if not defs:
        return []
    conninfo = conninfo_from_def(defs[0]["data"])
    key = (conninfo, data_version(conninfo), tuple(sorted(resources)))
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    extents.refresh(cfg)
    out = [d for cid, res in resources.items() if (d := _collection(cid, res)) is not None]
    if "orthophoto" in resources:
        out += _orthophoto_epochs(conninfo)
    if any(k in resources for k in LIDAR_KINDS):
        out += _lidar_epochs(conninfo)
    if "zoning_plans" in resources:
        out += _zoning_plans(conninfo)
    if "point_clouds" in resources:
        out += _point_cloud_epochs(conninfo)
    with _lock:
        _cache.clear()
        _cache[key] = out
    return out


def find(cfg: dict, dataset_id: str) -> Dataset | None:
    """The dataset `dataset_id` of `cfg`, or None."""
    return next((d for d in build(cfg) if d.id == dataset_id), None)
