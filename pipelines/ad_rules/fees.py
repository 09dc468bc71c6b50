"""Advertising fee rates (opłata reklamowa) per year, read from the rules file or a CSV, capped at the statutory maxima.

The fee has a fixed part per carrier per day and a variable part per m² of advertising area
per day (art. 17a and art. 19 pkt 1 lit. g–h of the ustawa o podatkach i opłatach lokalnych,
u.p.o.l.). The city sets its rates by resolution; the act caps them, and the caps are indexed
every year by the Minister of Finance's obwieszczenie in Monitor Polski. MSIP knows the caps
listed in `STATUTORY_MAXIMA`; for any other year the rules file must state them
(`fees.statutory_maxima`), and a stated cap must agree with a known one.

The penalty for a carrier that breaks the landscape resolution (art. 37d ust. 9 u.p.z.p.) is
estimated as `penalty_multiple` (default 40) × (statutory maximum fixed part + statutory
maximum variable part × area) per day — the multiple is data too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from msip.core.errors import SourceReadError, ValidationError
from pipelines.readers.tabular import normalise_name

#: Statutory maxima MSIP knows: year → (fixed PLN/day, variable PLN/m²/day, publication).
#: Add a year here (or in the rules file's fees.statutory_maxima) when the obwieszczenie appears.
STATUTORY_MAXIMA: dict[int, tuple[Decimal, Decimal, str]] = {
    2015: (Decimal("2.50"), Decimal("0.20"),
           "art. 19 pkt 1 lit. g–h u.p.o.l. as enacted by the ustawa krajobrazowa (Dz.U. 2015 poz. 774)"),
    2016: (Decimal("2.47"), Decimal("0.20"), "obwieszczenie Ministra Finansów z 24.09.2015 (M.P. 2015 poz. 912)"),
    2021: (Decimal("2.70"), Decimal("0.24"), "obwieszczenie Ministra Finansów on the 2021 maxima (M.P. 2020)"),
}
DEFAULT_PENALTY_MULTIPLE = Decimal(40)
AREA_BASES = ("all_faces", "one_face")
RATE_FIELDS = {
    "fixed_pln_per_day": ("PLN per carrier per day", "e.g. 2.50"),
    "variable_pln_per_m2_day": ("PLN per m² per day", "e.g. 0.20"),
}
_CSV_ALIASES = {
    "year": ("year", "rok"),
    "fixed_pln_per_day": ("fixed_pln_per_day", "stawka_stala", "czesc_stala", "stawka_czesci_stalej"),
    "variable_pln_per_m2_day": ("variable_pln_per_m2_day", "stawka_zmienna", "czesc_zmienna",
                                "stawka_czesci_zmiennej"),
}


@dataclass(frozen=True)
class FeeRate:
    """One year's rates and the statutory maxima they were checked against (PLN)."""

    year: int
    fixed_pln_per_day: Decimal
    variable_pln_per_m2_day: Decimal
    max_fixed_pln_per_day: Decimal
    max_variable_pln_per_m2_day: Decimal
    maxima_source: str


@dataclass(frozen=True)
class FeeSchedule:
    """The fee settings of a rule set: rates per year, the area basis and the penalty multiple."""

    rates: dict[int, FeeRate]
    area_basis: str = "all_faces"
    penalty_multiple: Decimal = DEFAULT_PENALTY_MULTIPLE


def money(value: object, where: str, *, unit: str, example: str) -> Decimal:
    """A non-negative amount from a YAML/CSV value ('2,50' accepted); ValidationError naming `where`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"{where} is missing ({unit}, {example}); add it")
    if isinstance(value, bool):
        raise ValidationError(f"{where} = {value!r} is not an amount ({unit}, {example})")
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(f"{where} = {value!r} is not an amount ({unit}, {example})") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"{where} = {value!r} must be a non-negative amount ({unit}, {example})")
    return amount


def _year(key: object, where: str) -> int:
    try:
        year = int(str(key).strip())
    except ValueError:
        raise ValidationError(f"{where}: {key!r} is not a year; key the rates by year, e.g. 2025") from None
    if not 2015 <= year <= 2100:
        raise ValidationError(f"{where}: year {year} is outside 2015–2100 (the fee exists since 2015)")
    return year


def _pair(entry: object, where: str) -> tuple[Decimal, Decimal]:
    if not isinstance(entry, dict):
        raise ValidationError(f"{where} must be a mapping with {' and '.join(RATE_FIELDS)}, got {entry!r}")
    unknown = sorted(set(entry) - set(RATE_FIELDS))
    if unknown:
        raise ValidationError(f"{where}: unknown key(s) {unknown}; the keys are {', '.join(RATE_FIELDS)}")
    return tuple(money(entry.get(k), f"{where}.{k}", unit=u, example=e)  # type: ignore[return-value]
                 for k, (u, e) in RATE_FIELDS.items())


def read_rates_csv(path: Path) -> dict[int, dict[str, str | None]]:
    """Rates from a CSV (`;` or `,`): year;fixed_pln_per_day;variable_pln_per_m2_day (Polish names accepted)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceReadError(f"{path}: cannot read the fee-rate CSV ({exc}); save it as UTF-8 text") from None
    lines = text.splitlines()
    if not lines:
        raise SourceReadError(f"{path}: the fee-rate CSV is empty; write a header "
                              "year;fixed_pln_per_day;variable_pln_per_m2_day and one row per year")
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = {normalise_name(c): c for c in reader.fieldnames or []}
    found = {}
    for field, aliases in _CSV_ALIASES.items():
        name = next((columns[a] for a in aliases if a in columns), None)
        if name is None:
            raise SourceReadError(f"{Path(path).name}: no {field} column (one of {', '.join(aliases)}); "
                                  f"its columns are {', '.join(reader.fieldnames or [])}")
        found[field] = name
    out: dict[int, dict[str, str | None]] = {}
    for number, row in enumerate(reader, start=2):
        where = f"{Path(path).name} line {number}"
        year = _year(row.get(found["year"]), where)
        if year in out:
            raise ValidationError(f"{where}: year {year} appears twice; keep one row per year")
        out[year] = {k: row.get(found[k]) for k in RATE_FIELDS} | {"_where": f"{where} (year {year})"}
    return out


