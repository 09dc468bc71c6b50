"""Reading terrain-change results back: a run's regions and volumes, and a watched area's time series."""

from __future__ import annotations

from msip.core.db import connect
from msip.core.errors import ValidationError
from processing.terrain.volumes import time_series


def run_outputs(run_id: int, *, url: str | None = None) -> dict:
    """A run's epochs, its change regions (GeoJSON, EPSG:2180) and its volumes per watched area and pair."""
    with connect(url) as conn:
        row = conn.execute("SELECT params FROM msip.load_run WHERE run_id = %s", (run_id,)).fetchone()
        regions = conn.execute(
            "SELECT region_id, epoch_from::text, epoch_to::text, kind, area_m2, volume_m3, volume_sigma_m3, "
            "max_abs_dz_m, mean_lod_m, ST_AsGeoJSON(geom, 2)::json FROM msip.terrain_change_region "
            "WHERE load_run_id = %s ORDER BY epoch_from, volume_m3 DESC", (run_id,)).fetchall()
        volumes = conn.execute(
            "SELECT a.name, v.epoch_from::text, v.epoch_to::text, v.fill_m3, v.cut_m3, v.net_m3, v.fill_sigma_m3, "
            "v.cut_sigma_m3, v.net_sigma_m3, v.raw_net_m3, v.area_m2, v.known_m2, v.significant_m2 "
            "FROM msip.terrain_volume v JOIN msip.terrain_watched_area a USING (area_id) "
            "WHERE v.load_run_id = %s ORDER BY a.name, v.epoch_from", (run_id,)).fetchall()
    keys = ("area", "epoch_from", "epoch_to", "fill_m3", "cut_m3", "net_m3", "fill_sigma_m3", "cut_sigma_m3",
            "net_sigma_m3", "raw_net_m3", "area_m2", "known_m2", "significant_m2")
    return {
        "run_id": run_id,
        "epochs": ((row[0] if row else None) or {}).get("epochs"),
        "regions": {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
            "features": [
                {"type": "Feature", "id": r[0], "geometry": r[9],
                 "properties": dict(zip(("epoch_from", "epoch_to", "kind", "area_m2", "volume_m3",
                                         "volume_sigma_m3", "max_abs_dz_m", "mean_lod_m"), r[1:9], strict=True))}
                for r in regions
            ],
        },
        "volumes": [dict(zip(keys, v, strict=True)) for v in volumes],
    }


def area_time_series(name: str, *, url: str | None = None) -> list[dict]:
    """Cumulative net volume (m³ ± σ) of a watched area per epoch, from its latest consecutive-pair results."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT epoch_from, epoch_to, net_m3, net_sigma_m3 FROM msip.terrain_volume_current WHERE name = %s "
            "ORDER BY epoch_from", (name,)).fetchall()
        if not rows:
            known = [r[0] for r in conn.execute("SELECT name FROM msip.terrain_watched_area ORDER BY name")]
            raise ValidationError(f"no terrain-change volumes for watched area {name!r}; areas: "
                                  f"{', '.join(known) or 'none loaded'} (run `msip run terrain-change` first)")
    # keep one chain of consecutive pairs: the latest run may have compared other epochs
    chain: list[tuple] = []
    for r in rows:
        if not chain or chain[-1][1] == r[0]:
            chain.append(r)
    return time_series([(e1.isoformat(), e2.isoformat(), net, s) for e1, e2, net, s in chain])
