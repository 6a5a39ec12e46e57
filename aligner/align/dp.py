"""Banded dynamic programming over bead costs: numpy arrays in, beads out (no model, no text).

Grid and index conventions
--------------------------
Units are 0-based: source units ``0..n-1`` (Chinese), target units ``0..m-1`` (English).
A *node* ``(i, j)`` with ``0 <= i <= n`` and ``0 <= j <= m`` means "the first ``i`` source
units and the first ``j`` target units are aligned"; nodes are therefore +1 in each
dimension compared to units. A bead of *type* ``(a, b)`` *ending* at node ``(i, j)`` covers
source units ``i-a .. i-1`` and target units ``j-b .. j-1`` and leaves node ``(i-a, j-b)``.

The band
--------
Only nodes inside a band are searched: row ``i`` holds the nodes ``(i, j)`` for
``lo[i] <= j <= hi[i]`` (``lo``, ``hi``: int arrays of shape ``(n+1,)``, both
non-decreasing, ``lo[0] == 0`` and ``hi[n] == m``). The band's nodes are stored row after
row in one flat array of ``N = sum(hi - lo + 1)`` *cells*: node ``(i, j)`` is cell
``off[i] + j - lo[i]`` where ``off`` (shape ``(n+2,)``) is the cumulative row width. A
full DP is the band ``lo = 0``, ``hi = m``.

Cost formula
------------
The DP minimises the total cost of a monotone path of beads from ``(0, 0)`` to ``(n, m)``::

    D[0, 0] = 0
    D[i, j] = min( min_k  D[i - a_k, j - b_k] + cost[k, cell(i, j)]      (beads, a_k >= 1)
                   D[i - 1, j] + skip_src[i - 1]                           (1-0 bead)
                   D[i, j - 1] + skip_tgt[j - 1] )                         (0-1 bead)

``cost`` (shape ``(K, N)``, any float dtype, ``inf`` where a bead is not allowed) is what
:mod:`aligner.align.cost` computes; this module never looks at what it means.
Accumulation is in float64. Within a row the 0-1 beads are resolved by a prefix-minimum
scan: with ``C[j] = skip_tgt[0] + ... + skip_tgt[j-1]``, ``D[i, j] = C[j] + min_{k <= j}
(E[k] - C[k])`` where ``E`` is the row before insertions.

Ties are broken deterministically: a bead type earlier in ``types`` wins over a later one,
any bead wins over a 1-0 bead, and a 1-0 bead wins over a 0-1 bead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Back-pointer codes besides the bead-type index ``k >= 0``.
SKIP_SRC = -1
SKIP_TGT = -2
_NONE = -3


@dataclass(frozen=True)
class Band:
    """The searched nodes of the grid, stored row after row (see the module docstring).

    Attributes:
        lo, hi: int64 arrays of shape ``(n+1,)``; row ``i`` holds ``lo[i] <= j <= hi[i]``.
        off: int64 array of shape ``(n+2,)``; row ``i`` is cells ``off[i] .. off[i+1]-1``.
        cell_i, cell_j: int64 arrays of shape ``(N,)``: the node of each cell.
    """

    lo: np.ndarray
    hi: np.ndarray
    off: np.ndarray
    cell_i: np.ndarray
    cell_j: np.ndarray

    @property
    def n(self) -> int:
        return len(self.lo) - 1

    @property
    def m(self) -> int:
        return int(self.hi[-1])

    @property
    def size(self) -> int:
        return int(self.off[-1])

    def cell(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Cell index of nodes ``(i, j)`` (arrays), ``-1`` for nodes outside the band."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        ok = (i >= 0) & (i <= self.n)
        ic = np.where(ok, i, 0)
        ok &= (j >= self.lo[ic]) & (j <= self.hi[ic])
        return np.where(ok, self.off[ic] + j - self.lo[ic], -1)


def rows_band(lo: np.ndarray, hi: np.ndarray) -> Band:
    """A :class:`Band` with exactly these row limits (``hi >= lo`` in every row), unchecked."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    width = hi - lo + 1
    off = np.zeros(len(lo) + 1, dtype=np.int64)
    np.cumsum(width, out=off[1:])
    cell_i = np.repeat(np.arange(len(lo), dtype=np.int64), width)
    cell_j = np.arange(off[-1], dtype=np.int64) - np.repeat(off[:-1] - lo, width)
    return Band(lo=lo, hi=hi, off=off, cell_i=cell_i, cell_j=cell_j)


