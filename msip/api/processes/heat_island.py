"""OGC API process `heat-island`: the urban cooling model on MSIP layers (wraps processing.heat.analysis)."""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor, analysis_values
from msip.api.processes.schema import table_inputs
from processing.heat.params import DEFAULT_T_REF_C, PARAMETERS

#: Largest bbox (km²) of one request; the whole city (no bbox) is meant for async jobs.
MAX_AREA_KM2 = 25.0

_FORMULAS_EN = (
    "InVEST Urban Cooling Model (natcap.invest 3.20, urban_cooling_model.py) on a north-up EPSG:2180 grid of "
    "cell_size_m (m, default 5, 1–30). Day mode: CC = w_s·shade + w_a·albedo + w_e·ETI with the weights "
    "weight_shade, weight_albedo, weight_eti (default 0.6, 0.2, 0.2) divided by their sum; shade = share of "
    "the cell's CHM pixels with canopy ≥ canopy_min_height_m (m, default 2); albedo = mean over the orthophoto "
    "brightness B (1–255) of albedo_dark + (albedo_bright − albedo_dark)·(B − 1)/254 (default 0.05 and 0.65, "
    "a luminance proxy of broadband albedo); ETI = Kc·ET0/ET_max = Kc with one ET0 for the area, Kc = mean of "
    "kc_min + (kc_max − kc_min)·clip((NDVI − ndvi_bare)/(ndvi_full − ndvi_bare), 0, 1) (defaults 0.1, 1.0, "
    "0.1, 0.8). Night mode: CC = 1 − building intensity, intensity = min(FAR/far_max, 1) with FAR = Σ "
    "footprint share × storeys (register storeys, else height/storey_height_m, else nDSM/storey_height_m; "
    "defaults far_max 6, storey_height_m 3 m). Green areas: green spaces of at least green_area_min_m2 (m², "
    "default 20000 = 2 ha; 0 = every green space, InVEST's land-cover rule), a cell is green when its centre "
    "is inside. CC_park = Σ CC·green·exp(−d/d_cool) / Σ exp(−d/d_cool) over cells with data within 5·d_cool, "
    "d_cool = green_area_cooling_distance_m (m, default 450); HM = CC where CC ≥ CC_park or the green area "
    "within d_cool is below 2 ha, else CC_park. T_air,nomix = T_ref + (1 − HM)·UHI_max with t_ref_c (°C, "
    f"default {DEFAULT_T_REF_C['day']:g} by day, {DEFAULT_T_REF_C['night']:g} at night) and uhi_max_c (°C, "
    "default 3); T_air = its exp(−d/r_mix)-weighted mean within 5·r_mix, r_mix = t_air_average_radius_m (m, "
    "default 500). Distances are rounded to whole cells; the area beyond the bbox neither cools nor warms. "
    "Hot spots: edge-connected cells with T_air ≥ the hotspot_percentile (%, default 90) of all cells. Means of "
    "T_air and HM per building (cells whose centre is in the footprint, else the cell under it), per zoning "
    "zone and per statistics cell of stats_cell_m (m, 100/250/500/1000, EPSG:2180-aligned). Outputs: COGs "
    "heat_hm and heat_tair (raster catalogue), tables msip.heat_hotspot, heat_building_stats, heat_zone_stats, "
    "heat_cell_stats. Same inputs and parameters give the same result (rerun: 'unchanged'; force recomputes). "
    f"A bbox may cover at most {MAX_AREA_KM2:g} km²; without one the rasters' whole common extent is analysed, "
    "which for the city should be an async job (Prefer: respond-async)."
)
_FORMULAS_PL = (
    "Model chłodzenia miast InVEST (Urban Cooling) na siatce EPSG:2180 o oczku cell_size_m (domyślnie 5 m). "
    "Dzień: CC = 0,6·cień + 0,2·albedo + 0,2·ETI (wagi normalizowane do sumy 1); cień = udział pikseli CHM "
    "≥ 2 m; albedo z jasności ortofotomapy (liniowo 0,05–0,65); ETI = Kc, Kc z NDVI (liniowo 0,1–1,0 między "
    "NDVI 0,1 a 0,8). Noc: CC = 1 − intensywność zabudowy (wskaźnik powierzchni kondygnacji / 6). Tereny "
    "zieleni ≥ 2 ha chłodzą otoczenie jądrem exp(−d/450 m) (CC_park); HM = CC, gdy CC ≥ CC_park lub zieleni "
    "w promieniu d_cool < 2 ha, inaczej CC_park. T_air = T_ref + (1 − HM)·UHI_max, uśrednione jądrem "
    "exp(−d/500 m). Gorące punkty: komórki ≥ 90. percentyla T_air. Średnie T_air dla budynków, stref "
    "planistycznych i oczek siatki statystycznej. Obszar bbox do 25 km²; całe miasto jako zadanie "
    "asynchroniczne (Prefer: respond-async)."
)


