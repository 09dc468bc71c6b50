"""The printable "what is here" page, rendered from the report dictionary itself.

Every value cell carries `data-key` (its path in the JSON, e.g. `heights.dtm_m`) and `data-value`
(the JSON value), so a test — or anyone — can check that the page shows exactly what the API says.
A null is written "nieznane / unknown", never 0 or an empty cell.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

T: dict[str, dict[str, Any]] = {
    "pl": {
        "title": "Co tu jest?", "place": "Miejsce", "address": "Najbliższy adres", "coords": "Współrzędne",
        "zoning": "Plan miejscowy", "zone": "Strefa", "use": "Przeznaczenie", "plan": "Plan",
        "max_height_m": "Maks. wysokość zabudowy", "max_building_coverage_pct": "Maks. powierzchnia zabudowy",
        "min_biologically_active_pct": "Min. powierzchnia biologicznie czynna",
        "max_above_ground_intensity": "Maks. intensywność zabudowy",
        "heights": "Wysokości (LiDAR)", "dtm_m": "Teren (NMT)", "dsm_m": "Pokrycie terenu (NMPT)",
        "epoch": "Stan na", "trees": "Drzewa w promieniu {r} m", "count": "Liczba",
        "species": "Gatunki", "health": "Stan zdrowotny",
        "green_rule": "Zasada 3-30-300 (najbliższy budynek mieszkalny)", "building_id": "Budynek",
        "distance_m": "Odległość", "meets_3": "3 drzewa w zasięgu 15 m", "meets_30": "30% koron w okolicy",
        "meets_300": "Park w zasięgu 300 m", "meets_3_30_300": "Spełnia 3-30-300",
        "air_temperature": "Temperatura powietrza w dzień (model)", "t_air_c": "Temperatura",
        "carriers": "Nośniki reklamowe w promieniu {r} m", "non_compliant": "Niezgodne z uchwałą",
        "changes": "Zmiany tutaj (w promieniu {r} m)", "since": "Od", "until": "Do",
        "unknown": "nieznane", "yes": "tak", "no": "nie", "none": "brak",
        "verdict": {"compliant": "zgodny", "non_compliant": "niezgodny", "not_assessed": "nie oceniono"},
    },
    "en": {
        "title": "What is here?", "place": "Place", "address": "Nearest address", "coords": "Coordinates",
        "zoning": "Zoning plan", "zone": "Zone", "use": "Land use", "plan": "Plan",
        "max_height_m": "Max. building height", "max_building_coverage_pct": "Max. building coverage",
        "min_biologically_active_pct": "Min. biologically active area",
        "max_above_ground_intensity": "Max. building intensity",
        "heights": "Heights (LiDAR)", "dtm_m": "Ground (DTM)", "dsm_m": "Surface (DSM)",
        "epoch": "As of", "trees": "Trees within {r} m", "count": "Count",
        "species": "Species", "health": "Health",
        "green_rule": "3-30-300 rule (nearest residential building)", "building_id": "Building",
        "distance_m": "Distance", "meets_3": "3 trees within 15 m", "meets_30": "30% canopy around",
        "meets_300": "Park within 300 m", "meets_3_30_300": "Meets 3-30-300",
        "air_temperature": "Daytime air temperature (model)", "t_air_c": "Temperature",
        "carriers": "Advertising carriers within {r} m", "non_compliant": "Violating the rules",
        "changes": "Changes here (within {r} m)", "since": "Since", "until": "Until",
        "unknown": "unknown", "yes": "yes", "no": "no", "none": "none",
        "verdict": {"compliant": "compliant", "non_compliant": "non-compliant", "not_assessed": "not assessed"},
    },
}
UNITS = {"_m": "m", "_pct": "%", "_c": "°C"}
STYLE = """body{font-family:system-ui,"DejaVu Sans",Arial,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:48rem}
h1{font-size:1.4rem}h2{font-size:1.05rem;margin:1.2rem 0 .3rem;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.15rem .5rem;vertical-align:top}
th{font-weight:normal;color:#444;width:45%}.note{color:#8a4b00}@media print{body{margin:0}}"""


def _fmt(value: Any, key: str, lang: str) -> str:
    t = T[lang]
    if value is None:
        return t["unknown"]
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, float):
        text = repr(value).removesuffix(".0")  # the shortest text that reads back as the same number
        text = text.replace(".", ",") if lang == "pl" else text
        unit = next((u for suffix, u in UNITS.items() if key.endswith(suffix)), "")
        return f"{text} {unit}".strip()
    return str(value)


def _cell(report: dict, path: str, lang: str) -> str:
    value: Any = report
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    shown = _fmt(value, path, lang)
    if path.endswith("verdict"):
        shown = T[lang]["verdict"].get(value, shown)
    return (f'<td data-key="{escape(path)}" data-value="{escape(json.dumps(value, ensure_ascii=False))}">'
            f"{escape(shown)}</td>")


