"""Advertising rule checks and fees as pure functions, on a hand-built street scene with one carrier per rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from shapely.geometry import LineString, Point, box

from msip.core.errors import ValidationError
from pipelines.ad_rules.fees import FeeRate, FeeSchedule
from pipelines.ad_rules.load import read_rules
from processing.advertising.checks import Carrier, Feature, Surroundings, assess, intersections
from processing.advertising.fees import (
    charged_days,
    check_period,
    days_by_year,
    fee_area_m2,
    fee_pln,
    penalty_pln,
)
from tests.support.toys.ad_world import TOY_RULES, at

#: id → (type code, type wording, faces, face area m², height m, lit, LED, x, y offset): expected rule codes.
SCENE = {
    "K01": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 250, 80), []),
    "K02": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 50, 85), ["TYPE_NOT_ALLOWED"]),
    "K03": (("led_screen", "ekran LED", 1, 6.0, 4.0, True, True, 10, 35), ["LED_IN_ZONE_A"]),
    "K04": (("board", "wolnostojący", 2, 15.0, 6.0, False, False, 104, 58),
            ["FACE_AREA_EXCEEDED", "HEIGHT_EXCEEDED", "MIN_DISTANCE_INTERSECTION", "MIN_DISTANCE_ROAD_EDGE"]),
    "K05": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 330, 20), ["MIN_SPACING_FREESTANDING"]),
    "K06": (("led_screen", "ekran LED", 1, 6.0, 4.0, True, True, 360, 20), ["MIN_SPACING_FREESTANDING"]),
    "K07": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 338, 80), ["MIN_DISTANCE_PARK"]),
    "K08": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 205, 20), []),  # 5 m from a *private* park
    "K09": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 190, 85), ["MIN_DISTANCE_TREE"]),
    "K10": (("mural", "mural", 1, 30.0, 10.0, True, False, 70, 30), ["ILLUMINATION_FORBIDDEN"]),
    "K11": (("mural", "mural", 1, 30.0, 10.0, False, False, 35, 10), ["MIN_DISTANCE_MONUMENT"]),
    "K12": (("sign", "szyld", 1, 1.0, 3.0, False, False, 250, 40), []),  # type not in the rules
    "K13": (("board", "wolnostojący", 1, 10.0, 4.0, False, False, 500, 50), []),  # outside every zone
    "K14": (("board", "wolnostojący", 1, 10.0, None, False, False, 260, 20), []),  # height missing
}
NOT_ASSESSED = {"K12", "K13", "K14"}


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = Path(tmp_path_factory.mktemp("rules")) / "uchwala.yaml"
    path.write_text(yaml.safe_dump(TOY_RULES, allow_unicode=True), encoding="utf-8")
    return read_rules(path)[0]


def scene() -> Surroundings:
    """Zones A (0–100) and B (100–400) × (0–100); a G street along y=50 crossed by an L street at x=100
    (an intersection) and met by a footway at x=150 (not one); a tree, a public and a private park."""
    v = {1: at(0, 50), 2: at(100, 50), 3: at(150, 50), 4: at(400, 50), 5: at(100, 0), 6: at(100, 100), 7: at(150, 100)}
    edges = [(1, 2, "G", 10.0), (2, 3, "G", 10.0), (3, 4, "G", 10.0), (5, 2, "L", 6.0), (2, 6, "L", 6.0),
             (3, 7, "footway", None)]
    return Surroundings(
        zones=[("A", box(*at(0, 0), *at(100, 100))), ("B", box(*at(100, 0), *at(400, 100)))],
        trees=[Feature("T1", Point(at(20, 80))), Feature("T2", Point(at(193, 87)))],
        streets=[Feature(f"S{i}", LineString([v[a], v[b]]), road_class=c, width_m=w)
                 for i, (a, b, c, w) in enumerate(edges, start=1)],
        street_ends=[(a, b) for a, b, _, _ in edges],
        vertices=v,
        parks=[Feature("P1", box(*at(300, 70), *at(330, 95)), area_m2=750.0, public_access=True),
               Feature("P2", box(*at(200, 5), *at(215, 15)), area_m2=150.0, public_access=False)],
    )


def carriers() -> list[Carrier]:
    out = []
    for n, (cid, ((code, label, faces, area, height, lit, led, x, y), _)) in enumerate(SCENE.items(), start=1):
        out.append(Carrier(n, cid, "test", code, faces, area, height, lit, led, date(2020, 1, 1), *at(x, y), label))
    return out


def test_every_rule_fires_exactly_where_the_scene_breaks_it(rules):
    results = {a.carrier.source_id: a for a in assess(carriers(), rules, scene())}
    assert {cid: a.violated_rules for cid, a in results.items()} == {cid: want for cid, (_, want) in SCENE.items()}
    assert {cid for cid, a in results.items() if a.verdict == "not_assessed"} == NOT_ASSESSED
    assert results["K01"].verdict == "compliant" and results["K08"].verdict == "compliant"


def test_violations_report_the_measured_value_the_limit_and_what_was_measured(rules):
    results = {a.carrier.source_id: a for a in assess(carriers(), rules, scene())}
    k4 = {v.rule: v for v in results["K04"].violations}
    assert (k4["FACE_AREA_EXCEEDED"].measured, k4["FACE_AREA_EXCEEDED"].limit, k4["FACE_AREA_EXCEEDED"].unit) == \
        (15.0, 12.0, "m2")
    assert (k4["HEIGHT_EXCEEDED"].measured, k4["HEIGHT_EXCEEDED"].limit) == (6.0, 5.0)
    assert k4["MIN_DISTANCE_INTERSECTION"].measured == pytest.approx(8.944, abs=1e-3)
    assert k4["MIN_DISTANCE_INTERSECTION"].related_id == "vertex 2"
    # 4 m from the L street's axis, half its 6 m width off: 1 m from the edge (the G street: exactly 3 m, allowed)
    edge = k4["MIN_DISTANCE_ROAD_EDGE"]
    assert (edge.measured, edge.limit, edge.related_id) == (1.0, 2.0, "S5") and "road class L" in edge.detail
    k5, k6 = results["K05"].violations[0], results["K06"].violations[0]
    assert (k5.related_id, k6.related_id, k5.measured, k5.limit) == ("K06", "K05", 30.0, 50.0)
    assert results["K07"].violations[0].measured == pytest.approx(8.0)
    assert results["K09"].violations[0].related_id == "T2"
    assert results["K11"].violations[0].related_id == "A.123"


def test_unchecked_rules_name_the_reason(rules):
    results = {a.carrier.source_id: a for a in assess(carriers(), rules, scene())}
    assert "'szyld' is not named in the rules" in results["K12"].unchecked["TYPE_NOT_ALLOWED"]
    assert "MIN_SPACING_FREESTANDING" in results["K12"].unchecked
    assert results["K13"].unchecked["FACE_AREA_EXCEEDED"] == "the carrier lies outside every landscape zone"
    assert results["K14"].unchecked == {"HEIGHT_EXCEEDED": "the carrier's height is missing in the inventory"}


def test_twins_at_one_spot_violate_spacing_at_zero_metres(rules):
    twins = [Carrier(1, "T-a", "t", "board", 1, 5.0, 3.0, False, False, None, *at(250, 80)),
             Carrier(2, "T-b", "t", "board", 1, 5.0, 3.0, False, False, None, *at(250, 80))]
    a, b = assess(twins, rules, scene())
    assert [(v.rule, v.measured, v.related_id) for v in a.violations] == [("MIN_SPACING_FREESTANDING", 0.0, "T-b")]
    assert [(v.rule, v.measured, v.related_id) for v in b.violations] == [("MIN_SPACING_FREESTANDING", 0.0, "T-a")]


@pytest.mark.parametrize(("classes", "legs", "expected"), [
    (("G", "Z", "L", "D"), 3, ["vertex 2"]),
    (("G", "L", "footway"), 3, ["vertex 2", "vertex 3"]),
    (("G", "L"), 4, ["vertex 2"]),
    (("G",), 3, []),
])
def test_intersections_count_only_the_rules_road_classes(classes, legs, expected):
    assert intersections(scene(), classes, legs)[1] == expected


RATE24 = FeeRate(2024, Decimal("2.00"), Decimal("0.15"), Decimal("3.00"), Decimal("0.25"), "test")
RATE25 = FeeRate(2025, Decimal("2.10"), Decimal("0.16"), Decimal("3.10"), Decimal("0.26"), "test")
SCHEDULE = FeeSchedule({2024: RATE24, 2025: RATE25})


def test_days_are_split_by_year_and_count_the_leap_day():
    assert days_by_year(date(2024, 1, 1), date(2024, 12, 31)) == {2024: 366}
    assert days_by_year(date(2024, 12, 30), date(2025, 1, 2)) == {2024: 2, 2025: 2}
    assert days_by_year(date(2025, 1, 2), date(2025, 1, 1)) == {}


@pytest.mark.parametrize(("faces", "area", "basis", "expected"), [
    (3, 4.7, "all_faces", Decimal("14.1")), (3, 4.7, "one_face", Decimal("4.7")), (None, 4.7, "all_faces", None),
    (2, None, "one_face", None),
])
def test_fee_area_follows_the_basis(faces, area, basis, expected):
    assert fee_area_m2(faces, area, basis) == expected


def test_fee_over_two_years_uses_each_years_rates():
    # 2024-12-01..2025-01-31: 31 days × (2.00 + 0.15 × 10) + 31 days × (2.10 + 0.16 × 10) = 108.50 + 114.70
    assert fee_pln(Decimal(10), date(2024, 12, 1), date(2025, 1, 31), SCHEDULE) == Decimal("223.20")
    # penalty: 40 × (31 × (3.00 + 2.50) + 31 × (3.10 + 2.60)) = 40 × (170.50 + 176.70)
    assert penalty_pln(Decimal(10), date(2024, 12, 1), date(2025, 1, 31), SCHEDULE) == Decimal("13888.00")


def test_fee_rounds_half_up_to_grosze():
    rate = FeeRate(2024, Decimal(0), Decimal("0.005"), Decimal(1), Decimal(1), "test")
    assert fee_pln(Decimal(1), date(2024, 1, 1), date(2024, 1, 1), FeeSchedule({2024: rate})) == Decimal("0.01")


@pytest.mark.parametrize(("installed", "expected"), [
    (None, (date(2024, 1, 1), date(2024, 12, 31))), (date(2010, 5, 1), (date(2024, 1, 1), date(2024, 12, 31))),
    (date(2024, 4, 11), (date(2024, 4, 11), date(2024, 12, 31))), (date(2025, 1, 1), None),
])
def test_charging_starts_at_installation(installed, expected):
    assert charged_days(installed, date(2024, 1, 1), date(2024, 12, 31)) == expected


def test_a_period_without_rates_is_refused_before_anything_runs():
    with pytest.raises(ValidationError, match=r"no advertising fee rate for 2026 \(rates for: 2024, 2025\)"):
        check_period(SCHEDULE, date(2025, 6, 1), date(2026, 1, 31))
