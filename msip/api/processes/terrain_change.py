"""OGC API process `terrain-change`: DEM of difference with a level of detection and volumes (processing.terrain)."""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor, input_date
from msip.api.processes.schema import table_inputs, table_values
from processing.terrain.params import PARAMETERS

#: Largest bbox (km²) a request may name.
MAX_AREA_KM2 = 25.0

PROCESS_METADATA = {
    "version": "1.0.0",
    "id": "terrain-change",
    "title": {"en": "Terrain change with uncertainty", "pl": "Zmiany terenu z niepewnością"},
    "description": {
        "en": (
            "DEM of difference between consecutive LiDAR epochs (DTM after − before on a cell_m grid), with a "
            "level of detection per cell LoD = lod_z·√(σ₁² + σ₂²) (lod_z 1.96: 95 %), where each survey's σ "
            "comes from its own ground points: σ² = σ_floor² + r²/n (n points in the cell, r their scatter about "
            "a local plane; interpolated cells grow with the distance to data). Only changes above the LoD in "
            "connected areas of ≥ min_region_m2 count. Stores the DoD as the coverage terrain_dod (bands dz, "
            "LoD, significant dz, display), the change regions with volumes, and cut/fill volumes with their "
            "standard uncertainty per watched area (a time series over ≥ 3 epochs). Cells without a DTM in "
            "either epoch are unknown (nodata), never 0 change. Heights m, volumes m³, EPSG:2180."
        ),
        "pl": (
            "Różnicowy model terenu między kolejnymi nalotami LiDAR (NMT po − przed, oczko cell_m) z progiem "
            "wykrywalności w każdym oczku LoD = lod_z·√(σ₁² + σ₂²), σ każdego nalotu z jego punktów gruntu "
            "(gęstość i szorstkość). Zapisuje pokrycie terrain_dod, obszary zmian z objętościami oraz objętości "
            "nasypów i ubytków z niepewnością dla obszarów monitorowanych (szereg czasowy). Oczka bez NMT w "
            "którejś epoce są nieznane (brak danych), nigdy zmiana 0. Jednostki: m, m³, EPSG:2180."
        ),
    },
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["terrain change", "zmiany terenu", "DEM of difference", "LiDAR", "volumes"],
    "links": [],
    "inputs": {
        "epochs": {
            "title": {"en": "Epochs", "pl": "Epoki"},
            "description": {"en": "Survey dates YYYY-MM-DD to compare (consecutive ones are paired); default: "
                                  "every epoch with a DTM",
                            "pl": "Daty nalotów (RRRR-MM-DD); domyślnie wszystkie epoki z NMT"},
            "schema": {"type": "array", "items": {"type": "string", "format": "date"}, "minItems": 2,
                       "maxItems": 20},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        "bbox": {
            "title": {"en": "Area", "pl": "Obszar"},
            "description": {"en": f"[minx, miny, maxx, maxy] in EPSG:2180 metres; at most {MAX_AREA_KM2:g} km²",
                            "pl": "[minx, miny, maxx, maxy] w EPSG:2180 (m)"},
            "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                       "x-msip-max-area-km2": MAX_AREA_KM2},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        **table_inputs(PARAMETERS),
        "force": {
            "title": {"en": "Recompute", "pl": "Przelicz ponownie"},
            "description": {"en": "Recompute even when the same inputs and parameters were analysed before",
                            "pl": "Przelicz, nawet jeśli te same dane i parametry były już analizowane"},
            "schema": {"type": "boolean", "default": False},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "result": {
            "title": {"en": "Terrain change", "pl": "Zmiany terenu"},
            "description": {"en": "Run id and status, the epochs, change regions (GeoJSON, EPSG:2180) and volumes "
                                  "per watched area and epoch pair",
                            "pl": "Przebieg, epoki, obszary zmian (GeoJSON) i objętości dla obszarów monitorowanych"},
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {"inputs": {"epochs": ["2024-06-15", "2025-06-15"], "bbox": [614000, 334600, 614400, 335000]}},
}


class TerrainChangeProcessor(MsipProcessor):
    """Terrain change with uncertainty between LiDAR epochs."""

    METADATA = PROCESS_METADATA

    def run(self, inputs: dict) -> dict:
        from processing.terrain.analysis import ANALYSIS
        from processing.terrain.results import run_outputs

        epochs = [input_date("epochs", e) for e in inputs.get("epochs") or []]
        values = {**table_values(PARAMETERS, inputs), "epochs": epochs or None,
                  "bbox": tuple(inputs["bbox"]) if inputs.get("bbox") else None}
        report = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        assert report.run_id is not None  # a run that returns is recorded
        return {"id": "terrain-change", "status": report.status, "summary": report.summary(),
                **run_outputs(report.run_id)}
