"""Advertising compliance and fees: every carrier checked against the landscape resolution,
stored in msip.ad_compliance.

`run_ad_compliance` takes the carriers standing on the assessment date (default: the latest
inventory epoch), checks them with `processing.advertising.checks` against a loaded rule set (default:
the latest), computes the advertising fee over a period (default: the calendar year of the
assessment date) and, for non-compliant carriers, the penalty estimate (`processing.advertising.fees`).
One assessment is kept per date: a rerun replaces it (for the same dataset / bbox scope).
The run is recorded in msip.load_run; the same inputs and parameters again are 'unchanged'.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from psycopg.types.json import Jsonb
from shapely.geometry import Point

from msip.core.copy import copy_rows, ewkb_hex
from msip.core.db import connect
from msip.core.errors import DatabaseError, ValidationError
from msip.core.runs import LoadReport, LoadRun, previous_success
from processing.advertising.checks import Assessment, assess
from processing.advertising.fees import charged_days, check_period, fee_area_m2, fee_pln, penalty_pln
from processing.advertising.inputs import assessment_date, carriers_at, rule_set_from_db, surroundings
from processing.contract import Analysis, Resolved
from processing.parameters import ParamTable
from processing.provenance import fingerprint, latest_input_runs

NAME = "ad-compliance"
#: Load kinds whose runs the result depends on (their ids go into the run's fingerprint).
INPUT_KINDS = ["ads", "landscape_zones", "trees", "walk_network", "green_spaces", "ad_rules"]
RESULT_COLUMNS = ["result_id", "ad_id", "source_id", "dataset", "assessed_epoch", "rule_set_id", "zone_code",
                  "carrier_type", "mounting", "verdict", "violated_rules", "violations", "unchecked_rules", "note",
                  "period_start", "period_end", "fee_days", "fee_area_m2", "fee_pln", "penalty_days",
                  "penalty_estimate_pln", "load_run_id", "geom"]
VIOLATION_COLUMNS = ["result_id", "rule_code", "measured", "limit_value", "unit", "related_id", "detail",
                     "load_run_id"]


def _in_bbox(a: Assessment, bbox: tuple[float, float, float, float] | None) -> bool:
    return bbox is None or (bbox[0] <= a.carrier.x <= bbox[2] and bbox[1] <= a.carrier.y <= bbox[3])


def _money(a: Assessment, rules, period: tuple[date, date]) -> tuple[int | None, float | None, Decimal | None,
                                                                     int | None, Decimal | None, str | None]:
    """(fee_days, fee_area_m2, fee_pln, penalty_days, penalty_pln, note) of one carrier."""
    if rules.fees is None:
        return None, None, None, None, None, "no fee rates in the rule set"
    c = a.carrier
    area = fee_area_m2(c.faces, c.face_area_m2, rules.fees.area_basis)
    span = charged_days(c.installed_on, *period)
    days = (span[1] - span[0]).days + 1 if span else 0
    if area is None:
        return days, None, None, None, None, "fee not computed: the inventory lacks the face area or face count"
    if span is None:
        return 0, float(area), Decimal("0.00"), 0, Decimal("0.00"), "installed after the fee period"
    fee = fee_pln(area, span[0], span[1], rules.fees)
    if a.verdict != "non_compliant":
        return days, float(area), fee, 0, Decimal("0.00"), None
    return days, float(area), fee, days, penalty_pln(area, span[0], span[1], rules.fees), None


def write_results(run: LoadRun, assessments: list[Assessment], *, rules, rule_set_id: int, when: date,
                  period: tuple[date, date]) -> None:
    """COPY one msip.ad_compliance row per assessment and one msip.ad_violation row per violated rule."""
    conn = run.conn
    ids = [r[0] for r in conn.execute(
        "SELECT nextval('msip.ad_compliance_result_id_seq') FROM generate_series(1, %s)", (len(assessments),))]
    geoms = ewkb_hex([Point(a.carrier.x, a.carrier.y) for a in assessments])
    rows, violations = [], []
    for rid, a, geom in zip(ids, assessments, geoms, strict=True):
        c = a.carrier
        fee_days, area, fee, penalty_days, penalty, fee_note = _money(a, rules, period)
        notes = [f"{code} not checked: {why}" for code, why in sorted(a.unchecked.items())]
        notes += [fee_note] if fee_note else []
        rows.append((rid, c.ad_id, c.source_id, c.dataset, when, rule_set_id, a.zone_code, c.carrier_type, a.mounting,
                     a.verdict, a.violated_rules, Jsonb([v.as_json() for v in sorted(a.violations, key=_by_rule)]),
                     sorted(a.unchecked), "; ".join(notes) or None, period[0], period[1], fee_days, area, fee,
                     penalty_days, penalty, run.run_id, geom))
        violations += [(rid, v.rule, v.measured, v.limit, v.unit, v.related_id, v.detail, run.run_id)
                       for v in sorted(a.violations, key=_by_rule)]
    copy_rows(conn, "msip.ad_compliance", RESULT_COLUMNS, rows)
    copy_rows(conn, "msip.ad_violation", VIOLATION_COLUMNS, violations)


def _by_rule(v) -> str:
    return v.rule


def _fee_note(rules, assessments: list[Assessment], period: tuple[date, date]) -> str:
    """The run's fee line: totals of the known amounts, or 'unknown' (never 0.00) where none is known."""
    if rules.fees is None:
        return ("fees and penalty estimates: unknown (no fee rates in the rule set; add a fees: section to the "
                "rules file or load it with --fee-rates)")
    money = [_money(a, rules, period) for a in assessments]
    fees = [m[2] for m in money if m[2] is not None]
    if not fees:
        return "fees and penalty estimates: unknown (no carrier has a face area and face count)"
    penalty = sum((m[4] for m in money if m[4] is not None), Decimal(0))
    missing = len(money) - len(fees)
    return (f"fees {sum(fees, Decimal(0)):,.2f} PLN, penalty estimates {penalty:,.2f} PLN for {period[0]} – "
            f"{period[1]}" + (f"; {missing} carriers without a known fee (no face area or count)" if missing else ""))


