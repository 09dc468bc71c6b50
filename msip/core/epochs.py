"""The one epoch parser: a survey or inventory date (epoch) from a date or its text.

Every place that turns a user's or a file's epoch into a `datetime.date` calls `parse_epoch`;
it raises `EpochError` (an MsipError and a ValueError) whose message names the value and
shows an example. Callers add their context through `source` or by wrapping the error.
"""

from __future__ import annotations

import re
from datetime import date

from msip.core.errors import EpochError

#: What an epoch looks like, for messages.
EPOCH_EXAMPLE = "2024-06-15"
EPOCH_HINT = f"use YYYY-MM-DD, e.g. {EPOCH_EXAMPLE}"

_COMPACT = re.compile(r"\d{8}")


def parse_epoch(value: object, *, source: str = "epoch") -> date:
    """The date of `value`: a date (returned as is), 'YYYY-MM-DD' or 'YYYYMMDD' (as in file names).

    Any other text Python's `date.fromisoformat` reads (e.g. an ISO week date) is accepted too.
    `source` names what held the value in the message ('' for nothing):
    ``epoch '15.06.2024' is not a date; use YYYY-MM-DD, e.g. 2024-06-15``.

    >>> parse_epoch("20250615")
    datetime.date(2025, 6, 15)
    """
    if isinstance(value, date):
        return value
    text = str(value)
    if _COMPACT.fullmatch(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        label = f"{source} {value!r}" if source else repr(value)
        raise EpochError(f"{label} is not a date; {EPOCH_HINT}") from None
