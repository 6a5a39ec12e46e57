"""The public entry points: :func:`align_letters` (files of letters) and :func:`align_texts` (pre-split units).

Pipeline: read → split into letters → pair letters across languages → units (paragraphs, or
sentences inside aligned paragraphs) → embed → align → :class:`~aligner.result.AlignmentResult`.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .errors import InputError
from .result import AlignmentResult
from .types import LEVELS, Bead, Document, Letter, LetterAlignment, LetterPair, Signature, Unit

if TYPE_CHECKING:
    from .align import Aligner

logger = logging.getLogger(__name__)

DEFAULT_LEVEL = "paragraph"
#: Minimum letter-to-letter similarity (see :func:`letter_similarity`) for pairing letters
#: that share no date: half of the paragraphs matched in order. Measured on data/: a
#: translation scores 0.75 (front matter 0.67), different letters on the same subject
#: at most 0.35.
PAIR_THRESHOLD = 0.5

Encode = Callable[[Sequence[str]], np.ndarray]


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level: expected one of {list(LEVELS)}, got {level!r}")


def _get_embedder(model: str | object, cache_dir: str | Path | None | object, show_progress_bar: bool | None):
    """Return ``(name, encode, background)`` for a model name or an object with ``encode``.

    ``background`` is the model's mean cosine between unrelated texts when known.
    """
    if isinstance(model, str):
        from .embed import load_embedder

        kwargs = {} if cache_dir is _DEFAULT else {"cache_dir": cache_dir}
        embedder = load_embedder(model, **kwargs)
    else:
        embedder = model
    if not hasattr(embedder, "encode"):
        raise ValueError("model: expected a model name or an object with an encode(texts) method")
    name = str(getattr(embedder, "name", type(embedder).__name__))

    def encode(texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, int(getattr(embedder, "dim", 1))), dtype=np.float32)
        try:
            out = embedder.encode(texts, show_progress_bar=show_progress_bar)
        except TypeError:
            out = embedder.encode(texts)
        return np.asarray(out, dtype=np.float32)

    from .embed import NONPARALLEL_COS

    known = NONPARALLEL_COS.get(name)
    return name, encode, (known[0] if known else None)


_DEFAULT = object()


def _longest_increasing(seq: Sequence[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    for x in seq:
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


def letter_similarity(encode: Encode) -> Callable[[Sequence[Letter], Sequence[Letter]], np.ndarray]:
    """Build the letter-to-letter similarity used to pair letters that share no date.

    Two letters are translations when their paragraphs match one to one *in order*. The
    similarity is the number of mutual-best paragraph matches (cosine) that lie on one
    monotone path (longest increasing subsequence), divided by the shorter letter's
    paragraph count plus one (the +1 keeps a 1-paragraph letter from scoring 1.0 by chance).
    Different letters on the same subject also have close paragraphs, but their best
    matches do not line up.

    Measured on data/ with the bundled model: the 1964-05-07 letter against its English
    translation 0.75; the six other 1964 letters and the two 1963 letters against it
    0.08-0.35; the two front matters 0.67 (each against the other letter at most 0.33).

    Args:
        encode: embeds a list of texts into L2-normalised rows.

    Returns:
        A callable ``(zh_letters, en_letters) -> (len(zh), len(en))`` array in [0, 1].
    """

    def similarity(zh: Sequence[Letter], en: Sequence[Letter]) -> np.ndarray:
        zh_vecs = [encode(list(letter.paragraphs)) for letter in zh]
        en_vecs = [encode(list(letter.paragraphs)) for letter in en]
        out = np.zeros((len(zh), len(en)), dtype=np.float64)
        for i, a in enumerate(zh_vecs):
            for j, b in enumerate(en_vecs):
                if len(a) == 0 or len(b) == 0:
                    continue
                sim = a @ b.T
                best_b, best_a = sim.argmax(axis=1), sim.argmax(axis=0)
                mutual = [int(best_b[p]) for p in range(len(a)) if best_a[best_b[p]] == p]
                out[i, j] = _longest_increasing(mutual) / (min(len(a), len(b)) + 1)
        return out

    return similarity


def _paragraph_units(letter: Letter | None) -> tuple[Unit, ...]:
    if letter is None:
        return ()
    return tuple(Unit(text=p, paragraph=i) for i, p in enumerate(letter.paragraphs))


def _sentence_units(letter: Letter | None, lang: str) -> tuple[Unit, ...]:
    if letter is None:
        return ()
    from .segment import split_sentences

    units: list[Unit] = []
    for i, p in enumerate(letter.paragraphs):
        sentences = split_sentences(p, lang) or [p]
        units.extend(Unit(text=s, paragraph=i, sentence=k) for k, s in enumerate(sentences))
    return tuple(units)


def _sentences_of(units: Sequence[Unit], n_paragraphs: int) -> list[list[str]]:
    """The sentence texts of every paragraph, from sentence units."""
    out: list[list[str]] = [[] for _ in range(n_paragraphs)]
    for u in units:
        out[u.paragraph].append(u.text)
    return out


def _split_units(texts: Sequence[str], lang: str) -> list[list[str]]:
    """Every unit split into sentences (for the aligner's sentence evidence only)."""
    from .segment import split_sentences

    return [split_sentences(t, lang) for t in texts]


def _remembering(encode: Encode) -> Encode:
    """``encode`` that embeds each distinct text once for as long as it lives (one letter pair:
    the paragraph pass embeds the sentences for its evidence, the sentence pass reuses them)."""
    known: dict[str, np.ndarray] = {}

    def remembered(texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, np.asarray(encode(missing), dtype=np.float32), strict=True))
        if not texts:
            return encode(texts)
        return np.stack([known[t] for t in texts])

    return remembered


