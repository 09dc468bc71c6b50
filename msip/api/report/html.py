"""The printable "what is here" page, rendered from the report dictionary itself; `layout` is what
it shows, in order, shared with the PDF (msip.api.report.pdf) so both carry the same rows.

Every value cell carries `data-key` (its path in the JSON, e.g. `heights.dtm_m`) and `data-value`
(the JSON value), so a test — or anyone — can check that the page shows exactly what the API says.
A null is written "nieznane / unknown", never 0 or an empty cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from typing import Any

T: dict[str, dict[str, Any]] = {
    "pl": {
        "title": "Co tu jest?", "place": "Miejsce", "address": "Najbliższy adres", "coords": "Współrzędne",
        "zoning": "Plan miejscowy", "zone": "Strefa", "designation": "Oznaczenie", "name": "Nazwa",
        "use": "Przeznaczenie", "plan": "Plan",
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
        "zoning": "Zoning plan", "zone": "Zone", "designation": "Designation", "name": "Name",
        "use": "Land use", "plan": "Plan",
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


def lookup(report: dict, path: str) -> Any:
    """The value at `path` (dotted keys and list indices, e.g. `zoning.zones.0.max_height_m`)."""
    value: Any = report
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def shown(report: dict, path: str, lang: str) -> str:
    """The text a reader sees for the value at `path`: numbers with their unit, null as "unknown"."""
    value = lookup(report, path)
    text = _fmt(value, path, lang)
    if path.endswith("verdict"):
        text = T[lang]["verdict"].get(value, text)
    return text


#: A row of the report: its label and the paths of the values it shows.
Row = tuple[str, list[str]]


@dataclass
class Section:
    """A heading (None: the place at the top), a note saying why data are missing, and tables of rows."""

    title: str | None
    note: str | None
    tables: list[list[Row]] = field(default_factory=list)


def _rows(t: dict, base: str, keys: list[str]) -> list[Row]:
    return [(t.get(k, k), [f"{base}.{k}"]) for k in keys]


def layout(report: dict, lang: str = "pl") -> list[Section]:
    """What the printed report shows, in order: the one layout of the HTML print view and the PDF."""
    t = T[lang]
    loc = report["location"]
    top: list[Row] = [(t["coords"], [f"location.{k}" for k in ("lon", "lat", "easting", "northing")])]
    if loc["address"]:
        top.append((t["address"], ["location.address.label"]))
    out = [Section(None, None, [top])]
    z = report["zoning"]
    zoning = Section(t["zoning"], z.get("note"))
    for i, zone in enumerate(z["zones"]):
        base = f"zoning.zones.{i}"
        rows = _rows(t, base, ["designation", "name"])
        if zone["plan"]:
            rows.append((t["plan"], [f"{base}.plan.title", f"{base}.plan.number"]))
        rows += _rows(t, base, ["max_height_m", "max_building_coverage_pct", "min_biologically_active_pct",
                                "max_above_ground_intensity"])
        zoning.tables.append(rows)
    out.append(zoning)
    h = report["heights"]
    out.append(Section(t["heights"], h.get("note"), [_rows(t, "heights", ["dtm_m", "dsm_m", "epoch"])]))
    tr = report["trees"]
    rows = _rows(t, "trees", ["count"])
    rows += [(s["species"] or s["species_latin"] or t["unknown"], [f"trees.species.{i}.count"])
             for i, s in enumerate(tr["species"])]
    rows += [(f'{t["health"]}: {s["health"] or t["unknown"]}', [f"trees.health.{i}.count"])
             for i, s in enumerate(tr["health"])]
    out.append(Section(t["trees"].format(r=tr["radius_m"]), tr.get("note"), [rows]))
    g = report["green_rule"]
    keys = ["building_id", "distance_m", "meets_3", "meets_30", "meets_300", "meets_3_30_300", "epoch"]
    out.append(Section(t["green_rule"], g.get("note"), [_rows(t, "green_rule", keys) if g["building_id"] else []]))
    a = report["air_temperature"]
    out.append(Section(t["air_temperature"], a.get("note"), [_rows(t, "air_temperature", ["t_air_c", "epoch"])]))
    c = report["carriers"]
    rows = _rows(t, "carriers", ["count", "non_compliant"])
    rows += [(item["source_id"], [f"carriers.items.{i}.verdict", f"carriers.items.{i}.distance_m"])
             for i, item in enumerate(c["items"])]
    out.append(Section(t["carriers"].format(r=c["radius_m"]), None, [rows]))
    ch = report["changes"]
    rows = _rows(t, "changes", ["since", "count"])
    rows += [(ev["type"], [f"changes.items.{i}.epoch_to", f"changes.items.{i}.distance_m"])
             for i, ev in enumerate(ch["items"])]
    out.append(Section(t["changes"].format(r=ch["radius_m"]), ch.get("note"), [rows]))
    return out


def _cell(report: dict, path: str, lang: str) -> str:
    value = lookup(report, path)
    return (f'<td data-key="{escape(path)}" data-value="{escape(json.dumps(value, ensure_ascii=False))}">'
            f"{escape(shown(report, path, lang))}</td>")


def render_html(report: dict, lang: str = "pl") -> str:
    """The print view of `report` in `lang` (pl or en)."""
    t = T[lang]
    parts = [f'<h1>{escape(t["title"])}</h1>']
    for sec in layout(report, lang):
        if sec.title is not None:
            parts.append(f"<h2>{escape(sec.title)}</h2>")
        if sec.note:
            parts.append(f'<p class="note">{escape(sec.note)}</p>')
        for rows in sec.tables:
            parts.append("<table>" + "".join(
                f"<tr><th>{escape(label)}</th>{''.join(_cell(report, p, lang) for p in paths)}</tr>"
                for label, paths in rows) + "</table>")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(t["title"])} — MSIP'
            f'</title><style>{STYLE}</style></head><body>{"".join(parts)}</body></html>')