def _results_gone(conn, params: dict, input_ids: list[int], when: date) -> bool:
    """True when an earlier identical run's rows were since replaced (so 'unchanged' would be wrong)."""
    digest = fingerprint(NAME, params, input_ids)
    done = previous_success(conn, f"analysis:{NAME}", digest, when, {**params, "input_runs": sorted(input_ids)})
    if done is None:
        return False
    return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM msip.ad_compliance WHERE load_run_id = %s)",
                        (done[0],)).fetchone()[0]


@dataclass(frozen=True)
class AdRequest:
    """One assessment: date, fee period, rule set, dataset and area asked for (None = the defaults)."""

    epoch: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    rule_set: str | None = None
    dataset: str | None = None
    bbox: tuple[float, float, float, float] | None = None


def _request(values: dict, *, workers: int | None = None) -> AdRequest:
    return AdRequest(**{name: values.get(name) for name in SCOPE})


def _resolve(conn, request: AdRequest) -> Resolved:
    if conn.execute("SELECT to_regclass('msip.ad_compliance') IS NULL").fetchone()[0]:
        raise DatabaseError("the database has no advertising-compliance tables yet (migration "
                            "073_ad_compliance.sql); run `msip db migrate`")
    rule_set_id, rules = rule_set_from_db(conn, request.rule_set)
    when = assessment_date(conn, request.epoch, request.dataset)
    period = (request.period_start or date(when.year, 1, 1), request.period_end or date(when.year, 12, 31))
    check_period(rules.fees, *period)
    input_ids = latest_input_runs(conn, INPUT_KINDS)
    bbox = request.bbox
    params = {"epoch": when.isoformat(), "period": [period[0].isoformat(), period[1].isoformat()],
              "rule_set_id": rule_set_id, "dataset": request.dataset, "bbox": list(bbox) if bbox else None}
    return Resolved(params, input_ids, when, state=(rules, rule_set_id, when, period),
                    stale=_results_gone(conn, params, input_ids, when))


