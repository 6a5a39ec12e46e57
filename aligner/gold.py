"""Hand-made gold alignments that name paragraphs by a unique prefix of their text.

Schema (``data/gold/*.paragraph.json``)::

    {"zh": "<Chinese file in the same directory>", "en": "<English file>", "level": "paragraph",
     "letters": [{"zh_letter": "front" | "YYYY-MM-DD", "en_letter": "front" | "YYYY-MM-DD",
                  "beads": [{"zh": ["<prefix>", ...], "en": ["<prefix>", ...]}, ...]}, ...]}

Prefixes keep the gold readable and robust to index shifts (a prefix equal to a
whole paragraph names that paragraph first); :func:`load_prefix_gold` maps them onto
the paragraphs that the project's reader and letter splitter produce, and
checks that every paragraph is named exactly once.
"""

from __future__ import annotations

import json
from pathlib import Path

from .types import Letter

BeadTuple = tuple[tuple[int, ...], tuple[int, ...]]


def _find_letter(letters: list[Letter], key: str, where: str) -> Letter:
    for lt in letters:
        if (key == "front" and lt.kind == "front") or (lt.kind == "letter" and lt.date == key):
            return lt
    raise ValueError(f"{where}: no letter {key!r} (have {[lt.label for lt in letters]})")


def _index(paragraphs: tuple[str, ...], prefix: str, where: str) -> int:
    hits = [i for i, p in enumerate(paragraphs) if p == prefix]  # a whole short paragraph names itself
    hits = hits or [i for i, p in enumerate(paragraphs) if p.startswith(prefix)]
    if len(hits) != 1:
        raise ValueError(f"{where}: prefix {prefix!r} matches {len(hits)} paragraphs, expected 1")
    return hits[0]


def load_prefix_gold(path: str | Path) -> dict[str, list[BeadTuple]]:
    """Read a prefix gold file and resolve it into index beads, letter by letter.

    Args:
        path: the gold JSON; its ``zh`` and ``en`` files are looked up beside it, then in
            its parent directory.

    Returns:
        ``{zh_letter key ("front" or ISO date): [(zh indices, en indices), ...]}``, indices
        of paragraphs within the letter.

    Raises:
        ValueError: a prefix matches no paragraph or several, or a paragraph of a gold
            letter is not named exactly once.
    """
    from .letters import split_letters
    from .readers import read_document

    path = Path(path)
    gold = json.loads(path.read_text(encoding="utf-8"))

    def locate(name: str) -> Path:
        for base in (path.parent, path.parent.parent):
            if (base / name).exists():
                return base / name
        raise ValueError(f"{path}: gold text {name!r} not found beside it or in its parent directory")

    zh_letters = split_letters(read_document(locate(gold["zh"]), lang="zh"))
    en_letters = split_letters(read_document(locate(gold["en"]), lang="en"))
    out: dict[str, list[BeadTuple]] = {}
    for entry in gold["letters"]:
        where = f"{path}: letter {entry['zh_letter']}"
        zl = _find_letter(zh_letters, entry["zh_letter"], where)
        el = _find_letter(en_letters, entry["en_letter"], where)
        beads = [
            (
                tuple(_index(zl.paragraphs, p, where + " zh") for p in b["zh"]),
                tuple(_index(el.paragraphs, p, where + " en") for p in b["en"]),
            )
            for b in entry["beads"]
        ]
        zs = sorted(i for s, _ in beads for i in s)
        es = sorted(j for _, t in beads for j in t)
        if zs != list(range(len(zl.paragraphs))) or es != list(range(len(el.paragraphs))):
            raise ValueError(f"{where}: the gold does not name every paragraph of both letters exactly once")
        out[entry["zh_letter"]] = beads
    return out
