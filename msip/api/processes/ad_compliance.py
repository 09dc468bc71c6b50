"""OGC API process `ad-compliance`: advertising carriers against the landscape resolution, with fees (thin wrapper)."""

from __future__ import annotations

from typing import Any, ClassVar

from msip.api.processes.base import MsipProcessor, input_date

_DATE = {"type": "string", "format": "date"}
_FORMULAS_EN = (
    "Checks every advertising carrier standing on the assessment date (default: the latest inventory epoch) "
    "against the advertising rule set loaded with `msip load ad-rules` (default: the last one loaded). "
    "Zone rules use the landscape zone A–D containing the carrier: TYPE_NOT_ALLOWED (type banned in the zone), "
    "FACE_AREA_EXCEEDED (area of one face, m², above max_face_area_m2), HEIGHT_EXCEEDED (height, m, above "
    "max_height_m). Global rules: MIN_SPACING_FREESTANDING (horizontal distance, m, to the nearest other "
    "free-standing carrier below min_distance_m; both carriers violate), MIN_DISTANCE_INTERSECTION (to the "
    "nearest street-graph vertex where ≥ min_legs (3) edges of the rule's road classes meet), MIN_DISTANCE_TREE "
    "(to the nearest inventory tree trunk valid on the date), MIN_DISTANCE_ROAD_EDGE (centreline distance − "
    "width/2, per road class), MIN_DISTANCE_PARK / MIN_DISTANCE_MONUMENT (to the outline), LED_IN_ZONE_A / "
    "ILLUMINATION_FORBIDDEN (LED or lit carriers in banned zones). Each violation is stored with the measured "
    "value and the limit. Verdict: non_compliant if any rule is violated, not_assessed if a rule could not be "
    "checked (missing value, type or zone), else compliant. "
    "Fee (opłata reklamowa) for the period (default: the calendar year of the date), per day from the later of "
    "the period start and the installation date: fixed rate + variable rate × area, area = faces × face area "
    "(or one face, per the rule set), with each year's rates, capped by the statutory maxima; rounded to "
    "grosze. Penalty estimate for non-compliant carriers: multiple (default 40, art. 37d ust. 9 u.p.z.p.) × "
    "(statutory maximum fixed part + statutory maximum variable part × area) per day. Results replace the "
    "earlier assessment of the same date in the collection ad_compliance."
)
_FORMULAS_PL = (
    "Sprawdza każdy nośnik reklamowy stojący w dniu oceny (domyślnie: ostatnia inwentaryzacja) względem "
    "wczytanych zasad uchwały krajobrazowej: dopuszczalność typu, powierzchnię jednej strony (m²) i wysokość (m) "
    "w strefie A–D, odległości (m) od innych nośników wolnostojących, skrzyżowań, drzew, krawędzi jezdni, "
    "parków i zabytków oraz zakazy LED / podświetlenia. Każde naruszenie z wartością zmierzoną i dopuszczalną. "
    "Opłata reklamowa za okres (domyślnie rok kalendarzowy): dziennie część stała + część zmienna × powierzchnia "
    "(liczba stron × powierzchnia strony), stawki roczne nie wyższe od górnych granic ustawowych. Szacunek kary "
    "dla nośników niezgodnych: 40 × (górna stawka części stałej + górna stawka części zmiennej × powierzchnia) "
    "za każdy dzień."
)


class AdComplianceProcessor(MsipProcessor):
    """Advertising compliance and fees (calls `processing.advertising.analysis.run_ad_compliance`)."""

    METADATA: ClassVar[dict] = {
        "version": "1.0.0",
        "id": "ad-compliance",
        "title": {"pl": "Zgodność reklam z uchwałą krajobrazową i opłata reklamowa",
                  "en": "Advertising compliance with the landscape resolution, and fees"},
        "description": {"pl": _FORMULAS_PL, "en": _FORMULAS_EN},
        "jobControlOptions": ["sync-execute", "async-execute"],
        "keywords": ["reklama", "uchwała krajobrazowa", "opłata reklamowa", "advertising", "compliance", "fees"],
        "links": [{"type": "application/json", "rel": "related", "title": "Results: collection ad_compliance",
                   "href": "../collections/ad_compliance", "hreflang": "en-US"}],
        "inputs": {
            "epoch": {"title": "Assessment date", "description": {
                "en": "Carriers, trees and network as on this date, YYYY-MM-DD; default: the latest inventory epoch",
                "pl": "Stan na dzień (RRRR-MM-DD); domyślnie ostatnia inwentaryzacja"},
                "schema": _DATE, "minOccurs": 0, "maxOccurs": 1},
            "period_start": {"title": "Fee period start", "description": {
                "en": "First day of the fee period; default: 1 January of the assessment year",
                "pl": "Pierwszy dzień okresu opłaty"}, "schema": _DATE, "minOccurs": 0, "maxOccurs": 1},
            "period_end": {"title": "Fee period end", "description": {
                "en": "Last day of the fee period, inclusive; default: 31 December of the assessment year",
                "pl": "Ostatni dzień okresu opłaty (włącznie)"}, "schema": _DATE, "minOccurs": 0, "maxOccurs": 1},
            "rule_set": {"title": "Rule set", "description": {
                "en": "Name of the loaded rule set; default: the one loaded last", "pl": "Nazwa zestawu zasad"},
                "schema": {"type": "string"}, "minOccurs": 0, "maxOccurs": 1},
            "dataset": {"title": "Inventory dataset", "description": {
                "en": "Only carriers of this dataset; default: all", "pl": "Tylko nośniki z tego zbioru"},
                "schema": {"type": "string"}, "minOccurs": 0, "maxOccurs": 1},
            "bbox": {"title": "Area", "description": {
                "en": "Store results only for carriers inside [minx, miny, maxx, maxy], EPSG:2180 metres (spacing "
                      "still counts carriers outside); default: the whole city",
                "pl": "Tylko nośniki w prostokącie [minx, miny, maxx, maxy] w EPSG:2180"},
                "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                           "x-msip-max-area-km2": 600},
                "minOccurs": 0, "maxOccurs": 1},
        },
        "outputs": {
            "summary": {"title": "Summary", "description": {
                "en": "run_id, status, assessed_epoch, period, rule_set_id, carriers, verdicts, violations_by_rule, "
                      "fee_total_pln, penalty_estimate_total_pln; per-carrier rows are in the collection ad_compliance",
                "pl": "Podsumowanie; wyniki dla nośników w kolekcji ad_compliance"},
                "schema": {"type": "object", "contentMediaType": "application/json"}},
        },
        "example": {"inputs": {"epoch": "2025-06-15", "period_start": "2025-01-01", "period_end": "2025-12-31"}},
    }

    def run(self, inputs: dict) -> dict:
        from processing.advertising.analysis import ANALYSIS, compliance_summary

        values: dict[str, Any] = {
            name: input_date(name, inputs.get(name)) for name in ("epoch", "period_start", "period_end")
        }
        values |= {"rule_set": inputs.get("rule_set"), "dataset": inputs.get("dataset"),
                   "bbox": tuple(float(v) for v in inputs["bbox"]) if inputs.get("bbox") else None}
        report = ANALYSIS.run_values(values, force=bool(inputs.get("force")))
        assert report.run_id is not None  # a run that returns is recorded
        return {"status": report.status, **compliance_summary(report.run_id)}
