"""Vectorised column parsers (numbers, multi-stem lists, yes/no, dates, ids) and the per-row reject list.

Each parser handles a whole column at once with pandas/numpy and only builds a message for
the rows it refuses, using the shared wording of `pipelines.readers.validate`, so a million clean
rows cost no per-row Python while every refused row still gets its own reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipelines.readers.validate import check_range, parse_number, parse_number_list

#: The number syntax of `validate.parse_number`: optional sign, decimal point or comma.
NUMBER_RE = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)"
#: The words read as yes and as no, lower case (Polish and English, with spreadsheet forms such as
#: 1.0 and x): the one table for yes/no columns of every source and flags in rule files.
YES_WORDS = frozenset({"tak", "t", "t.", "true", "yes", "y", "1", "1.0", "x", "prawda"})
NO_WORDS = frozenset({"nie", "n", "false", "no", "0", "0.0", "f", "falsz", "fałsz", "brak"})
_SYMBOLS = {"metres": "m", "centimetres": "cm", "square metres": "m²", "a count": "faces"}
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_CONTROL_RE = re.compile(_CONTROL)
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S")


class Rejects:
    """The first reason each row fails for; `ok` is the mask of rows still accepted."""

    def __init__(self, source_name: str, n: int):
        self.source_name = source_name
        self.ok = np.ones(n, dtype=bool)
        self.reason = np.full(n, None, dtype=object)
        self.field = np.full(n, None, dtype=object)

    def add(self, mask: np.ndarray, field: str | None, message: Callable[[int], str]) -> int:
        """Reject rows where `mask` is true (and not already rejected); `message(i)` says why."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool) & self.ok)
        for i in idx:
            self.reason[i] = f"{self.source_name} row {i + 1}: {message(int(i))}"
            self.field[i] = field
        self.ok[idx] = False
        return len(idx)

    @property
    def count(self) -> int:
        return int((~self.ok).sum())


def is_text(series: pd.Series) -> bool:
    """True for string/object columns (CSV columns are always text)."""
    return not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                or pd.api.types.is_datetime64_any_dtype(series))


def as_text(series: pd.Series) -> pd.Series:
    """The column as trimmed strings, '' for missing (numbers keep their shortest form)."""
    if pd.api.types.is_float_dtype(series):
        v = series.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(v) & (v == np.round(v))
        out = series.astype("str")
        out[whole] = pd.Series(v[whole].astype(np.int64), index=series.index[whole]).astype("str")
        return out.where(series.notna(), "")
    if not is_text(series):
        return series.astype("str").where(series.notna(), "")
    return series.where(series.notna(), "").astype("str").str.strip()


def texts(series: pd.Series) -> pd.Series:
    """Trimmed strings with missing/empty as NA (arrow-ready)."""
    s = as_text(series)
    return s.mask(s == "")