def make_band(lo: np.ndarray, hi: np.ndarray, m: int) -> Band:
    """Build a :class:`Band` from row limits, clipping to ``[0, m]`` and making them valid.

    ``lo`` is made non-decreasing from the right (suffix minimum) and ``hi`` from the left
    (prefix maximum), ``lo[0] = 0`` and ``hi[n] = m``, so the band always contains a path.
    """
    lo = np.clip(np.asarray(lo, dtype=np.int64), 0, m)
    hi = np.clip(np.asarray(hi, dtype=np.int64), 0, m)
    lo[0] = 0
    hi[-1] = m
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi)
    # A path needs row i and row i+1 to touch: lo[i+1] <= hi[i] (+0, 1-0 bead from (i, j)).
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    hi = np.maximum.accumulate(hi)
    return rows_band(lo, hi)


def full_band(n: int, m: int) -> Band:
    """The band holding every node of an ``(n+1) x (m+1)`` grid (a full DP)."""
    return make_band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64), m)


def predecessors(band: Band, types: np.ndarray) -> np.ndarray:
    """Cell of the node each bead type leaves from, for every cell.

    Args:
        band: the band.
        types: int array of shape ``(K, 2)``, the ``(a, b)`` of each bead type.

    Returns:
        int array (int32 when it fits) of shape ``(K, N)``; ``-1`` where the predecessor is outside the band.
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    dtype = np.int32 if band.size < 2**31 - 1 else np.int64
    out = np.empty((len(types), band.size), dtype=dtype)
    for k, (a, b) in enumerate(types):
        out[k] = band.cell(band.cell_i - a, band.cell_j - b)
    return out


def dp_forward(
    band: Band,
    types: np.ndarray,
    cost: np.ndarray,
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    *,
    use_numba: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The forward pass of :func:`banded_dp` (same arguments).

    Returns:
        ``(dist, back)``: float64 ``(N+1,)`` best cost from ``(0, 0)`` to each cell (the
        last entry is a +inf sentinel), and int8 ``(N,)`` back-pointers (bead-type index
        ``k``, or ``SKIP_SRC`` / ``SKIP_TGT``).
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    cost = np.asarray(cost)
    if cost.dtype not in (np.float32, np.float64):
        cost = cost.astype(np.float64)
    skip_src = np.asarray(skip_src, dtype=np.float64)
    skip_tgt = np.asarray(skip_tgt, dtype=np.float64)
    kernel = _kernel_numba() if use_numba else None
    if kernel is not None:
        return kernel(band.lo, band.hi, band.off, types, np.ascontiguousarray(cost), skip_src, skip_tgt)
    return _dp_numpy(band, types, cost, skip_src, skip_tgt)


def banded_dp(
    band: Band,
    types: np.ndarray,
    cost: np.ndarray,
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    *,
    use_numba: bool = True,
) -> list[tuple[int, int, int, int, float]]:
    """Minimum-cost monotone path of beads through ``band`` (formula in the module docstring).

    Args:
        band: the searched nodes (:func:`make_band`, :func:`full_band`).
        types: int array ``(K, 2)`` of bead types ``(a, b)``, each with ``a >= 1`` (1-0 and
            0-1 beads are added from ``skip_src`` and ``skip_tgt``; do not list them).
        cost: float array ``(K, N)``: cost of a bead of type ``k`` ending at each cell.
        skip_src: float array ``(n,)``: cost of the 1-0 bead of each source unit.
        skip_tgt: float array ``(m,)``: cost of the 0-1 bead of each target unit.
        use_numba: run the compiled kernel when numba is installed (same result as the
            numpy row loop, about 50 times faster); ``False`` forces the numpy loop.

    Returns:
        The beads in order as ``(i0, i1, j0, j1, cost)``: source units ``i0 .. i1-1`` and
        target units ``j0 .. j1-1``, with the bead's own cost (not accumulated).

    Raises:
        ValueError: when array shapes do not match the band.
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    cost = np.asarray(cost)
    n, m, size = band.n, band.m, band.size
    if np.any(types[:, 0] < 1):
        raise ValueError("types: every bead type needs a >= 1 (0-1 beads come from skip_tgt)")
    if cost.shape != (len(types), size):
        raise ValueError(f"cost: expected shape {(len(types), size)}, got {cost.shape}")
    if len(skip_src) != n or len(skip_tgt) != m:
        raise ValueError(f"skip_src/skip_tgt: expected lengths {n} and {m}, got {len(skip_src)} and {len(skip_tgt)}")

    dist, back = dp_forward(band, types, cost, skip_src, skip_tgt, use_numba=use_numba)
    lo, off = band.lo, band.off

    if not np.isfinite(dist[size - 1]):
        raise ValueError("no path through the band: every route has infinite cost")
    beads: list[tuple[int, int, int, int, float]] = []
    i, j = n, m
    while i > 0 or j > 0:
        c = int(off[i] + j - lo[i])
        code = int(back[c])
        if code == SKIP_TGT:
            a, b, bead_cost = 0, 1, float(skip_tgt[j - 1])
        elif code == SKIP_SRC:
            a, b, bead_cost = 1, 0, float(skip_src[i - 1])
        else:
            a, b = int(types[code, 0]), int(types[code, 1])
            bead_cost = float(cost[code, c])
        beads.append((i - a, i, j - b, j, bead_cost))
        i, j = i - a, j - b
    beads.reverse()
    return beads


