"""GET /trends over the served demo world: each indicator's series per cell and per district has a
point per survey epoch (the demo runs its analyses per epoch), equal to the stored results read
independently; the fixed colour scales (and the heat tiles' legend) do not follow the data; a
second demo run changes nothing; bad requests are refused with the reason."""

from __future__ import annotations

import pytest
import requests

from msip.api.trends.indicators import INDICATORS, MIN_ANOMALY_SPAN_C
from tests.api.search.test_report import HERE, TO_LONLAT

pytestmark = [pytest.mark.db, pytest.mark.slow]


def get(site, **params) -> dict:
    r = requests.get(f"{site.url}/trends", params=params, timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def epochs(owner) -> list[str]:
    return [r[0].isoformat() for r in owner.execute("SELECT DISTINCT epoch FROM msip.building ORDER BY 1")]


@pytest.mark.parametrize("name", [n for n, i in INDICATORS.items() if i.source == "living"])
def test_a_cell_has_a_point_per_epoch_equal_to_the_stored_results(geoportal, owner, name):
    cell = owner.execute("SELECT cell_code FROM msip.living_conditions_cell WHERE population > 0 "
                         "ORDER BY cell_code LIMIT 1").fetchone()[0]
    doc = get(geoportal, indicator=name, cell=cell)
    assert doc["place"] == {"kind": "cell", "id": cell}
    assert [p["epoch"] for p in doc["points"]] == epochs(owner) and len(doc["points"]) >= 2
    for p in doc["points"]:
        stored = owner.execute(
            f"SELECT {name} FROM msip.living_conditions_result WHERE load_run_id = %s AND cell_code = %s",
            (p["run_id"], cell)).fetchone()[0]
        assert p["value"] == (None if stored is None else pytest.approx(round(stored, 2), abs=1e-9))
        run_epoch = owner.execute("SELECT epoch FROM msip.load_run WHERE run_id = %s AND status = 'succeeded' "
                                  "AND source_kind = 'analysis:living-conditions'", (p["run_id"],)).fetchone()[0]
        assert run_epoch.isoformat() == p["epoch"]


def test_a_district_has_the_heat_anomaly_per_epoch(geoportal, owner):
    lon, lat = TO_LONLAT.transform(*HERE)
    doc = get(geoportal, indicator="t_air_anomaly_c", lon=f"{lon:.7f}", lat=f"{lat:.7f}")
    place = doc["place"]
    assert place["kind"] == "district" and place["designation"]
    zone = owner.execute("SELECT zone_pk FROM msip.zoning_zone_current WHERE ST_Intersects(geom, "
                         "ST_SetSRID(ST_MakePoint(%s, %s), 2180)) ORDER BY ST_Area(geom) LIMIT 1", HERE).fetchone()[0]
    assert place["id"] == zone
    assert get(geoportal, indicator="t_air_anomaly_c", district=zone)["points"] == doc["points"]
    assert [p["epoch"] for p in doc["points"]] == epochs(owner)
    for p in doc["points"]:
        mean, t_ref = owner.execute(
            "SELECT s.t_air_mean_c, (l.params->>'t_ref_c')::float8 FROM msip.heat_zone_stats s "
            "JOIN msip.load_run l ON l.run_id = s.load_run_id WHERE s.load_run_id = %s AND s.zone_pk = %s "
            "AND s.mode = 'day'", (p["run_id"], zone)).fetchone()
        assert p["t_ref_c"] == pytest.approx(t_ref) and p["t_air_mean_c"] == pytest.approx(round(mean, 2))
        assert p["value"] == pytest.approx(round(mean - t_ref, 2))
        assert 0 < p["value"] < 15  # T_air lies above T_ref in the model
    hot = get(geoportal, indicator="hot_share_pct", district=zone)
    assert len(hot["points"]) == len(doc["points"]) and all(0 <= p["value"] <= 100 for p in hot["points"])


def test_the_scales_are_fixed_and_physical(geoportal, owner):
    listed = {i["name"]: i for i in get(geoportal)["indicators"]}
    assert set(listed) == set(INDICATORS)
    for name in ("canopy_pct", "bio_active_pct", "built_pct", "pct_3_30_300"):
        scale = listed[name]["scale"]
        assert (scale["min"], scale["max"]) == (0, 100) and scale["stops"][0][0] == 0 and scale["stops"][-1][0] == 100
        assert scale["meaning"]["pl"] and scale["meaning"]["en"]
    assert (listed["hm_mean"]["scale"]["min"], listed["hm_mean"]["scale"]["max"]) == (0, 1)
    anomaly = listed["t_air_anomaly_c"]["scale"]
    assert anomaly["max"] - anomaly["min"] >= MIN_ANOMALY_SPAN_C
    # the data span much less than the scale: the scale did not follow them
    lo, hi = owner.execute("SELECT min(built_pct), max(built_pct) FROM msip.living_conditions_cell").fetchone()
    assert hi - lo < 100


def test_the_heat_tiles_use_the_runs_reference_not_the_data_range(geoportal, owner):
    meta = requests.get(f"{geoportal.url}/collections/heat_tair/tiles/WebMercatorQuad?f=json", timeout=30).json()
    legend = meta["msip:legend"]
    t_ref, uhi_max = owner.execute(
        "SELECT (params->>'t_ref_c')::float8, (params->>'uhi_max_c')::float8 FROM msip.load_run "
        "WHERE run_id = (SELECT load_run_id FROM msip.raster_asset WHERE kind = 'heat_tair' "
        "ORDER BY epoch DESC, asset_id DESC LIMIT 1)").fetchone()
    assert legend["min"] == pytest.approx(t_ref)
    assert legend["max"] == pytest.approx(t_ref + max(MIN_ANOMALY_SPAN_C, uhi_max))
    assert "T_ref" in legend["labels"]["pl"][0] and "T_ref" in legend["labels"]["en"][0]
    # the demo's T_air spans hundredths of a degree; the legend spans degrees
    path = owner.execute("SELECT path FROM msip.raster_asset WHERE kind = 'heat_tair' "
                         "ORDER BY epoch DESC, asset_id DESC LIMIT 1").fetchone()[0]
    import rasterio

    with rasterio.open(path) as src:
        data = src.read(1, masked=True)
    assert float(data.max() - data.min()) < legend["max"] - legend["min"]


def test_a_second_demo_run_changes_nothing(geoportal):
    """Re-running the per-epoch analyses keeps the newest epoch current (an older epoch's living-conditions
    run once re-ran, because its green-access input had been retired by the newer epoch's run)."""
    from msip.cli.commands.load_sample import run_sample_analyses

    lines = list(run_sample_analyses(geoportal.sample_dir, url=geoportal.owner_url))
    assert lines and all("unchanged" in line.splitlines()[0] for line in lines), \
        [ln for ln in lines if "unchanged" not in ln.splitlines()[0]]


@pytest.mark.parametrize(("params", "reason"), [
    ({"indicator": "nope", "cell": "x"}, "is not one of"),
    ({"indicator": "canopy_pct"}, "name the place"),
    ({"indicator": "canopy_pct", "district": "1"}, "kept per grid cell"),
    ({"indicator": "hm_mean", "district": "abc"}, "must be a zoning zone id"),
    ({"indicator": "hm_mean", "district": "1", "mode": "noon"}, "mode=day or mode=night"),
    ({"indicator": "canopy_pct", "lon": "52.2", "lat": "21.0"}, "swapped"),
])
def test_bad_requests_are_refused_with_the_reason(geoportal, params, reason):
    r = requests.get(f"{geoportal.url}/trends", params=params, timeout=30)
    assert r.status_code == 400 and reason in r.json()["description"], r.text


def test_a_cell_without_results_is_unknown_not_zero(geoportal):
    doc = get(geoportal, indicator="canopy_pct", cell="100mE600000N300000")
    assert doc["points"] == [] and "no living-conditions run" in doc["note"]
    assert requests.get(f"{geoportal.url}/trends", params={"indicator": "hm_mean", "district": "999999"},
                        timeout=30).status_code == 404
