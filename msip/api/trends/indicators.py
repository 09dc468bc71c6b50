"""The indicators a trend can follow and the fixed, physically meaningful colour scale of each.

A scale never stretches over whatever range the data happen to have (0.02 °C painted as a heat
island): shares run 0–100 %, NDVI −1…1, the heat-mitigation index 0–1, and air temperature is
shown as its anomaly against the run's reference temperature T_ref over at least
`MIN_ANOMALY_SPAN_C`. The web map builds its choropleth paint expressions and legends from
these declarations (served by /trends), and the heat raster's tiles use `air_anomaly_range`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: The smallest span, °C, of the air-temperature anomaly scale: differences within it look alike.
MIN_ANOMALY_SPAN_C = 3.0

#: Colour ramps (low → high), ColorBrewer sequential/diverging schemes (colour-blind safe).
GREENS = ("#f7fcf5", "#c7e9c0", "#74c476", "#238b45", "#00441b")
GREYS = ("#f7f7f7", "#cccccc", "#969696", "#525252", "#252525")
HEAT = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
BLUE_GREEN = ("#f7fcfd", "#ccece6", "#66c2a4", "#238b45", "#00441b")
NDVI = ("#a50026", "#f46d43", "#ffffbf", "#a6d96a", "#006837")
NO_DATA = "#bdbdbd"


@dataclass(frozen=True)
class Scale:
    """A fixed colour scale: `colors` spread evenly from `min` to `max` (values beyond are clamped)."""

    min: float
    max: float
    colors: tuple[str, ...]
    #: What a colour means, for the legend: (low end, high end) per language.
    meaning_pl: tuple[str, str]
    meaning_en: tuple[str, str]

    def stops(self) -> list[tuple[float, str]]:
        """(value, colour) pairs from min to max."""
        n = len(self.colors) - 1
        return [(round(self.min + (self.max - self.min) * i / n, 6), c) for i, c in enumerate(self.colors)]

    def as_json(self) -> dict:
        d = asdict(self)
        d["colors"] = list(self.colors)
        d["stops"] = [[v, c] for v, c in self.stops()]
        d["no_data"] = NO_DATA
        d["meaning"] = {"pl": list(d.pop("meaning_pl")), "en": list(d.pop("meaning_en"))}
        return d


def _pct(low_pl: str, high_pl: str, low_en: str, high_en: str, colors=GREENS) -> Scale:
    return Scale(0.0, 100.0, colors, (low_pl, high_pl), (low_en, high_en))


@dataclass(frozen=True)
class Indicator:
    """One indicator: where its series is read (`source`: living = living-conditions cells, heat = heat
    statistics per zoning zone or cell), its column, unit, titles and fixed scale."""

    name: str
    source: str
    column: str
    unit: str
    title_pl: str
    title_en: str
    scale: Scale

    def as_json(self) -> dict:
        return {"name": self.name, "source": self.source, "unit": self.unit,
                "title": {"pl": self.title_pl, "en": self.title_en}, "scale": self.scale.as_json(),
                "places": ["cell"] if self.source == "living" else ["district", "cell"]}


ANOMALY = Scale(0.0, MIN_ANOMALY_SPAN_C, HEAT,
                ("temperatura odniesienia T_ref", f"≥ {MIN_ANOMALY_SPAN_C:g} °C cieplej niż T_ref"),
                ("reference temperature T_ref", f"≥ {MIN_ANOMALY_SPAN_C:g} °C warmer than T_ref"))
#: NDVI's whole range, for maps of the orthophoto's NDVI (notebooks).
NDVI_SCALE = Scale(-1.0, 1.0, NDVI, ("woda, zabudowa (−1)", "gęsta roślinność (1)"),
                   ("water, built-up (−1)", "dense vegetation (1)"))

INDICATORS: dict[str, Indicator] = {i.name: i for i in (
    Indicator("canopy_pct", "living", "canopy_pct", "%", "Pokrycie koronami drzew", "Tree canopy cover",
              _pct("brak koron (0 %)", "całe oczko pod koronami (100 %)", "no canopy (0 %)", "all canopy (100 %)")),
    Indicator("bio_active_pct", "living", "bio_active_pct", "%", "Powierzchnia biologicznie czynna",
              "Biologically active surface",
              _pct("0 %", "100 % powierzchni", "0 %", "100 % of the area", BLUE_GREEN)),
    Indicator("built_pct", "living", "built_pct", "%", "Powierzchnia zabudowy", "Building coverage",
              _pct("niezabudowane (0 %)", "całkowicie zabudowane (100 %)", "unbuilt (0 %)", "fully built (100 %)",
                   GREYS)),
    Indicator("pct_3_30_300", "living", "pct_3_30_300", "%", "Mieszkańcy spełniający 3-30-300",
              "Residents meeting 3-30-300",
              _pct("nikt (0 %)", "wszyscy (100 %)", "nobody (0 %)", "everybody (100 %)")),
    Indicator("trees_per_100_residents", "living", "trees_per_100_residents", "", "Drzewa na 100 mieszkańców",
              "Trees per 100 residents",
              Scale(0.0, 100.0, GREENS, ("0 drzew", "≥ 100 drzew"), ("0 trees", "≥ 100 trees"))),
    Indicator("t_air_anomaly_c", "heat", "t_air_mean_c", "°C",
              "Temperatura powietrza w dzień ponad T_ref (model)", "Daytime air temperature above T_ref (model)",
              ANOMALY),
    Indicator("hot_share_pct", "heat", "hot_share_pct", "%", "Udział komórek wyspy ciepła",
              "Share of heat-island cells",
              _pct("0 %", "100 %", "0 %", "100 %", HEAT)),
    Indicator("hm_mean", "heat", "hm_mean", "", "Wskaźnik łagodzenia ciepła HM", "Heat-mitigation index HM",
              Scale(0.0, 1.0, BLUE_GREEN, ("brak chłodzenia (0)", "pełne chłodzenie (1)"),
                    ("no cooling (0)", "full cooling (1)"))),
)}


def air_anomaly_range(t_ref_c: float, uhi_max_c: float | None = None) -> tuple[float, float]:
    """The air-temperature colour range, °C: T_ref to T_ref + the larger of UHI_max and MIN_ANOMALY_SPAN_C.

    It depends on the run's parameters only (T_air lies between T_ref and T_ref + UHI_max in the
    model), never on the values in the raster.
    """
    span = max(MIN_ANOMALY_SPAN_C, uhi_max_c or 0.0)
    return t_ref_c, t_ref_c + span


def anomaly_labels(lo_c: float, hi_c: float) -> dict[str, list[str]]:
    """Legend texts (low end, middle, high end) per language for an anomaly range from air_anomaly_range."""
    span = hi_c - lo_c
    ref = f"{lo_c:g} °C"
    return {
        "pl": [f"T_ref {ref.replace('.', ',')} (jak poza miastem)", "cieplej niż T_ref →",
               f"≥ +{span:g} °C".replace(".", ",")],
        "en": [f"T_ref {ref} (as outside the city)", "warmer than T_ref →", f"≥ +{span:g} °C"],
    }
