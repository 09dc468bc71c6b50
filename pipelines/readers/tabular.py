"""Shared reading of inventory files (CSV, GeoJSON, GPKG, SHP) into columns and points, with field mapping.

`read_table` gives a `Table` of source columns (names as in the file, stray BOMs removed) plus
the file's WKB geometries and CRS (vector files through `pipelines.readers.vector_io.read_vector`).
`resolve_mapping` finds which source column holds each known field from common Polish and English
names, overridable by a small YAML file (`field: source column`, or `field: null` to ignore a
column). `locate_points` turns geometry or x/y / lon/lat columns into EPSG:2180 points inside an
extent.
"""

from __future__ import annotations

import codecs
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from msip.core.errors import ConfigError, SourceReadError
from pipelines.readers.sniff import refuse_unusable_file
from pipelines.readers.vector_io import VECTOR_SUFFIXES, read_vector

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
_UNIT_SUFFIX = re.compile(r"_(cm|mm|m|m2|km|szt)$")
_POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


@dataclass
class Table:
    """Rows of one source file: attribute columns, optional WKB geometry and the declared CRS."""

    name: str
    frame: pd.DataFrame
    geometry: pa.Array | None = None
    epsg: int | None = None
    crs_text: str | None = None
    notes: list[str] = field(default_factory=list)
    # Set by sources whose values MSIP converts itself (OpenStreetMap tags, pipelines.inventory.osm_tags):
    crs_fixed: bool = False
    """The format fixes CRS and axis order (OpenStreetMap: lon/lat), so --crs or swapped axes are never the fix."""
    fields: dict[str, str] | None = None
    """Field → column when the columns are already MSIP's fields (no name matching, no --mapping)."""
    attrs: list[str | None] | None = None
    """The `attrs` JSON object of each row, when the source builds it (its unused tags)."""
    raw: list[dict[str, object]] | None = None
    """The values of each row as the source gave them, for the quarantine, when `frame` holds converted ones."""
    problems: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Rows (0-based) refused while converting: (field, reason)."""

    def __len__(self) -> int:
        return len(self.frame)

    def raw_rows(self, rows: np.ndarray) -> list[dict[str, object]]:
        """The source values of `rows` (0-based) as read, geometry as WKT, for the quarantine."""
        if self.raw is not None:
            return [self.raw[int(i)] for i in rows]
        records = self.frame.iloc[rows].to_dict("records")
        out = [{k: (None if _missing(v) else v) for k, v in r.items()} for r in records]
        if self.geometry is not None and len(rows):
            import shapely

            wkbs = self.geometry.take(pa.array(rows)).to_pylist()
            for row, wkb in zip(out, wkbs, strict=False):
                geom = None if wkb is None else shapely.from_wkb(wkb, on_invalid="ignore")
                if geom is not None:
                    row["geometry"] = geom.wkt[:2000]
                else:  # GEOS cannot build some geometries GDAL passes on (an unclosed ring)
                    row["geometry"] = None if wkb is None else f"(unreadable geometry, {len(wkb)} bytes of WKB)"
        return out


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def read_table(path: Path | str, *, layer: str | None = None, preferred_layers: tuple[str, ...] = ()) -> Table:
    """Read a CSV (`,` `;` tab or `|`, UTF-8/CP1250, BOMs tolerated) or a vector file (one layer).

    Raises SourceReadError naming the file and the fix when it cannot be used.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceReadError(f"{path} does not exist or is not a file; check the path")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        refuse_unusable_file(path, "a CSV")
        table = _read_csv(path)
    elif suffix in VECTOR_SUFFIXES:
        table = _read_vector(path, layer, preferred_layers)
    else:
        raise SourceReadError(f"{path.name}: unsupported file type {suffix!r}; MSIP reads "
                              f"{', '.join((*CSV_SUFFIXES, *VECTOR_SUFFIXES))}")
    if len(table) == 0:
        raise SourceReadError(f"{path.name} has no data rows; nothing to load (an empty inventory would "
                              "retire every row of the dataset, so it is refused)")
    return table


