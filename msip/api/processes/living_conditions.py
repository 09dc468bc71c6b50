"""OGC API process `living-conditions`: the indicator grid (wraps processing.living.analysis)."""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor, analysis_values
from msip.api.processes.schema import table_inputs
from processing.living.params import PARAMETERS

#: Largest bbox (km²) a synchronous request may name; the whole city (no bbox) is meant for async jobs.
MAX_AREA_KM2 = 25.0

_DESCRIPTION_EN = (
    "Computes living-condition indicators per grid cell and stores them in msip.living_conditions_result "
    "(collection living_conditions: each cell's latest result) and the zoning check per zone in "
    "msip.living_conditions_zone. Grid: cell_m (m: 100 default, 250, 1000); grid_epsg 2180 (default: cells aligned to "
    "PUWG-1992 multiples of the size, code 100mE<minx>N<miny>) or 3035 (EU statistical grid ETRS89-LAEA, code "
    "CRS3035RES100mN<y>E<x>), over the bbox (EPSG:2180 m, default: the extent of the building snapshot). Rasters "
    "are read onto an EPSG:2180 analysis grid of pixel_m (m, default 0.5; CHM and T_air nearest neighbour, NDVI "
    "average) in tiles of tile_m (m, default 1000); a pixel counts for the cell its centre falls in. "
    "population / buildings: residential buildings (latest snapshot or epoch) by centroid. canopy_pct = 100 × "
    "pixels with CHM ≥ canopy_min_height_m (m, default 2) / pixels with CHM data. bio_active_pct (biologically "
    "active surface) = 100 × pixels not under a building footprint with NDVI ≥ ndvi_min (default 0.3; where the "
    "orthophoto has no data: CHM canopy) / pixels with NDVI or CHM data — vegetation seen from above, so crowns over "
    "paving count. built_pct = 100 × pixels whose centre is in a footprint / pixels. t_air_mean_c = mean T_air (°C) "
    "of the latest heat-island raster of heat_mode (day default, or night) over the cell's pixels with data; null "
    "with a note when the heat island was not run. pct_3, pct_30, pct_300, pct_3_30_300 = % of residents (of "
    "buildings with a current green-access result) meeting each rule; null when green access was not run. trees = "
    "inventory trees valid on the date + LiDAR-detected trees with no inventory tree within dedup_distance_m (m, "
    "default 3); trees_per_100_residents = 100 × trees / population. ads, ads_per_km2 = advertising carriers valid "
    "on the date, per km² of the cell. Zoning: every current zone setting min_biologically_active_pct or "
    "max_building_coverage_pct is checked as a whole (biologically active share as above; coverage = footprint "
    "area in the zone / zone area); zoned_pct = % of the cell in such zones, zoning_compliant_pct = % of that part "
    "in zones meeting every indicator they set. Other layers are read at their latest epoch on or before the "
    "building epoch. The same inputs and parameters give the same results (checksum); a rerun answers "
    f"'unchanged' unless force. A bbox may cover at most {MAX_AREA_KM2:g} km²; the whole city (no bbox) should run "
    "as an async job (Prefer: respond-async)."
)
_DESCRIPTION_PL = (
    "Wskaźniki warunków życia w oczkach siatki (100 m domyślnie, 250 m, 1 km; siatka EPSG:2180 lub europejska "
    "EPSG:3035): liczba mieszkańców, pokrycie koronami drzew (CHM ≥ 2 m), powierzchnia biologicznie czynna (NDVI ≥ "
    "0,3 poza budynkami), powierzchnia zabudowy, średnia temperatura powietrza z modelu wysp ciepła, udział "
    "mieszkańców spełniających 3-30-300, drzewa na 100 mieszkańców, gęstość nośników reklamowych i zgodność ze "
    "wskaźnikami planu (minimalny udział powierzchni biologicznie czynnej, maksymalna powierzchnia zabudowy). "
    f"Wyniki w msip.living_conditions_result i msip.living_conditions_zone. Obszar bbox do {MAX_AREA_KM2:g} km²; "
    "całe miasto jako zadanie asynchroniczne."
)


def _input(en: str, pl: str, desc_en: str, desc_pl: str, schema: dict) -> dict:
    return {
        "title": {"en": en, "pl": pl},
        "description": {"en": desc_en, "pl": desc_pl},
        "schema": schema,
        "minOccurs": 0,
        "maxOccurs": 1,
    }


PROCESS_METADATA = {
    "version": "1.0.0",
    "id": "living-conditions",
    "title": {"en": "Living-conditions indicator grid", "pl": "Siatka wskaźników warunków życia"},
    "description": {"en": _DESCRIPTION_EN, "pl": _DESCRIPTION_PL},
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": [
        "living conditions",
        "warunki życia",
        "grid",
        "EU grid",
        "3-30-300",
        "zoning indicators",
    ],
    "links": [],
    "inputs": {
        "epoch": _input(
            "Building epoch",
            "Epoka budynków",
            "Building snapshot (analysis date) YYYY-MM-DD; default the latest",
            "Stan budynków RRRR-MM-DD; domyślnie najnowszy",
            {"type": "string", "format": "date"},
        ),
        "bbox": _input(
            "Area",
            "Obszar",
            f"[minx, miny, maxx, maxy] in EPSG:2180 metres; default the extent of the "
            f"buildings. At most {MAX_AREA_KM2:g} km².",
            "[minx, miny, maxx, maxy] w EPSG:2180 (m)",
            {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 4,
                "maxItems": 4,
                "x-msip-max-area-km2": MAX_AREA_KM2,
            },
        ),
        **table_inputs(PARAMETERS),
        "force": _input(
            "Recompute",
            "Przelicz ponownie",
            "Recompute even when the same inputs and parameters were analysed before",
            "Przelicz, nawet jeśli te same dane i parametry były już analizowane",
            {"type": "boolean", "default": False},
        ),
    },
    "outputs": {
        "result": {
            "title": {"en": "Indicator grid", "pl": "Siatka wskaźników"},
            "description": {
                "en": "Run id and status, number of cells, checksum, notes and the cells as GeoJSON "
                "(EPSG:2180)",
                "pl": "Identyfikator i stan przebiegu, liczba oczek, suma kontrolna, "
                "uwagi i oczka jako GeoJSON (EPSG:2180)",
            },
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {
        "inputs": {"bbox": [614000, 334600, 614400, 335000], "cell_m": 100, "grid_epsg": 2180}
    },
}


class LivingConditionsProcessor(MsipProcessor):
    """Living-conditions indicators per grid cell."""

    METADATA = PROCESS_METADATA

    def run(self, inputs: dict) -> dict:
        from processing.living.analysis import ANALYSIS
        from processing.living.output import cells_geojson

        values = analysis_values(PARAMETERS, inputs)
        result = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        return {
            "id": "living-conditions",
            **result.as_dict(),
            "cells_geojson": cells_geojson(result.report.run_id),
        }