def _compute(run: LoadRun, request: AdRequest, resolved: Resolved) -> None:
    rules, rule_set_id, when, period = resolved.state
    dataset, bbox = request.dataset, request.bbox
    conn = run.conn
    # Runs with other parameters replace the same rows: one at a time.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('analysis:ad-compliance'))")
    carriers = carriers_at(conn, when, dataset)
    if not carriers:
        raise ValidationError(
            f"no advertising carriers stood on {when}" + (f" in dataset {dataset!r}" if dataset else "")
        )
    around, notes = surroundings(conn, rules, when)
    assessments = [a for a in assess(carriers, rules, around) if _in_bbox(a, bbox)]
    box = list(bbox) if bbox else [-1e12, -1e12, 1e12, 1e12]
    conn.execute("DELETE FROM msip.ad_compliance WHERE assessed_epoch = %s AND (%s::text IS NULL OR dataset = %s) "
                 "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 2180)", (when, dataset, dataset, *box))
    run.count_in(len(assessments))
    write_results(run, assessments, rules=rules, rule_set_id=rule_set_id, when=when, period=period)
    run.loaded(inserted=len(assessments))
    verdicts = Counter(a.verdict for a in assessments)
    by_rule = Counter(code for a in assessments for code in a.violated_rules)
    run.note(f"{when}: {verdicts['non_compliant']} non-compliant, {verdicts['compliant']} compliant, "
             f"{verdicts['not_assessed']} not assessed (rule set {rules.name!r}, id {rule_set_id})")
    if by_rule:
        run.note("violations: " + ", ".join(f"{code} {n}" for code, n in sorted(by_rule.items())))
    run.note(_fee_note(rules, assessments, period))
    for note in notes:
        run.note(note)


#: No tunable parameters: an assessment is set by its scope (SCOPE) and the rule set loaded as data.
PARAMETERS = ParamTable(NAME, ())
SCOPE = ("epoch", "period_start", "period_end", "rule_set", "dataset", "bbox")
ANALYSIS: Analysis[LoadReport] = Analysis(NAME, PARAMETERS, _request, _resolve, _compute)


def run_ad_compliance(*, epoch: date | None = None, period_start: date | None = None, period_end: date | None = None,
                      rule_set: str | None = None, dataset: str | None = None,
                      bbox: tuple[float, float, float, float] | None = None, url: str | None = None,
                      force: bool = False) -> LoadReport:
    """Assess every carrier standing on `epoch` and store verdicts, violations, fees and penalty estimates.

    Parameters
    ----------
    epoch : date, optional
        Assessment date (default: the latest advertising inventory epoch).
    period_start, period_end : date, optional
        Fee period, inclusive (default: the calendar year of the assessment date).
    rule_set : str, optional
        Name of the rule set (default: the one loaded last).
    dataset : str, optional
        Only carriers of this inventory dataset.
    bbox : (minx, miny, maxx, maxy), optional
        Only store carriers inside this EPSG:2180 box (spacing still counts carriers outside it).
    """
    request = AdRequest(epoch, period_start, period_end, rule_set, dataset, bbox)
    return ANALYSIS.run(request, url=url, force=force)


def compliance_summary(run_id: int, url: str | None = None) -> dict:
    """Counts by verdict and rule, and fee / penalty totals (PLN) of the rows an analysis run wrote.

    A total is None when no carrier's amount is known (the rule set has no fee rates): unknown, not zero.
    """
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT verdict, count(*), sum(fee_pln), sum(penalty_estimate_pln), "
            "min(assessed_epoch), min(period_start), max(period_end), min(rule_set_id) "
            "FROM msip.ad_compliance WHERE load_run_id = %s GROUP BY verdict ORDER BY verdict", (run_id,)).fetchall()
        rules = conn.execute("SELECT rule_code, count(*) FROM msip.ad_violation WHERE load_run_id = %s "
                             "GROUP BY rule_code ORDER BY rule_code", (run_id,)).fetchall()
    return {
        "run_id": run_id,
        "assessed_epoch": str(rows[0][4]) if rows else None,
        "period": [str(rows[0][5]), str(rows[0][6])] if rows else None,
        "rule_set_id": rows[0][7] if rows else None,
        "carriers": sum(r[1] for r in rows),
        "verdicts": {r[0]: r[1] for r in rows},
        "violations_by_rule": dict(rules),
        "fee_total_pln": _total(r[2] for r in rows),
        "penalty_estimate_total_pln": _total(r[3] for r in rows),
    }


def _total(sums: Iterable[Decimal | None]) -> float | None:
    """Sum of the known amounts; None (unknown, not 0) when no carrier has one, e.g. no fee rates."""
    known = [s for s in sums if s is not None]
    return float(sum(known, Decimal(0))) if known else None