def _one_sided(n_src: int, n_tgt: int) -> list[Bead]:
    return [Bead((i,), ()) for i in range(n_src)] + [Bead((), (j,)) for j in range(n_tgt)]


def _sentences_inside(
    para_beads: Sequence[Bead],
    zh_units: Sequence[Unit],
    en_units: Sequence[Unit],
    aligner: Aligner,
    encode: Encode,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    background: float | None = None,
) -> list[Bead]:
    """Align sentences inside each aligned paragraph bead (paragraph beads are hard constraints)."""
    zh_by_par: dict[int, list[int]] = {}
    en_by_par: dict[int, list[int]] = {}
    for k, u in enumerate(zh_units):
        zh_by_par.setdefault(u.paragraph, []).append(k)
    for k, u in enumerate(en_units):
        en_by_par.setdefault(u.paragraph, []).append(k)
    beads: list[Bead] = []
    for pb in para_beads:
        zi = [k for p in pb.src for k in zh_by_par.get(p, [])]
        ei = [k for p in pb.tgt for k in en_by_par.get(p, [])]
        if not zi or not ei:
            beads.extend(Bead((k,), ()) for k in zi)
            beads.extend(Bead((), (k,)) for k in ei)
            continue
        inner = aligner.align(
            [zh_units[k].text for k in zi],
            [en_units[k].text for k in ei],
            encode,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            background=background,
        )
        beads.extend(Bead(tuple(zi[s] for s in b.src), tuple(ei[t] for t in b.tgt), b.score) for b in inner)
    return beads


