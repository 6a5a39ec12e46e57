"""Sentence-level evidence for beads of multi-sentence units (paragraphs).

One embedding of a whole paragraph says what it is about; two paragraphs on the same subject
(neighbours in a letter or a chapter) come out close even when neither translates the other.
Their sentences tell them apart: in a translation nearly every sentence has a close partner on
the other side, in a paragraph on the same subject few do. For a candidate bead with source
units ``P`` and target units ``Q`` (each unit a list of sentences, ``w`` a sentence's length
in characters)::

    E     = 1/2 * ( sum_{s in P} w_s max_{t in Q} cos(s, t) / sum_{s in P} w_s
                  + sum_{t in Q} w_t max_{s in P} cos(s, t) / sum_{t in Q} w_t )
    E_base = 1/2 * ( sum_{s in P} w_s beta_s / sum w_s  +  sum_{t in Q} w_t beta_t / sum w_t )

``beta_s`` is the mean, over up to :data:`BASELINE_UNITS` units of the other text spread evenly
over it, of the best cosine of ``s`` with that unit's sentences: what ``s`` scores against a
unit that does not translate it (``E - E_base`` is a margin, as for the unit embeddings). A
merged bead needs no new embedding: ``E`` of the union is computed from the same sentence
pairs. The :class:`~aligner.align.Aligner` blends ``E`` into the unit cosine with the weight
``sentence_weight`` and charges beads whose margin ``E - E_base`` falls below
``sentence_floor`` the shortfall (see there for the measurements).

Only the unit pairs of a band are computed (:func:`~aligner.align.search.pair_band`), so the
cost is linear in the text: per source sentence, the target sentences of the units its unit
may pair with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dp import Band

#: Units of the other text sampled for a sentence's baseline ``beta`` (evenly spaced).
BASELINE_UNITS = 64
#: Source units per block product in :func:`best_matches`.
CHUNK_UNITS = 32


@dataclass(frozen=True)
class UnitSentences:
    """The sentences of a list of units, flattened.

    Attributes:
        vecs: ``(S, d)`` float32 unit-norm sentence vectors, unit after unit.
        start: int64 ``(n + 1,)``: unit ``p`` has sentences ``start[p] .. start[p+1] - 1``;
            every unit has at least one.
        weight: float64 ``(S,)`` sentence weights (lengths), > 0.
    """

    vecs: np.ndarray
    start: np.ndarray
    weight: np.ndarray

    @property
    def n_units(self) -> int:
        return len(self.start) - 1

    def owner(self) -> np.ndarray:
        """int64 ``(S,)``: the unit of every sentence."""
        return np.repeat(np.arange(self.n_units, dtype=np.int64), np.diff(self.start))


def best_matches(
    src: UnitSentences, tgt: UnitSentences, pband: Band, chunk: int = CHUNK_UNITS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best cosine of every sentence with every unit of the other side it may be paired with.

    Args:
        src, tgt: the sentences of the source and target units.
        pband: the unit-pair band (rows ``p = 0 .. n-1``, columns ``q`` in
            ``pband.lo[p] .. pband.hi[p]``), non-decreasing limits.
        chunk: source units per block product.

    Returns:
        ``R``: float32 ``(S, W)``, ``R[s, c]`` the best cosine of source sentence ``s`` (of
        unit ``p``) with the sentences of target unit ``pband.lo[p] + c``, ``-inf`` past the
        row's end; ``C``: float32 ``(T, W2)``, ``C[t, c]`` the best cosine of target sentence
        ``t`` (of unit ``q``) with source unit ``plo[q] + c``; ``plo``: int64 ``(m,)``, the
        first source unit whose row holds ``q``.
    """
    n, m = src.n_units, tgt.n_units
    lo, hi = pband.lo[:n], pband.hi[:n]
    width = int((hi - lo + 1).max())
    plo = np.searchsorted(hi, np.arange(m), side="left").astype(np.int64)
    phi = np.searchsorted(lo, np.arange(m), side="right").astype(np.int64) - 1
    width2 = max(int((phi - plo + 1).max()), 1)
    s_owner, t_owner = src.owner(), tgt.owner()
    R = np.full((len(src.vecs), width), -np.inf, dtype=np.float32)
    C = np.full((len(tgt.vecs), width2), -np.inf, dtype=np.float32)
    cols = np.arange(width, dtype=np.int64)
    for p0 in range(0, n, chunk):
        p1 = min(p0 + chunk, n)
        q0, q1 = int(lo[p0]), int(hi[p1 - 1])
        s0, s1 = int(src.start[p0]), int(src.start[p1])
        t0, t1 = int(tgt.start[q0]), int(tgt.start[q1 + 1])
        block = src.vecs[s0:s1] @ tgt.vecs[t0:t1].T
        # source sentence x target unit
        by_unit = np.maximum.reduceat(block, tgt.start[q0 : q1 + 1] - t0, axis=1)
        own = s_owner[s0:s1]
        q = lo[own][:, None] + cols[None, :]
        ok = q <= hi[own][:, None]
        rows = np.arange(s1 - s0)[:, None]
        R[s0:s1] = np.where(ok, by_unit[rows, np.clip(q - q0, 0, q1 - q0)], -np.inf)
        # source unit x target sentence, kept where the target unit is in the unit's row
        by_src = np.maximum.reduceat(block, src.start[p0:p1] - s0, axis=0)
        tq = t_owner[t0:t1]
        units = np.arange(p0, p1, dtype=np.int64)[:, None]
        pi, ti = np.nonzero((lo[units] <= tq[None, :]) & (tq[None, :] <= hi[units]))
        C[t0 + ti, p0 + pi - plo[tq[ti]]] = by_src[pi, ti]
    return R, C, plo


