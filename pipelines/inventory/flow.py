"""The load flow shared by the tree, advertising and landscape-zone loaders.

read the file (an OpenStreetMap .osm.pbf through the kind's tag reader) → map its columns to
known fields → build typed columns (the kind's `build`, which refuses bad rows with reasons) →
identifiers (empty / repeated ones refused) → every other source column into `attrs` →
quarantine → write the version with history — all inside
one `run_load` transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from msip.core.checksums import file_sha256
from msip.core.crs import parse_epsg
from msip.core.db import connect
from msip.core.epochs import parse_epoch
from msip.core.errors import ConfigError, EpochError, SourceReadError, ValidationError
from msip.core.progress import progress_bar
from msip.core.runs import LoadReport, LoadRun, run_load
from msip.core.versions import write_version
from pipelines.readers.columns import Rejects, json_objects, source_ids
from pipelines.readers.tabular import Table, load_mapping, read_table, resolve_mapping
from pipelines.readers.validate import Extent, get_extent

_DATED_STEM = re.compile(r"^(?P<stem>.*?)[_\-. ]?(?P<date>\d{4}-\d{2}-\d{2}|\d{8})$")

#: build(table, fields, rejects, crs=, extent=, **options) → (typed columns by name, source columns used)
Build = Callable[..., tuple[dict[str, pa.Array], set[str]]]


@dataclass(frozen=True)
class InventoryKind:
    """What differs between inventories: names, field aliases, target table and column builder."""

    kind: str                           # msip.load_run.source_kind, e.g. 'trees'
    table: str                          # target table, e.g. 'msip.tree'
    what: str                           # one row in words, e.g. 'tree'
    id_field: str                       # the field holding the source identifier
    fields: dict[str, tuple[str, ...]]  # field → source column aliases
    layers: tuple[str, ...]             # preferred layer names in multi-layer files
    build: Build
    osm: Callable[[Path], Table] | None = None  # reads an .osm.pbf into a Table of this kind


def dataset_and_epoch(path: Path | str, *, dataset: str | None = None,
                      epoch: date | None = None) -> tuple[str, date | None]:
    """Dataset key and epoch of an inventory file: 'drzewa_2025-06-15.csv' → ('drzewa', 2025-06-15).

    An explicit `dataset` / `epoch` wins; the date suffix may be YYYY-MM-DD or YYYYMMDD.

    >>> dataset_and_epoch("nosniki_reklamowe_2025-06-15.csv")
    ('nosniki_reklamowe', datetime.date(2025, 6, 15))
    """
    stem = Path(path).stem
    if stem.lower().endswith(".osm"):  # Helsinki.osm.pbf → Helsinki
        stem = stem[:-4]
    found = _DATED_STEM.match(stem)
    named: date | None = None
    if found and found["stem"]:
        try:
            named = parse_epoch(found["date"])
            stem = found["stem"]
        except EpochError:
            named = None
    return dataset or stem, epoch or named


def default_epoch(url: str | None, kind: str, sha256: str, dataset: str) -> tuple[date, str]:
    """The epoch of a file that names none: that of an earlier load of the same file, else today."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT epoch FROM msip.load_run WHERE source_kind = %s AND source_sha256 = %s "
            "AND status = 'succeeded' AND params->>'dataset' = %s AND epoch IS NOT NULL "
            "ORDER BY run_id DESC LIMIT 1", (kind, sha256, dataset)).fetchone()
    if row:
        return row[0], f"epoch {row[0]} taken from the earlier load of the same file"
    today = date.today()
    return today, f"no --epoch and no date in the file name: epoch set to today ({today}); pass --epoch YYYY-MM-DD"