def _align_pair(
    pair: LetterPair,
    level: str,
    aligners: dict[str, Aligner],
    encode: Encode | None,
    background: float | None = None,
) -> LetterAlignment:
    """Paragraphs with ``aligners["paragraph"]``, then sentences inside the paragraph beads."""
    zh_par = _paragraph_units(pair.zh)
    en_par = _paragraph_units(pair.en)
    zh_sen = _sentence_units(pair.zh, pair.zh.lang if pair.zh else "zh")
    en_sen = _sentence_units(pair.en, pair.en.lang if pair.en else "en")
    if pair.zh is None or pair.en is None or encode is None:
        para_beads = _one_sided(len(zh_par), len(en_par))
    else:
        encode = _remembering(encode)
        para_beads = aligners["paragraph"].align(
            [u.text for u in zh_par],
            [u.text for u in en_par],
            encode,
            src_lang=pair.zh.lang,
            tgt_lang=pair.en.lang,
            background=background,
            src_sentences=_sentences_of(zh_sen, len(zh_par)),
            tgt_sentences=_sentences_of(en_sen, len(en_par)),
        )
    if level == "paragraph":
        return LetterAlignment(pair=pair, level="paragraph", zh_units=zh_par, en_units=en_par, beads=tuple(para_beads))
    if pair.zh is None or pair.en is None or encode is None:
        beads = _one_sided(len(zh_sen), len(en_sen))
    else:
        beads = _sentences_inside(
            para_beads, zh_sen, en_sen, aligners["sentence"], encode, pair.zh.lang, pair.en.lang, background
        )
    return LetterAlignment(pair=pair, level="sentence", zh_units=zh_sen, en_units=en_sen, beads=tuple(beads))


def _check_cover(la: LetterAlignment) -> None:
    """The invariant: every unit of both sides is in exactly one bead."""
    zs = sorted(i for b in la.beads for i in b.src)
    es = sorted(j for b in la.beads for j in b.tgt)
    if zs != list(range(len(la.zh_units))) or es != list(range(len(la.en_units))):
        raise RuntimeError(f"internal error: beads of {la.pair} do not cover every unit exactly once")


def _make_aligner(aligner: Aligner | None, max_units: int | None, level: str) -> Aligner:
    """``aligner`` as given, else the preset of ``level`` (:meth:`Aligner.for_level`)."""
    from .align import Aligner

    if aligner is not None:
        if max_units is not None:
            raise ValueError("max_units: give either aligner= or max_units=, not both")
        return aligner
    return Aligner.for_level(level) if max_units is None else Aligner.for_level(level, max_units=max_units)


def _signature(model_name: str, level: str, aligner: Aligner, extra: dict[str, str]) -> Signature:
    options = {"level": level, **{k: str(v) for k, v in aligner.options().items()}, **extra}
    return Signature(version=__version__, model=model_name, options=tuple(sorted(options.items())))


def _read(source: str | Path | Document, lang: str, fmt: str | None) -> Document:
    if isinstance(source, Document):
        return source
    from .readers import read_document

    return read_document(source, lang=lang, format=fmt)


