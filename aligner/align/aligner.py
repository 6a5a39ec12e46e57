"""The :class:`Aligner`: units of two texts in, beads out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..types import Bead
from .cost import LengthModel, bead_cost, extra_units, length_model_for, text_length
from .dp import Band, banded_dp
from .evidence import UnitSentences, sentence_evidence
from .search import (
    approx_sims,
    coarse_band,
    knn_mean,
    knn_means,
    normalise,
    pair_band,
    plausible_edges,
    sum_baseline,
    sum_norms2,
)

logger = logging.getLogger(__name__)

Encode = Callable[[Sequence[str]], np.ndarray]

#: Separator used to join units of a merged segment before embedding it, per language;
#: languages written without spaces join with "".
JOINERS: dict[str, str] = {"zh": "", "ja": "", "th": ""}


def bead_types(max_units: int) -> np.ndarray:
    """All ``(a, b)`` with ``a, b >= 1`` and ``a + b <= max_units``: 1-1 first, then by size.

    The order is the DP's tie-break order (earlier wins): smaller beads, and for equal size
    the one with more source units (Chinese splits English sentences more often than not).
    """
    out = [(a, s - a) for s in range(2, max_units + 1) for a in range(s - 1, 0, -1)]
    return np.array(out, dtype=np.int64).reshape(-1, 2)


class Aligner:
    """Align two lists of units (paragraphs or sentences) with embeddings and a banded DP.

    Beads are 1-1, n-m up to ``max_units`` units in total, and 1-0 / 0-1. Merged segments
    are scored by embedding their concatenated text, but only where the path is uncertain:
    a first pass scores every merge by the normalised sum of its unit vectors, and only the
    merges on a path within ``margin`` of the best one get a real embedding (see
    :mod:`aligner.align.search`). The cost of a bead is given in :mod:`aligner.align.cost`.

    Args:
        max_units: most units in one bead (``n + m``), 2 to 10.
        skip: cost of leaving one unit unaligned (a 1-0 or 0-1 bead), > 0. The defaults of
            ``skip`` and ``merge_penalty`` are the sentence preset; :meth:`for_level` gives
            the paragraph one.
        length_weight: weight of the length-ratio term, >= 0 (0 switches it off).
        merge_penalty: extra cost per unit of a bead beyond 1-1, >= 0, charged per typical
            unit length added (a short fragment costs a fraction of it).
        merge_floor: share of ``merge_penalty`` charged per extra unit whatever its length,
            0 to 1 (1: a flat penalty per unit).
        band_width: half-width of the search band around the coarse path, >= 1 nodes.
        margin: merges on a path at most this much costlier than the best one get a real
            embedding, >= 0 (larger: more accurate and slower).
        length_model: the length-ratio model; ``None`` picks one for the language pair.
        sentence_weight: weight, 0 to 1, of the sentences' evidence in a bead's similarity
            (:mod:`aligner.align.evidence`); used when :meth:`align` is given the units'
            sentences (the paragraph preset: 0.2; 0 switches it off).
        sentence_floor: with the sentences' evidence on, a bead whose evidence margin
            ``E - E_base`` falls below this floor pays the shortfall, per unit, on top of
            its cost (the paragraph preset: 0.3); ``None``: no floor.
        neighbours: the margin baseline of a segment is the mean of its ``neighbours``
            highest cosines with the units of the other text, shifted so that its mean over
            the text's units equals that of the document-mean baseline (see
            :attr:`NEIGHBOURS`); 0: the segment's cosine with the other text's mean vector.

    Example:
        >>> import numpy as np
        >>> def encode(texts):  # a toy embedder: one dimension per distinct word
        ...     vocab = {w: i for i, w in enumerate("one two three four".split())}
        ...     out = np.zeros((len(texts), 4), dtype=np.float32)
        ...     for r, t in enumerate(texts):
        ...         for w in t.replace("一", " one ").replace("二", " two ").split():
        ...             out[r, vocab.get(w, 3)] += 1
        ...     return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        >>> beads = Aligner().align(["一", "二"], ["one", "two"], encode)
        >>> [(b.src, b.tgt) for b in beads]
        [((0,), (0,)), ((1,), (1,))]
    """

    MAX_UNITS: int = 5
    #: Per-unit skip cost and per-extra-unit merge penalty, chosen together (Bible dev half,
    #: USE model; grid skip 0.5-1.0 x penalty 0-0.4). The penalty is charged per *typical
    #: unit length* added (see :func:`~aligner.align.cost.extra_units` and MERGE_FLOOR).
    #: Constraint first: a unit orthogonal to a perfect 1-1 bead must be skipped, not
    #: merged, i.e. ``1.5 * (1 - 1/sqrt(2)) + MERGE_PENALTY * e > SKIP``, which holds for
    #: ``e > 0.87``: text of ordinary length with no translation comes out as 1-0 / 0-1
    #: (letters whose last third has no English), while a fragment well below the mean unit
    #: length joins its neighbour's bead. With the length-scaled penalty (merge floor 0)
    #: (0.7, 0.3) scores 0.890 strict F1 on the dev half (full set 0.917, lax 0.999);
    #: penalty 0.25 scored 0.893 but glues the dropped paragraph of the paragraph set onto a
    #: 2-1 bead; 0.35 and 0.4 (skip 0.8): 0.889, 0.890; skip 0.6: 0.886, 0.75-0.8: 0.890.
    #: With the old flat penalty (a + b - 2): (0.7, 0.3) 0.872, (0.7, 0.2) 0.890 but
    #: unrelated units glued.
    SKIP: float = 0.7
    MERGE_PENALTY: float = 0.3
    #: Bead scores are ``1 - cost / (SCORE_SCALE * units)``, clipped to [0, 1]: 0 where a bead
    #: costs as much per unit as the sentence preset's skip. A constant rather than ``skip``, so
    #: that scores mean the same at every level and with every option (the HTML review flags
    #: beads below 0.5).
    SCORE_SCALE: float = 0.7
    #: Options that depend on what a unit is (:meth:`for_level`). Paragraphs want a cheaper
    #: skip and merge: a translator merges, splits and leaves out whole paragraphs more
    #: freely than sentences, and an unmatched paragraph next to a chance 1-1 bead must cost
    #: less as two skips than as that bead (two skips at 0.7 cost 1.4, a chance paragraph
    #: pair about 1.0). Tuned on constructed paragraph sets (benchmarks.common.
    #: make_paragraph_set) of seeds 1 and 2, grid skip 0.45-0.7 x penalty 0-0.3 x floor
    #: 0.3-0.7; strict F1 seeds 1 / 2 and held-out 0 / 3 / 4: sentence preset (0.7, 0.3)
    #: 0.920 / 0.887 / 0.902 / - / -; (0.55, 0.2) 0.953 / 0.919 / 0.944 / 0.935 / 0.948;
    #: (0.5, 0.15) 0.949 / 0.920 / 0.950; penalty 0 glues everything (0.36). The sentence
    #: preset stays tuned on the Bible (there (0.55, 0.2) scores 0.875 against 0.889).
    #: Every paragraph of the real letter pair (data/gold) stays right with either.
    #: With the sentences' evidence on (SENTENCE_WEIGHT below, w = 0.2) the grid was run
    #: again (skip 0.4-0.55 x penalty 0.05-0.2): the good settings lie on a ridge of about
    #: skip - penalty = 0.35; seeds 1 / 2 / held-out 0 / 3 / 4: (0.55, 0.2) 0.963 / 0.934 /
    #: 0.959 / 0.945 / 0.954, (0.5, 0.15) 0.966 / 0.940 / 0.960 / 0.947 / 0.959, (0.45, 0.1)
    #: 0.958 / 0.932, off the ridge (0.45, 0.15) 0.945 / 0.908, (0.4, 0.1) 0.904 / 0.859.
    #: A second check, on the real letter 1964-05-07 (32 / 23 paragraphs): for each of its
    #: 18 runs of two 1-1 beads, delete the first English and the second Chinese paragraph,
    #: which leaves two adjacent paragraphs on one subject that translate nothing: both
    #: come out unaligned in 5 of 18 cases with (0.55, 0.2), 8 with skip 0.5, 13 with 0.45,
    #: 15 with 0.4 (``python -m benchmarks.letter_orphans --grid``; before the sentence
    #: floor below, which raises (0.55, 0.2) to 12 of 18). (0.55, 0.2) stays, as
    #: the only setting that keeps every paragraph of the real pair right: with a penalty of
    #: 0.15 the front matter's 15-character title is glued onto the publisher's note (a 2-3
    #: bead instead of 1-1 + 1-2), (0.5, 0.2) splits the note's 1-2 bead, (0.45, 0.2)
    #: leaves both titles unaligned (and scores 0.910 / 0.873 on seeds 1 / 2), and skip 0.4
    #: also breaks the letter's heading and its cut-off last paragraph.
    LEVEL_PRESETS: dict[str, dict[str, float]] = {
        "sentence": {"skip": SKIP, "merge_penalty": MERGE_PENALTY},
        "paragraph": {"skip": 0.55, "merge_penalty": 0.2, "sentence_weight": 0.2, "sentence_floor": 0.3},
    }
    #: Weight of the sentence-level evidence (:mod:`aligner.align.evidence`) against the
    #: cosine of the units' own embeddings: ``sim = (1 - w) * cos + w * E`` and likewise for
    #: the margin baselines. Off (0) by default, since it needs units of several sentences
    #: (paragraphs); the paragraph preset uses 0.2. Constructed paragraph sets, strict F1,
    #: seeds 1 / 2 (dev) and held-out 0 / 3 / 4, at (skip, penalty) (0.55, 0.2): w = 0 0.953
    #: / 0.919 / 0.944 / 0.935 / 0.948; 0.2 0.963 / 0.934 / 0.959 / 0.945 / 0.954; 0.3 0.960
    #: / 0.939 / 0.959 / 0.945 / 0.954; 0.5 0.960 / 0.938 / 0.959 / 0.945 / 0.957; sentences
    #: alone (w = 1, without the model background) 0.955 / 0.950 / 0.954 / 0.956 / 0.958.
    #: Two constraints keep it low. With the Chinese side cut at every comma (segmented
    #: unlike the English), seeds 0 / 1: w = 0 0.944 / 0.953, 0.5 0.947 / 0.953, 1 0.924 /
    #: 0.930: sentences alone fail when the two sides are segmented differently. And in the
    #: real letter pair (data/gold) a Chinese heading glued to its salutation (one
    #: "sentence" against four English units, the last "Dear Comrades,") stays a 1-4 bead up
    #: to w = 0.2; from 0.3 "Dear Comrades," moves to the next bead.
    SENTENCE_WEIGHT: float = 0.0
    #: Floor of the sentence-evidence margin ``E - E_base``: a bead below it costs
    #: ``(a + b) / 2 * (floor - margin)`` more, as if its similarity were that much lower.
    #: Two neighbouring paragraphs on one subject that translate nothing look alike as
    #: wholes but have few sentence pairs that match; this hinge lets such a pair cost more
    #: than two skips without cheapening every skip. On the real letter the margins of all
    #: gold 1-1 pairs are >= 0.27, those of neighbour pairs <= 0.25 (tests/test_evidence.py).
    #: Off (None) by default; the paragraph preset uses 0.3 (slope 1). Constructed paragraph
    #: sets, strict F1, seeds 1 / 2 and held-out 0 / 3 / 4 (w = 0.2): no floor 0.963 / 0.934 /
    #: 0.959 / 0.945 / 0.954; 0.3 0.967 / 0.951 / 0.975 / 0.948 / 0.971; dev only: (slope
    #: 0.5, 0.25) 0.964 / 0.944, (1, 0.15) 0.962 / 0.936, (1, 0.25) 0.966 / 0.946, (2, 0.25)
    #: 0.968 / 0.951, (1, 0.35) 0.971 / 0.959. Adjacent orphans found on the real letter
    #: (benchmarks.letter_orphans): 5 of 18 without, 12 with 0.3, 12 with 0.35; 0.35 and
    #: above break the front matter of the real pair (its publisher's note, 1 Chinese against
    #: 2 English paragraphs, loses its second English paragraph), 0.3 keeps every paragraph
    #: right. Chinese cut at every comma (seeds 0 / 1): 0.944 / 0.956 without, 0.953 / 0.948
    #: with: no loss when the sides are segmented differently.
    SENTENCE_FLOOR: float | None = None
    #: Share of the merge penalty charged per extra unit whatever its length (0: by length
    #: only, 1: the old flat penalty). Dev half / full set strict F1 (1-1 recall, full set):
    #: 0 -> 0.8903 / 0.9174 (0.985), 0.3 -> 0.8888 / 0.9184 (0.992), 0.5 -> 0.8891 / 0.9180
    #: (0.993), 0.7 -> 0.8865 / 0.9169 (0.993), 1 -> 0.8718 / 0.9079 (0.995). F1 is flat
    #: within noise up to 0.5; 0.5 keeps 1-1 recall near the flat penalty's (at 0 short 1-1
    #: pairs get glued onto neighbours, the wrong trade for minimal-bead literary text with
    #: short lines of dialogue). A unit orthogonal to a perfect 1-1 bead is still skipped
    #: once its length is 0.74 of the mean unit length or more (see SKIP).
    MERGE_FLOOR: float = 0.5
    #: Weight of the squared z-score of the length ratio (dev half: 0 -> 0.851, 0.05 -> 0.885,
    #: 0.1 -> 0.888 at the earlier (0.8, 0.2)); 0.05 keeps the model-fitted term moderate for
    #: freer literary translations.
    LENGTH_WEIGHT: float = 0.05
    #: Half-width of the band around the projected coarse path (Vecalign: 5 + max/2).
    BAND_WIDTH: int = 8
    #: Plausibility margin for real merged embeddings (dev half: 0 -> 655 segments, 0.885;
    #: 0.05 -> 717, 0.889; 0.2 -> 1156, 0.877; every merge (17k) -> 0.876).
    MARGIN: float = 0.05
    #: Pseudo-units of the background prior in the margin baseline (only when ``align`` is
    #: given ``background``): a text of n units weighs its own mean by n / (n + 10). Chosen
    #: so that front matter of 2-3 paragraphs is judged against the model's background while
    #: letters of 20+ paragraphs keep mostly their own (data/gold front matter: the 1-2 bead
    #: of the publisher's note is found with it and missed without). The same weight decides
    #: how far extra units are counted by length (always): the merge floor of a side of n
    #: units is ``1 - (1 - MERGE_FLOOR) * n / (n + 10)``, since a handful of units says
    #: little about the typical unit length (data/gold front matter: without it the 15-
    #: character title is glued onto the note as a 2-3 bead; the Bible is unaffected).
    PRIOR_UNITS: int = 10
    #: Neighbours of the margin baseline (Artetxe & Schwenk's k). The document-mean baseline
    #: (cost.py) removes the bias of a generic segment against the whole text; the mean of
    #: its k best cosines also tells how strongly it resembles its closest units (a formula
    #: repeated through the text, a near-duplicate), which the average dilutes. Only each
    #: unit's deviation from the text's mean is taken from it (the level stays the document
    #: mean's, which the skip and merge costs were tuned against). Bible strict F1, dev half / second half / full
    #: set: document mean 0.8891 / 0.9484 / 0.9180; k = 3: 0.8911 / 0.9511 / 0.9203; k = 4
    #: 0.8911 / 0.9530 / 0.9209; k = 6 0.8903 / 0.9530 / 0.9205 (lax 0.9994 throughout).
    #: Neighbours only within 30 / 100 units of the diagonal: worse than none (0.866 / 0.888
    #: on the dev half); an evenly spread third of the other text: 0.8872 (so the pool is
    #: the whole text up to :attr:`NEIGHBOUR_PAIRS`).
    NEIGHBOURS: int = 4
    #: Unit pairs compared for the neighbours before the pool is thinned (2^25: the whole
    #: Bible set, 6,301 x 5,000, is compared exactly; about 0.9 s on 2 cores). Longer texts
    #: compare each unit with ``max(NEIGHBOUR_MIN_POOL, NEIGHBOUR_PAIRS / n)`` units spread
    #: evenly over the other text (full set with 4,096: 0.9195, with 2,048: 0.9188).
    NEIGHBOUR_PAIRS: int = 1 << 25
    NEIGHBOUR_MIN_POOL: int = 1024

    def __init__(
        self,
        max_units: int = MAX_UNITS,
        skip: float = SKIP,
        length_weight: float = LENGTH_WEIGHT,
        merge_penalty: float = MERGE_PENALTY,
        band_width: int = BAND_WIDTH,
        margin: float = MARGIN,
        length_model: LengthModel | None = None,
        merge_floor: float = MERGE_FLOOR,
        sentence_weight: float = SENTENCE_WEIGHT,
        sentence_floor: float | None = SENTENCE_FLOOR,
        neighbours: int = NEIGHBOURS,
    ) -> None:
        if not isinstance(max_units, int) or not 2 <= max_units <= 10:
            raise ValueError(f"max_units: expected an integer from 2 to 10, got {max_units!r}")
        if not skip > 0:
            raise ValueError(f"skip: expected a number > 0, got {skip!r}")
        if not length_weight >= 0:
            raise ValueError(f"length_weight: expected a number >= 0, got {length_weight!r}")
        if not merge_penalty >= 0:
            raise ValueError(f"merge_penalty: expected a number >= 0, got {merge_penalty!r}")
        if not 0 <= merge_floor <= 1:
            raise ValueError(f"merge_floor: expected a number from 0 to 1, got {merge_floor!r}")
        if not isinstance(band_width, int) or band_width < 1:
            raise ValueError(f"band_width: expected an integer >= 1, got {band_width!r}")
        if not margin >= 0:
            raise ValueError(f"margin: expected a number >= 0, got {margin!r}")
        if not 0 <= sentence_weight <= 1:
            raise ValueError(f"sentence_weight: expected a number from 0 to 1, got {sentence_weight!r}")
        if sentence_floor is not None and not -1 <= sentence_floor <= 1:
            raise ValueError(f"sentence_floor: expected None or a number from -1 to 1, got {sentence_floor!r}")
        if not isinstance(neighbours, int) or neighbours < 0:
            raise ValueError(f"neighbours: expected an integer >= 0, got {neighbours!r}")
        self.max_units = max_units
        self.skip = float(skip)
        self.length_weight = float(length_weight)
        self.merge_penalty = float(merge_penalty)
        self.merge_floor = float(merge_floor)
        self.band_width = band_width
        self.margin = float(margin)
        self.length_model = length_model
        self.sentence_weight = float(sentence_weight)
        self.sentence_floor = None if sentence_floor is None else float(sentence_floor)
        self.neighbours = neighbours
        self.types = bead_types(max_units)
        #: Timings and counts of the last :meth:`align` call (seconds, segments embedded).
        self.last_stats: dict[str, float] = {}

    @classmethod
    def for_level(cls, level: str, **options: Any) -> Aligner:
        """An aligner with the preset options of ``level`` (:attr:`LEVEL_PRESETS`).

        Args:
            level: ``"sentence"`` or ``"paragraph"``: what one unit is.
            **options: any :class:`Aligner` argument; it overrides the preset.

        Raises:
            ValueError: ``level`` is not a preset, or an option is invalid.

        Example:
            >>> Aligner.for_level("paragraph").skip
            0.55
        """
        if level not in cls.LEVEL_PRESETS:
            raise ValueError(f"level: expected one of {list(cls.LEVEL_PRESETS)}, got {level!r}")
        return cls(**{**cls.LEVEL_PRESETS[level], **options})

    def options(self) -> dict[str, str]:
        """Every option, as strings, for the provenance signature."""
        lm = self.length_model
        return {
            "max_units": str(self.max_units),
            "skip": str(self.skip),
            "length_weight": str(self.length_weight),
            "merge_penalty": str(self.merge_penalty),
            "merge_floor": str(self.merge_floor),
            "band_width": str(self.band_width),
            "margin": str(self.margin),
            "length_model": "auto" if lm is None else f"{lm.mu}/{lm.sigma}/{lm.smooth}",
            "sentence_weight": str(self.sentence_weight),
            "sentence_floor": str(self.sentence_floor),
            "neighbours": str(self.neighbours),
        }

    # ------------------------------------------------------------------ public entry point

    def align(
        self,
        src: Sequence[str],
        tgt: Sequence[str],
        encode: Encode,
        *,
        src_lang: str = "zh",
        tgt_lang: str = "en",
        src_embeddings: np.ndarray | None = None,
        tgt_embeddings: np.ndarray | None = None,
        background: float | None = None,
        src_sentences: Sequence[Sequence[str]] | None = None,
        tgt_sentences: Sequence[Sequence[str]] | None = None,
    ) -> list[Bead]:
        """Align ``src`` (Chinese) with ``tgt`` (English) units.

        Args:
            src, tgt: the units' texts.
            encode: embeds a list of texts into one row each (single units and merged
                segments; a merged segment is its units joined with "" for zh and " " for
                en and other spaced languages).
            src_lang, tgt_lang: language codes (length model and joiner).
            src_embeddings, tgt_embeddings: precomputed embeddings of the single units,
                shape ``(len(src), d)``; rows of empty units are ignored.
            background: the model's mean cosine between unrelated texts (see
                ``aligner.embed.NONPARALLEL_COS``). The margin baseline of a short text
                (a few paragraphs of front matter, all on one subject) is shrunk towards it,
                with a weight of :attr:`PRIOR_UNITS` pseudo-units; ``None``: no shrinkage.
            src_sentences, tgt_sentences: the sentences of every unit (one list per unit, as
                :func:`aligner.segment.split_sentences` gives them), for the sentence-level
                evidence weighed by ``sentence_weight``; both or neither. An empty list
                stands for the unit's whole text. Ignored when ``sentence_weight`` is 0.

        Returns:
            Beads in order covering every index of both sides exactly once; empty or
            whitespace-only units get their own 1-0 / 0-1 bead.

        Raises:
            ValueError: when embeddings do not have one row per unit, or sentences not one
                list per unit.
        """
        t_start = time.perf_counter()
        src, tgt = list(src), list(tgt)
        for name, emb, units in (("src_embeddings", src_embeddings, src), ("tgt_embeddings", tgt_embeddings, tgt)):
            if emb is not None and (np.ndim(emb) != 2 or len(emb) != len(units)):
                raise ValueError(f"{name}: expected shape ({len(units)}, d), got {np.shape(emb)}")
        if (src_sentences is None) != (tgt_sentences is None):
            raise ValueError("src_sentences, tgt_sentences: give both or neither")
        for name, sents, units in (("src_sentences", src_sentences, src), ("tgt_sentences", tgt_sentences, tgt)):
            if sents is not None and len(sents) != len(units):
                raise ValueError(f"{name}: expected one list of sentences per unit ({len(units)}), got {len(sents)}")
        keep_s = [i for i, t in enumerate(src) if t.strip()]
        keep_t = [j for j, t in enumerate(tgt) if t.strip()]
        self.last_stats = {"embed_s": 0.0, "n_merged": 0.0}
        if not keep_s or not keep_t:
            return _merge_blanks([], src, tgt, keep_s, keep_t)

        t0 = time.perf_counter()
        x = self._embed([src[i] for i in keep_s], encode, None if src_embeddings is None else src_embeddings[keep_s])
        y = self._embed([tgt[j] for j in keep_t], encode, None if tgt_embeddings is None else tgt_embeddings[keep_t])
        sentences: tuple[UnitSentences, UnitSentences] | None = None
        if self.sentence_weight > 0 and src_sentences is not None and tgt_sentences is not None:
            sentences = (
                self._embed_sentences([src_sentences[i] for i in keep_s], [src[i] for i in keep_s], encode),
                self._embed_sentences([tgt_sentences[j] for j in keep_t], [tgt[j] for j in keep_t], encode),
            )
        embed_s = time.perf_counter() - t0
        core = self._align_kept(
            [src[i] for i in keep_s],
            [tgt[j] for j in keep_t],
            x,
            y,
            encode,
            src_lang,
            tgt_lang,
            _breaks(keep_s),
            _breaks(keep_t),
            background,
            sentences,
        )
        self.last_stats["embed_s"] += embed_s
        self.last_stats["total_s"] = time.perf_counter() - t_start
        self.last_stats["align_s"] = self.last_stats["total_s"] - self.last_stats["embed_s"]
        return _merge_blanks(core, src, tgt, keep_s, keep_t)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _embed(texts: list[str], encode: Encode, given: np.ndarray | None) -> np.ndarray:
        vecs = encode(texts) if given is None else given
        vecs = np.asarray(vecs, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(texts):
            raise ValueError(f"encode: expected {len(texts)} rows, got an array of shape {vecs.shape}")
        return normalise(vecs)

    @classmethod
    def _embed_sentences(cls, sentences: list[Sequence[str]], units: list[str], encode: Encode) -> UnitSentences:
        """Embed the sentences of every unit (a unit without any stands for itself)."""
        flat: list[str] = []
        start = [0]
        for unit, sents in zip(units, sentences, strict=True):
            kept = [t for t in sents if t.strip()] or [unit]
            flat.extend(kept)
            start.append(len(flat))
        vecs = cls._embed(flat, encode, None)
        weight = np.array([max(text_length(t), 1) for t in flat], dtype=np.float64)
        return UnitSentences(vecs=vecs, start=np.array(start, dtype=np.int64), weight=weight)

    def _align_kept(
        self,
        src: list[str],
        tgt: list[str],
        x: np.ndarray,
        y: np.ndarray,
        encode: Encode,
        src_lang: str,
        tgt_lang: str,
        src_breaks: np.ndarray,
        tgt_breaks: np.ndarray,
        background: float | None = None,
        sentences: tuple[UnitSentences, UnitSentences] | None = None,
    ) -> list[tuple[int, int, int, int, float]]:
        """Beads ``(i0, i1, j0, j1, score)`` over the non-empty units."""
        n, m = len(src), len(tgt)
        types = self.types
        ls = np.array([text_length(t) for t in src], dtype=np.float64)
        lt = np.array([text_length(t) for t in tgt], dtype=np.float64)
        lm = self.length_model or length_model_for(src_lang, tgt_lang, ls, lt)
        cls = np.concatenate([[0.0], np.cumsum(ls)])
        clt = np.concatenate([[0.0], np.cumsum(lt)])
        skip_s = np.full(n, self.skip)
        skip_t = np.full(m, self.skip)

        t0 = time.perf_counter()
        band = coarse_band(x, y, self.band_width)
        max_a, max_b = int(types[:, 0].max()), int(types[:, 1].max())
        nx2, ny2 = sum_norms2(x, max_a), sum_norms2(y, max_b)
        sims = approx_sims(band, types, x, y, nx2, ny2)
        # Margin baselines: each segment's cosine with the mean vector of the other text.
        mean_x, mean_y = x.mean(axis=0), y.mean(axis=0)
        # Shrink towards the model's background similarity when the other text is short:
        # with a handful of related units its mean is no estimate of "unrelated text".
        w_s = 1.0 if background is None else m / (m + self.PRIOR_UNITS)
        w_t = 1.0 if background is None else n / (n + self.PRIOR_UNITS)
        bg = 0.0 if background is None else float(background)
        r_s, r_t = (x @ mean_y).astype(np.float64), (y @ mean_x).astype(np.float64)
        knn_s = knn_t = None
        if self.neighbours:
            knn_s, knn_t = self._neighbour_baselines(x, y, r_s, r_t)
            r_s, r_t = knn_s(None), knn_t(None)
        base_s = w_s * sum_baseline(r_s, nx2) + (1 - w_s) * bg
        base_t = w_t * sum_baseline(r_t, ny2) + (1 - w_t) * bg
        t1 = time.perf_counter()
        # Segments may not span a blank unit (it keeps its own bead).
        bad_s = _spans_break(src_breaks, max_a)
        bad_t = _spans_break(tgt_breaks, max_b)
        base = np.empty_like(sims)
        for k, (a, b) in enumerate(types):
            bad = bad_s[a][band.cell_i] | bad_t[b][band.cell_j]
            sims[k, bad] = np.nan
            base[k] = 0.5 * (base_s[a][band.cell_i] + base_t[b][band.cell_j])
        # Extra units are counted by length only as far as the text has units enough to
        # tell what a typical unit length is (front matter of 2-3 units: nearly flat).
        fl_s = 1.0 - (1.0 - self.merge_floor) * n / (n + self.PRIOR_UNITS)
        fl_t = 1.0 - (1.0 - self.merge_floor) * m / (m + self.PRIOR_UNITS)
        ex_s, ex_t = extra_units(ls, max_a, fl_s), extra_units(lt, max_b, fl_t)
        blend = self._evidence_blend(band, types, sentences, max(max_a, max_b), background)
        cost = self._costs(band, *blend(sims, base), cls, clt, lm, ex_s, ex_t)
        plausible = plausible_edges(band, types, cost, skip_s, skip_t, self.margin)
        t2 = time.perf_counter()

        # Embed the merged segments of plausible merged beads.
        need_s: set[tuple[int, int]] = set()
        need_t: set[tuple[int, int]] = set()
        for k, (a, b) in enumerate(types):
            if a == 1 and b == 1:
                continue
            cells = np.flatnonzero(plausible[k])
            if a > 1:
                need_s.update((int(a), int(i)) for i in np.unique(band.cell_i[cells]))
            if b > 1:
                need_t.update((int(b), int(j)) for j in np.unique(band.cell_j[cells]))
        src_joiner = JOINERS.get(src_lang, " ")
        tgt_joiner = JOINERS.get(tgt_lang, " ")
        t3 = time.perf_counter()
        rows_s, vs = self._embed_segments(src, x, sorted(need_s), encode, src_joiner, max_a)
        rows_t, vt = self._embed_segments(tgt, y, sorted(need_t), encode, tgt_joiner, max_b)
        t4 = time.perf_counter()
        rs = np.concatenate([r_s, vs[n:] @ mean_y if knn_s is None else knn_s(vs[n:])])
        rt = np.concatenate([r_t, vt[m:] @ mean_x if knn_t is None else knn_t(vt[m:])])
        rs_base = w_s * rs + (1 - w_s) * bg
        rt_base = w_t * rt + (1 - w_t) * bg
        for k, (a, b) in enumerate(types):
            if a == 1 and b == 1:
                continue
            rs = rows_s[a][band.cell_i]
            rt = rows_t[b][band.cell_j]
            cells = np.flatnonzero((rs >= 0) & (rt >= 0) & ~np.isnan(sims[k]))
            for c0 in range(0, len(cells), 65536):
                cc = cells[c0 : c0 + 65536]
                sims[k, cc] = np.einsum("ij,ij->i", vs[rs[cc]], vt[rt[cc]])
                base[k, cc] = 0.5 * (rs_base[rs[cc]] + rt_base[rt[cc]])
        cost = self._costs(band, *blend(sims, base), cls, clt, lm, ex_s, ex_t)
        t_dp = time.perf_counter()
        beads = banded_dp(band, types, cost, skip_s, skip_t)
        t5 = time.perf_counter()
        self.last_stats.update(
            {
                "band_cells": float(band.size),
                "coarse_s": t1 - t0,
                "approx_s": t2 - t1,
                "embed_s": t4 - t3,
                "n_merged": float(len(need_s) + len(need_t)),
                "final_s": t5 - t4,
                "dp_s": t5 - t_dp,  # the final dynamic programme alone, costs given
            }
        )
        out = []
        for i0, i1, j0, j1, c in beads:
            size = (i1 - i0) + (j1 - j0)
            score = 0.0 if i0 == i1 or j0 == j1 else float(np.clip(1.0 - c / (self.SCORE_SCALE * size), 0.0, 1.0))
            out.append((i0, i1, j0, j1, score))
        return out

    def _neighbour_baselines(
        self, x: np.ndarray, y: np.ndarray, r_s: np.ndarray, r_t: np.ndarray
    ) -> tuple[Callable[[np.ndarray | None], np.ndarray], Callable[[np.ndarray | None], np.ndarray]]:
        """Per side, ``rows -> baseline``: each row's mean best cosine with the other text.

        Shifted so that the mean over the side's units equals that of its document-mean
        baseline (``r_s``, ``r_t``; see NEIGHBOURS); called with ``None`` a function returns
        the baseline of the side's own units.
        """
        k = self.neighbours
        kx, ky, pool_y, pool_x = knn_means(x, y, k, self.NEIGHBOUR_PAIRS, self.NEIGHBOUR_MIN_POOL)

        def make(own: np.ndarray, r_mean: np.ndarray, pool: np.ndarray) -> Callable[[np.ndarray | None], np.ndarray]:
            shift = float(r_mean.mean() - own.mean())

            def baseline(rows: np.ndarray | None) -> np.ndarray:
                if rows is None:
                    return own + shift
                return knn_mean(rows, pool, k) + shift

            return baseline

        return make(kx, r_s, y[pool_y]), make(ky, r_t, x[pool_x])

    def _evidence_blend(
        self,
        band: Band,
        types: np.ndarray,
        sentences: tuple[UnitSentences, UnitSentences] | None,
        reach: int,
        background: float | None,
    ) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """``(sims, base) -> (sims, base)`` with the sentence evidence blended in (or as they are)."""
        w = self.sentence_weight
        if sentences is None or w <= 0:
            return lambda sims, base: (sims, base)
        ev, ev_base = sentence_evidence(
            band, types, sentences[0], sentences[1], pair_band(band, reach), background, self.PRIOR_UNITS
        )
        known = ~np.isnan(ev)
        shortfall = np.zeros_like(ev)
        if self.sentence_floor is not None:
            shortfall[known] = np.maximum(self.sentence_floor - (ev[known] - ev_base[known]), 0.0)

        def blend(sims: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # Where a bead reaches outside the pair band (never on an in-band path) the
            # unit cosine stands alone.
            s = np.where(known, (1.0 - w) * sims + w * ev - shortfall, sims)
            b = np.where(known, (1.0 - w) * base + w * ev_base, base)
            return s, b

        return blend

    def _costs(
        self,
        band: Band,
        sims: np.ndarray,
        base: np.ndarray,
        cls: np.ndarray,
        clt: np.ndarray,
        lm: LengthModel,
        ex_s: np.ndarray,
        ex_t: np.ndarray,
    ) -> np.ndarray:
        cost = np.empty(sims.shape, dtype=np.float32)
        ci, cj = band.cell_i, band.cell_j
        for k, (a, b) in enumerate(self.types):
            ok = ~np.isnan(sims[k])
            c = np.full(band.size, np.inf, dtype=np.float32)
            i, j = ci[ok], cj[ok]
            c[ok] = bead_cost(
                sims[k, ok],
                base[k, ok],
                int(a),
                int(b),
                cls[i] - cls[i - a],
                clt[j] - clt[j - b],
                lm,
                self.length_weight,
                self.merge_penalty,
                ex_s[a][i],
                ex_t[b][j],
            )
            cost[k] = c
        return cost

    @staticmethod
    def _embed_segments(
        units: list[str],
        vecs: np.ndarray,
        segs: list[tuple[int, int]],
        encode: Encode,
        joiner: str,
        max_a: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Embed segments ``(a, i)`` = units ``i-a .. i-1`` joined.

        Returns:
            ``rows``: int ``(max_a + 1, n + 1)``, row of segment ``(a, i)`` in ``table`` or
            ``-1``; ``table``: the single-unit vectors followed by the segments' vectors.
        """
        n = len(units)
        rows = np.full((max_a + 1, n + 1), -1, dtype=np.int64)
        rows[1, 1:] = np.arange(n)
        if not segs:
            return rows, vecs
        texts = [joiner.join(units[i - a : i]) for a, i in segs]
        new = np.asarray(encode(texts), dtype=np.float32)
        if new.ndim != 2 or len(new) != len(texts):
            raise ValueError(f"encode: expected {len(texts)} rows, got an array of shape {new.shape}")
        for r, (a, i) in enumerate(segs):
            rows[a, i] = n + r
        return rows, np.vstack([vecs, normalise(new)])


