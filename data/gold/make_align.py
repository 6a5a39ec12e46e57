"""Write the gold bead files of the seven-letters pair from the human-readable gold JSON.

Usage (from the repository root)::

    python data/gold/make_align.py            # write the .align files
    python data/gold/make_align.py --check    # only verify; exit 1 if a file would change

The gold JSON (``seven-letters-1964.paragraph.json``) names every paragraph by a prefix of
its text, so it survives changes in paragraph numbering. This script resolves each prefix
against the paragraphs of the two letters and writes one bead file per letter pair, one
bead per line ``[zh indices]:[en indices]`` (0-based, within the letter).

Paragraphs come from the project's reader and letter splitter
(``aligner.readers.read_document`` + ``aligner.letters.split_letters``) when both modules
exist; otherwise (or with ``--own-cleaner``) from the small self-contained cleaner below,
which implements the paragraph rules of data/gold/README.md for this one pair only.

Prefix resolution: a key equal to a whole paragraph names that paragraph; otherwise the key
must be the start of exactly one paragraph of the letter.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent
DATA_DIR = GOLD_DIR.parent
REPO = DATA_DIR.parent
GOLD_JSON = GOLD_DIR / "seven-letters-1964.paragraph.json"
ALIGN_FILES = {
    "front": GOLD_DIR / "seven-letters-1964.front.paragraph.align",
    "1964-05-07": GOLD_DIR / "seven-letters-1964.letter-1964-05-07.paragraph.align",
}

MIN_KEY = 12  # shortest allowed prefix key (a whole paragraph may be shorter)
Letters = dict[str, list[str]]  # letter key ("front" or ISO date) -> paragraphs


# --------------------------------------------------------------------------- own cleaner

_ZH_LETTER_START = re.compile(
    r"^(中共中央|苏共中央)[一二三四五六七八九十〇○零年月日]+给(苏共中央|中共中央)的信"
)
_ZH_DIGITS = dict(zip("〇○零一二三四五六七八九", "000123456789", strict=True))


def _zh_date(text: str) -> str:
    """``一九六四年五月七日`` -> ``1964-05-07`` (only the forms used in this file)."""
    m = re.search(
        r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]+)月([一二三四五六七八九十]+)日", text
    )
    if not m:
        raise ValueError(f"no Chinese date in {text[:40]!r}")

    def num(s: str) -> int:
        if "十" in s:
            a, _, b = s.partition("十")
            return (int(_ZH_DIGITS[a]) if a else 1) * 10 + (int(_ZH_DIGITS[b]) if b else 0)
        return int(_ZH_DIGITS[s])

    year = "".join(_ZH_DIGITS[c] for c in m.group(1))
    return f"{year}-{num(m.group(2)):02d}-{num(m.group(3)):02d}"


def zh_letters_own(path: Path) -> Letters:
    """Front matter and letters of the archive JSON: one part = one paragraph, verbatim."""
    parts = [p["text"] for p in json.loads(path.read_text(encoding="utf-8"))["parts"]]
    starts = [i for i, t in enumerate(parts) if _ZH_LETTER_START.match(t)]
    letters: Letters = {"front": parts[: starts[0]]}
    for a, b in zip(starts, starts[1:] + [len(parts)], strict=True):
        letters[_zh_date(parts[a])] = parts[a:b]
    return letters


_EN_MONTHS = {m: i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
_EN_HEADING = re.compile(r"^LETTER OF THE CENTRAL COMMITTEE OF THE (CPC|CPSU) OF ([A-Z]+) (\d+), (\d{4})")
_TERMINAL = tuple('.!?:;,"”’)')


def _en_blocks(path: Path) -> list[tuple[int, str, bool]]:
    """Blank-line separated blocks as ``(first line number, raw text, bold)``."""
    blocks: list[tuple[int, list[str]]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            if blocks and blocks[-1][0] + len(blocks[-1][1]) == n:
                blocks[-1][1].append(line)
            else:
                blocks.append((n, [line]))
    out = []
    for n, lines in blocks:
        raw = "\n".join(lines)
        out.append((n, raw, raw.startswith("**") and raw.rstrip().endswith("**")))
    return out


def _clean(raw: str) -> str:
    text = " ".join(line.strip() for line in raw.splitlines())
    text = text.replace("\\*", "\x00")
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"\*(.+?)\*", r"\1", text)
    text = text.replace("\x00", "*")
    return re.sub(r"\s+", " ", text).strip()


def _en_dropped(text: str) -> bool:
    """Page numbers, catalogue / imprint lines and the Chinese title of the pamphlet."""
    return bool(
        re.fullmatch(r"[\d\s\-—–]+", text)  # page numbers, "45-40", "00025"
        or re.fullmatch(r"\d+\s*[—–-]\s*E\s*[—–-]\s*\w+", text)  # 3—E—594pc
        or text.startswith("FOREIGN LANGUAGES PRESS")
        or text.startswith("Printed in the People")
        or text == "*"
        or re.search(r"[\u4e00-\u9fff]", text)  # 中共中央和苏共中央来往的七封信, 外文出版社出版, 编号…
    )


def en_letters_own(path: Path) -> Letters:
    """Front matter and letters of the OCR'd Markdown pamphlet."""
    paras: list[tuple[str, bool]] = []
    blocks = _en_blocks(path)
    seen: set[str] = set()
    skip_contents = False
    for k, (_, raw, bold) in enumerate(blocks):
        text = _clean(raw.lstrip("#").strip() if raw.startswith("#") else raw)
        if raw.startswith("## CONTENTS"):
            skip_contents = True
            continue
        if skip_contents:
            if "\t" in raw:  # contents entries: title<TAB>page
                continue
            skip_contents = False
        nxt = blocks[k + 1][1] if k + 1 < len(blocks) else ""
        if nxt.startswith("## CONTENTS"):  # stray contents entry above the list
            continue
        if _en_dropped(text):
            continue
        if bold and text in seen:  # the repeated title page
            continue
        seen.add(text)
        prev = paras[-1] if paras else None
        joins = (
            prev is not None
            and not prev[1]
            and not bold
            and not prev[0].endswith(_TERMINAL)
            and (text[:1].islower() or len(prev[0]) >= 40)
        )
        if joins:
            paras[-1] = (prev[0] + " " + text, False)
        else:
            paras.append((text, bold))
    letters: Letters = {"front": []}
    key = "front"
    for text, _ in paras:
        m = _EN_HEADING.match(text)
        if m:
            key = f"{m.group(4)}-{_EN_MONTHS[m.group(2).capitalize()]:02d}-{int(m.group(3)):02d}"
            letters[key] = []
        letters[key].append(text)
    return letters


