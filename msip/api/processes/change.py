"""OGC API process `change`: what changed between two survey epochs (wraps processing.change.analysis.run_change)."""

from __future__ import annotations

from msip.api.processes.base import MsipProcessor, input_date
from msip.api.processes.schema import table_inputs, table_values
from processing.change.params import PARAMETERS

#: Largest bbox (km²) a request may name; the whole city (no bbox) is meant for async jobs.
MAX_AREA_KM2 = 25.0


def _epoch(which_en: str, which_pl: str, default_en: str, default_pl: str) -> dict:
    return {
        "title": {"en": f"{which_en} epoch", "pl": f"Epoka {which_pl}"},
        "description": {
            "en": f"Survey date YYYY-MM-DD of the {which_en.lower()} epoch (LiDAR / orthophoto "
            f"mosaics in the raster store). Default: {default_en}.",
            "pl": f"Data nalotu (RRRR-MM-DD) epoki {which_pl}. Domyślnie: {default_pl}.",
        },
        "schema": {"type": "string", "format": "date"},
        "minOccurs": 0,
        "maxOccurs": 1,
    }


PROCESS_METADATA = {
    "version": "1.0.0",
    "id": "change",
    "title": {"en": "Change between epochs", "pl": "Zmiany między epokami"},
    "description": {
        "en": (
            "Compares two survey epochs and stores every change in msip.change_event "
            "(collections change_events_points and change_events_areas). "
            "Buildings: built surface = nDSM where the CHM is below the canopy height (trees never count as "
            "buildings); pixels whose built surface rose or fell by ≥ building_min_height_change_m (m, default "
            "2.5), opened with a 3×3 square, form regions of ≥ building_min_area_m2 (m², default 20). A rise over "
            "ground lower than that threshold is new_building, otherwise raised_building; a fall to below it is "
            "demolished_building, otherwise lowered_building; register footprints of both epochs are matched as "
            "evidence. Canopy: CHM ≥ canopy_min_height_m (m, default 2) is canopy; canopy_lost / canopy_gained "
            "regions of ≥ canopy_min_area_m2 (m², default 10). felled_tree: an inventory tree valid on epoch_from "
            "whose probe disk (radius max(1 m, 0.5 × crown radius)) was ≥ 50 % canopy then and ≤ 20 % at epoch_to. "
            "health_decline: the mean NDVI ((NIR − red)/(NIR + red)) of the inner crown (radius max(0.75 m, 0.6 × "
            "crown radius)) fell by ≥ ndvi_decline_min (default 0.10) from ≥ 0.3, over ≥ 8 pixels. terrain_change: "
            "DTM difference (3×3 median) of at least terrain_min_change_m (m, default 0.5) over ≥ "
            "terrain_min_area_m2 (m², default 25), only where no structure stands in either epoch. new_ad / "
            "removed_ad: carriers listed only in the later / earlier inventory. Rasters are processed in 500 m "
            "tiles with 20 m overlap; regions cut by tile edges are merged. Heights in metres, areas in m², "
            "EPSG:2180. The same inputs and parameters give the same events (a rerun answers 'unchanged'; "
            "force recomputes). A bbox may cover at most 25 km²; without a bbox the whole common extent of both "
            "epochs is analysed, which for the city should run as an async job (Prefer: respond-async)."
        ),
        "pl": (
            "Porównuje dwie epoki nalotu i zapisuje zmiany w msip.change_event "
            "(kolekcje change_events_points i change_events_areas). Budynki: "
            "powierzchnia zabudowy = nDSM poza koronami drzew (CHM poniżej progu koron); piksele, których wysokość "
            "wzrosła lub spadła o ≥ building_min_height_change_m (m, domyślnie 2,5), po otwarciu morfologicznym "
            "3×3, tworzą obszary ≥ building_min_area_m2 (m², domyślnie 20): nowy, nadbudowany, rozebrany lub "
            "obniżony budynek; dowodem są budynki z rejestru obu epok. Korony: CHM ≥ canopy_min_height_m (m, "
            "domyślnie 2); ubytek / przyrost koron ≥ canopy_min_area_m2 (m², domyślnie 10). Drzewo wycięte: "
            "drzewo z inwentaryzacji ważne w epoce wcześniejszej, którego krąg próbny (promień max(1 m, 0,5 × "
            "promień korony)) był pokryty koroną w ≥ 50 %, a w epoce późniejszej w ≤ 20 %. Pogorszenie zdrowotności: "
            "średnie NDVI wnętrza korony (promień max(0,75 m, 0,6 × promień korony)) spadło o ≥ ndvi_decline_min "
            "(domyślnie 0,10) z wartości ≥ 0,3. Zmiana terenu: różnica NMT (mediana 3×3) ≥ terrain_min_change_m "
            "(m, domyślnie 0,5) na ≥ terrain_min_area_m2 (m², domyślnie 25), tylko poza zabudową. Nośniki: nowe "
            "i usunięte w inwentaryzacji. Kafle 500 m z zakładką 20 m. Jednostki: m, m², EPSG:2180. Obszar bbox do "
            "25 km²; całe miasto (bez bbox) jako zadanie asynchroniczne (Prefer: respond-async)."
        ),
    },
    "jobControlOptions": ["sync-execute", "async-execute"],
    "keywords": ["change detection", "wykrywanie zmian", "LiDAR", "NDVI", "buildings", "trees"],
    "links": [],
    "inputs": {
        "epoch_from": _epoch(
            "Earlier", "wcześniejsza", "the epoch before epoch_to", "epoka przed epoch_to"
        ),
        "epoch_to": _epoch(
            "Later", "późniejsza", "the latest epoch with rasters", "najnowsza epoka z rastrami"
        ),
        "bbox": {
            "title": {"en": "Area", "pl": "Obszar"},
            "description": {
                "en": "[minx, miny, maxx, maxy] in EPSG:2180 metres; default: the whole common extent "
                f"of both epochs. At most {MAX_AREA_KM2:g} km².",
                "pl": "[minx, miny, maxx, maxy] w EPSG:2180 (m); domyślnie cały wspólny zasięg epok.",
            },
            "schema": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 4,
                "maxItems": 4,
                "x-msip-max-area-km2": MAX_AREA_KM2,
            },
            "minOccurs": 0,
            "maxOccurs": 1,
        },
        **table_inputs(PARAMETERS),
        "force": {
            "title": {"en": "Recompute", "pl": "Przelicz ponownie"},
            "description": {
                "en": "Recompute even when the same inputs and parameters were analysed before",
                "pl": "Przelicz, nawet jeśli te same dane i parametry były już analizowane",
            },
            "schema": {"type": "boolean", "default": False},
            "minOccurs": 0,
            "maxOccurs": 1,
        },
    },
    "outputs": {
        "result": {
            "title": {"en": "Change events", "pl": "Wykryte zmiany"},
            "description": {
                "en": "Run id and status, the epochs compared, events per type and the events as a "
                "GeoJSON FeatureCollection (EPSG:2180)",
                "pl": "Identyfikator i stan przebiegu, porównane epoki, liczba zmian według rodzaju "
                "i zmiany jako GeoJSON (EPSG:2180)",
            },
            "schema": {"type": "object", "contentMediaType": "application/json"},
        }
    },
    "example": {
        "inputs": {
            "epoch_from": "2024-06-15",
            "epoch_to": "2025-06-15",
            "bbox": [614000, 334600, 614400, 335000],
        }
    },
}

class ChangeProcessor(MsipProcessor):
    """Change between epochs: buildings, canopy, felled trees, crown NDVI, terrain, carriers."""

    METADATA = PROCESS_METADATA

    def run(self, inputs: dict) -> dict:
        from processing.change.analysis import ANALYSIS
        from processing.change.store import run_outputs

        values = {
            **table_values(PARAMETERS, inputs),
            "epoch_from": input_date("epoch_from", inputs.get("epoch_from")),
            "epoch_to": input_date("epoch_to", inputs.get("epoch_to")),
            "bbox": tuple(inputs["bbox"]) if inputs.get("bbox") else None,
        }
        report = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        assert report.run_id is not None  # a run that returns is recorded
        return {"id": "change", "summary": report.summary(), **run_outputs(report.run_id)}