PROCESS_METADATA = {
    "version": "1.0.0",
    "id": "heat-island",
    "title": {"en": "Urban heat islands (InVEST urban cooling model)",
              "pl": "Miejskie wyspy ciepła (model chłodzenia InVEST)"},
    "description": {"en": _FORMULAS_EN, "pl": _FORMULAS_PL},
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["heat island", "wyspa ciepła", "urban cooling", "InVEST", "HM", "T_air"],
    "links": [],
    "inputs": {
        **table_inputs(PARAMETERS, ["mode"]),
        "epoch": {
            "title": {"en": "Epoch", "pl": "Epoka"},
            "description": {"en": "Survey date YYYY-MM-DD of the rasters; default: the latest with every raster "
                                  "the mode needs",
                            "pl": "Data nalotu RRRR-MM-DD; domyślnie najnowsza z kompletem rastrów"},
            "schema": {"type": "string", "format": "date"},
            "minOccurs": 0, "maxOccurs": 1,
        },
        "bbox": {
            "title": {"en": "Area", "pl": "Obszar"},
            "description": {"en": f"[minx, miny, maxx, maxy] in EPSG:2180 metres, at most {MAX_AREA_KM2:g} km²; "
                                  "default: the rasters' common extent",
                            "pl": "[minx, miny, maxx, maxy] w EPSG:2180 (m); domyślnie cały zasięg rastrów"},
            "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                       "x-msip-max-area-km2": MAX_AREA_KM2},
            "minOccurs": 0, "maxOccurs": 1,
        },
        **table_inputs(PARAMETERS, [p.name for p in PARAMETERS if p.name != "mode"]),
        "force": {
            "title": {"en": "Recompute", "pl": "Przelicz ponownie"},
            "description": {"en": "Recompute even if a run with the same inputs and parameters exists",
                            "pl": "Przelicz, nawet gdy istnieje wynik dla tych samych danych"},
            "schema": {"type": "boolean", "default": False},
            "minOccurs": 0, "maxOccurs": 1,
        },
    },
    "outputs": {
        "result": {
            "title": {"en": "Heat-island run", "pl": "Wynik analizy"},
            "description": {"en": "Run id and status, raster asset ids and checksums, hot spots, mean T_air of "
                                  "buildings, T_air per zoning zone",
                            "pl": "Identyfikator przebiegu, rastry, gorące punkty, średnie T_air"},
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {"inputs": {"mode": "day", "bbox": [614000, 334600, 614400, 335000], "cell_size_m": 5}},
}


class HeatIslandProcessor(MsipProcessor):
    """Urban heat islands: HM and T_air rasters, hot spots, T_air per building, zone and grid cell."""

    METADATA = PROCESS_METADATA

    def run(self, inputs: dict) -> dict:
        from msip.core.db import connect
        from processing.heat.analysis import ANALYSIS
        from processing.heat.store import run_outputs

        values = analysis_values(PARAMETERS, inputs)
        report = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        assert report.run_id is not None  # a run that returns is recorded
        with connect() as conn:
            outputs = run_outputs(conn, report.run_id)
        return {"id": "heat-island", "status": report.status, "summary": report.summary(), **outputs}