def _dp_numpy(
    band: Band, types: np.ndarray, cost: np.ndarray, skip_src: np.ndarray, skip_tgt: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass, vectorised per row: returns ``dist`` (``(N+1,)`` float64, last cell a
    +inf sentinel) and ``back`` (``(N,)`` int8 back-pointer codes)."""
    n, m, size = band.n, band.m, band.size
    # Append the 1-0 bead as one more type so one gather handles every predecessor.
    all_types = np.vstack([types, [[1, 0]]])
    pred = predecessors(band, all_types)
    ctype = cost.dtype
    src_skip_cost = np.append(np.asarray(skip_src, dtype=ctype), ctype.type(np.inf))[band.cell_i - 1]
    full_cost = np.vstack([cost.astype(ctype, copy=False), src_skip_cost[None, :]])
    # Sentinel cell ``size`` holds +inf: predecessors outside the band point there.
    pred[pred < 0] = size
    dist = np.full(size + 1, np.inf, dtype=np.float64)
    back = np.full(size, _NONE, dtype=np.int8)
    codes = np.append(np.arange(len(types), dtype=np.int8), np.int8(SKIP_SRC))
    csum_tgt = np.zeros(m + 1, dtype=np.float64)
    np.cumsum(np.asarray(skip_tgt, dtype=np.float64), out=csum_tgt[1:])

    lo, off = band.lo, band.off
    for i in range(n + 1):
        s, e = int(off[i]), int(off[i + 1])
        if i == 0:
            row = np.full(e - s, np.inf)
            row[0] = 0.0
            arg = np.full(e - s, _NONE, dtype=np.int8)
        else:
            cand = dist[pred[:, s:e]] + full_cost[:, s:e]
            k = np.argmin(cand, axis=0)
            row = cand[k, np.arange(e - s)]
            arg = np.where(np.isfinite(row), codes[k], np.int8(_NONE))
        # 0-1 beads: prefix-minimum scan in the domain G = E - C (exact comparison).
        c = csum_tgt[lo[i] : lo[i] + (e - s)]
        g = row - c
        pm = np.minimum.accumulate(g)
        ins = pm < g
        if ins.any():
            row = np.where(ins, pm + c, row)
            arg = np.where(ins, np.int8(SKIP_TGT), arg)
        dist[s:e] = row
        back[s:e] = arg

    return dist, back


_KERNEL: list = []


def _kernel_numba():  # pragma: no cover - exercised when numba is installed
    """The compiled forward pass, or ``None`` without numba (compiled once, cached on disk)."""
    if _KERNEL:
        return _KERNEL[0]
    try:
        import numba
    except ImportError:
        _KERNEL.append(None)
        return None

    @numba.njit(cache=True, nogil=True)
    def forward(lo, hi, off, types, cost, skip_src, skip_tgt):  # type: ignore[no-untyped-def]
        n = lo.shape[0] - 1
        size = off[n + 1]
        n_types = types.shape[0]
        dist = np.full(size + 1, np.inf)
        back = np.full(size, _NONE, dtype=np.int8)
        for i in range(n + 1):
            for j in range(lo[i], hi[i] + 1):
                c = off[i] + j - lo[i]
                best = np.inf
                arg = _NONE
                if i == 0 and j == 0:
                    best = 0.0
                for k in range(n_types):
                    p = i - types[k, 0]
                    q = j - types[k, 1]
                    if p < 0 or q < lo[p] or q > hi[p]:
                        continue
                    v = dist[off[p] + q - lo[p]] + np.float64(cost[k, c])
                    if v < best:
                        best = v
                        arg = k
                if i > 0 and lo[i - 1] <= j <= hi[i - 1]:
                    v = dist[off[i - 1] + j - lo[i - 1]] + skip_src[i - 1]
                    if v < best:
                        best = v
                        arg = SKIP_SRC
                if j > lo[i]:
                    v = dist[c - 1] + skip_tgt[j - 1]
                    if v < best:
                        best = v
                        arg = SKIP_TGT
                dist[c] = best
                if best < np.inf:
                    back[c] = arg
        return dist, back

    _KERNEL.append(forward)
    return forward