def align_letters(
    zh: str | Path | Document,
    en: str | Path | Document,
    *,
    level: str = DEFAULT_LEVEL,
    model: str | object | None = None,
    max_units: int | None = None,
    aligner: Aligner | None = None,
    cache_dir: str | Path | None | object = _DEFAULT,
    zh_format: str | None = None,
    en_format: str | None = None,
    pair_threshold: float = PAIR_THRESHOLD,
    show_progress_bar: bool | None = None,
) -> AlignmentResult:
    """Align the Chinese and English editions of the same letters.

    Reads both files, splits them into letters (sender, recipient, date), pairs the letters
    across languages (by date and sender, then by content similarity), and aligns each
    pair at paragraph level, or at sentence level inside the aligned paragraphs.
    Unpaired letters are kept in the result with all their paragraphs as 1-0 / 0-1 beads.

    Args:
        zh: the Chinese file (People's Daily record, archive JSON, Markdown or plain text),
            or a :class:`~aligner.types.Document` already read.
        en: the English file or document.
        level: ``"paragraph"`` (default) or ``"sentence"``.
        model: a built-in model name (see :mod:`aligner.embed`), any sentence-transformers
            name or path, or an object with ``encode(texts) -> array``; default: the bundled
            offline model.
        max_units: the largest bead, counted as Chinese + English units (default
            :attr:`Aligner.MAX_UNITS`).
        aligner: a configured :class:`~aligner.align.Aligner` instead of ``max_units``, used
            for both passes; default: the paragraph preset for paragraphs and the sentence
            preset for sentences (:meth:`Aligner.for_level`).
        cache_dir: where embeddings are cached on disk (``None`` disables the cache).
        zh_format: force a reader for the Chinese file (see :data:`aligner.readers.READERS`).
        en_format: force a reader for the English file.
        pair_threshold: minimum letter similarity to pair letters that share no date.
        show_progress_bar: show a progress bar while embedding (default: from the log level).

    Returns:
        An :class:`~aligner.result.AlignmentResult`; ``result.to_tmx(path)`` and friends
        write it out.

    Raises:
        InputError: a file is missing, empty, undecodable, of unknown format, holds no
            paragraphs, or no letter of one file pairs with a letter of the other.
        ValueError: an option is invalid (the message names it and the valid values).

    Example:
        >>> from aligner import align_letters                                   # doctest: +SKIP
        >>> r = align_letters("data/seven-letters-1964.zh.json", "data/seven-letters-1964.en.md")
        >>> [la.pair.method for la in r.letters][:2]
        ['order', 'date+sender']
    """
    _check_level(level)
    if not 0.0 <= pair_threshold <= 1.0:
        raise ValueError(f"pair_threshold: expected a number in [0, 1], got {pair_threshold!r}")
    from .embed import DEFAULT_MODEL
    from .letters import pair_letters, split_letters

    aligners = {lvl: _make_aligner(aligner, max_units, lvl) for lvl in ("paragraph", level)}
    zh_doc = _read(zh, "zh", zh_format)
    en_doc = _read(en, "en", en_format)
    zh_letters = split_letters(zh_doc)
    en_letters = split_letters(en_doc)
    for doc, letters in ((zh_doc, zh_letters), (en_doc, en_letters)):
        if not letters:
            raise InputError(doc.path, "no letters or paragraphs found")

    model_name, encode, background = _get_embedder(
        model if model is not None else DEFAULT_MODEL, cache_dir, show_progress_bar
    )
    pairs = pair_letters(zh_letters, en_letters, similarity=letter_similarity(encode), threshold=pair_threshold)
    if not any(p.zh is not None and p.en is not None for p in pairs):
        raise InputError(
            f"{zh_doc.path} + {en_doc.path}",
            "no letter of one file pairs with a letter of the other (no shared date and no "
            f"translation-like similarity ≥ {pair_threshold}); Chinese letters: "
            f"{[lt.label for lt in zh_letters]}, English letters: {[lt.label for lt in en_letters]}. "
            "Are these editions of the same letters?",
        )
    warnings: list[str] = []
    letters: list[LetterAlignment] = []
    for pair in pairs:
        la = _align_pair(pair, level, aligners, encode, background)
        _check_cover(la)
        letters.append(la)
        if pair.zh is None or pair.en is None:
            side, letter, path = ("Chinese", pair.zh, zh_doc.path) if pair.zh else ("English", pair.en, en_doc.path)
            msg = (
                f"{path}: {side} letter {letter.label} has no counterpart; "
                f"its {len(letter.paragraphs)} paragraphs are kept as unaligned beads"
            )
            warnings.append(msg)
            logger.warning(msg)
        elif pair.method not in ("date+sender", "order"):
            msg = f"{pair.zh.label} paired with {pair.en.label} by {pair.method} (score {pair.score:.2f})"
            warnings.append(msg)
            logger.info(msg)
    extra = {"pair_threshold": f"{pair_threshold:g}"}
    if level == "sentence":  # the paragraph pass that bounds the sentence beads
        extra.update({f"paragraph_{k}": v for k, v in aligners["paragraph"].options().items()})
    return AlignmentResult(
        letters=tuple(letters),
        level=level,  # type: ignore[arg-type]
        signature=_signature(model_name, level, aligners[level], extra),
        zh_path=zh_doc.path,
        en_path=en_doc.path,
        dropped=zh_doc.dropped + en_doc.dropped,
        warnings=tuple(warnings),
    )


