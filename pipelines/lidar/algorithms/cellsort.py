"""Fast grouping of points by grid cell: stable radix sorts on 16-bit cell indices (O(n))."""

from __future__ import annotations

import numpy as np

_U16 = 1 << 16


def cell_order(*indices: np.ndarray) -> np.ndarray:
    """Permutation sorting points by (indices[0], indices[1], …), e.g. (column, row) of a grid.

    Each index is made relative to its minimum; when every span fits in 16 bits the sort is a
    chain of stable radix sorts (numpy sorts uint16 by radix), several times faster than a
    comparison sort of one combined 64-bit key. Otherwise falls back to np.lexsort.
    """
    rel = [np.asarray(a) - np.asarray(a).min() for a in indices]
    if any(int(r.max()) >= _U16 for r in rel):
        return np.lexsort(tuple(reversed(rel)))
    order = np.argsort(rel[-1].astype(np.uint16), kind="stable")
    for r in reversed(rel[:-1]):
        order = order[np.argsort(r[order].astype(np.uint16), kind="stable")]
    return order


def run_starts(*sorted_keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal keys in already sorted key arrays."""
    n = len(sorted_keys[0])
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
    for k in sorted_keys:
        change[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(change)