# --------------------------------------------------------------------------- project reader


def _reader_available() -> bool:
    pkg = REPO / "aligner"
    return (pkg / "readers" / "__init__.py").exists() and (pkg / "letters.py").exists()


def letters_from_reader(path: Path, lang: str) -> Letters:
    """Front matter and letters as the project's reader and splitter produce them."""
    sys.path.insert(0, str(REPO))
    read_document = importlib.import_module("aligner.readers").read_document
    split_letters = importlib.import_module("aligner.letters").split_letters

    out: Letters = {}
    for letter in split_letters(read_document(path, lang=lang)):
        key = "front" if letter.kind == "front" else letter.date
        if key in out:
            raise ValueError(f"{path}: two letters with key {key!r}")
        out[key] = list(letter.paragraphs)
    return out


# --------------------------------------------------------------------------- resolution


def resolve_key(key: str, paragraphs: list[str], where: str) -> int:
    """Index of the paragraph named by ``key`` (whole text first, else unique prefix)."""
    hits = [i for i, p in enumerate(paragraphs) if p == key]
    if not hits:
        hits = [i for i, p in enumerate(paragraphs) if p.startswith(key)]
        if len(key) < MIN_KEY:
            raise ValueError(f"{where}: key {key!r} is under {MIN_KEY} characters, not a whole paragraph")
    if len(hits) != 1:
        raise ValueError(f"{where}: key {key!r} matches {len(hits)} paragraphs {hits}")
    return hits[0]


def resolve(gold: dict, zh: Letters, en: Letters) -> dict[str, list[tuple[list[int], list[int]]]]:
    """Beads of every letter pair of ``gold`` as index lists; checks coverage and order."""
    out = {}
    for pair in gold["letters"]:
        zk, ek = pair["zh_letter"], pair["en_letter"]
        beads = []
        for b, bead in enumerate(pair["beads"]):
            src = [resolve_key(k, zh[zk], f"zh {zk} bead {b}") for k in bead["zh"]]
            tgt = [resolve_key(k, en[ek], f"en {ek} bead {b}") for k in bead["en"]]
            beads.append((src, tgt))
        for side, n, idx in (("zh", len(zh[zk]), 0), ("en", len(en[ek]), 1)):
            flat = [i for bead in beads for i in bead[idx]]
            if flat != list(range(n)):
                raise ValueError(f"{zk}: {side} indices are not 0..{n - 1} in order, once each: {flat}")
        out[zk] = beads
    return out


def format_bead(src: list[int], tgt: list[int]) -> str:
    return f"[{','.join(map(str, src))}]:[{','.join(map(str, tgt))}]"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="verify the .align files, write nothing")
    ap.add_argument("--own-cleaner", action="store_true", help="use the built-in cleaner, not the reader")
    args = ap.parse_args(argv)

    gold = json.loads(GOLD_JSON.read_text(encoding="utf-8"))
    zh_path, en_path = DATA_DIR / gold["zh"], DATA_DIR / gold["en"]
    if _reader_available() and not args.own_cleaner:
        source = "aligner.readers + aligner.letters"
        zh, en = letters_from_reader(zh_path, "zh"), letters_from_reader(en_path, "en")
    else:
        source = "own cleaner"
        zh, en = zh_letters_own(zh_path), en_letters_own(en_path)
    beads = resolve(gold, zh, en)

    status = 0
    for key, path in ALIGN_FILES.items():
        text = "".join(format_bead(s, t) + "\n" for s, t in beads[key])
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.name}: differs from the JSON gold", file=sys.stderr)
                status = 1
        else:
            path.write_text(text, encoding="utf-8")
        kinds: dict[str, int] = {}
        for s, t in beads[key]:
            kinds[f"{len(s)}-{len(t)}"] = kinds.get(f"{len(s)}-{len(t)}", 0) + 1
        n_zh = sum(len(s) for s, _ in beads[key])
        n_en = sum(len(t) for _, t in beads[key])
        print(f"{key}: zh {n_zh} paragraphs, en {n_en}, {len(beads[key])} beads {kinds} [{source}]")
    return status


if __name__ == "__main__":
    sys.exit(main())
