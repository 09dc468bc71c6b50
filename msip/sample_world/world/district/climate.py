"""The district's climate for the demo's heat-island runs: Kielce's observed urban heat island.

The model's default UHI_max (3 °C, processing.heat.params) stays; the demo district's runs use the
largest atmospheric urban heat island measured in Kielce: 8.3 °C, hourly centre − outskirts air
temperature, 2010–2018 (K. Jarzyna, 2024, "Urban Heat Island in the city of Kielce as derived from
in-situ measurements and satellite imagery", Acta Geographica Lodziensia 117,
doi:10.26485/AGL/2024/117/1; the strongest islands occur on summer nights, the annual mean is 0.5 °C).
InVEST's UHI_max is that magnitude: the urban–rural difference where the heat mitigation index is 0.
"""

from __future__ import annotations

KIELCE_UHI_MAX_C = 8.3
"""Largest hourly urban heat island measured in Kielce, 2010–2018 (°C; Jarzyna 2024)."""

ANALYSIS_PARAMS: dict[str, dict[str, float]] = {"heat-island": {"uhi_max_c": KIELCE_UHI_MAX_C}}
"""Parameters the demo's analyses run with on the district (by analysis name), on top of each one's defaults."""
