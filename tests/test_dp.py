"""The banded DP against a brute-force reference, and on hand-built cost tables."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aligner.align.dp import banded_dp, full_band, make_band

TYPES = np.array([[1, 1], [2, 1], [1, 2], [2, 2], [3, 1], [1, 3]])


def brute_force(n, m, types, costfn, skip_src, skip_tgt, allowed=lambda i, j: True):
    """Reference DP over a dict of nodes, plain Python, same tie-break order."""
    dist = {(0, 0): (0.0, None)}
    for i in range(n + 1):
        for j in range(m + 1):
            if (i, j) == (0, 0) or not allowed(i, j):
                continue
            best = (np.inf, None)
            for k, (a, b) in enumerate(types):
                p = (i - a, j - b)
                if p in dist:
                    c = dist[p][0] + costfn(k, i, j)
                    if c < best[0]:
                        best = (c, (a, b))
            if (i - 1, j) in dist:
                c = dist[(i - 1, j)][0] + skip_src[i - 1]
                if c < best[0]:
                    best = (c, (1, 0))
            if (i, j - 1) in dist:
                c = dist[(i, j - 1)][0] + skip_tgt[j - 1]
                if c < best[0]:
                    best = (c, (0, 1))
            if np.isfinite(best[0]):
                dist[(i, j)] = best
    beads = []
    i, j = n, m
    while (i, j) != (0, 0):
        a, b = dist[(i, j)][1]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    return dist[(n, m)][0], beads[::-1]


def run_dp(band, types, table, skip_src, skip_tgt):
    """Run the compiled kernel and the numpy row loop; they must agree exactly."""
    cost = np.stack([table[k][band.cell_i, band.cell_j] for k in range(len(types))])
    beads = banded_dp(band, types, cost, skip_src, skip_tgt)
    assert banded_dp(band, types, cost, skip_src, skip_tgt, use_numba=False) == beads
    total = sum(b[4] for b in beads)
    return total, [b[:4] for b in beads]


def random_case(rng, n, m, types):
    # Integer costs make ties frequent, which exercises the tie-break order.
    table = rng.integers(0, 6, size=(len(types), n + 1, m + 1)).astype(np.float64)
    skip_src = rng.integers(1, 5, size=n).astype(np.float64)
    skip_tgt = rng.integers(1, 5, size=m).astype(np.float64)
    return table, skip_src, skip_tgt


@pytest.mark.parametrize("seed", range(40))
def test_full_dp_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 9)), int(rng.integers(0, 9))
    table, ss, st = random_case(rng, n, m, TYPES)
    want_cost, want = brute_force(n, m, TYPES, lambda k, i, j: table[k, i, j], ss, st)
    got_cost, got = run_dp(full_band(n, m), TYPES, table, ss, st)
    assert got == want
    assert got_cost == pytest.approx(want_cost)


@pytest.mark.parametrize("seed", range(40))
def test_banded_dp_equals_brute_force_restricted_to_band(seed):
    rng = np.random.default_rng(1000 + seed)
    n, m = int(rng.integers(1, 12)), int(rng.integers(1, 12))
    centre = np.round(np.arange(n + 1) * m / n).astype(int)
    w = int(rng.integers(0, 4))
    band = make_band(centre - w, centre + w, m)
    table, ss, st = random_case(rng, n, m, TYPES)
    inside = lambda i, j: band.lo[i] <= j <= band.hi[i]  # noqa: E731
    want_cost, want = brute_force(n, m, TYPES, lambda k, i, j: table[k, i, j], ss, st, inside)
    got_cost, got = run_dp(band, TYPES, table, ss, st)
    assert got == want
    assert got_cost == pytest.approx(want_cost)


@pytest.mark.parametrize("seed", range(10))
def test_wide_band_equals_full_dp(seed):
    """A band wide enough to contain the optimum gives the full DP's answer."""
    rng = np.random.default_rng(2000 + seed)
    n, m = 30, 25
    table, ss, st = random_case(rng, n, m, TYPES)
    full_cost, full = run_dp(full_band(n, m), TYPES, table, ss, st)
    rows = np.zeros(n + 1, dtype=int)
    for _i0, i1, _j0, j1 in full:
        rows[i1] = j1
    band = make_band(rows - 3, rows + 3, m)
    band_cost, banded = run_dp(band, TYPES, table, ss, st)
    assert banded == full
    assert band_cost == pytest.approx(full_cost)


def test_band_is_made_valid():
    band = make_band(np.array([5, 0, 9, 3]), np.array([1, 2, 1, 4]), 6)
    assert band.lo[0] == 0 and band.hi[-1] == 6
    assert np.all(np.diff(band.lo) >= 0) and np.all(np.diff(band.hi) >= 0)
    assert np.all(band.lo[1:] <= band.hi[:-1])
    assert band.size == int(np.sum(band.hi - band.lo + 1))
    assert np.all(band.cell(band.cell_i, band.cell_j) == np.arange(band.size))


def test_every_unit_once_and_monotone():
    rng = np.random.default_rng(7)
    table, ss, st = random_case(rng, 20, 17, TYPES)
    _, beads = run_dp(full_band(20, 17), TYPES, table, ss, st)
    src = [i for i0, i1, _, _ in beads for i in range(i0, i1)]
    tgt = [j for _, _, j0, j1 in beads for j in range(j0, j1)]
    assert src == list(range(20)) and tgt == list(range(17))


def test_ties_prefer_earlier_type_then_skips():
    # All beads cost 1, skips cost 0.5: 1-1 (cost 1) ties with 1-0 + 0-1 (cost 1).
    types = np.array([[1, 1], [2, 2]])
    table = np.ones((2, 3, 3))
    table[1] = 2.0  # a 2-2 costs as much as two 1-1
    total, beads = run_dp(full_band(2, 2), types, table, np.full(2, 0.5), np.full(2, 0.5))
    assert total == 2.0
    assert beads == [(0, 1, 0, 1), (1, 2, 1, 2)]


def test_empty_sides():
    band = full_band(0, 3)
    beads = banded_dp(band, TYPES, np.zeros((len(TYPES), band.size)), np.zeros(0), np.ones(3))
    assert [b[:4] for b in beads] == [(0, 0, 0, 1), (0, 0, 1, 2), (0, 0, 2, 3)]
    band = full_band(2, 0)
    beads = banded_dp(band, TYPES, np.zeros((len(TYPES), band.size)), np.ones(2), np.zeros(0))
    assert [b[:4] for b in beads] == [(0, 1, 0, 0), (1, 2, 0, 0)]
    assert banded_dp(full_band(0, 0), TYPES, np.zeros((len(TYPES), 1)), np.zeros(0), np.zeros(0)) == []


def test_shape_errors():
    band = full_band(2, 2)
    with pytest.raises(ValueError, match="cost"):
        banded_dp(band, TYPES, np.zeros((1, band.size)), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="skip_src"):
        banded_dp(band, TYPES, np.zeros((len(TYPES), band.size)), np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="types"):
        banded_dp(band, np.array([[0, 1]]), np.zeros((1, band.size)), np.zeros(2), np.zeros(2))


def test_all_pairs_of_small_grids_have_a_path():
    for n, m in itertools.product(range(4), range(4)):
        band = full_band(n, m)
        beads = banded_dp(band, TYPES, np.ones((len(TYPES), band.size)), np.ones(n), np.ones(m))
        assert sum(b[1] - b[0] for b in beads) == n and sum(b[3] - b[2] for b in beads) == m