def align_texts(
    zh: Sequence[str],
    en: Sequence[str],
    *,
    level: str = "sentence",
    model: str | object | None = None,
    max_units: int | None = None,
    aligner: Aligner | None = None,
    cache_dir: str | Path | None | object = _DEFAULT,
    zh_path: str = "",
    en_path: str = "",
    src_lang: str = "zh",
    tgt_lang: str = "en",
    show_progress_bar: bool | None = None,
) -> AlignmentResult:
    """Align two lists of pre-split units (one unit per input line), never re-segmented.

    Unit ``i`` is ``zh[i]`` (0-based), kept verbatim; empty units keep their index and come
    out as 1-0 / 0-1 beads. This is the mode for comparing with other aligners on their
    own data (``aligner align --presplit``).

    Args:
        zh: Chinese units in order.
        en: English units in order.
        level: what one unit is, ``"sentence"`` or ``"paragraph"``: picks the aligner's
            preset (:meth:`Aligner.for_level`; paragraphs are skipped and merged more
            cheaply) and is recorded in the result. The units are aligned as given.
        model: as in :func:`align_letters`.
        max_units: the largest bead (Chinese + English units).
        aligner: a configured :class:`~aligner.align.Aligner` instead of ``max_units`` and
            the level's preset.
        cache_dir: embedding cache directory (``None`` disables it).
        zh_path: where the Chinese units came from (recorded in the result).
        en_path: where the English units came from.
        src_lang: language of ``zh`` (given, never detected).
        tgt_lang: language of ``en``.
        show_progress_bar: show a progress bar while embedding.

    Returns:
        An :class:`~aligner.result.AlignmentResult` holding one letter alignment;
        ``result.to_beads(path)`` writes the ``[0,1]:[2]`` format.

    Example:
        >>> r = align_texts(["我们欢迎你们的来信。"], ["We welcome your letter."])   # doctest: +SKIP
        >>> r.letters[0].beads[0].src, r.letters[0].beads[0].tgt
        ((0,), (0,))
    """
    _check_level(level)
    from .embed import DEFAULT_MODEL

    the_aligner = _make_aligner(aligner, max_units, level)
    zh_letter = Letter(lang=src_lang, paragraphs=tuple(zh), source=zh_path)
    en_letter = Letter(lang=tgt_lang, paragraphs=tuple(en), source=en_path)
    zh_units = tuple(Unit(text=t, paragraph=i) for i, t in enumerate(zh))
    en_units = tuple(Unit(text=t, paragraph=i) for i, t in enumerate(en))
    model_name, encode, background = _get_embedder(
        model if model is not None else DEFAULT_MODEL, cache_dir, show_progress_bar
    )
    if zh_units and en_units:
        evidence = the_aligner.sentence_weight > 0  # the paragraph preset: sentences as evidence
        beads = the_aligner.align(
            list(zh),
            list(en),
            encode,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            background=background,
            src_sentences=_split_units(zh, src_lang) if evidence else None,
            tgt_sentences=_split_units(en, tgt_lang) if evidence else None,
        )
        method = "order"
    else:
        beads = _one_sided(len(zh_units), len(en_units))
        method = "unpaired"
    pair = LetterPair(zh=zh_letter if zh_units else None, en=en_letter if en_units else None, method=method)  # type: ignore[arg-type]
    la = LetterAlignment(
        pair=pair,
        level=level,
        zh_units=zh_units,
        en_units=en_units,  # type: ignore[arg-type]
        beads=tuple(beads),
    )
    _check_cover(la)
    return AlignmentResult(
        letters=(la,),
        level=level,  # type: ignore[arg-type]
        signature=_signature(
            model_name, level, the_aligner, {"presplit": "true", "src_lang": src_lang, "tgt_lang": tgt_lang}
        ),
        zh_path=zh_path,
        en_path=en_path,
    )
