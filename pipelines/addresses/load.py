"""Address loader: PRG address-point GML (models 2012 and 2021) into msip.address.

The file is read in one streaming pass (`prg_gml.read_points`) whose points are COPYed into a
staging table as they come; links to communes, localities and streets are resolved there
afterwards. Each point must lie in its unit: the most detailed boundary loaded for its TERYT
(commune, else county, else voivodeship, else the country), within `LOCATION_TOLERANCE_M`;
with no boundary for it, inside the extent (Poland by default). A point that only fits with
its coordinates swapped is quarantined saying so; when most points of a file miss their unit
the file is refused (wrong axis order or CRS). Duplicate identifiers: later ones quarantined.
Points are keyed by idIIP (przestrzenNazw, lokalnyId): a newer delivery updates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from msip.core.copy import copy_rows, ewkb_hex
from msip.core.errors import ValidationError
from msip.core.runs import LoadReport, LoadRun, run_load
from pipelines.addresses.prg_gml import AddressPoint, Problem, Units, read_points, refuse_if_not_prg
from pipelines.readers.validate import EXTENTS, Extent

#: How far outside its unit's outline a point may lie (m). Published boundary extracts are often
#: simplified by kilometres' worth of vertices removed; an axis swap moves a point by √2·|E − N|,
#: hundreds of kilometres almost everywhere in Poland.
LOCATION_TOLERANCE_M = 1000.0
#: Share of a file's points outside their unit above which the file is refused, not its rows.
REFUSE_SHARE = 0.5
COLUMNS = ["iip_namespace", "local_id", "version_id", "source_id", "prg_model", "teryt", "commune", "locality",
           "locality_simc", "street", "street_ulic", "house_number", "postcode", "status", "valid_from",
           "source_epsg", "located_in"]
_STAGE = "stage_address"
#: Points staged per batch (their EWKB is built in one call).
_BATCH = 10_000


def load_addresses(
    path: Path | str,
    *,
    url: str | None = None,
    extent: Extent | None = None,
    swap_axes: bool = False,
    force: bool = False,
) -> LoadReport:
    """Load one PRG address GML file; returns the load report, raises MsipError when it is refused.

    `extent` is where points without a loaded boundary must lie (Poland by default);
    `swap_axes` reads every position the other way round than its srsName says (for exports
    known to write them wrongly).
    """
    path = Path(path)
    extent = extent or EXTENTS["poland"]

    def body(run: LoadRun) -> None:
        _load(run, path, extent, swap_axes)

    params = {"extent": extent.describe(), "swap_axes": swap_axes}
    return run_load("addresses", path, epoch=None, body=body, params=params, url=url, force=force)


def _load(run: LoadRun, path: Path, extent: Extent, swap_axes: bool) -> None:
    conn = run.conn
    conn.execute(
        f"CREATE TEMP TABLE {_STAGE} (LIKE msip.address INCLUDING DEFAULTS) ON COMMIT DROP; "
        f"ALTER TABLE {_STAGE} ADD COLUMN row_number int, ADD COLUMN line int, ADD COLUMN refs text[], "
        "ADD COLUMN swapped geometry(Point, 2180), ADD COLUMN reason text, "
        "ADD COLUMN field text; "
        f"ALTER TABLE {_STAGE} ALTER COLUMN row_hash DROP NOT NULL, ALTER COLUMN load_run_id DROP NOT NULL"
    )
    units = Units()
    outside = [0]
    points = [0]

    def staged() -> Iterator[list]:
        batch: list[AddressPoint] = []
        for item in read_points(path, units, extent=extent, swap_axes=swap_axes):
            points[0] += 1
            run.count_in()
            if isinstance(item, Problem):
                outside[0] += item.outside
                run.reject(item.row, item.reason, raw=item.raw, source_id=item.source_id, field=item.field)
                continue
            batch.append(item)
            if len(batch) >= _BATCH:
                yield from _stage_rows(batch)
                batch = []
        yield from _stage_rows(batch)

    copy_rows(conn, _STAGE, [*COLUMNS[:-2], "source_epsg", "row_number", "line", "refs", "geom", "swapped"],
              staged())
    conn.execute(f"ANALYZE {_STAGE}")
    refuse_if_not_prg(path, points[0], units)
    if units.other:
        run.note(f"{units.other} features of other types than PRG address points and their names were ignored")
    _resolve(run, units)
    hint = "without --swap-axes" if swap_axes else "with --swap-axes"
    _check(run, path, extent.name.lower(), hint)
    misplaced = outside[0] + _count(run, "reason IS NOT NULL AND field = 'pozycja'")
    if points[0] and misplaced > REFUSE_SHARE * points[0]:
        raise ValidationError(_refusal(run, path, misplaced, points[0], hint))
    _quarantine(run)
    _write(run)


def _stage_rows(batch: list[AddressPoint]) -> Iterator[list]:
    """Staging rows of a batch of points, their positions as EWKB built in one go."""
    if not batch:
        return
    geoms = ewkb_hex(x=np.array([p.x for p in batch]), y=np.array([p.y for p in batch])).to_pylist()
    sx = np.array([np.nan if p.swapped_x is None else p.swapped_x for p in batch])
    sy = np.array([np.nan if p.swapped_y is None else p.swapped_y for p in batch])
    swapped = ewkb_hex(x=sx, y=sy).to_pylist()
    for p, geom, alt in zip(batch, geoms, swapped, strict=True):
        v = p.values
        yield [*(v.get(c) for c in COLUMNS[:-2]), p.source_epsg, p.row, p.line, p.refs, geom,
               None if p.swapped_x is None else alt]


def _resolve(run: LoadRun, units: Units) -> None:
    """Fill commune TERYT, locality (SIMC) and street (ULIC) from the linked objects."""
    conn = run.conn
    conn.execute("CREATE TEMP TABLE stage_prg_unit (gml_id text PRIMARY KEY, kind text, code text, name text, "
                 "commune_teryt text) ON COMMIT DROP")
    copy_rows(conn, "stage_prg_unit", ["gml_id", "kind", "code", "name", "commune_teryt"],
              ((gid, *u) for gid, u in units.rows.items()))
    conn.execute("ANALYZE stage_prg_unit")
    for kind, sets in (
        ("commune", "teryt = coalesce(s.teryt, u.code), commune = coalesce(s.commune, u.name)"),
        ("locality", "locality = coalesce(s.locality, u.name), locality_simc = u.code, "
                     "teryt = coalesce(s.teryt, u.commune_teryt)"),
        ("street", "street = coalesce(s.street, u.name), street_ulic = u.code"),
    ):
        conn.execute(
            f"UPDATE {_STAGE} s SET {sets} FROM (SELECT DISTINCT ON (x.row_number) x.row_number, v.* "
            f"FROM {_STAGE} x CROSS JOIN LATERAL unnest(x.refs) r(gml_id) JOIN stage_prg_unit v "
            "ON v.gml_id = r.gml_id AND v.kind = %s ORDER BY x.row_number) u WHERE u.row_number = s.row_number",
            (kind,),
        )
    missing = _count(run, "teryt IS NULL")
    if missing:
        run.note(f"{missing} points have no commune TERYT in the file: checked against the country "
                 "(or the extent) only")


def _check(run: LoadRun, path: Path, extent_name: str, swap_hint: str) -> None:
    """Quarantine bad TERYT codes, duplicates and points outside their unit (reasons in the stage)."""
    conn = run.conn
    prefix = f"format('%%s row %%s (point %%s, line %%s): ', {_lit(path.name)}, s.row_number, s.local_id, s.line)"
    conn.execute(
        f"UPDATE {_STAGE} s SET field = 'teryt', reason = {prefix} || format('commune TERYT=%%L is not 7 digits "
        "(e.g. 2661011); fix the idTERYT / TERYTGminy of its commune', s.teryt) WHERE s.teryt !~ '^[0-9]{7}$'",
        (),
    )
    conn.execute(
        f"UPDATE {_STAGE} s SET field = 'idIIP', reason = {prefix} || format('duplicate idIIP (first at row %%s); "
        f"each point must appear once', f.first) FROM (SELECT iip_namespace, local_id, min(row_number) AS first "
        f"FROM {_STAGE} GROUP BY 1, 2 HAVING count(*) > 1) f WHERE s.iip_namespace = f.iip_namespace "
        "AND s.local_id = f.local_id AND s.row_number > f.first AND s.reason IS NULL",
        (),
    )
    conn.execute(
        f"CREATE TEMP TABLE stage_located ON COMMIT DROP AS SELECT s.row_number, b.level, b.teryt, b.name, "
        "ST_DWithin(b.geom, s.geom, %(tol)s) AS inside, "
        "s.swapped IS NOT NULL AND ST_DWithin(b.geom, s.swapped, %(tol)s) AS swapped_inside, "
        "CASE WHEN NOT ST_DWithin(b.geom, s.geom, %(tol)s) THEN (SELECT format('%%s %%s (%%s)', o.level, o.teryt, "
        "o.name) FROM msip.admin_boundary o WHERE o.level = b.level AND ST_Intersects(o.geom, s.geom) LIMIT 1) "
        "END AS lies_in "
        f"FROM {_STAGE} s CROSS JOIN LATERAL (SELECT level, teryt, name, geom FROM msip.admin_boundary a "
        "WHERE a.teryt IN (s.teryt, left(s.teryt, 4), left(s.teryt, 2), 'PL') "
        "ORDER BY array_position(ARRAY['commune', 'county', 'voivodeship', 'country'], a.level) LIMIT 1) b "
        "WHERE s.reason IS NULL",
        {"tol": LOCATION_TOLERANCE_M},
    )
    conn.execute(f"UPDATE {_STAGE} s SET located_in = l.teryt FROM stage_located l "
                 "WHERE l.row_number = s.row_number AND l.inside")
    conn.execute(
        f"UPDATE {_STAGE} s SET field = 'pozycja', reason = {prefix} || format("
        "'lies outside its %%s %%s (%%s)%%s', l.level, l.teryt, l.name, "
        "coalesce(', in ' || l.lies_in, '')) || CASE WHEN l.swapped_inside THEN ' but inside it with its two "
        "coordinates swapped: the position is written in the other axis order than its srsName says; fix the "
        "export or load ' || %s ELSE '; check its position, srsName and TERYT code' END "
        "FROM stage_located l WHERE l.row_number = s.row_number AND NOT l.inside",
        (swap_hint,),
    )
    conn.execute(f"UPDATE {_STAGE} SET located_in = %s WHERE reason IS NULL AND located_in IS NULL",
                 (extent_name,))


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _count(run: LoadRun, where: str) -> int:
    row = run.conn.execute(f"SELECT count(*) FROM {_STAGE} WHERE {where}").fetchone()
    return int(row[0]) if row else 0


def _refusal(run: LoadRun, path: Path, misplaced: int, total: int, hint: str) -> str:
    swapped = _count(run, "reason LIKE '%coordinates swapped%'")
    first = run.conn.execute(f"SELECT reason FROM {_STAGE} WHERE field = 'pozycja' ORDER BY row_number "
                             "LIMIT 1").fetchone()
    example = first[0] if first else (run.report.rejections[0].reason if run.report.rejections else "")
    if swapped > misplaced / 2:
        fix = (f"{swapped} of them fit with the two coordinates swapped: the file writes positions in the other "
               f"axis order than its srsName says; load it {hint} or fix the export")
    else:
        fix = "check the srsName (CRS) of the positions and the TERYT codes"
    return (f"{path.name}: refused, {misplaced} of {total} points lie outside their unit; {fix}. "
            f"First: {example}")


def _quarantine(run: LoadRun) -> None:
    rows = run.conn.execute(
        # The values as read (the source text of the rows refused here is not kept while streaming).
        "SELECT row_number, reason, to_jsonb(s) - 'geom' - 'swapped' - 'reason' - 'field' - 'row_hash' - 'load_run_id' "
        f"|| jsonb_build_object('e', ST_X(geom), 'n', ST_Y(geom)), local_id, field FROM {_STAGE} s "
        "WHERE reason IS NOT NULL ORDER BY row_number"
    ).fetchall()
    for row, reason, raw, local, field in rows:
        run.reject(row, reason, raw=raw, source_id=local, field=field)


def _write(run: LoadRun) -> None:
    """Upsert the accepted points by idIIP; row_hash tells unchanged points from changed ones.

    An INSERT … ON CONFLICT on the table's unique key rather than `msip.core.versions.sync_staged`:
    when written, sync_staged's NULL-safe key match could not use an index (10 000 points against
    60 000 stored took 100 s). It now matches NOT NULL keys with `=`; folding this back into it
    waits for a re-measurement on a national-size file.
    """
    cols = [*COLUMNS, "row_hash", "load_run_id", "geom"]
    names = ", ".join(cols)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c not in ("iip_namespace", "local_id"))
    plain = ", ".join(COLUMNS)
    row = run.conn.execute(
        f"WITH staged AS (SELECT {plain}, md5(concat_ws('|', {plain}, ST_AsEWKB(geom)::text)) AS row_hash, "
        f"%s::bigint AS load_run_id, geom FROM {_STAGE} WHERE reason IS NULL), "
        f"up AS (INSERT INTO msip.address ({names}) SELECT {names} FROM staged "
        f"ON CONFLICT (iip_namespace, local_id) DO UPDATE SET {updates} "
        "WHERE msip.address.row_hash IS DISTINCT FROM EXCLUDED.row_hash RETURNING (xmax = 0) AS inserted) "
        "SELECT (SELECT count(*) FROM staged), count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
        "FROM up",
        (run.run_id,),
    ).fetchone()
    assert row is not None
    total, inserted, updated = (int(v) for v in row)
    run.loaded(inserted=inserted, updated=updated, unchanged=total - inserted - updated)
