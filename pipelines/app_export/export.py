"""`export_app`: write a loaded plan as an APP GML 2.0 file (art. 67a u.p.z.p.), with its drawing beside it.

Round trip: loading the file back (`msip load zoning`) into a fresh database gives the same
act, zones, attributes and areas (tests/pipelines/app_export/test_round_trip.py checks it on the
sample world's plans and on every real APP file MSIP loads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from msip.core.db import connect
from pipelines.app_export.drawing import Drawing, render_drawing
from pipelines.app_export.plan import PlanData, read_plan
from pipelines.app_export.writer import AppExport, DrawingLink, build_app


@dataclass
class ExportReport:
    """What `export_app` wrote: the plan, the files, the member counts and the notes."""

    plan: str
    path: Path | None
    zones: int
    documents: int
    epsg: int
    drawing: Path | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = str(self.path) if self.path else "stdout"
        text = (f"{self.plan}: {self.zones} zones and {self.documents} documents written to {where} "
                f"(APP GML 2.0, EPSG:{self.epsg}, northing first)")
        if self.drawing:
            text += f"; drawing {self.drawing.name} with world file {self.drawing.with_suffix('.pgw').name}"
        return "\n".join([text, *(f"  note: {n}" for n in self.notes)])


def app_dataset(
    data: PlanData, *, drawing_url: str | None = None, drawing: Drawing | None = None,
    timestamp: datetime | None = None,
) -> AppExport:
    """The APP dataset of `data`; with `drawing_url` it references the drawing (rendered now unless given)."""
    link = None
    if drawing_url is not None:
        drawing = drawing or render_drawing(data)
        link = DrawingLink(drawing_url, drawing.scale_denominator)
    return build_app(data, drawing=link, timestamp=timestamp)


def _write(path: Path, content: bytes) -> None:
    """Write to a temporary name, then rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def export_app(
    plan: str | int, out: Path | None, *, url: str | None = None, drawing: bool = True,
    timestamp: datetime | None = None,
) -> tuple[ExportReport, bytes]:
    """Export plan `plan` (id, 'przestrzenNazw/lokalnyId' or lokalnyId) to `out` (None: only return the bytes).

    With `drawing` and an `out` file, the drawing is written beside it (`<stem>.png` + `.pgw`) and
    the dataset references it by that relative name. Returns the report and the GML bytes.
    """
    with connect(url) as conn:
        data = read_plan(conn, plan)
    picture = render_drawing(data) if drawing and out is not None else None
    png = out.with_suffix(".png") if picture is not None and out is not None else None
    dataset = app_dataset(data, drawing_url=png.name if png else None, drawing=picture, timestamp=timestamp)
    content = dataset.to_bytes()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        _write(out, content)
    if png is not None and picture is not None:
        _write(png, picture.png)
        _write(png.with_suffix(".pgw"), picture.world_file.encode())
    report = ExportReport(data.label, out, dataset.zones, dataset.documents, data.epsg, png, dataset.notes)
    return report, content
