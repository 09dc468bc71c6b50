"""Which epoch of a layer an analysis reads: the building snapshot it analyses, and every other layer at that date.

Shared by the analyses so the rule is written once: the analysed snapshot is the one asked for
(refused, listing what exists, when it is not loaded) or the latest; every other layer is taken
at its latest epoch on or before that date, else its earliest (with a note saying so).
"""

from __future__ import annotations

from datetime import date

from msip.core.errors import ValidationError


def pick_epoch(available: list[date | None], on: date | None) -> tuple[date | None, str | None]:
    """(epoch to use, note or None): the latest of `available` on or before `on`, else the earliest."""
    dated = sorted(d for d in available if d is not None)
    if not dated:
        return None, None
    if on is None:
        return dated[-1], None
    before = [d for d in dated if d <= on]
    if before:
        return before[-1], None
    return dated[0], f"no epoch on or before {on}; using the earliest, {dated[0]}"


def building_epoch(loaded: list[date | None], epoch: date | None) -> date | None:
    """The building snapshot to analyse: `epoch` when loaded (else ValidationError listing the loaded ones),
    or the latest dated one when `epoch` is None (None when only undated buildings are loaded)."""
    if epoch is None:
        dated = sorted(d for d in loaded if d is not None)
        return dated[-1] if dated else None
    if epoch not in loaded:
        known = ", ".join(sorted(str(d) for d in loaded if d)) or "undated only"
        raise ValidationError(
            f"no buildings of epoch {epoch} are loaded (loaded epochs: {known}); pick one of those"
        )
    return epoch
