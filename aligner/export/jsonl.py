"""JSON Lines export: a header record, then one self-contained record per bead.

The file is UTF-8 with one JSON object per line (``ensure_ascii=False``, so Chinese is
readable as is). It holds everything in an :class:`~aligner.result.AlignmentResult`
except the letters' raw paragraphs, and loads directly with
``pandas.read_json(path, lines=True)`` (filter on ``type == "bead"``).

Line 1, the header::

    {"type": "header", "schema": 1, "signature": "aligner 0.1.0|model:...|level:paragraph",
     "version": "0.1.0", "model": "...", "options": {"level": "paragraph", ...},
     "level": "paragraph", "zh_path": "...", "en_path": "...",
     "letters": 7, "beads": 260, "warnings": ["..."],
     "dropped": [{"text": "45-40", "reason": "page number", "line": 1}, ...]}

Then one line per bead, every bead of every letter (1-0 and 0-1 included), in order::

    {"type": "bead", "letter": "CPC→CPSU 1964-05-07", "letter_index": 0, "bead": 3,
     "method": "date+sender", "pair_score": 1.0, "level": "paragraph",
     "zh_letter": {"sender": "CPC", "recipient": "CPSU", "date": "1964-05-07",
                   "title": "...", "kind": "letter", "source": "...", "section": 0, "start": 2},
     "en_letter": {...} or null,
     "zh_indices": [3, 4], "en_indices": [7], "bead_type": "2-1", "score": 0.41,
     "zh_text": ["...", "..."], "en_text": ["..."],
     "zh_paragraphs": [3, 3], "en_paragraphs": [7]}

Field notes:

* ``letter`` is the letter key (:func:`letter_keys`), shared with the TSV and TMX exports;
  ``letter_index`` is the position of the letter alignment in ``result.letters``.
* ``zh_indices`` / ``en_indices`` are the 0-based unit indices of the bead (``Bead.src`` /
  ``Bead.tgt``); ``zh_text`` / ``en_text`` the units' texts, one string per index;
  ``zh_paragraphs`` / ``en_paragraphs`` the paragraph (within the letter) each unit comes
  from, which matters at sentence level.
* ``zh_letter`` / ``en_letter`` is ``null`` for the missing side of an unpaired letter.
* ``score`` is the bead's confidence (0.0 for 1-0 / 0-1 beads); a non-finite score is
  written as ``null`` so the file is always valid JSON.
* Text is written as is (control characters JSON-escaped); U+0085, U+2028 and U+2029 are
  written as ``\\u`` escapes too, so no reader sees a line break inside a record.

:func:`read_jsonl_beads` reads the beads back per letter, so the library's own output can
serve as prediction or (hand-corrected) gold for ``aligner eval``. For a hand-written gold
file it needs only ``letter``, ``zh_indices`` and ``en_indices`` on each line; the header
and other fields are optional, and records with a ``type`` other than ``"bead"`` are
skipped.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..result import AlignmentResult
    from ..types import Letter, LetterAlignment

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

BeadTuple = tuple[tuple[int, ...], tuple[int, ...]]


def letter_keys(letters: Sequence[LetterAlignment]) -> list[str]:
    """Return a unique, human-readable key for each letter alignment, in order.

    The key is the Chinese letter's :attr:`~aligner.types.Letter.label` (the English one
    for an English-only letter), e.g. ``"CPC→CPSU 1964-05-07"``; a paired front matter is
    ``"front matter"``. When a label occurs again, ``" #2"``, ``" #3"``, ... is appended
    to the later ones, so keys are unique and stable for a given result.

    Example:
        >>> letter_keys(result.letters)  # doctest: +SKIP
        ['front matter', 'CPC→CPSU 1964-05-07', 'CPC→CPSU 1964-02-20']
    """
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for la in letters:
        zh, en = la.pair.zh, la.pair.en
        if zh is not None and en is not None and zh.kind == en.kind == "front":
            base = "front matter"
        elif zh is not None:
            base = zh.label
        elif en is not None:
            base = en.label
        else:
            base = "letter"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return keys


def _letter_meta(letter: Letter | None) -> dict[str, Any] | None:
    if letter is None:
        return None
    return {
        "sender": letter.sender,
        "recipient": letter.recipient,
        "date": letter.date,
        "title": letter.title,
        "kind": letter.kind,
        "source": letter.source,
        "section": letter.section,
        "start": letter.start,
    }


def _number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


# Characters that some readers (``str.splitlines``, JavaScript) take for line ends; json.dumps
# leaves them raw with ensure_ascii=False. They can only occur inside JSON strings, where
# the \u escape is equivalent, so escaping them keeps one record per line for every reader.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False).translate(_LINE_BREAKS)


def write_jsonl(result: AlignmentResult, path: str | Path) -> None:
    """Write ``result`` as JSON Lines: a header record, then one record per bead.

    Every bead of every letter is written, 1-0 and 0-1 beads and unpaired letters
    included. The schema is described in the module docstring.

    Args:
        result: the alignment to export.
        path: the file to write (overwritten).

    Example:
        >>> write_jsonl(result, "letters.jsonl")  # doctest: +SKIP
        >>> read_jsonl_beads("letters.jsonl")["CPC→CPSU 1964-05-07"][:2]  # doctest: +SKIP
        [((0,), (0, 1, 2, 3)), ((1,), (4,))]
    """
    sig = result.signature
    n_beads = sum(len(la.beads) for la in result.letters)
    header = {
        "type": "header",
        "schema": SCHEMA_VERSION,
        "signature": sig.format(),
        "version": sig.version,
        "model": sig.model,
        "options": dict(sig.options),
        "level": result.level,
        "zh_path": result.zh_path,
        "en_path": result.en_path,
        "letters": len(result.letters),
        "beads": n_beads,
        "warnings": list(result.warnings),
        "dropped": [{"text": d.text, "reason": d.reason, "line": d.line} for d in result.dropped],
    }
    lines = [_dumps(header)]
    for li, (la, key) in enumerate(zip(result.letters, letter_keys(result.letters), strict=True)):
        zh_meta, en_meta = _letter_meta(la.pair.zh), _letter_meta(la.pair.en)
        for bi, bead in enumerate(la.beads):
            record = {
                "type": "bead",
                "letter": key,
                "letter_index": li,
                "bead": bi,
                "method": la.pair.method,
                "pair_score": _number(la.pair.score),
                "level": la.level,
                "zh_letter": zh_meta,
                "en_letter": en_meta,
                "zh_indices": list(bead.src),
                "en_indices": list(bead.tgt),
                "bead_type": bead.kind,
                "score": _number(bead.score),
                "zh_text": [la.zh_units[i].text for i in bead.src],
                "en_text": [la.en_units[i].text for i in bead.tgt],
                "zh_paragraphs": [la.zh_units[i].paragraph for i in bead.src],
                "en_paragraphs": [la.en_units[i].paragraph for i in bead.tgt],
            }
            lines.append(_dumps(record))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    logger.debug("%s: wrote %d beads of %d letters", path, n_beads, len(result.letters))


def _index_list(value: Any, field: str, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise ValueError(f"{where}: {field!r} must be a list of integers, got {value!r}")
    if any(i < 0 for i in value):
        raise ValueError(f"{where}: {field!r} has a negative index: {value!r}")
    return tuple(value)


def read_jsonl_beads(path: str | Path) -> dict[str, list[BeadTuple]]:
    """Read the beads of a JSONL file written by :func:`write_jsonl`, grouped by letter.

    Blank lines, the header and records whose ``type`` is not ``"bead"`` are skipped; a
    record without ``type`` counts as a bead. Beads keep their order in the file.

    Args:
        path: the JSONL file.

    Returns:
        ``{letter key: [(zh_indices, en_indices), ...]}`` with letters in order of first
        appearance; the value lists can be passed straight to :mod:`aligner.evaluate`.

    Raises:
        ValueError: naming the file and line of the first line that is not a JSON
            object or a bead record without ``letter``, ``zh_indices`` or ``en_indices``.

    Example:
        >>> read_jsonl_beads("letters.jsonl")["CPC→CPSU 1964-05-07"][:2]  # doctest: +SKIP
        [((0,), (0, 1, 2, 3)), ((1,), (4,))]
    """
    beads: dict[str, list[BeadTuple]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
            if record.get("type", "bead") != "bead":
                continue
            missing = [k for k in ("letter", "zh_indices", "en_indices") if k not in record]
            if missing:
                raise ValueError(f"{where}: bead record lacks {', '.join(repr(k) for k in missing)}")
            key = record["letter"]
            if not isinstance(key, str):
                raise ValueError(f"{where}: 'letter' must be a string, got {key!r}")
            src = _index_list(record["zh_indices"], "zh_indices", where)
            tgt = _index_list(record["en_indices"], "en_indices", where)
            beads.setdefault(key, []).append((src, tgt))
    return beads
