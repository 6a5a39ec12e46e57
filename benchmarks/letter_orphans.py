"""Adjacent unmatched paragraphs on one subject, on the real letter (``python -m benchmarks.letter_orphans``).

The hardest paragraph-level case for an embedding aligner: two neighbouring paragraphs that
translate nothing, one on each side, on the same subject. It is built from the real letter
1964-05-07 of the real pair and its hand-made gold (``data/gold``): for each run of two gold 1-1
beads ``(i, j), (i+1, j+1)`` the English paragraph ``j`` and the Chinese paragraph ``i+1`` are
deleted, so that Chinese ``i`` and English ``j+1`` (originally ``j+1``, now ``j``) have no
counterpart and stand side by side. A case counts as right when both come out unaligned
(``[i]:[]`` and ``[]:[j]``); the whole undamaged letter is also aligned and scored.

Prints one line per setting; ``--grid`` tries paragraph skip costs and merge penalties (the
dev loop behind the paragraph preset, see ``Aligner.LEVEL_PRESETS``).
"""

from __future__ import annotations

import argparse
import itertools
import logging
from collections.abc import Sequence
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
LETTER = "1964-05-07"


def load_letter() -> tuple[list[str], list[str], list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    """The Chinese and English paragraphs of the letter (as the reader and letter splitter give
    them, the units the gold indexes) and their gold beads."""
    from aligner.gold import load_prefix_gold
    from aligner.letters import split_letters
    from aligner.readers import read_document

    def paragraphs(name: str, lang: str) -> list[str]:
        letters = split_letters(read_document(DATA / name, lang=lang))
        return list(next(lt for lt in letters if lt.kind == "letter" and lt.date == LETTER).paragraphs)

    gold = load_prefix_gold(DATA / "gold" / "seven-letters-1964.paragraph.json")[LETTER]
    return paragraphs("seven-letters-1964.zh.json", "zh"), paragraphs("seven-letters-1964.en.md", "en"), gold


def orphan_cases(gold: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> list[tuple[int, int]]:
    """``(i, j)`` of every run of two 1-1 gold beads ``(i, j), (i+1, j+1)``."""
    ones = [(s[0], t[0]) for s, t in gold if len(s) == 1 and len(t) == 1]
    return [(i, j) for (i, j), (i2, j2) in zip(ones, ones[1:], strict=False) if (i2, j2) == (i + 1, j + 1)]


def evaluate(zh: list[str], en: list[str], gold, model: object, aligner: object) -> tuple[int, int, int]:
    """``(orphan cases right, cases, wrong beads in the undamaged letter)``."""
    from aligner import align_texts

    cases = orphan_cases(gold)
    right = 0
    for i, j in cases:
        z = zh[: i + 1] + zh[i + 2 :]
        e = en[:j] + en[j + 1 :]
        out = align_texts(z, e, level="paragraph", model=model, aligner=aligner)
        beads = {(b.src, b.tgt) for b in out.letters[0].beads}
        right += ((i,), ()) in beads and ((), (j,)) in beads
    whole = align_texts(zh, en, level="paragraph", model=model, aligner=aligner)
    wrong = sum((b.src, b.tgt) not in set(gold) for b in whole.letters[0].beads)
    return right, len(cases), wrong


def main(argv: Sequence[str] | None = None) -> int:
    from aligner.align import Aligner
    from aligner.embed import DEFAULT_MODEL, load_embedder

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--grid", action="store_true", help="try paragraph skip 0.4-0.6 x merge penalty 0.15-0.2")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # the unpaired letters of the pair are reported otherwise
    model = load_embedder(DEFAULT_MODEL)
    zh, en, gold = load_letter()
    settings: list[dict[str, float]] = [{}]
    if args.grid:
        settings += [{"skip": s, "merge_penalty": p} for s, p in itertools.product((0.4, 0.45, 0.5, 0.6), (0.15, 0.2))]
        settings += [{"sentence_weight": 0.0}]
    print(f"letter {LETTER}: {len(zh)} zh / {len(en)} en paragraphs, {len(orphan_cases(gold))} orphan cases")
    for options in settings:
        aligner = Aligner.for_level("paragraph", **options)
        right, cases, wrong = evaluate(zh, en, gold, model, aligner)
        label = ", ".join(f"{k} {v}" for k, v in options.items()) or "paragraph preset"
        print(f"{label}: adjacent orphans both unaligned in {right} / {cases}; undamaged letter: {wrong} wrong beads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