def _rows(report: dict, lang: str, base: str, keys: list[str]) -> str:
    t = T[lang]
    return "".join(f"<tr><th>{escape(t.get(k, k))}</th>{_cell(report, f'{base}.{k}', lang)}</tr>" for k in keys)


def _note(section: dict) -> str:
    return f'<p class="note">{escape(section["note"])}</p>' if section.get("note") else ""


def render_html(report: dict, lang: str = "pl") -> str:
    """The print view of `report` in `lang` (pl or en)."""
    t = T[lang]
    loc = report["location"]
    parts = [f'<h1>{escape(t["title"])}</h1><table>',
             f'<tr><th>{t["coords"]}</th>{_cell(report, "location.lon", lang)}{_cell(report, "location.lat", lang)}'
             f'{_cell(report, "location.easting", lang)}{_cell(report, "location.northing", lang)}</tr>']
    if loc["address"]:
        parts.append(f'<tr><th>{t["address"]}</th>{_cell(report, "location.address.label", lang)}</tr>')
    parts.append("</table>")
    z = report["zoning"]
    parts.append(f'<h2>{t["zoning"]}</h2>{_note(z)}')
    for i, zone in enumerate(z["zones"]):
        parts.append("<table>" + _rows(report, lang, f"zoning.zones.{i}", ["designation", "name"]))
        if zone["plan"]:
            parts.append(f'<tr><th>{t["plan"]}</th>{_cell(report, f"zoning.zones.{i}.plan.title", lang)}'
                         f'{_cell(report, f"zoning.zones.{i}.plan.number", lang)}</tr>')
        parts.append(_rows(report, lang, f"zoning.zones.{i}", ["max_height_m", "max_building_coverage_pct",
                                                               "min_biologically_active_pct",
                                                               "max_above_ground_intensity"]) + "</table>")
    h = report["heights"]
    parts.append(f'<h2>{t["heights"]}</h2>{_note(h)}<table>'
                 + _rows(report, lang, "heights", ["dtm_m", "dsm_m", "epoch"]) + "</table>")
    tr = report["trees"]
    parts.append(f'<h2>{t["trees"].format(r=tr["radius_m"])}</h2>{_note(tr)}<table>'
                 + _rows(report, lang, "trees", ["count"]))
    for i, s in enumerate(tr["species"]):
        parts.append(f'<tr><th>{escape(s["species"] or s["species_latin"] or t["unknown"])}</th>'
                     f'{_cell(report, f"trees.species.{i}.count", lang)}</tr>')
    for i, s in enumerate(tr["health"]):
        parts.append(f'<tr><th>{t["health"]}: {escape(s["health"] or t["unknown"])}</th>'
                     f'{_cell(report, f"trees.health.{i}.count", lang)}</tr>')
    parts.append("</table>")
    g = report["green_rule"]
    keys = ["building_id", "distance_m", "meets_3", "meets_30", "meets_300", "meets_3_30_300", "epoch"]
    parts.append(f'<h2>{t["green_rule"]}</h2>{_note(g)}<table>'
                 + (_rows(report, lang, "green_rule", keys) if g["building_id"] else "") + "</table>")
    a = report["air_temperature"]
    parts.append(f'<h2>{t["air_temperature"]}</h2>{_note(a)}<table>'
                 + _rows(report, lang, "air_temperature", ["t_air_c", "epoch"]) + "</table>")
    c = report["carriers"]
    parts.append(f'<h2>{t["carriers"].format(r=c["radius_m"])}</h2><table>'
                 + _rows(report, lang, "carriers", ["count", "non_compliant"]))
    for i, item in enumerate(c["items"]):
        parts.append(f'<tr><th>{escape(item["source_id"])}</th>{_cell(report, f"carriers.items.{i}.verdict", lang)}'
                     f'{_cell(report, f"carriers.items.{i}.distance_m", lang)}</tr>')
    parts.append("</table>")
    ch = report["changes"]
    parts.append(f'<h2>{t["changes"].format(r=ch["radius_m"])}</h2>{_note(ch)}<table>'
                 + _rows(report, lang, "changes", ["since", "count"]))
    for i, ev in enumerate(ch["items"]):
        parts.append(f'<tr><th>{escape(ev["type"])}</th>{_cell(report, f"changes.items.{i}.epoch_to", lang)}'
                     f'{_cell(report, f"changes.items.{i}.distance_m", lang)}</tr>')
    parts.append("</table>")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(t["title"])} — MSIP'
            f'</title><style>{STYLE}</style></head><body>{"".join(parts)}</body></html>')
