"""INSPIRE themes and ISO topic categories of MSIP's datasets, and who publishes them (from the configuration).

A collection not listed here gets no INSPIRE theme (its records still carry its own keywords):
a theme is a claim about the data, so it is given only where one fits.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

INSPIRE_THEMES_URI = "http://inspire.ec.europa.eu/theme"
GEMET_INSPIRE_THEMES = "http://www.eionet.europa.eu/gemet/inspire_themes"

#: INSPIRE theme code → (Polish label, English label).
THEME_LABELS: dict[str, tuple[str, str]] = {
    "lc": ("Pokrycie terenu", "Land cover"),
    "lu": ("Zagospodarowanie przestrzenne", "Land use"),
    "am": (
        "Gospodarowanie obszarem/strefy ograniczone/regulacyjne oraz jednostki sprawozdawcze",
        "Area management/restriction/regulation zones and reporting units",
    ),
    "bu": ("Budynki", "Buildings"),
    "oi": ("Ortoobrazy", "Orthoimagery"),
    "el": ("Ukształtowanie terenu", "Elevation"),
    "ac": ("Warunki atmosferyczne", "Atmospheric conditions"),
    "hh": ("Zdrowie i bezpieczeństwo ludzi", "Human health and safety"),
    "ad": ("Adresy", "Addresses"),
    "au": ("Jednostki administracyjne", "Administrative units"),
    "ge": ("Geologia", "Geology"),
}

#: Collection id (or dataset family) → (INSPIRE theme code or None, ISO 19115 topic category).
COLLECTION_THEMES: dict[str, tuple[str | None, str]] = {
    "trees": ("lc", "environment"),
    "detected_trees": ("lc", "environment"),
    "advertisements": ("lu", "planningCadastre"),
    "landscape_zones": ("am", "planningCadastre"),
    "zoning_plans": ("lu", "planningCadastre"),
    "zoning_zones": ("lu", "planningCadastre"),
    "zoning_plan": ("lu", "planningCadastre"),
    "buildings": ("bu", "structure"),
    "green_spaces": ("lc", "environment"),
    "load_runs": (None, "society"),
    "orthophoto": ("oi", "imageryBaseMapsEarthCover"),
    "ndvi": ("oi", "imageryBaseMapsEarthCover"),
    "dtm": ("el", "elevation"),
    "ndsm": ("el", "elevation"),
    "chm": ("el", "elevation"),
    "terrain_dod": ("el", "elevation"),
    "lidar": ("el", "elevation"),
    "point_clouds": ("el", "elevation"),
    "geosites": ("ge", "geoscientificInformation"),
    "heat_tair": ("ac", "climatologyMeteorologyAtmosphere"),
    "heat_hm": ("ac", "climatologyMeteorologyAtmosphere"),
    "heat_zone_stats": ("ac", "climatologyMeteorologyAtmosphere"),
    "greenspace_access": ("hh", "health"),
    "ad_compliance": ("am", "planningCadastre"),
    "change_events_points": ("lc", "environment"),
    "change_events_areas": ("lc", "environment"),
    "living_conditions": ("hh", "society"),
    "addresses": ("ad", "location"),
    "admin_boundaries": ("au", "boundaries"),
}
DEFAULT_THEME: tuple[str | None, str] = (None, "planningCadastre")


def theme_of(key: str) -> tuple[str | None, str]:
    """(INSPIRE theme code or None, ISO topic category) of a collection id or dataset family."""
    return COLLECTION_THEMES.get(key, DEFAULT_THEME)


def theme_uri(code: str) -> str:
    """The INSPIRE theme register URI of a theme code, e.g. http://inspire.ec.europa.eu/theme/lu."""
    return f"{INSPIRE_THEMES_URI}/{code}"


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data and whom to ask, from pygeoapi-config.yml's metadata (env-filled)."""

    name: str
    url: str
    email: str
    contact_name: str
    licence_name: str
    licence_url: str


def publisher(cfg: dict) -> Publisher:
    """The publisher of `cfg` (metadata.provider/contact/license), with safe defaults when absent."""
    meta = cfg.get("metadata", {})
    prov, contact, lic = meta.get("provider", {}), meta.get("contact", {}), meta.get("license", {})
    return Publisher(
        name=str(prov.get("name") or os.environ.get("MSIP_API_PROVIDER_NAME") or "MSIP"),
        url=str(prov.get("url") or "https://example.invalid"),
        email=str(contact.get("email") or "gis@example.invalid"),
        contact_name=str(contact.get("name") or prov.get("name") or "MSIP"),
        licence_name=str(lic.get("name") or "CC-BY 4.0"),
        licence_url=str(lic.get("url") or "https://creativecommons.org/licenses/by/4.0/"),
    )