def decode_text(name: str, raw: bytes) -> tuple[str, str | None]:
    """Text of a file: UTF-8 (with or without BOM), UTF-16 with BOM, else CP1250/ISO-8859-2 with a note."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    best: tuple[int, str, str] | None = None
    for encoding in ("cp1250", "iso8859_2"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = sum(ch in _POLISH for ch in text)
        if best is None or score > best[0]:
            best = (score, encoding, text)
    if best is None or "\x00" in best[2]:
        raise SourceReadError(f"{name} is not UTF-8 ({where}) nor CP1250/ISO-8859-2 text; "
                              "convert it to UTF-8, e.g. iconv -f <encoding> -t UTF-8")
    label = "CP1250 (Windows Polish)" if best[1] == "cp1250" else "ISO-8859-2 (Latin-2)"
    return best[2], f"{name} is not UTF-8 ({where}); decoded as {label} — check Polish letters, or save it as UTF-8"


def _sniff_delimiter(header: str) -> str:
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {sep: outside.count(sep) for sep in (";", ",", "\t", "|")}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    text, note = decode_text(path.name, raw)
    if not text.strip():
        raise SourceReadError(f"{path.name} is empty (no header, no rows); nothing to load")
    sep = _sniff_delimiter(text.lstrip("\ufeff").split("\n", 1)[0])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise SourceReadError(f"{path.name} is not a well-formed CSV ({exc}); quote values that contain "
                              f"the separator {sep!r}, e.g. \"47, 52\"") from None
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    notes = [note] if note else []
    bad_chars = text.count("\ufffd")
    if bad_chars:
        notes.append(f"{path.name} holds {bad_chars} U+FFFD replacement characters from an earlier broken "
                     "encoding conversion; those letters are lost in the source and kept as they are")
    return Table(path.name, frame.reset_index(drop=True), notes=notes)


def _read_vector(path: Path, layer: str | None, preferred: tuple[str, ...]) -> Table:
    source = read_vector(path, output="columns", layer=layer, preferred_layers=preferred)
    frame = source.frame
    notes = []
    texts = [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    bad = int(sum(frame[c].astype("str").str.count("\ufffd").fillna(0).sum() for c in texts))
    if bad:
        notes.append(f"{path.name} holds {bad} U+FFFD replacement characters from an earlier broken encoding "
                     "conversion; those letters are lost in the source and kept as they are")
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    return Table(path.name, frame, source.geometry, source.epsg, source.crs_text, notes)


def normalise_name(name: str) -> str:
    """A column name reduced for matching: 'Obwód pnia [cm]' → 'obwod_pnia_cm'.

    >>> normalise_name("Średnica korony [m]")
    'srednica_korony_m'
    """
    text = name.replace("ł", "l").replace("Ł", "L").replace("\ufeff", "")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _match_key(name: str) -> str:
    return _UNIT_SUFFIX.sub("", normalise_name(name))


def resolve_mapping(columns: list[str], aliases: dict[str, tuple[str, ...]],
                    override: dict[str, str | None] | None = None) -> dict[str, str]:
    """Which source column holds each known field: {field: column}.

    `aliases` lists, per field, names in order of preference (compared after normalising and
    dropping a unit suffix); `override` (from --mapping) wins and may set a field to None.
    """
    override = override or {}
    unknown = sorted(set(override) - set(aliases))
    if unknown:
        raise ConfigError(f"mapping names unknown field(s) {', '.join(unknown)}; known fields are "
                          f"{', '.join(aliases)}")
    mapping: dict[str, str] = {}
    for fld, column in override.items():
        if column is None:
            continue
        found = _find_column(str(column), columns)
        if found is None:
            raise ConfigError(f"mapping says {fld}: {column!r}, but the file has no such column; "
                              f"its columns are {', '.join(columns)}")
        mapping[fld] = found
    used = set(mapping.values())
    keys = {c: _match_key(c) for c in columns}
    for fld, names in aliases.items():
        if fld in override:
            continue
        for alias in (fld, *names):
            hit = next((c for c in columns if c not in used and keys[c] == _match_key(alias)), None)
            if hit is not None:
                mapping[fld] = hit
                used.add(hit)
                break
    return mapping


def _find_column(name: str, columns: list[str]) -> str | None:
    if name in columns:
        return name
    return next((c for c in columns if normalise_name(c) == normalise_name(name)), None)


def load_mapping(path: Path | str | None) -> dict[str, str | None]:
    """A field mapping YAML file: `field: source column` lines (`field: null` ignores a column)."""
    if path is None:
        return {}
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"mapping file {path} cannot be read: {exc}") from None
    if data is None:
        return {}
    if isinstance(data, dict) and set(data) == {"fields"}:
        data = data["fields"]
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise ConfigError(f"mapping file {path} must hold 'field: source column' lines, e.g. "
                          "'inventory_id: NR_EWID' and 'height_m: WYS_M'")
    return {str(k): v for k, v in data.items()}