def load_inventory(spec: InventoryKind, path: Path | str, *, epoch: date | str | None = None,
                   crs: int | str | None = None,
                   extent: Extent | str | None = "kielce", mapping: Path | str | dict | None = None,
                   dataset: str | None = None, layer: str | None = None, url: str | None = None,
                   force: bool = False, **options: object) -> LoadReport:
    """Load one inventory file as a version of its dataset; see the module docstring for the steps."""
    path = Path(path)
    if not path.is_file():
        raise SourceReadError(f"{path} does not exist or is not a file; check the path")
    ext = extent if isinstance(extent, Extent) else get_extent(extent)
    crs = parse_epsg(crs) if crs is not None else None
    if isinstance(epoch, str):
        epoch = parse_epoch(epoch)
    override = dict(mapping) if isinstance(mapping, dict) else load_mapping(mapping)
    dataset, epoch = dataset_and_epoch(path, dataset=dataset, epoch=epoch)
    sha = file_sha256(path)
    epoch_note = None
    if epoch is None:
        epoch, epoch_note = default_epoch(url, spec.kind, sha, dataset)
    params = {"dataset": dataset, "crs": crs, "extent": ext.describe(), "mapping": override,
              "layer": layer, **options}

    def body(run: LoadRun) -> None:
        if epoch_note:
            run.note(epoch_note)
        table = read_source(spec, path, layer=layer, mapping=override)
        run.count_in(len(table))
        fields = table.fields or resolve_mapping([str(c) for c in table.frame.columns], spec.fields, override)
        rejects = Rejects(table.name, len(table))
        columns, used = spec.build(table, fields, rejects, crs=crs, extent=ext, **options)
        for i, (fld, reason) in table.problems.items():  # after the positions: a file elsewhere is refused whole
            rejects.add(np.arange(len(table)) == i, fld, _fixed(reason))
        id_column = fields.get(spec.id_field)
        ids = source_ids(table.frame[id_column] if id_column else None, rejects, field=spec.id_field,
                         column=id_column, what=spec.what)
        if id_column is None:
            run.note(f"{table.name} has no identifier column ({spec.id_field}): rows are identified by their "
                     "row number, so a later version must keep the row order (or map one with --mapping)")
        extra = [c for c in table.frame.columns if c not in used and c != id_column]
        if table.attrs is not None:
            attrs = pa.array(table.attrs, pa.string())
        else:
            attrs = (pa.array(json_objects(table.frame, extra), pa.string(), from_pandas=True) if extra
                     else pa.nulls(len(table), pa.string()))
        for note in table.notes:
            run.note(note)
        quarantine(run, table, rejects, ids)
        if not rejects.ok.any():  # a failed run that keeps the refused rows with their reasons
            shown = "; ".join(str(r) for r in rejects.reason[:3])
            raise ValidationError(f"{table.name}: none of its {len(table)} rows can be loaded, e.g. {shown}. "
                                  "Nothing was changed (an empty version would retire the whole dataset)")
        data = pa.table({"source_id": pa.array(ids, pa.string()), **columns, "attrs": attrs})
        if not rejects.ok.all():
            data = data.filter(pa.array(rejects.ok))
        with progress_bar(f"{table.name} → {spec.table}", total=data.num_rows) as bar:
            write_version(run, spec.table, data, dataset=dataset, epoch=epoch, advance=bar.advance)
        run.note(f"dataset {dataset!r}, epoch {epoch}")

    return run_load(spec.kind, path, epoch=epoch, body=body, params=params, url=url, force=force, sha256=sha)


def _fixed(reason: str) -> Callable[[int], str]:
    """A Rejects message for one row whose reason is already known."""
    return lambda _row: reason


def read_source(spec: InventoryKind, path: Path, *, layer: str | None, mapping: dict) -> Table:
    """The file as a Table: an OpenStreetMap extract through the kind's tag reader, else `read_table`."""
    if path.suffix.lower() != ".pbf":
        return read_table(path, layer=layer, preferred_layers=spec.layers)
    if spec.osm is None:
        raise SourceReadError(f"{path.name}: an OpenStreetMap file holds no {spec.what}s MSIP can read; "
                              "load its buildings, green spaces and paths with msip load base --osm")
    if mapping or layer:
        raise ConfigError(f"{path.name}: --mapping and --layer do not apply to OpenStreetMap files (MSIP reads "
                          f"the {spec.what} tags itself); drop them")
    return spec.osm(path)


def quarantine(run: LoadRun, table: Table, rejects: Rejects, ids: pd.Series) -> None:
    """Hand every refused row to the run with its reason, raw values and source id."""
    rows = np.flatnonzero(~rejects.ok)
    for i, raw, sid in zip(rows, table.raw_rows(rows), ids.iloc[rows], strict=False):
        run.reject(int(i) + 1, rejects.reason[i], raw=raw, source_id=str(sid) if sid else None,
                   field=rejects.field[i])