def _breaks(keep: list[int]) -> np.ndarray:
    """``out[i]`` is True when a blank unit lies between kept units ``i-1`` and ``i``."""
    k = np.asarray(keep, dtype=np.int64)
    out = np.zeros(len(k), dtype=bool)
    out[1:] = np.diff(k) > 1
    return out


def _spans_break(breaks: np.ndarray, max_a: int) -> np.ndarray:
    """bool ``(max_a + 1, n + 1)``: segment ``(a, i)`` (units ``i-a .. i-1``) spans a break."""
    n = len(breaks)
    cb = np.concatenate([[0], np.cumsum(breaks)])
    out = np.zeros((max_a + 1, n + 1), dtype=bool)
    for a in range(2, max_a + 1):
        i = np.arange(a, n + 1)
        # breaks strictly inside the segment: at units i-a+1 .. i-1
        out[a, i] = (cb[i] - cb[i - a + 1]) > 0
    return out


def _merge_blanks(
    core: list[tuple[int, int, int, int, float]],
    src: list[str],
    tgt: list[str],
    keep_s: list[int],
    keep_t: list[int],
) -> list[Bead]:
    """Map beads over kept units back to original indices and give each blank unit a bead."""
    blank_s = [i for i in range(len(src)) if not src[i].strip()]
    blank_t = [j for j in range(len(tgt)) if not tgt[j].strip()]
    out: list[Bead] = []
    ps = pt = 0
    for i0, i1, j0, j1, score in core:
        s_idx = tuple(keep_s[i] for i in range(i0, i1))
        t_idx = tuple(keep_t[j] for j in range(j0, j1))
        while ps < len(blank_s) and s_idx and blank_s[ps] < s_idx[0]:
            out.append(Bead((blank_s[ps],), ()))
            ps += 1
        while pt < len(blank_t) and t_idx and blank_t[pt] < t_idx[0]:
            out.append(Bead((), (blank_t[pt],)))
            pt += 1
        out.append(Bead(s_idx, t_idx, score))
    # Kept units of a side with nothing to align with, then the remaining blanks, in order.
    if not core:
        out.extend(Bead((i,), ()) for i in keep_s)
        out.extend(Bead((), (j,)) for j in keep_t)
        out.extend(Bead((i,), ()) for i in blank_s[ps:])
        out.extend(Bead((), (j,)) for j in blank_t[pt:])
        return sorted(out, key=lambda b: (b.src[0] if b.src else -1, b.tgt[0] if b.tgt else -1))
    out.extend(Bead((i,), ()) for i in blank_s[ps:])
    out.extend(Bead((), (j,)) for j in blank_t[pt:])
    return out
