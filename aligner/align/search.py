"""The multi-pass search: where to look (the band) and which merged segments to embed.

1. **Coarse path** (:func:`coarse_band`): Vecalign's recursive downsampling. The unit
   vectors of both sides are summed in blocks of 2, 4, 8, ... until the grid is small
   (``MAX_FULL_CELLS``); a full DP aligns the blocks there, and each finer level searches a
   band around the path of the level above. The band of the units is the last projection.
2. **Approximate pass**: every bead of the band is scored with the *normalised sum* of its
   units' vectors in place of the embedding of the concatenated text. Cosines of sums need
   only the unit-pair cosines of the band (:func:`pair_sims`) and neighbour cosines within
   a side (:func:`sum_norms2`), so no merged text is embedded yet.
3. **Which merged segments matter** (:func:`plausible_edges`): forward and backward DPs
   give, for every candidate bead, the cost of the best full path through it. Only merged
   beads whose best path is within ``margin`` of the optimum are uncertain enough to need
   a real embedding of their concatenated text; the rest of the text is settled already.
4. **Final pass**: those beads get the cosine of real embeddings; the DP runs again.

Index conventions are those of :mod:`aligner.align.dp` (nodes are +1 relative to units).
"""

from __future__ import annotations

import numpy as np

from .dp import Band, dp_forward, full_band, make_band, rows_band

#: Largest grid aligned by a full DP at the top of the pyramid (cells); 300 x 300 blocks.
MAX_FULL_CELLS = 90_000
#: Cost of skipping one block at the coarse levels (where a 1-1 bead costs ``1 - cos``):
#: matching blocks have cosine 0.6-0.9 with USE, so a skip (0.8 per block, 1.6 for two)
#: is taken only where nothing on the other side resembles the block.
COARSE_SKIP = 0.8
#: Bead types searched at the coarse levels: blocks rarely need more than 2-1 / 1-2.
COARSE_TYPES = np.array([[1, 1], [2, 1], [1, 2]], dtype=np.int64)


def normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), float32."""
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def sum_norms2(x: np.ndarray, max_a: int) -> np.ndarray:
    """Squared norm of the sum of ``a`` consecutive rows ending before row ``i``.

    Args:
        x: ``(n, d)`` unit-norm rows.
        max_a: largest run length.

    Returns:
        float64 ``(max_a + 1, n + 1)``: entry ``[a, i]`` is ``|x[i-a] + ... + x[i-1]|**2``
        (``nan`` where ``i < a``; row 0 unused).
    """
    n = len(x)
    out = np.full((max_a + 1, n + 1), np.nan)
    out[1, 1:] = np.einsum("ij,ij->i", x, x)
    cs1 = np.zeros(n + 1)
    np.cumsum(out[1, 1:], out=cs1[1:])
    csums = {}
    for k in range(1, max_a):
        d = np.einsum("ij,ij->i", x[:-k], x[k:]) if n > k else np.zeros(0)
        cs = np.zeros(max(n - k, 0) + 1)
        np.cumsum(d, out=cs[1:])
        csums[k] = cs
    for a in range(2, max_a + 1):
        i = np.arange(a, n + 1)
        if not len(i):
            continue
        total = cs1[i] - cs1[i - a]
        for k in range(1, a):
            total = total + 2.0 * (csums[k][i - k] - csums[k][i - a])
        out[a, i] = total
    return out


def sum_baseline(r: np.ndarray, norms2: np.ndarray) -> np.ndarray:
    """Margin baseline of normalised sums: ``(r[i-a] + ... + r[i-1]) / sqrt(norms2[a, i])``.

    ``r[p] = x[p] . mean_other`` is linear in the vector, so the baseline of the normalised
    sum of a run is the sum of its units' baselines over the norm of the sum.

    Returns:
        float64 ``(max_a + 1, n + 1)``, laid out like :func:`sum_norms2`.
    """
    n = len(r)
    cs = np.zeros(n + 1)
    np.cumsum(r, out=cs[1:])
    out = np.full(norms2.shape, np.nan)
    for a in range(1, norms2.shape[0]):
        i = np.arange(a, n + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[a, i] = (cs[i] - cs[i - a]) / np.sqrt(norms2[a, i])
    return out


def neighbour_pool(n_other: int, n_rows: int, pairs: int, min_pool: int) -> np.ndarray:
    """Rows of the other text that :func:`knn_mean` compares ``n_rows`` rows with.

    All of them while ``n_rows * n_other <= pairs``; otherwise ``max(min_pool, pairs // n_rows)``
    rows spread evenly over the text (deterministic), so that the products stay within a
    budget on long texts.
    """
    if n_rows * n_other <= pairs or n_other <= min_pool:
        return np.arange(n_other)
    size = min(n_other, max(min_pool, pairs // max(n_rows, 1)))
    return np.unique(np.linspace(0, n_other - 1, size).round().astype(np.int64))


def knn_mean(x: np.ndarray, pool: np.ndarray, k: int, chunk: int = 1024) -> np.ndarray:
    """Mean of the ``k`` largest cosines of each row of ``x`` with the rows of ``pool``.

    Args:
        x: ``(n, d)`` unit-norm rows.
        pool: ``(p, d)`` unit-norm rows of the other text (``p >= 1``).
        k: neighbours (at most ``p`` are used).
        chunk: rows of ``x`` per matrix product (memory: ``chunk * p`` floats).

    Returns:
        float64 ``(n,)``.
    """
    k = min(k, len(pool))
    out = np.empty(len(x))
    for c in range(0, len(x), chunk):
        out[c : c + chunk] = _top(x[c : c + chunk] @ pool.T, k).mean(axis=1)
    return out


def _top(s: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` largest values of every row of ``s`` (in no particular order)."""
    return np.partition(s, s.shape[1] - k, axis=1)[:, -k:]


def knn_means(
    x: np.ndarray, y: np.ndarray, k: int, pairs: int, min_pool: int, chunk: int = 1024
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`knn_mean` of ``x`` against ``y`` and of ``y`` against ``x``, with their pools.

    When both pools are the whole other text, one product ``x @ y.T`` (in chunks of rows)
    serves both directions.

    Returns:
        ``(kx, ky, pool_y, pool_x)``: the means (float64 ``(n,)``, ``(m,)``) and the rows of
        ``y`` and ``x`` (index arrays) they were taken over.
    """
    n, m = len(x), len(y)
    pool_y = neighbour_pool(m, n, pairs, min_pool)
    pool_x = neighbour_pool(n, m, pairs, min_pool)
    if len(pool_y) < m or len(pool_x) < n:
        return knn_mean(x, y[pool_y], k, chunk), knn_mean(y, x[pool_x], k, chunk), pool_y, pool_x
    kx, ky = min(k, m), min(k, n)
    out_x = np.empty(n)
    best_y = np.full((m, ky), -np.inf, dtype=np.float32)  # running top-ky of each column
    for c in range(0, n, chunk):
        s = x[c : c + chunk] @ y.T
        out_x[c : c + chunk] = _top(s, kx).mean(axis=1)
        best_y = _top(np.concatenate([best_y, np.ascontiguousarray(s.T)], axis=1), ky)
    return out_x, best_y.mean(axis=1, dtype=np.float64), pool_y, pool_x


def pair_band(band: Band, reach: int) -> Band:
    """The unit pairs ``(p, q)`` any bead of at most ``reach`` units per side in ``band`` uses.

    A bead ending at node ``(i, j)`` covers pairs with ``i - reach <= p < i`` and
    ``j - reach <= q < j``; row ``p`` therefore needs ``lo[p+1] - reach <= q <= hi[p+reach] - 1``.
    """
    n, m = band.n, band.m
    p = np.arange(n)
    lo = band.lo[p + 1] - reach
    hi = band.hi[np.minimum(p + reach, n)] - 1
    return rows_band(np.clip(lo, 0, max(m - 1, 0)), np.clip(hi, 0, max(m - 1, 0)))


def pair_sims(x: np.ndarray, y: np.ndarray, pband: Band, chunk: int = 64) -> np.ndarray:
    """Cosines ``x[p] . y[q]`` for every cell of a pair band, by blocked matrix products.

    Returns:
        float32 ``(N,)`` in the cell order of ``pband``.
    """
    out = np.empty(pband.size, dtype=np.float32)
    n = pband.n + 1  # rows of a rows_band are 0 .. n-1 here
    for p0 in range(0, n, chunk):
        p1 = min(p0 + chunk, n)
        c0, c1 = int(pband.lo[p0]), int(pband.hi[p1 - 1]) + 1
        s, e = int(pband.off[p0]), int(pband.off[p1])
        block = x[p0:p1] @ y[c0:c1].T
        out[s:e] = block[pband.cell_i[s:e] - p0, pband.cell_j[s:e] - c0]
    return out


def approx_sims(
    band: Band,
    types: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    nx2: np.ndarray | None = None,
    ny2: np.ndarray | None = None,
) -> np.ndarray:
    """Cosine between the normalised sums of each bead's units, for every type and cell.

    ``cos(sum x, sum y) = sum_{p,q} x_p . y_q / (|sum x| |sum y|)``: the numerator is a block
    sum of unit-pair cosines, the norms come from :func:`sum_norms2`.

    Args:
        band: the node band (``n+1`` rows).
        types: ``(K, 2)`` bead types ``(a, b)``, ``a, b >= 1``.
        x, y: ``(n, d)`` and ``(m, d)`` unit-norm unit vectors.
        nx2, ny2: precomputed :func:`sum_norms2` of ``x`` and ``y`` (computed if omitted).

    Returns:
        float32 ``(K, N)``; ``nan`` where the bead does not fit (``i < a`` or ``j < b``).
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    max_a, max_b = int(types[:, 0].max()), int(types[:, 1].max())
    if nx2 is None:
        nx2 = sum_norms2(x, max_a)
    if ny2 is None:
        ny2 = sum_norms2(y, max_b)
    reach = max(max_a, max_b)
    pband = pair_band(band, reach)
    psim = np.append(pair_sims(x, y, pband), np.float32(0.0))  # last: outside the pair band
    ci, cj = band.cell_i, band.cell_j
    gathered: dict[tuple[int, int], np.ndarray] = {}

    def g(da: int, db: int) -> np.ndarray:
        if (da, db) not in gathered:
            idx = pband.cell(ci - 1 - da, cj - 1 - db)
            gathered[(da, db)] = psim[idx].astype(np.float64)  # idx -1 -> the 0 sentinel
        return gathered[(da, db)]

    # num[(a, b)] = sum of g(da, db) for da < a, db < b, built as a 2-D cumulative sum.
    num: dict[tuple[int, int], np.ndarray] = {}
    zero = np.zeros(band.size)

    def block(a: int, b: int) -> np.ndarray:
        if a == 0 or b == 0:
            return zero
        if (a, b) not in num:
            num[(a, b)] = block(a - 1, b) + block(a, b - 1) - block(a - 1, b - 1) + g(a - 1, b - 1)
        return num[(a, b)]

    out = np.empty((len(types), band.size), dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, (a, b) in enumerate(types):
            den = np.sqrt(nx2[a][ci] * ny2[b][cj])
            out[k] = block(int(a), int(b)) / den
    return out


def _project(beads: list[tuple[int, int, int, int, float]], factor: int, n: int, m: int, width: int) -> Band:
    """Band of the finer level around a coarse path scaled by ``factor``, ``width`` each side."""
    rows = np.array([[b[0], b[2], b[1], b[3]] for b in beads], dtype=np.int64).reshape(-1, 4) * factor
    lo = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    hi = np.full(n + 1, -1, dtype=np.int64)
    for r0, c0, r1, c1 in rows:
        r1 = min(r1, n)
        r0 = min(r0, n)
        lo[r0 : r1 + 1] = np.minimum(lo[r0 : r1 + 1], min(c0, m))
        hi[r0 : r1 + 1] = np.maximum(hi[r0 : r1 + 1], min(c1, m))
    # Rows not touched (when the coarse grid was clipped) inherit their neighbours.
    hi = np.maximum.accumulate(hi)
    lo = np.minimum.accumulate(np.where(lo > m, m, lo)[::-1])[::-1]
    return make_band(lo - width, hi + width, m)


def _blocks(x: np.ndarray) -> np.ndarray:
    """Sum rows pairwise (a last odd row stays alone) and normalise."""
    n = len(x)
    s = x[: n - n % 2].reshape(-1, 2, x.shape[1]).sum(axis=1)
    if n % 2:
        s = np.vstack([s, x[-1:]])
    return normalise(s)


def coarse_band(
    x: np.ndarray, y: np.ndarray, width: int, skip: float = COARSE_SKIP, max_full_cells: int = MAX_FULL_CELLS
) -> Band:
    """Band of the unit grid around a coarse path found by recursive downsampling.

    Args:
        x, y: ``(n, d)``, ``(m, d)`` unit-norm unit vectors.
        width: band half-width (nodes) around the projected path at every level.
        skip: cost of a 1-0 / 0-1 bead of one block.
        max_full_cells: the top level is aligned by a full DP once ``n * m`` is below this.

    Returns:
        The band for the units; the full grid when ``n * m <= max_full_cells``.
    """
    xs, ys = [x], [y]
    while len(xs[-1]) * len(ys[-1]) > max_full_cells and (len(xs[-1]) > 1 or len(ys[-1]) > 1):
        xs.append(_blocks(xs[-1]) if len(xs[-1]) > 1 else xs[-1])
        ys.append(_blocks(ys[-1]) if len(ys[-1]) > 1 else ys[-1])
    top = len(xs) - 1
    band = full_band(len(xs[top]), len(ys[top]))
    for level in range(top, 0, -1):
        xl, yl = xs[level], ys[level]
        sims = approx_sims(band, COARSE_TYPES, xl, yl)
        cost = np.where(np.isnan(sims), np.inf, (COARSE_TYPES.sum(1)[:, None] / 2.0) * (1.0 - sims)).astype(np.float32)
        beads = coarse_path(band, cost, skip)
        fx = 2 if len(xs[level - 1]) > len(xl) else 1
        fy = 2 if len(ys[level - 1]) > len(yl) else 1
        band = _project_xy(beads, fx, fy, len(xs[level - 1]), len(ys[level - 1]), width)
    return band


def _project_xy(beads, fx: int, fy: int, n: int, m: int, width: int) -> Band:
    scaled = [(b[0] * fx, b[1] * fx, b[2] * fy, b[3] * fy, b[4]) for b in beads]
    return _project(scaled, 1, n, m, width)


def coarse_path(band: Band, cost: np.ndarray, skip: float) -> list[tuple[int, int, int, int, float]]:
    from .dp import banded_dp

    return banded_dp(band, COARSE_TYPES, cost, np.full(band.n, skip), np.full(band.m, skip))


def plausible_edges(
    band: Band,
    types: np.ndarray,
    cost: np.ndarray,
    skip_src: np.ndarray,
    skip_tgt: np.ndarray,
    margin: float,
) -> np.ndarray:
    """Which candidate beads lie on some path within ``margin`` of the best path's cost.

    Forward distances ``F`` come from :func:`~aligner.align.dp.dp_forward`; backward ones
    ``B`` from the same kernel on the reversed problem. A bead of type ``(a, b)`` ending at
    node ``(i, j)`` is plausible when ``F[i-a, j-b] + cost + B[i, j] <= F[n, m] + margin``.

    Returns:
        bool ``(K, N)``.
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    n, m = band.n, band.m
    fwd, _ = dp_forward(band, types, cost, skip_src, skip_tgt)
    # Reversed problem: node (i, j) -> (n - i, m - j); a bead ending at (i, j) in the
    # original starts at (i - a, j - b), i.e. ends at (n - i + a, m - j + b) reversed.
    rband = rows_band(m - band.hi[::-1], m - band.lo[::-1])
    rcost = np.full(cost.shape, np.inf, dtype=cost.dtype)
    for k, (a, b) in enumerate(types):
        # reversed cell (I, J) holds the bead of the original ending at (n - I + a, m - J + b)
        src = band.cell(n - rband.cell_i + a, m - rband.cell_j + b)
        ok = src >= 0
        rcost[k, ok] = cost[k, src[ok]]
    bwd_r, _ = dp_forward(rband, types, rcost, skip_src[::-1].copy(), skip_tgt[::-1].copy())
    # B at original node (i, j) = bwd_r at reversed node (n - i, m - j)
    bwd = bwd_r[rband.cell(n - band.cell_i, m - band.cell_j)]
    best = fwd[band.size - 1]
    out = np.zeros(cost.shape, dtype=bool)
    for k, (a, b) in enumerate(types):
        prev = band.cell(band.cell_i - a, band.cell_j - b)
        f = np.where(prev >= 0, fwd[prev], np.inf)
        with np.errstate(invalid="ignore"):
            out[k] = f + cost[k] + bwd <= best + margin
    return out
