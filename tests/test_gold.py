"""The hand-made gold paragraph alignment of the seven-letters pair (data/gold/).

The gold JSON names paragraphs by prefixes of their text. These tests resolve every
prefix against the paragraphs of the project's reader and letter splitter and check that
the gold is a complete, ordered, unambiguous alignment, and that the ``.align`` bead files
are exactly what the JSON resolves to. A second group checks the same against the
self-contained cleaner of ``data/gold/make_align.py``, so the gold itself is verified
even before the reader exists.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import pytest

from aligner.export.beads import read_beads

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
GOLD_DIR = DATA / "gold"
GOLD = json.loads((GOLD_DIR / "seven-letters-1964.paragraph.json").read_text(encoding="utf-8"))
ALIGN_FILES = {
    "front": GOLD_DIR / "seven-letters-1964.front.paragraph.align",
    "1964-05-07": GOLD_DIR / "seven-letters-1964.letter-1964-05-07.paragraph.align",
}
MIN_KEY = 12

READER_READY = (REPO / "aligner" / "readers" / "__init__.py").exists() and (
    REPO / "aligner" / "letters.py"
).exists()
needs_reader = pytest.mark.skipif(
    not READER_READY, reason="aligner.readers / aligner.letters not written yet"
)

Letters = dict[str, tuple[str, ...]]


def _reader_letters(path: Path, lang: str) -> Letters:
    read_document = importlib.import_module("aligner.readers").read_document
    split_letters = importlib.import_module("aligner.letters").split_letters

    out: dict[str, tuple[str, ...]] = {}
    for letter in split_letters(read_document(path, lang=lang)):
        key = "front" if letter.kind == "front" else letter.date
        assert key not in out, f"{path.name}: two letters with key {key!r}"
        out[key] = tuple(letter.paragraphs)
    return out


def _own_letters() -> tuple[Letters, Letters]:
    spec = importlib.util.spec_from_file_location("make_align", GOLD_DIR / "make_align.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    zh = {k: tuple(v) for k, v in mod.zh_letters_own(DATA / GOLD["zh"]).items()}
    en = {k: tuple(v) for k, v in mod.en_letters_own(DATA / GOLD["en"]).items()}
    return zh, en


def _matches(key: str, paragraphs: tuple[str, ...]) -> list[int]:
    """A key equal to a whole paragraph names it; otherwise every paragraph it starts."""
    exact = [i for i, p in enumerate(paragraphs) if p == key]
    return exact or [i for i, p in enumerate(paragraphs) if p.startswith(key)]


def _check(zh: Letters, en: Letters) -> None:
    for pair in GOLD["letters"]:
        zk, ek = pair["zh_letter"], pair["en_letter"]
        assert zk in zh, f"zh letter {zk!r} not found; letters: {sorted(zh)}"
        assert ek in en, f"en letter {ek!r} not found; letters: {sorted(en)}"
        resolved: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for b, bead in enumerate(pair["beads"]):
            assert bead["zh"] or bead["en"], f"{zk} bead {b} is empty on both sides"
            sides = []
            for side, paragraphs in (("zh", zh[zk]), ("en", en[ek])):
                idx = []
                for key in bead[side]:
                    hits = _matches(key, paragraphs)
                    assert len(hits) == 1, f"{side} {zk} bead {b}: {key!r} matches paragraphs {hits}"
                    whole = paragraphs[hits[0]] == key
                    assert whole or len(key) >= MIN_KEY, f"{side} {zk} bead {b}: key {key!r} too short"
                    idx.append(hits[0])
                contiguous = idx == list(range(idx[0], idx[0] + len(idx))) if idx else True
                assert contiguous, f"{side} {zk} bead {b}: indices {idx} not contiguous and increasing"
                sides.append(tuple(idx))
            resolved.append((sides[0], sides[1]))
        for s, n, name in ((0, len(zh[zk]), "zh"), (1, len(en[ek]), "en")):
            flat = [i for bead in resolved for i in bead[s]]
            assert flat == list(range(n)), (
                f"{zk}: {name} paragraphs 0..{n - 1} must each appear once, in order; got {flat}"
            )
        assert read_beads(ALIGN_FILES[zk]) == resolved, f"{ALIGN_FILES[zk].name} differs from the JSON gold"


def test_gold_schema():
    assert GOLD["level"] == "paragraph"
    assert (DATA / GOLD["zh"]).exists() and (DATA / GOLD["en"]).exists()
    assert [(p["zh_letter"], p["en_letter"]) for p in GOLD["letters"]] == [
        ("front", "front"),
        ("1964-05-07", "1964-05-07"),
    ]
    assert set(ALIGN_FILES) == {p["zh_letter"] for p in GOLD["letters"]}


def test_gold_against_own_cleaner():
    zh, en = _own_letters()
    _check(zh, en)


@needs_reader
def test_gold_against_reader():
    zh = _reader_letters(DATA / GOLD["zh"], "zh")
    en = _reader_letters(DATA / GOLD["en"], "en")
    _check(zh, en)


@needs_reader
def test_reader_paragraphs_match_gold_cleaner():
    """The reader must produce the paragraphs the gold was made on (same counts per letter)."""
    own_zh, own_en = _own_letters()
    zh = _reader_letters(DATA / GOLD["zh"], "zh")
    en = _reader_letters(DATA / GOLD["en"], "en")
    for key in ("front", "1964-05-07"):
        for lang, got, want in (("zh", zh, own_zh), ("en", en, own_en)):
            assert len(got[key]) == len(want[key]), (
                f"{lang} {key}: reader gives {len(got[key])} paragraphs, the gold has {len(want[key])}"
            )


@needs_reader
def test_prefix_gold_loader_agrees():
    """aligner.gold.load_prefix_gold (used by the API tests) resolves the gold to the .align files.

    It must give a key equal to a whole paragraph precedence over prefix matches: the sender
    line 中国共产党中央委员会 is also the start of another paragraph of the same letter.
    """
    from aligner.gold import load_prefix_gold

    loaded = load_prefix_gold(GOLD_DIR / "seven-letters-1964.paragraph.json")
    assert {k: list(v) for k, v in loaded.items()} == {k: read_beads(p) for k, p in ALIGN_FILES.items()}


# ------------------------------------------------------------------ sentence-level gold of the letter

SENTENCE_BASE = GOLD_DIR / "seven-letters-1964.letter-1964-05-07.sentence"


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_sentence_gold_covers_every_line_once_in_order():
    zh, en = _lines(Path(f"{SENTENCE_BASE}.zh.txt")), _lines(Path(f"{SENTENCE_BASE}.en.txt"))
    beads = read_beads(Path(f"{SENTENCE_BASE}.align"))
    assert [i for s, _ in beads for i in s] == list(range(len(zh)))
    assert [j for _, t in beads for j in t] == list(range(len(en)))
    assert all(line.strip() for line in zh + en)
    # the English is cut off: every Chinese sentence after the last English one is unaligned
    last = max(k for k, (_, t) in enumerate(beads) if t)
    assert all(not t for _, t in beads[last + 1 :]) and len(beads) - last - 1 == 44


def test_sentence_gold_is_the_letter_split_into_sentences():
    """The sentence files are the paired letter's paragraphs, cut into sentences, in order."""
    from aligner.letters import split_letters
    from aligner.readers import read_document

    def letter(path: Path, lang: str) -> str:
        letters = split_letters(read_document(path, lang=lang))
        lt = next(lt for lt in letters if lt.kind == "letter" and lt.date == "1964-05-07")
        return "".join("".join(p.split()) for p in lt.paragraphs)

    for lang, path in (("zh", DATA / "seven-letters-1964.zh.json"), ("en", DATA / "seven-letters-1964.en.md")):
        joined = "".join("".join(s.split()) for s in _lines(Path(f"{SENTENCE_BASE}.{lang}.txt")))
        assert joined == letter(path, lang)


def test_sentence_gold_agrees_with_the_paragraph_gold():
    """No sentence bead crosses a paragraph bead of the paragraph gold (same letter)."""
    from aligner.letters import split_letters
    from aligner.readers import read_document
    from aligner.segment import split_sentences

    par_beads = read_beads(ALIGN_FILES["1964-05-07"])
    owner: dict[tuple[str, int], int] = {}
    for lang, path in (("zh", DATA / "seven-letters-1964.zh.json"), ("en", DATA / "seven-letters-1964.en.md")):
        lt = next(x for x in split_letters(read_document(path, lang=lang)) if x.date == "1964-05-07")
        k = 0
        side = 0 if lang == "zh" else 1
        bead_of = {p: b for b, bead in enumerate(par_beads) for p in bead[side]}
        for p, para in enumerate(lt.paragraphs):
            for _ in split_sentences(para, lang):
                owner[(lang, k)] = bead_of[p]
                k += 1
    for s, t in read_beads(Path(f"{SENTENCE_BASE}.align")):
        assert len({owner[("zh", i)] for i in s} | {owner[("en", j)] for j in t}) == 1