def parse_fees(section: object, *, source: str, base_dir: Path, override: Path | None = None) -> FeeSchedule | None:
    """The `fees` section of a rules file (or only `override`, a rates CSV/YAML); None when neither sets rates.

    `rates` is a mapping year → {fixed_pln_per_day, variable_pln_per_m2_day} or the name of a CSV
    next to the rules file. Each rate must not exceed that year's statutory maximum.
    """
    if section is None and override is None:
        return None
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise ValidationError(f"{source}: fees must be a mapping (rates, area_basis, penalty_multiple, "
                              f"statutory_maxima), got {section!r}")
    if override is not None:
        section = {**section, **_read_override(override)}
        source = override.name
    unknown = sorted(set(section) - {"rates", "area_basis", "penalty_multiple", "statutory_maxima"})
    if unknown:
        raise ValidationError(f"{source}: fees: unknown key(s) {unknown}; the keys are rates, area_basis, "
                              "penalty_multiple, statutory_maxima")
    rates_where, raw_rates = f"{source}: fees.rates", section.get("rates")
    if isinstance(raw_rates, str):
        rates_where, raw_rates = raw_rates, read_rates_csv(base_dir / raw_rates)
    if not isinstance(raw_rates, dict) or not raw_rates:
        raise ValidationError(f"{rates_where}: no fee rates; give one entry per year, e.g. "
                              "2025: {fixed_pln_per_day: 2.50, variable_pln_per_m2_day: 0.20}")
    maxima = _maxima(section.get("statutory_maxima"), f"{source}: fees.statutory_maxima")
    rates = {}
    for key, entry in raw_rates.items():
        year = _year(key, rates_where)
        where = f"{rates_where}.{year}"
        if isinstance(entry, dict) and "_where" in entry:  # a CSV row: name its line
            entry = dict(entry)
            where = entry.pop("_where")
        fixed, variable = _pair(entry, where)
        if year not in maxima:
            raise ValidationError(
                f"{where}: no statutory maximum known for {year}; add fees.statutory_maxima.{year} "
                "{fixed_pln_per_day: …, variable_pln_per_m2_day: …} from the Minister of Finance's "
                "obwieszczenie in Monitor Polski")
        max_fixed, max_variable, origin = maxima[year]
        for name, value, cap in (("fixed_pln_per_day", fixed, max_fixed),
                                 ("variable_pln_per_m2_day", variable, max_variable)):
            if value > cap:
                raise ValidationError(f"{where}.{name} = {value} exceeds the statutory maximum {cap} for {year} "
                                      f"({origin}); lower it to at most {cap}")
        rates[year] = FeeRate(year, fixed, variable, max_fixed, max_variable, origin)
    basis = section.get("area_basis", "all_faces")
    if basis not in AREA_BASES:
        raise ValidationError(f"{source}: fees.area_basis = {basis!r} is not one of {', '.join(AREA_BASES)} "
                              "(all_faces = faces × face area; one_face = the area of one face)")
    multiple = money(section.get("penalty_multiple", DEFAULT_PENALTY_MULTIPLE), f"{source}: fees.penalty_multiple",
                     unit="times the daily statutory maximum", example="40")
    if multiple == 0:
        raise ValidationError(f"{source}: fees.penalty_multiple must be > 0 (the act's multiple is 40)")
    return FeeSchedule(rates=dict(sorted(rates.items())), area_basis=basis, penalty_multiple=multiple)


def _read_override(path: Path) -> dict:
    """A fees section from a separate file: a rates CSV, or a YAML holding `fees:`, its keys, or only rates."""
    if path.suffix.lower() == ".csv":
        return {"rates": read_rates_csv(path)}
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceReadError(f"{path}: cannot read the fee-rate file ({exc}); give a CSV or YAML") from None
    if isinstance(doc, dict) and isinstance(doc.get("fees"), dict):
        return doc["fees"]
    if isinstance(doc, dict) and "rates" in doc:
        return doc
    return {"rates": doc}


def _maxima(section: object, where: str) -> dict[int, tuple[Decimal, Decimal, str]]:
    """The built-in maxima plus those the file states; a stated maximum must match a known one."""
    maxima = dict(STATUTORY_MAXIMA)
    if section is None:
        return maxima
    if not isinstance(section, dict):
        raise ValidationError(f"{where} must map years to {{fixed_pln_per_day, variable_pln_per_m2_day}}")
    for key, entry in section.items():
        year = _year(key, where)
        fixed, variable = _pair(entry, f"{where}.{year}")
        known = STATUTORY_MAXIMA.get(year)
        if known and (known[0], known[1]) != (fixed, variable):
            raise ValidationError(
                f"{where}.{year} = ({fixed}, {variable}) contradicts the published maxima ({known[0]}, {known[1]}) "
                f"[{known[2]}]; remove the entry or correct it")
        maxima[year] = (fixed, variable, known[2] if known else "rules file (fees.statutory_maxima)")
    return maxima
