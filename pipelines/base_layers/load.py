"""Base layers from GPKG/GeoJSON/SHP: buildings (with residents), green spaces and the pedestrian network.

Each layer is its own load run (own checksum) and a snapshot per epoch: loading a layer
for an epoch replaces that epoch's rows. Columns are matched by name (`*_ALIASES`, first
found wins, case-insensitive). Population, when the source has none, is estimated for
residential buildings as floor(footprint_m2 × storeys / 35 m² per person) — the gross
floor area per resident the sample world uses; storeys missing → round(height_m / 3 m),
both missing → 1 storey. Non-residential buildings have 0 residents.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from msip.core.runs import LoadReport
from pipelines.base_layers.source import read_layer
from pipelines.base_layers.store import buildings_body, green_body, run_layer_load, walk_body
from pipelines.readers.validate import EXTENTS, Extent

BUILDING_ALIASES = {
    "source_id": ("building_id", "id_budynku", "id", "fid"),
    "kind": ("kind", "rodzaj", "funkcja", "building", "type"),
    "residential": ("residential", "mieszkalny"),
    "storeys": ("storeys", "liczba_kondygnacji", "kondygnacje", "levels", "building:levels"),
    "height_m": ("height_m", "wysokosc_m", "wysokosc", "height"),
    "population": ("population", "liczba_mieszkancow", "mieszkancy", "ludnosc"),
}
GREEN_ALIASES = {
    "source_id": ("park_id", "green_id", "id", "fid"),
    "name": ("name", "nazwa"),
    "kind": ("kind", "rodzaj", "type"),
    "public_access": ("public_access", "ogolnodostepny", "dostep_publiczny"),
}
STREET_ALIASES = {
    "source_id": ("street_id", "id_ulicy", "id", "fid"),
    "name": ("name", "nazwa"),
    "road_class": ("road_class", "klasa", "highway", "kind"),
    "width_m": ("width_m", "szerokosc_m", "width"),
    "foot": ("foot",),
}


def load_buildings(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    on_invalid: str = "repair",
    force: bool = False,
) -> LoadReport:
    """Load building footprints (GPKG/GeoJSON/SHP) as the `epoch` snapshot of msip.building."""
    path = Path(path)
    return run_layer_load(
        "buildings",
        path,
        lambda: read_layer(path, BUILDING_ALIASES, ("buildings", "budynki"), layer=layer, crs=crs),
        lambda run, src: buildings_body(
            run, src, epoch=epoch, extent=extent, on_invalid=on_invalid
        ),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs, "on_invalid": on_invalid},
        url=url,
        force=force,
    )


def load_green_spaces(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    on_invalid: str = "repair",
    force: bool = False,
) -> LoadReport:
    """Load parks and other green spaces as the `epoch` snapshot of msip.green_space."""
    path = Path(path)
    return run_layer_load(
        "green_spaces",
        path,
        lambda: read_layer(
            path, GREEN_ALIASES, ("green_spaces", "parks", "zielen"), layer=layer, crs=crs
        ),
        lambda run, src: green_body(run, src, epoch=epoch, extent=extent, on_invalid=on_invalid),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs, "on_invalid": on_invalid},
        url=url,
        force=force,
    )


def load_walk_network(
    path: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    crs: int | None = None,
    layer: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load street/path centrelines as the `epoch` pedestrian graph (msip.walk_edge, msip.walk_vertex)."""
    path = Path(path)
    return run_layer_load(
        "walk_network",
        path,
        lambda: read_layer(
            path, STREET_ALIASES, ("streets", "ulice", "paths"), layer=layer, crs=crs
        ),
        lambda run, src: walk_body(run, src, epoch=epoch, extent=extent),
        epoch=epoch,
        extent=extent,
        params={"layer": layer, "crs": crs},
        url=url,
        force=force,
    )
