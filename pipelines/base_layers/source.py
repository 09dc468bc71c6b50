"""A base layer's vector file as rows: the layer read once, its columns matched to MSIP fields by name."""

from __future__ import annotations

import math
from pathlib import Path

from msip.core.errors import SourceReadError
from pipelines.base_layers.rows import LayerInput
from pipelines.readers.vector_io import read_vector


def read_layer(
    path: Path | str,
    aliases: dict[str, tuple[str, ...]],
    preferred: tuple[str, ...],
    *,
    layer: str | None = None,
    crs: int | None = None,
) -> LayerInput:
    """A vector file's rows renamed to MSIP fields (values untouched; geometry in the file's CRS)."""
    path = Path(path)
    source = read_vector(path, preferred_layers=preferred, layer=layer, crs=crs)
    if len(source.frame) == 0:
        # An empty layer would replace the epoch's snapshot with nothing.
        raise SourceReadError(f"{path.name} layer {source.layer!r} holds no features; nothing to load (an empty "
                              "layer would remove every row of the epoch), check the export")
    names = {str(c).lower(): c for c in source.frame.columns if c != "geometry"}
    mapping = {}
    # Shapefile (dBase) field names are cut to 10 characters: public_access → public_acc.
    width = 10 if source.format == "shp" else None
    for field, candidates in aliases.items():
        hit = next(
            (names[c.lower()[:width]] for c in candidates if c.lower()[:width] in names), None
        )
        if hit is not None:
            mapping[field] = hit
    if "source_id" not in mapping:
        raise SourceReadError(
            f"{path.name} layer {source.layer!r} has no id column (one of "
            f"{', '.join(aliases['source_id'])}); every row needs its source id"
        )
    records = []
    for record in source.frame.to_dict("records"):
        row = {field: _clean(record.get(column)) for field, column in mapping.items()}
        row["geometry"] = record.get("geometry")
        row["_raw"] = {k: _clean(v) for k, v in record.items() if k != "geometry"}
        records.append(row)
    return LayerInput(records, source.epsg, source.format, path.name, mapping=mapping)


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