def numbers(series: pd.Series, rejects: Rejects, *, field: str, column: str, unit: str,
            lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Floats (NaN = empty) from numbers or text with decimal commas; refuses non-numbers and out-of-range."""
    if is_text(series):
        s = as_text(series).str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
        empty = (s == "").to_numpy()
        good = s.str.fullmatch(NUMBER_RE).fillna(False).to_numpy(dtype=bool)
        values = np.array(pd.to_numeric(s.str.replace(",", ".", regex=False).where(good), errors="coerce")
                          .to_numpy(dtype=float, na_value=np.nan))  # a writable copy
        raw = series.to_numpy()
        rejects.add(~empty & ~good, field, lambda i: _number_message(raw[i], column, unit))
    else:
        values = series.to_numpy(dtype=float, na_value=np.nan).copy()
        bad = np.isinf(values)
        rejects.add(bad, field, lambda i: _number_message(values[i], column, unit))
        values[bad] = np.nan
    if lo is not None and hi is not None:
        with np.errstate(invalid="ignore"):
            out = (values < lo) | (values > hi)
        rejects.add(out, field, lambda i: _range_message(values[i], lo, hi, column, unit))
    return values


def integers(series: pd.Series, rejects: Rejects, *, field: str, column: str, unit: str,
             lo: float, hi: float) -> np.ndarray:
    """Whole numbers as floats (NaN = empty); refuses fractions such as 1.5 faces."""
    values = numbers(series, rejects, field=field, column=column, unit=unit, lo=lo, hi=hi)
    rejects.add(np.isfinite(values) & (values != np.round(values)), field,
                lambda i: f"{column}={values[i]:g} is not a whole number of {unit}")
    return values


def number_lists(series: pd.Series, rejects: Rejects, *, field: str, column: str, unit: str,
                 lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Multi-stem values such as '47, 52, 56': (sqrt(sum c²) per row, '{47,52,56}' or None per row).

    Single values go through the vectorised path; only lists are split row by row. Each stem
    must lie in [lo, hi]; single-stem rows get no list (the equivalent is the value itself).
    """
    n = len(series)
    lists = np.full(n, None, dtype=object)
    if not is_text(series):
        return numbers(series, rejects, field=field, column=column, unit=unit, lo=lo, hi=hi), lists
    s = as_text(series)
    single = (s.str.fullmatch(NUMBER_RE).fillna(False) | (s == "")).to_numpy(dtype=bool)
    values = numbers(s.where(single, ""), rejects, field=field, column=column, unit=unit, lo=lo, hi=hi)
    raw = series.to_numpy()
    errors: dict[int, str] = {}
    for i in np.flatnonzero(~single):
        try:
            stems = parse_number_list(raw[i], field=column, unit=unit)
            for c in stems:
                check_range(c, lo, hi, field=column, unit=_SYMBOLS.get(unit, unit))
        except ValueError as exc:
            message = str(exc)
            errors[int(i)] = message if repr(raw[i]) in message else f"{message} (in {column}={raw[i]!r})"
            continue
        values[i] = math.sqrt(sum(c * c for c in stems)) if stems else np.nan
        if len(stems) > 1:
            lists[i] = "{" + ",".join(f"{c:g}" for c in stems) + "}"
    if errors:
        bad = np.zeros(n, dtype=bool)
        bad[list(errors)] = True
        rejects.add(bad, field, errors.__getitem__)
        values[bad] = np.nan
        lists[bad] = None
    return values, lists


def yes_no(text: str) -> bool | None:
    """True for a word of YES_WORDS, False for one of NO_WORDS (any case, spaces around), else None.

    >>> yes_no(" Tak ")
    True
    """
    key = text.strip().lower()
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


def booleans(series: pd.Series, rejects: Rejects, *, field: str, column: str) -> pd.Series:
    """Yes/no values (tak/nie, true/false, 1/0, x/empty …) as a nullable boolean column."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    s = as_text(series).str.lower()
    lookup = {**dict.fromkeys(YES_WORDS, True), **dict.fromkeys(NO_WORDS, False)}
    out = s.map(lookup).astype("boolean")
    raw = series.to_numpy()
    rejects.add((out.isna() & (s != "")).to_numpy(), field,
                lambda i: f"{column}={raw[i]!r} is not yes/no (expected tak/nie, true/false or 1/0)")
    return out


def dates(series: pd.Series, rejects: Rejects, *, field: str, column: str) -> np.ndarray:
    """Dates (NaT = empty) from ISO, DD.MM.YYYY, YYYYMMDD and similar; refuses the rest."""
    if pd.api.types.is_datetime64_any_dtype(series):
        as_read: np.ndarray = series.to_numpy(dtype="datetime64[D]")
        return as_read
    s = as_text(series)
    found = pd.Series(pd.NaT, index=s.index, dtype="datetime64[s]")
    for fmt in _DATE_FORMATS:
        missing = found.isna() & (s != "")
        if not missing.any():
            break
        found[missing] = pd.to_datetime(s[missing], format=fmt, errors="coerce")
    raw = series.to_numpy()
    rejects.add((found.isna() & (s != "")).to_numpy(), field,
                lambda i: f"{column}={raw[i]!r} is not a date (expected YYYY-MM-DD, e.g. 2021-05-17)")
    parsed: np.ndarray = found.to_numpy(dtype="datetime64[D]")
    return parsed


def source_ids(series: pd.Series | None, rejects: Rejects, *, field: str, column: str | None,
               what: str) -> pd.Series:
    """Source identifiers as text; without a column, the data row number. Empty and repeated ids are refused.

    Call it after the other checks: of rows sharing an id, the first still accepted is kept
    and the later ones are refused, naming the row that was kept.
    """
    n = len(rejects.ok)
    if series is None or column is None:
        return pd.Series(np.arange(1, n + 1)).astype("str")
    ids = as_text(series).reset_index(drop=True)
    rejects.add((ids == "").to_numpy(), field,
                lambda i: f"{column} is empty (every {what} needs its identifier; fill it in)")
    live = ids.where(rejects.ok)
    dup = live.duplicated(keep="first").to_numpy() & rejects.ok
    if dup.any():
        first = pd.Series(np.arange(n)).groupby(live.to_numpy()).transform("min").to_numpy()
        rejects.add(dup, field, lambda i: (
            f"{column}={ids.iloc[i]!r} repeats the identifier of row {int(first[i]) + 1}; only the first "
            f"occurrence was loaded (give every {what} its own identifier)"))
    return ids


def json_objects(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One JSON object text per row holding `columns` by source name (values as read, missing → null).

    Built column by column with vectorised string operations (no json.dumps per row); NA
    where `columns` is empty.
    """
    if not columns:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    out: pd.Series | None = None
    for i, name in enumerate(columns):
        key = json.dumps(str(name), ensure_ascii=False) + ": "
        value = _json_values(frame[name])
        part = ("{" if i == 0 else ", ") + key + value
        out = part if out is None else out + part
    assert out is not None  # columns is not empty
    return out + "}"


def _json_values(series: pd.Series) -> pd.Series:
    """JSON literals of one column: numbers, true/false, or escaped strings; null when missing or empty."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series):
        text = series.map({True: "true", False: "false"}).astype("str")
    elif pd.api.types.is_numeric_dtype(series):
        v = series.to_numpy(dtype=float, na_value=np.nan)
        missing = missing | ~np.isfinite(v)
        text = as_text(series)
    else:
        s = series.where(~missing, "").astype("str").str.replace("\x00", "", regex=False)  # PG text has no NUL
        s = s.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
        for ch, esc in (("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            s = s.str.replace(ch, esc, regex=False)
        if s.str.contains(_CONTROL, regex=True).any():
            s = s.map(lambda t: _CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", t)).astype("str")
        missing = missing | (s == "").to_numpy()  # a CSV cannot tell an empty value from none
        text = '"' + s + '"'
    return text.where(~missing, "null")


def _number_message(raw: object, column: str, unit: str) -> str:
    try:
        parse_number(raw, field=column, unit=unit)
    except ValueError as exc:
        return str(exc)
    return f"{column}={raw!r} is not a finite number (expected {unit}, e.g. 12.5)"


def _range_message(value: float, lo: float, hi: float, column: str, unit: str) -> str:
    try:
        check_range(value, lo, hi, field=column, unit=_SYMBOLS.get(unit, unit))
    except ValueError as exc:
        return f"{exc}; check the value and its unit"
    return f"{column}={value:g} {unit} is out of range"
