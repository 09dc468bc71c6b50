"""Which data a green-access run reads: the building snapshot and, for each other layer, its epoch.

The analysis date is the epoch of the building snapshot (default: the latest). Every other
layer is taken at its latest epoch on or before that date; when a layer only has later
epochs, the earliest one is used and the run says so in a note. Undated layers (epoch NULL)
are used when nothing dated exists. The load runs behind the rows read are the run's inputs
(its provenance fingerprint), so loading new data makes the next run compute afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import psycopg

from msip.core.db import one_row
from msip.core.errors import MsipError
from processing.epochs import building_epoch, pick_epoch


@dataclass
class Inputs:
    """Epochs and files a run uses, the load runs behind them and remarks for the summary."""

    epoch: date | None
    network_epoch: date | None
    green_epoch: date | None
    chm_epoch: date | None
    chm_path: str | None
    detected_epoch: date | None
    has_schools: bool
    has_green_spaces: bool = True
    input_run_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict:
        """The epochs as text (for the run summary and the OGC response)."""

        def text(d):
            return d.isoformat() if d else None

        return {
            "buildings": text(self.epoch),
            "network": text(self.network_epoch),
            "green_spaces": text(self.green_epoch),
            "trees_detected": text(self.detected_epoch),
            "chm": text(self.chm_epoch),
        }


def _epochs(conn: psycopg.Connection, query: str) -> list[date | None]:
    return [r[0] for r in conn.execute(query)]


def resolve_inputs(conn: psycopg.Connection, epoch: date | None) -> Inputs:
    """The epochs a run on the building snapshot `epoch` (None = latest) reads; raises when unusable."""
    building_epochs = _epochs(conn, "SELECT DISTINCT epoch FROM msip.building WHERE residential")
    if not building_epochs:
        raise MsipError(
            "no residential buildings are loaded; load them first with `msip load base buildings.gpkg`"
        )
    epoch = building_epoch(building_epochs, epoch)
    inputs = Inputs(epoch, None, None, None, None, None, False)
    if not one_row(conn.execute("SELECT EXISTS (SELECT 1 FROM msip.walk_edge)"))[0]:
        raise MsipError(
            "no walking network is loaded; load it first with `msip load base streets.gpkg` (or OSM)"
        )
    inputs.network_epoch, note = pick_epoch(
        _epochs(conn, "SELECT DISTINCT epoch FROM msip.walk_edge"), epoch
    )
    if note:
        inputs.notes.append(f"walking network: {note}")
    inputs.green_epoch, note = pick_epoch(
        _epochs(conn, "SELECT DISTINCT epoch FROM msip.green_space"), epoch
    )
    if note:
        inputs.notes.append(f"green spaces: {note}")
    inputs.has_green_spaces = one_row(conn.execute("SELECT EXISTS (SELECT 1 FROM msip.green_space)"))[0]
    if not inputs.has_green_spaces:
        inputs.notes.append("no green spaces are loaded: 300 and art. 13f are unknown; load them with "
                            "`msip load base --parks parks.gpkg`")
    inputs.chm_epoch, note = pick_epoch(
        _epochs(
            conn, "SELECT DISTINCT epoch FROM msip.raster_asset WHERE kind = 'chm' AND is_mosaic"
        ),
        epoch,
    )
    if inputs.chm_epoch:
        inputs.chm_path = one_row(conn.execute(
            "SELECT path FROM msip.raster_asset WHERE kind = 'chm' AND is_mosaic AND epoch = %s "
            "ORDER BY asset_id DESC LIMIT 1",
            (inputs.chm_epoch,),
        ))[0]
        if note:
            inputs.notes.append(f"canopy height model: {note}")
    else:
        inputs.notes.append(
            "no canopy height model (CHM) is loaded: canopy cover and 30 are unknown; "
            "load LiDAR with `msip load lidar`"
        )
    inputs.detected_epoch, note = pick_epoch(
        _epochs(conn, "SELECT DISTINCT epoch FROM msip.tree_detected"), epoch
    )
    if note:
        inputs.notes.append(f"LiDAR-detected trees: {note}")
    if not one_row(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM msip.tree WHERE (%(e)s::date IS NULL AND valid_to IS NULL) "
        "OR (valid_from <= %(e)s AND (valid_to IS NULL OR valid_to > %(e)s)))",
        {"e": epoch},
    ))[0]:
        inputs.notes.append(
            f"no inventory trees valid on {epoch or 'today'}: 3 counts LiDAR-detected trees only"
            + ("" if inputs.chm_path else " (and no LiDAR survey is loaded: 3 is unknown)")
        )
    inputs.has_schools = one_row(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM msip.building WHERE kind = 'school' AND epoch IS NOT DISTINCT FROM %s)",
        (epoch,),
    ))[0]
    if not inputs.has_schools:
        inputs.notes.append(
            "no school buildings (kind 'school') in the snapshot: the art. 13f school test is left out"
        )
    inputs.input_run_ids = _input_runs(conn, inputs)
    return inputs


def _input_runs(conn: psycopg.Connection, i: Inputs) -> list[int]:
    """Load runs of every row the analysis reads (its provenance)."""
    rows = conn.execute(
        "SELECT DISTINCT load_run_id FROM msip.building WHERE epoch IS NOT DISTINCT FROM %(b)s "
        "UNION SELECT DISTINCT load_run_id FROM msip.walk_edge WHERE epoch IS NOT DISTINCT FROM %(n)s "
        "UNION SELECT DISTINCT load_run_id FROM msip.green_space WHERE epoch IS NOT DISTINCT FROM %(g)s "
        "UNION SELECT DISTINCT load_run_id FROM msip.tree WHERE (%(b)s::date IS NULL AND valid_to IS NULL) "
        "  OR (valid_from <= %(b)s AND (valid_to IS NULL OR valid_to > %(b)s)) "
        "UNION SELECT DISTINCT load_run_id FROM msip.tree_detected WHERE epoch = %(d)s "
        "UNION SELECT DISTINCT load_run_id FROM msip.raster_asset WHERE kind = 'chm' AND is_mosaic AND epoch = %(c)s",
        {
            "b": i.epoch,
            "n": i.network_epoch,
            "g": i.green_epoch,
            "d": i.detected_epoch,
            "c": i.chm_epoch,
        },
    )
    return sorted(r[0] for r in rows)
