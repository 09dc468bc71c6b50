"""The ad-compliance analysis on sample worlds, scored against their truth: every deliberate violation found
with exactly the right rule codes, no false alarms, hand-computed fees, reproducible and idempotent runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from msip.core.errors import ValidationError
from processing.advertising.analysis import compliance_summary, run_ad_compliance
from tests.support.ad_world import EPOCH1, EPOCH2, fee_file, found, truth, world_db, write_world

pytestmark = pytest.mark.db
#: Seeds whose small worlds together hold every rule code (seed 42 is the shared sample world).
EXTRA_SEEDS = (6, 7, 8)
ALL_CODES = {"TYPE_NOT_ALLOWED", "FACE_AREA_EXCEEDED", "HEIGHT_EXCEEDED", "MIN_SPACING_FREESTANDING",
             "MIN_DISTANCE_INTERSECTION", "MIN_DISTANCE_TREE", "LED_IN_ZONE_A"}


@pytest.fixture(scope="module")
def worlds(sample_dir: Path, tmp_path_factory) -> dict[str, Path]:
    out = {"sample-42": sample_dir}
    for seed in EXTRA_SEEDS:
        out[f"seed-{seed}"] = write_world(tmp_path_factory.mktemp(f"ad-world-{seed}"), seed)
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ad-fees")


@pytest.fixture
def sample42(worlds, scratch) -> str:
    return world_db(worlds["sample-42"], scratch)


def _checksum(url: str, when: date) -> str:
    with psycopg.connect(url) as c:
        return c.execute(
            "SELECT md5(string_agg(concat_ws('|', source_id, zone_code, verdict, violated_rules::text, "
            "violations::text, "
            "fee_pln, penalty_estimate_pln, ST_AsText(geom)), ',' ORDER BY source_id)) "
            "FROM msip.ad_compliance WHERE assessed_epoch = %s", (when,)).fetchone()[0]


def _row(url: str, source_id: str, when: date) -> dict:
    with psycopg.connect(url) as c:
        cur = c.execute("SELECT * FROM msip.ad_compliance WHERE source_id = %s AND assessed_epoch = %s",
                        (source_id, when))
        return dict(zip([d.name for d in cur.description], cur.fetchone(), strict=True))


def _inputs(url: str, source_id: str) -> tuple:
    """(faces, face area m², installation date) of a carrier as loaded from the sample CSV."""
    with psycopg.connect(url) as c:
        return c.execute("SELECT faces, face_area_m2, installed_on FROM msip.advertisement_current "
                         "WHERE source_id = %s", (source_id,)).fetchone()


def test_the_chosen_worlds_exercise_every_rule_code(worlds):
    codes = {code for w in worlds.values() for t in truth(w).values() for code in t["rules"]}
    assert codes == ALL_CODES


@pytest.mark.parametrize("when", [EPOCH1, EPOCH2], ids=["2024", "2025"])
@pytest.mark.parametrize("name", ["sample-42", *(f"seed-{s}" for s in EXTRA_SEEDS)])
def test_every_deliberate_violation_is_found_and_nothing_else(worlds, scratch, name, when):
    url = world_db(worlds[name], scratch)
    report = run_ad_compliance(epoch=when, url=url)
    assert report.status in ("succeeded", "unchanged")
    expected = {cid: t["rules"] for cid, t in truth(worlds[name]).items() if t["first_epoch"] <= when}
    got = found(url, when)
    assert got == expected
    assert sum(1 for v in expected.values() if not v) >= 20  # compliant carriers were there to raise false alarms
    summary = compliance_summary(report.run_id, url)
    assert summary["verdicts"].get("not_assessed", 0) == 0
    assert summary["carriers"] == len(expected)


def test_fees_and_penalty_match_hand_computation(sample42):
    report = run_ad_compliance(epoch=EPOCH1, url=sample42)
    summary = compliance_summary(report.run_id, url=sample42)
    assert f"fees {summary['fee_total_pln']:,.2f} PLN, penalty estimates" in report.summary()
    # NR-0002: słup ogłoszeniowy, 3 faces × 4.70 m², installed 2011, compliant; 2024 is a leap year (366 days).
    assert _inputs(sample42, "NR-0002") == (3, 4.7, date(2011, 1, 18))
    r = _row(sample42, "NR-0002", EPOCH1)
    assert (r["fee_area_m2"], r["verdict"]) == (14.1, "compliant")
    assert r["fee_days"] == 366
    assert r["fee_pln"] == Decimal("1506.09")  # 366 × (2.00 + 0.15 × 14.10) = 366 × 4.115
    assert r["penalty_estimate_pln"] == Decimal("0.00")
    # NR-0003: mural, 1 face of 266.64 m² in zone D (max 200): fee and 40 × the statutory maxima per day.
    assert _inputs(sample42, "NR-0003") == (1, 266.64, date(2010, 3, 22))
    r = _row(sample42, "NR-0003", EPOCH1)
    assert (r["fee_area_m2"], r["violated_rules"]) == (266.64, ["FACE_AREA_EXCEEDED"])
    assert r["fee_pln"] == Decimal("15370.54")  # 366 × (2.00 + 0.15 × 266.64) = 15 370.536
    assert r["penalty_days"] == 366
    assert r["penalty_estimate_pln"] == Decimal("1019822.40")  # 366 × 40 × (3.00 + 0.25 × 266.64)


def test_fee_starts_at_installation_within_the_period(sample42):
    run_ad_compliance(epoch=EPOCH2, url=sample42)
    assert _inputs(sample42, "NR-0037") == (1, 20.08, date(2025, 4, 11))  # the carrier new in epoch 2
    r = _row(sample42, "NR-0037", EPOCH2)
    assert (r["fee_area_m2"], r["fee_days"]) == (20.08, 265)
    assert r["fee_pln"] == Decimal("1407.89")  # 265 × (2.10 + 0.16 × 20.08) = 1 407.892


def test_violations_carry_measured_value_limit_and_partner(sample42):
    run_ad_compliance(epoch=EPOCH1, url=sample42)
    with psycopg.connect(sample42) as c:
        rows = c.execute(
            "SELECT c.source_id, v.rule_code, v.measured, v.limit_value, v.unit, v.related_id FROM msip.ad_violation v "
            "JOIN msip.ad_compliance c USING (result_id) WHERE c.assessed_epoch = %s ORDER BY 1, 2",
            (EPOCH1,)).fetchall()
    spacing = {r[0]: r for r in rows if r[1] == "MIN_SPACING_FREESTANDING"}
    assert len(spacing) == 2
    a, b = spacing.values()
    assert (a[5], b[5]) == (b[0], a[0]) and a[2] == b[2] < a[3] == 50.0 and a[4] == "m"
    area = next(r for r in rows if r[0] == "NR-0003")
    assert (area[2], area[3], area[4]) == (266.64, 200.0, "m2")
    tree = next(r for r in rows if r[1] == "MIN_DISTANCE_TREE")
    assert tree[2] < tree[3] == 5.0 and tree[5].startswith("KLC-D-")


def test_reruns_are_unchanged_and_forced_reruns_reproduce_the_checksum(sample42):
    first = run_ad_compliance(epoch=EPOCH1, url=sample42)
    before = _checksum(sample42, EPOCH1)
    again = run_ad_compliance(epoch=EPOCH1, url=sample42)
    assert again.status == "unchanged" and again.run_id == first.run_id
    forced = run_ad_compliance(epoch=EPOCH1, url=sample42, force=True)
    assert forced.status == "succeeded" and forced.run_id != first.run_id
    assert _checksum(sample42, EPOCH1) == before


def test_a_run_replaces_the_assessment_and_a_replaced_one_is_recomputed(sample42):
    base = run_ad_compliance(epoch=EPOCH1, url=sample42)
    other = run_ad_compliance(epoch=EPOCH1, period_start=date(2024, 7, 1), period_end=date(2024, 7, 31),
                              url=sample42)
    with psycopg.connect(sample42) as c:
        runs = c.execute("SELECT DISTINCT load_run_id, count(*) OVER () FROM msip.ad_compliance "
                         "WHERE assessed_epoch = %s", (EPOCH1,)).fetchall()
    assert runs == [(other.run_id, 36)]
    back = run_ad_compliance(epoch=EPOCH1, url=sample42)  # same inputs as `base`, whose rows are gone
    assert back.status == "succeeded" and back.run_id not in (base.run_id, other.run_id)
    assert compliance_summary(back.run_id, sample42)["carriers"] == 36


def test_bbox_run_only_replaces_carriers_inside(sample42):
    full = run_ad_compliance(epoch=EPOCH1, url=sample42, force=True)
    part = run_ad_compliance(epoch=EPOCH1, bbox=(614000, 334600, 614200, 334800), url=sample42)
    with psycopg.connect(sample42) as c:
        counts = dict(c.execute("SELECT load_run_id, count(*) FROM msip.ad_compliance WHERE assessed_epoch = %s "
                                "GROUP BY 1", (EPOCH1,)).fetchall())
        inside = c.execute("SELECT count(*) FROM msip.advertisement_current WHERE valid_from = %s AND "
                           "ST_Intersects(geom, ST_MakeEnvelope(614000, 334600, 614200, 334800, 2180))",
                           (EPOCH1,)).fetchone()[0]
    assert counts == {part.run_id: inside, full.run_id: 36 - inside} and 0 < inside < 36


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"epoch": date(2020, 1, 1)},
     r"no advertising carriers were recorded by 2020-01-01; the inventory epochs are 2024-06-15, 2025-06-15"),
    (
        {"rule_set": "uchwala_2030"},
        r"no advertising rule set called 'uchwala_2030'; loaded rule sets: zasady_reklamowe",
    ),
    ({"period_start": date(2024, 1, 1), "period_end": date(2026, 12, 31)},
     r"no advertising fee rate for 2026 \(rates for: 2024, 2025\); add fees.rates.2026"),
    ({"period_start": date(2024, 5, 1), "period_end": date(2024, 4, 1)}, r"ends \(2024-04-01\) before it starts"),
])
def test_impossible_requests_are_refused_with_the_fix(sample42, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        run_ad_compliance(url=sample42, **kwargs)


def test_cli_runs_the_analysis_and_reports_refusals_in_one_line(sample42, monkeypatch, capsys):
    from msip.cli import main

    monkeypatch.setenv("MSIP_DATABASE_URL", sample42)
    main(["run", "ad-compliance", "--epoch", "2024-06-15", "--force"])
    assert "11 non-compliant, 25 compliant, 0 not assessed" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="1"):
        main(["run", "ad-compliance", "--from", "2025-01-01", "--to", "2027-01-01"])
    err = capsys.readouterr().err
    assert err.startswith("error: the rule set has no advertising fee rate for 2026") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_the_fully_loaded_sample_database_gives_the_truth(sample_db_url, sample_dir, tmp_path):
    """The whole sample world as every pipeline loads it (conftest's sample_db_url), plus the rules."""
    from pipelines.ad_rules.load import load_ad_rules

    load_ad_rules(sample_dir / "ads/zasady_reklamowe.yaml", fee_rates=fee_file(tmp_path), url=sample_db_url)
    for when in (EPOCH1, EPOCH2):
        run_ad_compliance(epoch=when, url=sample_db_url)
        expected = {cid: t["rules"] for cid, t in truth(sample_dir).items() if t["first_epoch"] <= when}
        assert found(sample_db_url, when) == expected


def test_without_fee_rates_the_fee_totals_are_unknown_not_zero(sample42, worlds, scratch):
    from pipelines.ad_rules.load import load_ad_rules

    rules = Path(worlds["sample-42"]) / "ads/zasady_reklamowe.yaml"
    load_ad_rules(rules, url=sample42)  # the same rules, no fee rates: now the latest rule set
    try:
        report = run_ad_compliance(epoch=EPOCH1, url=sample42, force=True)
        summary = compliance_summary(report.run_id, url=sample42)
        assert summary["carriers"] > 0
        assert summary["fee_total_pln"] is None and summary["penalty_estimate_total_pln"] is None
        # the printed summary says so too, and shows no 0.00 PLN
        assert "fees and penalty estimates: unknown (no fee rates in the rule set" in report.summary()
        assert "0.00 PLN" not in report.summary()
        with psycopg.connect(sample42) as c:
            assert c.execute("SELECT count(*) FILTER (WHERE fee_pln IS NOT NULL OR penalty_estimate_pln IS NOT NULL) "
                             "FROM msip.ad_compliance WHERE load_run_id = %s", (report.run_id,)).fetchone() == (0,)
    finally:  # the rules with fees the latest again (force: the same file was loaded before, a no-op otherwise)
        load_ad_rules(rules, fee_rates=fee_file(scratch), url=sample42, force=True)
