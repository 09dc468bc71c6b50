"""Gap filling of height grids by harmonic (Laplace) interpolation: exact for planes."""

from __future__ import annotations

import numpy as np
from scipy import ndimage, sparse
from scipy.sparse.linalg import spsolve


def fill_laplace(
    grid: np.ndarray, known: np.ndarray, active: np.ndarray | None = None
) -> np.ndarray:
    """`grid` with the `active` cells that are not `known` solved from ∇²z = 0.

    Known cells are fixed (Dirichlet); each unknown active cell is the mean of its active
    4-neighbours, solved exactly as one sparse system, so a gap in sloping terrain (e.g. under
    a building) is bridged by the plane through its rim. Inactive cells (outside the data) are
    left as they are and act as a mirror (zero-gradient) boundary, like the grid edge. Groups
    of unknown cells that touch no known cell take the nearest known value.
    """
    out = np.array(grid, dtype=np.float64)
    active = np.ones(grid.shape, dtype=bool) if active is None else active
    known = known & active
    unknown = active & ~known
    if not unknown.any() or not known.any():
        return out
    labels, _ = ndimage.label(unknown)
    touching = np.unique(labels[ndimage.binary_dilation(known) & unknown])
    orphan = unknown & ~np.isin(labels, touching)
    if orphan.any():
        idx = ndimage.distance_transform_edt(~known, return_distances=False, return_indices=True)
        out[orphan] = out[idx[0][orphan], idx[1][orphan]]
        unknown &= ~orphan
    n = int(unknown.sum())
    if n == 0:
        return out
    rows, cols = grid.shape
    index = np.full(grid.shape, -1, dtype=np.int64)
    index[unknown] = np.arange(n)
    ur, uc = np.nonzero(unknown)
    diag = np.zeros(n)
    rhs = np.zeros(n)
    r_i, c_i = [], []
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        nr, nc = ur + dr, uc + dc
        inside = (nr >= 0) & (nr < rows) & (nc >= 0) & (nc < cols)
        inside[inside] = active[nr[inside], nc[inside]]
        diag += inside
        nr_in, nc_in = nr[inside], nc[inside]
        me = np.flatnonzero(inside)
        nb_unknown = unknown[nr_in, nc_in]
        r_i.append(me[nb_unknown])
        c_i.append(index[nr_in[nb_unknown], nc_in[nb_unknown]])
        np.add.at(rhs, me[~nb_unknown], out[nr_in[~nb_unknown], nc_in[~nb_unknown]])
    r_all = np.concatenate(r_i)
    c_all = np.concatenate(c_i)
    a = sparse.csr_matrix((-np.ones(len(r_all)), (r_all, c_all)), shape=(n, n)) + sparse.diags(diag)
    out[unknown] = spsolve(a.tocsc(), rhs)
    return out
