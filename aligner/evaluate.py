"""Strict and lax precision / recall / F1 over beads, exactly as Vecalign's ``score.py``.

Definitions (Vecalign ``score.py``, after Sennrich & Volk's lax/strict scheme):

* A predicted bead is a *strict* true positive when the identical bead is in the gold
  set. Otherwise it is a *lax* true positive when it overlaps some gold bead on the
  source side whose target side also overlaps the predicted target side.
* Precision counts every predicted bead (1-0 and 0-1 included); recall swaps the roles
  of gold and prediction and ignores beads with an empty side on both.
* Counts are summed over all documents before dividing; a 0/0 ratio is 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BeadTuple = tuple[tuple[int, ...], tuple[int, ...]]


def _as_set(beads: Iterable[tuple[Sequence[int], Sequence[int]]]) -> set[BeadTuple]:
    return {(tuple(s), tuple(t)) for s, t in beads if len(s) or len(t)}


def _counts(gold: Iterable[BeadTuple], test: Iterable[BeadTuple]) -> tuple[int, int, int, int]:
    """Return ``(tp_strict, fp_strict, tp_lax, fp_lax)`` of ``test`` against ``gold``."""
    gold_set = _as_set(gold)
    test_set = _as_set(test)
    src_to_gold_tgt: dict[int, set[int]] = defaultdict(set)
    for g_src, g_tgt in gold_set:
        for s in g_src:
            src_to_gold_tgt[s].update(g_tgt)
    tp_s = fp_s = tp_l = fp_l = 0
    for t_src, t_tgt in test_set:
        if (t_src, t_tgt) in gold_set:
            tp_s += 1
            tp_l += 1
            continue
        fp_s += 1
        reachable: set[int] = set()
        for s in t_src:
            reachable |= src_to_gold_tgt.get(s, set())
        if reachable.intersection(t_tgt):
            tp_l += 1
        else:
            fp_l += 1
    return tp_s, fp_s, tp_l, fp_l


def bead_kind(bead: tuple[Sequence[int], Sequence[int]], cap: int = 4) -> str:
    """The bead type as ``"n-m"``; sizes above ``cap`` are written ``"cap+"``."""

    def size(n: int) -> str:
        return f"{cap}+" if n > cap else str(n)

    return f"{size(len(bead[0]))}-{size(len(bead[1]))}"


@dataclass(frozen=True)
class Score:
    """Strict and lax precision / recall / F1 plus per-bead-type statistics.

    Attributes:
        precision_strict, recall_strict, f1_strict, precision_lax, recall_lax, f1_lax:
            the six standard numbers.
        n_gold, n_pred: number of beads (empty-both-sides beads excluded).
        recall_by_kind: for each gold bead type (``"1-1"``, ``"2-1"``, ...), the share of
            those gold beads predicted exactly.
        gold_by_kind: number of gold beads of each type.
        confusion: ``{(gold_kind, pred_kind): count}``: for every gold bead, the type of
            the predicted bead that covers its first unit (``"none"`` when nothing does).
    """

    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float
    n_gold: int
    n_pred: int
    recall_by_kind: dict[str, float] = field(default_factory=dict)
    gold_by_kind: dict[str, int] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, float | int]:
        """The flat numbers, as Vecalign's ``score_multiple`` returns them (plus counts)."""
        return {
            "precision_strict": self.precision_strict,
            "recall_strict": self.recall_strict,
            "f1_strict": self.f1_strict,
            "precision_lax": self.precision_lax,
            "recall_lax": self.recall_lax,
            "f1_lax": self.f1_lax,
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
        }

    def format(self) -> str:
        """A short table: strict and lax P/R/F1, then recall per gold bead type."""
        lines = [
            f"{'':8}{'P':>8}{'R':>8}{'F1':>8}",
            f"{'strict':8}{self.precision_strict:8.3f}{self.recall_strict:8.3f}{self.f1_strict:8.3f}",
            f"{'lax':8}{self.precision_lax:8.3f}{self.recall_lax:8.3f}{self.f1_lax:8.3f}",
            f"gold beads {self.n_gold}, predicted beads {self.n_pred}",
        ]
        if self.recall_by_kind:
            lines.append(
                "recall by gold bead type: "
                + ", ".join(
                    f"{k} {self.recall_by_kind[k]:.3f} (n={self.gold_by_kind[k]})" for k in sorted(self.recall_by_kind)
                )
            )
        return "\n".join(lines)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_documents(
    gold_docs: Sequence[Sequence[tuple[Sequence[int], Sequence[int]]]],
    pred_docs: Sequence[Sequence[tuple[Sequence[int], Sequence[int]]]],
) -> Score:
    """Score predicted beads against gold beads over several documents.

    Args:
        gold_docs: one list of ``(src_indices, tgt_indices)`` beads per document.
        pred_docs: the predicted beads, same documents in the same order.

    Returns:
        A :class:`Score`; counts are summed over documents before dividing.

    Raises:
        ValueError: when the two lists do not have the same number of documents.

    Example:
        >>> s = score_documents([[([0], [0]), ([1, 2], [1])]], [[([0], [0]), ([1], [1]), ([2], [])]])
        >>> round(s.f1_strict, 3), round(s.f1_lax, 3)
        (0.4, 0.8)
    """
    if len(gold_docs) != len(pred_docs):
        raise ValueError(
            f"gold_docs and pred_docs must have the same number of documents, got {len(gold_docs)} and {len(pred_docs)}"
        )
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    hit_by_kind: Counter[str] = Counter()
    gold_by_kind: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    n_gold = n_pred = 0
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        gold_t = [(tuple(s), tuple(t)) for s, t in gold]
        pred_t = [(tuple(s), tuple(t)) for s, t in pred]
        for i, c in enumerate(_counts(gold_t, pred_t)):
            p[i] += c
        gold_nd = [b for b in gold_t if b[0] and b[1]]
        pred_nd = [b for b in pred_t if b[0] and b[1]]
        for i, c in enumerate(_counts(pred_nd, gold_nd)):
            r[i] += c
        gold_set, pred_set = _as_set(gold_t), _as_set(pred_t)
        n_gold += len(gold_set)
        n_pred += len(pred_set)
        by_src = {s: b for b in pred_set for s in b[0]}
        by_tgt = {t: b for b in pred_set for t in b[1]}
        for b in gold_set:
            kind = bead_kind(b)
            gold_by_kind[kind] += 1
            hit_by_kind[kind] += b in pred_set
            cover = by_src.get(b[0][0]) if b[0] else by_tgt.get(b[1][0])
            confusion[(kind, bead_kind(cover) if cover else "none")] += 1
    ps, pl = _ratio(p[0], p[0] + p[1]), _ratio(p[2], p[2] + p[3])
    rs, rl = _ratio(r[0], r[0] + r[1]), _ratio(r[2], r[2] + r[3])
    return Score(
        precision_strict=ps,
        recall_strict=rs,
        f1_strict=_f1(ps, rs),
        precision_lax=pl,
        recall_lax=rl,
        f1_lax=_f1(pl, rl),
        n_gold=n_gold,
        n_pred=n_pred,
        recall_by_kind={k: _ratio(hit_by_kind[k], n) for k, n in gold_by_kind.items()},
        gold_by_kind=dict(gold_by_kind),
        confusion=dict(confusion),
    )


def score(
    gold: Sequence[tuple[Sequence[int], Sequence[int]]],
    pred: Sequence[tuple[Sequence[int], Sequence[int]]],
) -> Score:
    """Score one document's predicted beads against its gold beads (see :func:`score_documents`)."""
    return score_documents([gold], [pred])
