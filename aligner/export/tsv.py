r"""Tab-separated export: a header row, then exactly one line per bead.

Columns (the header row uses these names)::

    letter  date  bead  zh_indices  en_indices  type  score  zh  en

* ``letter``: the letter key shared with the JSONL and TMX exports
  (:func:`aligner.export.jsonl.letter_keys`), e.g. ``CPC→CPSU 1964-05-07``.
* ``date``: the letter's date (``YYYY-MM-DD``; the Chinese letter's, else the English
  one's), empty when unknown.
* ``bead``: the bead's 0-based index within the letter.
* ``zh_indices`` / ``en_indices``: the 0-based unit indices in bead notation, ``[3,4]``,
  ``[]`` for an empty side (the notation of :mod:`aligner.export.beads`).
* ``type``: the bead type, ``1-1``, ``2-1``, ``1-0``, ...
* ``score``: the bead's confidence with 6 decimals (0.000000 for 1-0 and 0-1 beads).
* ``zh`` / ``en``: the bead's text, units joined with ``""`` (Chinese) and ``" "`` (English).

Every bead is written, 1-0 and 0-1 beads and unpaired letters included. Fields are never
quoted; so that each bead stays on one line, text is escaped the way PostgreSQL's text
format and "linear TSV" do it: backslash → ``\\``, tab → ``\t``, newline → ``\n``,
carriage return → ``\r``, and the other characters that end a line for
:meth:`str.splitlines` (``\x0b``, ``\x0c``, ``\x1c``-``\x1e``, ``\x85``, ``\u2028``,
``\u2029``) → ``\xNN`` / ``\uNNNN``. :func:`unescape_field` reverses it. With pandas::

    pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype=str)
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .jsonl import letter_keys

if TYPE_CHECKING:
    from ..result import AlignmentResult

logger = logging.getLogger(__name__)

#: The header row's column names, in order.
COLUMNS: tuple[str, ...] = ("letter", "date", "bead", "zh_indices", "en_indices", "type", "score", "zh", "en")

_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPE = re.compile("[\\\\\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_UNESCAPE = re.compile(r"\\(?:([\\tnr])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))")
_UNNAMED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _escape_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_field(text: str) -> str:
    r"""Escape ``text`` for one TSV field (see the module docstring).

    Example:
        >>> escape_field("a\tb\nc\\d")
        'a\\tb\\nc\\\\d'
    """
    return _ESCAPE.sub(_escape_char, text)


def unescape_field(field: str) -> str:
    r"""Reverse :func:`escape_field`.

    Example:
        >>> unescape_field(r"a\tb\u2028c") == "a\tb\u2028c"
        True
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(1):
            return _UNNAMED[m.group(1)]
        return chr(int(m.group(2) or m.group(3), 16))

    return _UNESCAPE.sub(repl, field)


def _indices(idx: tuple[int, ...]) -> str:
    return "[" + ",".join(str(i) for i in idx) + "]"


def write_tsv(result: AlignmentResult, path: str | Path) -> None:
    """Write ``result`` as a tab-separated file: a header row, then one line per bead.

    Args:
        result: the alignment to export.
        path: the file to write (overwritten), UTF-8 with ``\\n`` line ends.

    Example:
        >>> write_tsv(result, "letters.tsv")  # doctest: +SKIP
    """
    lines = ["\t".join(COLUMNS)]
    for la, key in zip(result.letters, letter_keys(result.letters), strict=True):
        date = ""
        if la.pair.zh is not None and la.pair.zh.date:
            date = la.pair.zh.date
        elif la.pair.en is not None and la.pair.en.date:
            date = la.pair.en.date
        for bi, bead in enumerate(la.beads):
            zh, en = la.texts(bead)
            row = [
                key,
                date,
                str(bi),
                _indices(bead.src),
                _indices(bead.tgt),
                bead.kind,
                f"{bead.score:.6f}",
                zh,
                en,
            ]
            lines.append("\t".join(escape_field(f) for f in row))
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")
    logger.debug("%s: wrote %d beads", path, len(lines) - 1)
