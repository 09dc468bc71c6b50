"""Advertising fee and penalty estimate of one carrier over a period (pure functions, amounts in PLN).

Fee (opłata reklamowa): for every day the carrier stands in the period,
``fixed rate + variable rate × area`` with that year's rates; the sum is rounded to grosze
(half up). Penalty estimate for a non-compliant carrier (art. 37d ust. 9 u.p.z.p.): for every
day, ``multiple × (statutory maximum fixed + statutory maximum variable × area)``.

>>> from decimal import Decimal
>>> from pipelines.ad_rules.fees import FeeRate, FeeSchedule
>>> rate = FeeRate(2024, Decimal("2.00"), Decimal("0.15"), Decimal("2.50"), Decimal("0.20"), "test")
>>> fee_pln(Decimal("14.1"), date(2024, 1, 1), date(2024, 1, 10), FeeSchedule({2024: rate}))
Decimal('41.15')
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from msip.core.errors import ValidationError
from pipelines.ad_rules.fees import FeeRate, FeeSchedule

GROSZ = Decimal("0.01")


def days_by_year(start: date, end: date) -> dict[int, int]:
    """Days from `start` to `end` inclusive, split by calendar year (empty when end < start)."""
    out: dict[int, int] = {}
    for year in range(start.year, end.year + 1):
        first = max(start, date(year, 1, 1))
        last = min(end, date(year, 12, 31))
        if last >= first:
            out[year] = (last - first).days + 1
    return out


def fee_area_m2(faces: int | None, face_area_m2: float | None, basis: str) -> Decimal | None:
    """Area the variable part is charged on (m², 4 decimals): faces × face area, or one face; None if unknown."""
    if face_area_m2 is None:
        return None
    if basis == "one_face":
        return Decimal(str(round(float(face_area_m2), 4)))
    if faces is None:
        return None
    return Decimal(str(round(int(faces) * float(face_area_m2), 4)))


def charged_days(installed_on: date | None, period_start: date, period_end: date) -> tuple[date, date] | None:
    """(first, last) day charged: from the later of the period start and the installation; None if installed after."""
    first = max(period_start, installed_on) if installed_on else period_start
    return (first, period_end) if first <= period_end else None


def _rate(schedule: FeeSchedule, year: int) -> FeeRate:
    rate = schedule.rates.get(year)
    if rate is None:
        known = ", ".join(map(str, schedule.rates)) or "none"
        raise ValidationError(
            f"the rule set has no advertising fee rate for {year} (rates for: {known}); add fees.rates.{year} "
            "to the rules file and reload it (msip load ad-rules), or choose a period within those years")
    return rate


def fee_pln(area_m2: Decimal, first: date, last: date, schedule: FeeSchedule) -> Decimal:
    """Fee for standing from `first` to `last` inclusive, rounded to grosze."""
    total = Decimal(0)
    for year, days in days_by_year(first, last).items():
        r = _rate(schedule, year)
        total += days * (r.fixed_pln_per_day + r.variable_pln_per_m2_day * area_m2)
    return total.quantize(GROSZ, rounding=ROUND_HALF_UP)


def penalty_pln(area_m2: Decimal, first: date, last: date, schedule: FeeSchedule) -> Decimal:
    """Penalty estimate for `first`..`last` of non-compliance: multiple × daily statutory maxima, in grosze."""
    total = Decimal(0)
    for year, days in days_by_year(first, last).items():
        r = _rate(schedule, year)
        total += days * schedule.penalty_multiple * (r.max_fixed_pln_per_day + r.max_variable_pln_per_m2_day * area_m2)
    return total.quantize(GROSZ, rounding=ROUND_HALF_UP)


def check_period(schedule: FeeSchedule | None, period_start: date, period_end: date) -> None:
    """Refuse a period with a year the schedule has no rates for (before any carrier is assessed)."""
    if period_end < period_start:
        raise ValidationError(f"the fee period ends ({period_end}) before it starts ({period_start}); swap the dates")
    if schedule is not None:
        for year in days_by_year(period_start, period_end):
            _rate(schedule, year)
