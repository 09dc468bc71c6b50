"""OGC API process `green-access`: 3-30-300 and art. 13f access per building
(wraps processing.green_access.analysis)."""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor, analysis_values
from msip.api.processes.schema import table_inputs
from processing.green_access.params import PARAMETERS

#: Largest bbox (km²) a request may name; the whole city (no bbox) is meant for async jobs.
MAX_AREA_KM2 = 25.0

_DESCRIPTION_EN = (
    "For every residential building of a snapshot (msip.building, default the latest epoch) computes the 3-30-300 "
    "rule and the art. 13f u.p.z.p. access standard and stores them in msip.greenspace_access_result (collection "
    "greenspace_access: each building's latest result) with population-weighted shares per district in "
    "msip.greenspace_access_district. "
    "3: trees_15m = inventory trees valid on the analysis date (msip.tree) + LiDAR-detected trees (msip.tree_detected, "
    "latest survey on or before it) with no inventory trunk within dedup_distance_m (m, default 3), whose position "
    "lies within tree_radius_m (m, default 15) of the building outline (proxy for 'visible from home'); met when "
    "≥ min_trees (default 3); unknown (null) below that where no tree data covers the building (its centroid "
    "outside the convex hull of the inventory trees, and CHM data in under half of the tree_radius_m circle). "
    "30: canopy_pct = 100 × (CHM cells ≥ canopy_min_height_m (m, default 2)) / (CHM cells with data) over the cells "
    "whose centres lie within canopy_radius_m (m, default 250) of the building centroid; met when ≥ min_canopy_pct "
    "(%, default 30); unknown (null) without CHM data in the circle. canopy_data_pct says how much of the "
    "circle the CHM covers. "
    "300: park_distance_m = straight leg from the centroid to the nearest walk edge (msip.walk_edge; none beyond "
    "max_snap_m, m, default 250) + shortest path on the pgRouting network (pgr_drivingDistance, cost = length, m) to "
    "the nearest publicly accessible green space (public_access true or unknown) of at least park_min_area_ha (ha, "
    "default 0.5), which is reached at any network point within entrance_tolerance_m (m, default 20) of its "
    "outline (a space with no edge that close: within its nearest edge's distance + the tolerance); met when ≤ "
    "park_max_distance_m (m, default 300). park_walk_min = park_distance_m / (walk_speed_kmh (default 4.8) × "
    "1000 / 60). Distances are searched up to 3000 m (or the largest distance threshold); farther = null. 300 and "
    "art. 13f are unknown (null) for a building beyond max_snap_m of the network, or when no green spaces are "
    "loaded. meets_3_30_300 and meets_13f are false when a part is false, else null when a part is unknown. "
    "Art. 13f green: the areas of all public green spaces reached (same walk) within green_total_distance_m (m, "
    "default 1500) sum to ≥ green_total_ha (ha, default 3), and one public green space ≥ large_park_ha (ha, default "
    "20) is reached within large_park_distance_m (m, default 3000). Art. 13f school: a building of kind 'school' "
    "reached (same rule as green spaces) within school_distance_m (m, default 1500); left out when no schools are "
    "loaded. meets_13f = green and (where schools exist) school. "
    "Districts: district = 'grid' (default; squares of district_cell_m m, default 500, aligned to multiples of the "
    "size in EPSG:2180, id = lower-left E_N) or 'zone' (current zoning zone holding the centroid); shares are "
    "% of the residents whose flag is known (null when it is known for nobody: unknown, not 0 %); "
    "totals.population_known gives those residents per share. Other layers are read at their latest epoch on or "
    "before the building epoch. The same inputs "
    "and parameters give the same results (checksum); a rerun answers 'unchanged' unless force. A bbox (buildings "
    f"whose centroid is inside) may cover at most {MAX_AREA_KM2:g} km²; the whole city (no bbox) should run as an "
    "async job (Prefer: respond-async)."
)
_DESCRIPTION_PL = (
    "Dla każdego budynku mieszkalnego oblicza regułę 3-30-300 i standard dostępności z art. 13f u.p.z.p.; wyniki "
    "w msip.greenspace_access_result (kolekcja greenspace_access), udziały mieszkańców w rejonach w "
    "msip.greenspace_access_district. 3: drzewa z inwentaryzacji ważne w dniu analizy + drzewa wykryte w LiDAR bez "
    "drzewa z inwentaryzacji w promieniu dedup_distance_m (3 m), położone do tree_radius_m (15 m) od obrysu budynku; "
    "spełnione przy ≥ min_trees (3). 30: udział komórek CHM ≥ canopy_min_height_m (2 m) wśród komórek z danymi w "
    "kole o promieniu canopy_radius_m (250 m) wokół centroidu; spełnione przy ≥ min_canopy_pct (30 %). 300: dojście "
    "od centroidu do najbliższego odcinka sieci pieszej (do max_snap_m, 250 m) + najkrótsza droga w sieci pgRouting "
    "do publicznego terenu zieleni ≥ park_min_area_ha (0,5 ha), osiąganego w punktach sieci do entrance_tolerance_m "
    "(20 m) od jego granicy; spełnione przy ≤ park_max_distance_m (300 m); minuty przy walk_speed_kmh (4,8 km/h). "
    "Art. 13f: łączna powierzchnia publicznej zieleni osiąganej do green_total_distance_m (1500 m) ≥ green_total_ha "
    "(3 ha) oraz teren ≥ large_park_ha (20 ha) do large_park_distance_m (3000 m); szkoła (budynek rodzaju 'school') "
    "do school_distance_m (1500 m), jeśli szkoły są wczytane. Bez danych (drzew, CHM, dojścia do sieci, terenów "
    "zieleni) wynik jest nieznany (null), nie „niespełniony”; udziały liczone są wśród mieszkańców ze znanym "
    "wynikiem. Rejony: siatka district_cell_m (500 m) lub strefy "
    f"planistyczne. Obszar bbox do {MAX_AREA_KM2:g} km²; całe miasto jako zadanie asynchroniczne."
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
    "id": "green-access",
    "title": {
        "en": "Green-space access (3-30-300, art. 13f)",
        "pl": "Dostęp do zieleni (3-30-300, art. 13f)",
    },
    "description": {"en": _DESCRIPTION_EN, "pl": _DESCRIPTION_PL},
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": [
        "3-30-300",
        "green space",
        "dostępność zieleni",
        "art. 13f",
        "pgRouting",
        "canopy",
    ],
    "links": [],
    "inputs": {
        "epoch": _input(
            "Building epoch",
            "Epoka budynków",
            "Building snapshot YYYY-MM-DD; default the latest",
            "Stan budynków RRRR-MM-DD; domyślnie najnowszy",
            {"type": "string", "format": "date"},
        ),
        "bbox": _input(
            "Area",
            "Obszar",
            f"[minx, miny, maxx, maxy] in EPSG:2180 metres: buildings whose centroid is inside; default all. "
            f"At most {MAX_AREA_KM2:g} km².",
            "[minx, miny, maxx, maxy] w EPSG:2180 (m): budynki z centroidem w środku; domyślnie wszystkie",
            {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 4,
                "maxItems": 4,
                "x-msip-max-area-km2": MAX_AREA_KM2,
            },
        ),
        **table_inputs(PARAMETERS),
        "return_buildings": _input(
            "Return buildings",
            "Zwróć budynki",
            "Also return the per-building results as GeoJSON (EPSG:2180)",
            "Zwróć też wyniki dla budynków jako GeoJSON (EPSG:2180)",
            {"type": "boolean", "default": False},
        ),
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
            "title": {"en": "Green access summary", "pl": "Podsumowanie dostępu do zieleni"},
            "description": {
                "en": "Run id and status, epochs read, whole-area shares (% of the residents whose flag is known; "
                "null = unknown) with population_known, shares per district, a checksum of the results and, on "
                "request, the buildings as GeoJSON",
                "pl": "Identyfikator i stan przebiegu, użyte epoki, udziały mieszkańców (%), udziały w "
                "rejonach, suma kontrolna i na życzenie budynki jako GeoJSON",
            },
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {
        "inputs": {
            "bbox": [614000, 334600, 614400, 335000],
            "park_max_distance_m": 300,
            "return_buildings": True,
        }
    },
}


class GreenAccessProcessor(MsipProcessor):
    """Green-space access per residential building: 3-30-300 and art. 13f."""

    METADATA = PROCESS_METADATA

    def run(self, inputs: dict) -> dict:
        from processing.green_access.analysis import ANALYSIS
        from processing.green_access.output import buildings_geojson, district_rows

        values = analysis_values(PARAMETERS, inputs)
        result = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        out = {
            "id": "green-access",
            **result.as_dict(),
            "districts": district_rows(result.report.run_id),
        }
        if inputs.get("return_buildings"):
            out["buildings"] = buildings_geojson(result.report.run_id)
        return out