def _window_sums(R: np.ndarray, side: UnitSentences, b: int) -> np.ndarray:
    """``U[p, c]``: sum over the sentences ``s`` of unit ``p`` of ``w_s`` times the best of
    ``R[s, c - b + 1 .. c]`` (the best match among ``b`` consecutive units of the other side)."""
    Rb = R.copy()
    for k in range(1, b):
        np.maximum(Rb[:, k:], R[:, :-k], out=Rb[:, k:])
    weighted = Rb.astype(np.float64) * side.weight[:, None]
    return np.add.reduceat(weighted, side.start[:-1], axis=0)


def _baseline(x: UnitSentences, other: UnitSentences, sample: int = BASELINE_UNITS) -> np.ndarray:
    """``beta`` of every sentence of ``x``: its mean best cosine with sampled units of ``other``."""
    m = other.n_units
    units = np.unique(np.linspace(0, m - 1, min(m, sample)).round().astype(np.int64))
    idx = np.concatenate([np.arange(other.start[u], other.start[u + 1]) for u in units])
    starts = np.concatenate([[0], np.cumsum(np.diff(other.start)[units])[:-1]])
    vecs = other.vecs[idx]
    out = np.empty(len(x.vecs), dtype=np.float64)
    for r0 in range(0, len(x.vecs), 4096):
        block = x.vecs[r0 : r0 + 4096] @ vecs.T
        out[r0 : r0 + 4096] = np.maximum.reduceat(block, starts, axis=1).mean(axis=1)
    return out


def sentence_evidence(
    band: Band,
    types: np.ndarray,
    src: UnitSentences,
    tgt: UnitSentences,
    pband: Band,
    background: float | None = None,
    prior_units: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``E`` and ``E_base`` (module docstring) of every candidate bead of the band.

    Args:
        band: the node band (conventions of :mod:`aligner.align.dp`).
        types: ``(K, 2)`` bead types ``(a, b)``, ``a, b >= 1``.
        src, tgt: the sentences of the source and target units.
        pband: the unit-pair band covering every pair of every bead of ``band``
            (:func:`~aligner.align.search.pair_band` with reach ``max(a, b)``).
        background: the model's mean cosine between unrelated texts, or ``None``. Against
            a short text (front matter of 2-3 units, all on one subject) ``beta`` is no
            estimate of an unrelated unit; it is shrunk towards ``background`` with
            ``prior_units`` pseudo-units, as the Aligner does with the units' baselines:
            ``beta' = (m * beta + prior_units * background) / (m + prior_units)`` for a
            text of ``m`` units on the other side.
        prior_units: the weight of ``background``.

    Returns:
        float32 ``(K, N)`` arrays ``E`` and ``E_base``; ``nan`` where a bead does not fit or
        reaches outside ``pband``.
    """
    types = np.asarray(types, dtype=np.int64).reshape(-1, 2)
    R, C, plo = best_matches(src, tgt, pband)
    lo = pband.lo
    ci, cj = band.cell_i, band.cell_j
    cw_s = np.concatenate([[0.0], np.cumsum(np.add.reduceat(src.weight, src.start[:-1]))])
    cw_t = np.concatenate([[0.0], np.cumsum(np.add.reduceat(tgt.weight, tgt.start[:-1]))])

    def shrunk(beta: np.ndarray, m: int) -> np.ndarray:
        if background is None:
            return beta
        w = m / (m + prior_units)
        return w * beta + (1.0 - w) * float(background)

    beta_s = np.add.reduceat(src.weight * shrunk(_baseline(src, tgt), tgt.n_units), src.start[:-1])
    beta_t = np.add.reduceat(tgt.weight * shrunk(_baseline(tgt, src), src.n_units), tgt.start[:-1])
    cb_s = np.concatenate([[0.0], np.cumsum(beta_s)])
    cb_t = np.concatenate([[0.0], np.cumsum(beta_t)])
    sums_s = {int(b): _window_sums(R, src, int(b)) for b in np.unique(types[:, 1])}
    sums_t = {int(a): _window_sums(C, tgt, int(a)) for a in np.unique(types[:, 0])}

    def gather(U: np.ndarray, first: np.ndarray, own: np.ndarray, other: np.ndarray, count: int) -> np.ndarray:
        """Sum of ``U[p, other - 1 - first[p]]`` over ``p = own - count .. own - 1``."""
        total = np.zeros(len(own), dtype=np.float64)
        for d in range(1, count + 1):
            p = own - d
            pc = np.clip(p, 0, len(U) - 1)
            c = other - 1 - first[pc]
            ok = (p >= 0) & (c >= 0) & (c < U.shape[1])
            total += np.where(ok, U[pc, np.clip(c, 0, U.shape[1] - 1)], np.nan)
        return total

    E = np.full((len(types), band.size), np.nan, dtype=np.float32)
    base = np.full((len(types), band.size), np.nan, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, (a, b) in enumerate(types):
            fits = (ci >= a) & (cj >= b)
            i, j = ci[fits], cj[fits]
            w_s = cw_s[i] - cw_s[i - a]
            w_t = cw_t[j] - cw_t[j - b]
            e_s = gather(sums_s[int(b)], lo, i, j, int(a)) / w_s
            e_t = gather(sums_t[int(a)], plo, j, i, int(b)) / w_t
            e = 0.5 * (e_s + e_t)
            E[k, fits] = np.where(np.isfinite(e), e, np.nan)
            base[k, fits] = 0.5 * ((cb_s[i] - cb_s[i - a]) / w_s + (cb_t[j] - cb_t[j - b]) / w_t)
    return E, base
