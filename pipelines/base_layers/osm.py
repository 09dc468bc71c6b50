"""OpenStreetMap extracts (.osm.pbf) read with pyrosm into the three base layers, one load run each.

Buildings: building=* ways/relations (id 'way/123'); residential when building=* is a
dwelling type (see base_rows.RESIDENTIAL_KINDS; building=yes counts as non-residential);
storeys from building:levels, height from height (first number; unparsable tags are
ignored with a note, never the building). Green spaces: leisure=park/garden/
recreation_ground/nature_reserve, landuse=grass/recreation_ground/village_green/forest/
meadow, natural=wood; access=private/no/customers/permit → not public, leisure=garden
without an access tag → unknown, others public. Walking network: pyrosm's 'walking'
network cut at shared nodes (ids 'way/123:u-v'), so bridges do not join what they cross.
OSM is WGS84 (never --crs). A file none of whose features lies inside the extent (the city by
default, and always Poland, where EPSG:2180 is valid) is refused with the fix that fits: an
extract of the city, or --extent poland for data elsewhere in Poland.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path
from typing import TypedDict

from msip.core.checksums import file_sha256
from msip.core.errors import SourceReadError
from msip.core.runs import LoadReport
from pipelines.base_layers.rows import LayerInput
from pipelines.base_layers.store import buildings_body, green_body, run_layer_load, walk_body
from pipelines.readers.osm import OsmFile
from pipelines.readers.validate import EXTENTS, Extent

GREEN_FILTER = {
    "leisure": ["park", "garden", "recreation_ground", "nature_reserve"],
    "landuse": ["grass", "recreation_ground", "village_green", "forest", "meadow"],
    "natural": ["wood"],
}
PRIVATE_ACCESS = {"private", "no", "customers", "permit"}
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


class _LoadOptions(TypedDict):
    """The keyword arguments of `run_layer_load` shared by the three layers of one file."""

    epoch: date | None
    extent: Extent | None
    url: str | None
    force: bool
    sha256: str | None


def load_osm(
    pbf: Path | str,
    *,
    epoch: date | None = None,
    url: str | None = None,
    extent: Extent | None = EXTENTS["kielce"],
    on_invalid: str = "repair",
    force: bool = False,
) -> list[LoadReport]:
    """Load buildings, green spaces and the walking network of an .osm.pbf; three reports."""
    pbf = Path(pbf)
    if not pbf.is_file():
        raise SourceReadError(f"{pbf}: no such file; give an OpenStreetMap .osm.pbf extract")
    digest = file_sha256(pbf)
    osm = _Reader(pbf)
    common: _LoadOptions = {"epoch": epoch, "extent": extent, "url": url, "force": force, "sha256": digest}
    params = {"source": "osm", "on_invalid": on_invalid}
    return [
        run_layer_load(
            "buildings",
            pbf,
            osm.buildings,
            lambda run, src: buildings_body(
                run, src, epoch=epoch, extent=extent, on_invalid=on_invalid
            ),
            params=params,
            **common,
        ),
        run_layer_load(
            "green_spaces",
            pbf,
            osm.green_spaces,
            lambda run, src: green_body(
                run, src, epoch=epoch, extent=extent, on_invalid=on_invalid
            ),
            params=params,
            **common,
        ),
        run_layer_load(
            "walk_network",
            pbf,
            osm.walking,
            lambda run, src: walk_body(run, src, epoch=epoch, extent=extent),
            params={"source": "osm"},
            **common,
        ),
    ]


def _first_number(value: object) -> str | None:
    """'3;4' → '3', '12 m' → '12'; None when there is no number."""
    if value is None:
        return None
    match = _NUMBER.search(str(value))
    return match.group(0).replace(",", ".") if match else None


def _tag_number(
    value: object, lo: float, hi: float, *, whole: bool, ignored: list[object]
) -> float | None:
    """A usable number from an OSM tag, else None (the raw value is added to `ignored`)."""
    if not _present(value):
        return None
    text = _first_number(value)
    number = float(text) if text is not None else None
    if number is not None and whole:
        number = float(round(number))
    if number is None or not lo <= number <= hi:
        ignored.append(value)
        return None
    return number


def _tags(value: object) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return {}
    return {}


class _Reader:
    """The three base layers of one file, read through the one OSM reader (pipelines.readers.osm)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = OsmFile(path)

    def _frame(self, what: str, read):
        return self._file.frame(what, read)

    def _layer(self, rows: list[dict], noded: bool = False) -> LayerInput:
        return LayerInput(
            rows, 4326, "osm", self.path.name, noded=noded, mapping={"source_id": "osm id"}
        )

    def buildings(self) -> LayerInput:
        frame = self._frame("buildings", lambda osm: osm.get_buildings())
        rows: list[dict] = []
        ignored: list[object] = []
        for rec in [] if frame is None else frame.to_dict("records"):
            rows.append(
                {
                    "source_id": f"{rec.get('osm_type', 'way')}/{rec['id']}",
                    "kind": rec.get("building"),
                    "residential": None,
                    "population": None,
                    "geometry": rec.get("geometry"),
                    "storeys": _tag_number(
                        rec.get("building:levels"), 1, 200, whole=True, ignored=ignored
                    ),
                    "height_m": _tag_number(
                        rec.get("height"), 0.5, 999, whole=False, ignored=ignored
                    ),
                    "_raw": _raw(rec, ("building", "building:levels", "height", "name")),
                }
            )
        layer = self._layer(rows)
        if ignored:
            layer.notes.append(
                f"ignored {len(ignored)} unusable building:levels/height tags, e.g. "
                f"{', '.join(repr(v) for v in ignored[:3])} (the buildings are kept)"
            )
        return layer

    def green_spaces(self) -> LayerInput:
        frame = self._frame(
            "green spaces",
            lambda osm: osm.get_data_by_custom_criteria(
                custom_filter=GREEN_FILTER,
                filter_type="keep",
                keep_nodes=False,
                tags_as_columns=["access"],
            ),
        )
        rows = []
        for rec in [] if frame is None else frame.to_dict("records"):
            kind = next(
                (rec.get(k) for k in ("leisure", "landuse", "natural") if _present(rec.get(k))),
                None,
            )
            access = (
                rec.get("access")
                if _present(rec.get("access"))
                else _tags(rec.get("tags")).get("access")
            )
            rows.append(
                {
                    "source_id": f"{rec.get('osm_type', 'way')}/{rec['id']}",
                    "name": rec.get("name") if _present(rec.get("name")) else None,
                    "kind": kind,
                    "public_access": _public_access(access, kind),
                    "geometry": rec.get("geometry"),
                    "_raw": _raw(rec, ("leisure", "landuse", "natural", "name", "access")),
                }
            )
        return self._layer(rows)

    def walking(self) -> LayerInput:
        frame = self._frame(
            "the walking network", lambda osm: osm.get_network(network_type="walking", nodes=True)
        )
        edges = frame[1] if isinstance(frame, tuple) else frame
        rows: list[dict] = []
        ignored: list[object] = []
        for rec in [] if edges is None else edges.to_dict("records"):
            rows.append(
                {
                    "source_id": f"way/{rec['id']}:{rec.get('u')}-{rec.get('v')}",
                    "name": rec.get("name") if _present(rec.get("name")) else None,
                    "road_class": rec.get("highway"),
                    "width_m": _tag_number(
                        rec.get("width"), 0.1, 200, whole=False, ignored=ignored
                    ),
                    "foot": rec.get("foot") if _present(rec.get("foot")) else None,
                    "geometry": rec.get("geometry"),
                    "_raw": _raw(rec, ("highway", "name", "width", "foot")),
                }
            )
        layer = self._layer(rows, noded=True)
        if ignored:
            layer.notes.append(f"ignored {len(ignored)} unusable width tags (the paths are kept)")
        return layer


def _public_access(access: object, kind: object) -> bool | None:
    """Public unless the access tag says otherwise; a garden without one is unknown (None)."""
    if access:
        return str(access).lower() not in PRIVATE_ACCESS
    return None if kind == "garden" else True


def _present(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value) != ""


def _raw(rec: dict, keys: tuple[str, ...]) -> dict:
    return {"osm_id": rec.get("id"), **{k: rec.get(k) for k in keys if _present(rec.get(k))}}
