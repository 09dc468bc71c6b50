"""The one-sort octree: every point in exactly one node, inside the node's cube, and one point per
sampling cell in every node above the leaves."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.pointcloud.octree import GRID, Cube, build_octree, morton_codes


def _cloud(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    xyz = np.column_stack([rng.integers(0, 1_000_000, n), rng.integers(0, 1_000_000, n),
                           rng.integers(0, 30_000, n)]).astype(np.int64)
    xyz[: n // 4] //= 40  # a dense corner: deeper nodes there
    xyz[-10:] = xyz[0]  # duplicates of one point
    return xyz + np.array([614_000_000, 334_000_000, 250_000])


def test_every_point_is_in_one_node_inside_its_cube_and_thinned_above_the_leaves() -> None:
    xyz = _cloud(60_000)
    cube = Cube.around(xyz)
    tree = build_octree(xyz, cube, leaf_points=2_000)
    assert tree.counts.sum() == len(xyz) and (tree.counts > 0).all()
    assert np.array_equal(np.sort(tree.order), np.arange(len(xyz)))  # each point exactly once
    assert tree.keys[:, 0].max() >= 3
    keys = {tuple(k) for k in tree.keys.tolist()}
    assert len(keys) == len(tree.keys)
    rel = xyz - np.asarray(cube.min_xyz)
    start = 0
    for (level, x, y, z), n in zip(tree.keys.tolist(), tree.counts.tolist(), strict=True):
        idx = tree.order[start : start + n]
        start += n
        assert (np.diff(idx) > 0).all()  # input (acquisition) order inside a node: LAZ compresses it best
        assert (rel[idx] * (1 << level) // cube.size == [x, y, z]).all()
        assert level == 0 or (level - 1, x // 2, y // 2, z // 2) in keys  # every node has its parent
        cells = rel[idx] * ((1 << level) * GRID) // cube.size
        if len(np.unique(cells, axis=0)) != n:  # two points in a cell: only a leaf keeps them
            assert n <= 2_000 and not any((level + 1, 2 * x + a, 2 * y + b, 2 * z + c) in keys
                                          for a in (0, 1) for b in (0, 1) for c in (0, 1))


def test_a_small_cloud_is_one_root_leaf_and_codes_order_cells() -> None:
    xyz = _cloud(500)
    tree = build_octree(xyz, Cube.around(xyz), leaf_points=1_000)
    assert tree.keys.tolist() == [[0, 0, 0, 0]] and tree.counts.tolist() == [500]
    corner = np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 1]], dtype=np.int64)
    assert morton_codes(corner, Cube((0, 0, 0), 2), 1).tolist() == [0, 1, 2, 4, 7]


def _interleave(x: int, y: int, z: int, bits: int) -> int:
    """Morton code bit by bit (x highest): the definition the table lookup must match."""
    return sum((((x >> i) & 1) << (3 * i + 2)) | (((y >> i) & 1) << (3 * i + 1)) | (((z >> i) & 1) << (3 * i))
               for i in range(bits))


@pytest.mark.parametrize("bits", [1, 7, 11, 12, 20, 21])
def test_morton_codes_by_table_equal_the_bit_by_bit_definition(bits: int) -> None:
    rng = np.random.default_rng(bits)
    size = 1 << bits
    cells = np.vstack([rng.integers(0, size, (200, 3)), [[0, 0, 0], [size - 1] * 3, [size - 1, 0, size // 2]]])
    origin = np.array([614_000_000, 334_000_000, 250_000])
    codes = morton_codes(cells + origin, Cube((614_000_000, 334_000_000, 250_000), size), bits)
    assert codes.tolist() == [_interleave(x, y, z, bits) for x, y, z in cells.tolist()]
    with pytest.raises(ValueError, match="21 bits per axis, not 22"):
        morton_codes(cells + origin, Cube((614_000_000, 334_000_000, 250_000), size), 22)


def test_within_orders_the_points_inside_each_node_and_changes_nothing_else() -> None:
    xyz = _cloud(30_000)
    cube = Cube.around(xyz)
    plain = build_octree(xyz, cube, leaf_points=2_000)
    gps = np.random.default_rng(3).random(len(xyz)).round(3)  # ties too
    by_time = np.argsort(gps, kind="stable")
    timed = build_octree([xyz[:, 0], xyz[:, 1], xyz[:, 2]], cube, leaf_points=2_000, within=by_time)
    assert np.array_equal(timed.keys, plain.keys) and np.array_equal(timed.counts, plain.counts)
    start = 0
    for n in timed.counts.tolist():
        a, b = timed.order[start : start + n], plain.order[start : start + n]
        start += n
        assert np.array_equal(np.sort(a), np.sort(b))  # the same points in the node
        assert (np.diff(gps[a]) >= 0).all()  # in GPS time order
        ties = np.diff(gps[a]) == 0
        assert (np.diff(a)[ties] > 0).all()  # equal times in input order


def test_of_points_with_one_finest_cell_the_first_in_input_order_is_kept_above_the_leaves() -> None:
    """Equal Morton codes are in input order (not where a quicksort leaves them): which copy a thinned node
    keeps does not depend on the other points, so a cloud built in buckets gives the same nodes."""
    xyz = _cloud(200_000)
    xyz[100_000:150_000] = xyz[:50_000]  # 50 000 points twice: equal codes
    tree = build_octree(xyz, Cube.around(xyz), leaf_points=2_000)
    assert tree.keys[:, 0].max() >= 3
    node_of = np.repeat(np.arange(len(tree.counts)), tree.counts)[np.argsort(tree.order)]
    is_leaf = np.zeros(len(tree.counts), dtype=bool)
    keys = {tuple(k) for k in tree.keys.tolist()}
    for i, (level, x, y, z) in enumerate(tree.keys.tolist()):
        is_leaf[i] = not any((level + 1, 2 * x + a, 2 * y + b, 2 * z + c) in keys
                             for a in (0, 1) for b in (0, 1) for c in (0, 1))
    first, second = np.arange(50_000), np.arange(100_000, 150_000)
    thinned = ~is_leaf[node_of[first]] | ~is_leaf[node_of[second]]
    assert thinned.sum() > 1_000
    # The copy placed higher up (in a shallower node) is always the one earlier in the input.
    levels = tree.keys[:, 0]
    assert (levels[node_of[first]][thinned] <= levels[node_of[second]][thinned]).all()
    assert (levels[node_of[first]][thinned] < levels[node_of[second]][thinned]).sum() > 1_000
