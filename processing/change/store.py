"""Storing a change run (msip.change_event, replacing the same epoch pair's events in its area) and reading it back."""

from __future__ import annotations

import json

import numpy as np

from msip.core.copy import copy_rows, ewkb_hex
from msip.core.db import connect
from msip.core.runs import LoadRun
from processing.change.detect import ChangeInputs, ChangeResult
from processing.change.events import EVENT_TYPES

EVENT_COLUMNS = (
    "type",
    "epoch_from",
    "epoch_to",
    "area_m2",
    "height_change_m",
    "object_id",
    "evidence",
    "geom",
    "load_run_id",
)


def store_events(
    run: LoadRun, inputs: ChangeInputs, result: ChangeResult, input_notes: list[str]
) -> None:
    """Write the events of `result` in the run's transaction; earlier events of the pair in the area are retired."""
    conn = run.conn
    retired = conn.execute(
        "DELETE FROM msip.change_event WHERE epoch_from = %s AND epoch_to = %s "
        "AND ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 2180))",
        (inputs.epoch_from, inputs.epoch_to, *inputs.area),
    ).rowcount
    geoms = ewkb_hex(np.array([e.geom for e in result.events], dtype=object))
    copy_rows(
        conn,
        "msip.change_event",
        EVENT_COLUMNS,
        (
            (
                e.type,
                inputs.epoch_from,
                inputs.epoch_to,
                e.area_m2,
                e.height_change_m,
                e.object_id,
                json.dumps(e.evidence, sort_keys=True, ensure_ascii=False),
                g,
                run.run_id,
            )
            for e, g in zip(result.events, geoms, strict=True)
        ),
    )
    run.count_in(len(result.events))
    run.loaded(inserted=len(result.events), retired=retired)
    counts = ", ".join(f"{n} {t}" for t, n in result.counts().items()) or "no changes"
    run.note(f"{inputs.epoch_from} → {inputs.epoch_to}: {counts}")
    for note in input_notes + result.notes:
        run.note(note)
    run.note(f"events checksum {result.checksum}")


def run_outputs(run_id: int, *, url: str | None = None) -> dict:
    """What a change run found: run id, epochs, events per type and the events as GeoJSON (EPSG:2180).

    For a run reported 'unchanged' pass the id of the earlier run it points to (LoadReport.run_id).
    """
    with connect(url) as conn:
        row = conn.execute(
            "SELECT params FROM msip.load_run WHERE run_id = %s", (run_id,)
        ).fetchone()
        rows = conn.execute(
            "SELECT event_id, type, area_m2, height_change_m, object_id, evidence, ST_AsGeoJSON(geom, 2)::json "
            "FROM msip.change_event WHERE load_run_id = %s ORDER BY event_id",
            (run_id,),
        ).fetchall()
    params = (row[0] if row else None) or {}
    feats = [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": r[6],
            "properties": {
                "type": r[1],
                "area_m2": r[2],
                "height_change_m": r[3],
                "object_id": r[4],
                "evidence": r[5],
            },
        }
        for r in rows
    ]
    found = [r[1] for r in rows]
    return {
        "run_id": run_id,
        "epoch_from": params.get("epoch_from"),
        "epoch_to": params.get("epoch_to"),
        "counts": {t: found.count(t) for t in EVENT_TYPES if t in found},
        "events": {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}},
            "features": feats,
        },
    }
