"""TMX 1.4b export: one translation unit per bead with text on both sides.

The file is what CAT tools (Trados Studio, memoQ, OmegaT) import as a translation memory::

    <?xml version="1.0" encoding="UTF-8"?>
    <tmx version="1.4">
      <header creationtool="aligner" creationtoolversion="0.1.0" datatype="plaintext"
              segtype="paragraph" adminlang="en" srclang="zh-CN" o-tmf="aligner">
        <prop type="x-signature">aligner 0.1.0|model:...|level:paragraph</prop>
        ...
      </header>
      <body>
        <tu tuid="1">
          <prop type="x-letter">CPC→CPSU 1964-05-07</prop>
          ...
          <tuv xml:lang="zh-CN"><seg>中国共产党中央委员会收到了……</seg></tuv>
          <tuv xml:lang="en"><seg>The Central Committee of ...</seg></tuv>
        </tu>
      </body>
    </tmx>

Conventions:

* Only beads with units (and non-blank text) on **both** sides become ``<tu>``: a 1-0 or 0-1
  bead is a paragraph without a translation, not a translation unit. Those beads, and the
  unpaired letters made only of them, are kept in the TSV, JSONL and HTML exports.
* The units of a bead are joined without a separator in Chinese and with one space in
  English (:meth:`LetterAlignment.texts`).
* Metadata is written as user-defined ``<prop type="x-...">`` elements: in the header the
  provenance signature (``x-signature``), model, level and input files; in each ``<tu>`` the
  letter key (the same as in the JSONL and TSV exports), sender, recipient, date, the two
  titles (with ``xml:lang``), the letter and bead indices, the 0-based unit indices of each
  side, the bead type, the bead score and the letter pairing method and score. Absent
  values (e.g. an unknown sender) are left out.
* Text is escaped (``& < > "``; carriage returns as ``&#13;`` so they survive parsing) and
  characters that XML 1.0 forbids (C0 controls other than tab, newline and carriage
  return, lone surrogates, U+FFFE, U+FFFF) are removed, with a warning in the log.
* Output is deterministic: there is no timestamp unless ``creationdate`` is given.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .jsonl import letter_keys

if TYPE_CHECKING:
    from ..result import AlignmentResult
    from ..types import Bead, Letter, LetterAlignment

logger = logging.getLogger(__name__)

#: ``xml:lang`` of the Chinese and English variants, and the header's ``srclang``.
ZH_LANG = "zh-CN"
EN_LANG = "en"

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CREATIONDATE = re.compile(r"^\d{8}T\d{6}Z$")
_SEGTYPES = ("paragraph", "sentence")


def strip_illegal_xml(text: str) -> tuple[str, int]:
    """Remove the characters XML 1.0 does not allow.

    Tab, newline and carriage return are kept; other C0 control characters, lone
    surrogates, U+FFFE and U+FFFF are removed.

    Returns:
        ``(clean_text, number_of_characters_removed)``.

    Example:
        >>> strip_illegal_xml("a\\x07b")
        ('ab', 1)
    """
    return _ILLEGAL_XML.subn("", text)


def _escape(text: str) -> str:
    """Escape element content (text already free of illegal characters)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
    )


def _escape_attr(text: str) -> str:
    """Escape a double-quoted attribute value; whitespace characters are kept as references."""
    return _escape(text).replace("\t", "&#9;").replace("\n", "&#10;")


def _format_creationdate(creationdate: str | datetime | None) -> str | None:
    if creationdate is None:
        return None
    if isinstance(creationdate, datetime):
        if creationdate.tzinfo is None:
            raise ValueError("creationdate: a datetime must be timezone-aware (e.g. tzinfo=timezone.utc)")
        return creationdate.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    if not isinstance(creationdate, str) or not _CREATIONDATE.match(creationdate):
        raise ValueError(
            f"creationdate: expected a UTC time as 'YYYYMMDDThhmmssZ' (e.g. '20240131T120000Z') "
            f"or an aware datetime, got {creationdate!r}"
        )
    try:
        datetime.strptime(creationdate, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise ValueError(f"creationdate: not a valid date and time: {creationdate!r}") from None
    return creationdate


class _Writer:
    """Collects lines and counts the illegal characters removed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.removed = 0

    def clean(self, text: str) -> str:
        clean, n = strip_illegal_xml(text)
        self.removed += n
        return clean

    def prop(self, indent: str, kind: str, value: object, lang: str | None = None) -> None:
        if value is None or value == "":
            return
        lang_attr = f' xml:lang="{lang}"' if lang else ""
        text = _escape(self.clean(str(value)))
        self.lines.append(f'{indent}<prop type="{kind}"{lang_attr}>{text}</prop>')


def _indices(idx: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in idx)


def _letter_props(w: _Writer, zh: Letter | None, en: Letter | None) -> None:
    first = zh if zh is not None else en
    if first is None:
        return
    second = en if zh is not None else None
    for name in ("sender", "recipient", "date"):
        value = getattr(first, name) or (getattr(second, name) if second is not None else None)
        w.prop("      ", f"x-{name}", value)
    if zh is not None:
        w.prop("      ", "x-title", zh.title, ZH_LANG)
    if en is not None:
        w.prop("      ", "x-title", en.title, EN_LANG)


def _tu(w: _Writer, tuid: int, key: str, li: int, la: LetterAlignment, bi: int, bead: Bead) -> None:
    zh_text, en_text = la.texts(bead)
    w.lines.append(f'    <tu tuid="{tuid}">')
    w.prop("      ", "x-letter", key)
    _letter_props(w, la.pair.zh, la.pair.en)
    w.prop("      ", "x-pairing", la.pair.method)
    w.prop("      ", "x-pair-score", f"{la.pair.score:.6f}")
    w.prop("      ", "x-letter-index", li)
    w.prop("      ", "x-bead", bi)
    w.prop("      ", "x-zh-units", _indices(bead.src))
    w.prop("      ", "x-en-units", _indices(bead.tgt))
    w.prop("      ", "x-bead-type", bead.kind)
    w.prop("      ", "x-score", f"{bead.score:.6f}")
    for lang, text in ((ZH_LANG, zh_text), (EN_LANG, en_text)):
        w.lines.append(f'      <tuv xml:lang="{lang}"><seg>{_escape(w.clean(text))}</seg></tuv>')
    w.lines.append("    </tu>")


def _is_unit(la: LetterAlignment, bead: Bead) -> bool:
    """True when ``bead`` has units and non-blank text on both sides."""
    if not bead.src or not bead.tgt:
        return False
    zh, en = la.texts(bead)
    return bool(strip_illegal_xml(zh)[0].strip()) and bool(strip_illegal_xml(en)[0].strip())


def write_tmx(result: AlignmentResult, path: str | Path, creationdate: str | datetime | None = None) -> None:
    """Write ``result`` as a TMX 1.4b translation memory (UTF-8).

    One ``<tu>`` per bead with text on both sides, in document order; 1-0 and 0-1 beads
    are left out (see the module docstring for the full format).

    Args:
        result: the alignment to export.
        path: the file to write (overwritten).
        creationdate: the header's ``creationdate``, as ``"YYYYMMDDThhmmssZ"`` (UTC) or a
            timezone-aware :class:`~datetime.datetime`. ``None`` (the default) leaves the
            attribute out, so that the same result always gives the same bytes.

    Raises:
        ValueError: when ``creationdate`` is malformed, or ``result.level`` is not
            ``"paragraph"`` or ``"sentence"``.

    Example:
        >>> write_tmx(result, "letters.tmx", creationdate="20240131T120000Z")  # doctest: +SKIP
    """
    date = _format_creationdate(creationdate)
    if result.level not in _SEGTYPES:
        raise ValueError(f"result.level: expected one of {list(_SEGTYPES)}, got {result.level!r}")
    sig = result.signature
    w = _Writer()
    w.lines.append('<?xml version="1.0" encoding="UTF-8"?>')
    w.lines.append('<tmx version="1.4">')
    attrs = [
        ("creationtool", "aligner"),
        ("creationtoolversion", sig.version),
        ("datatype", "plaintext"),
        ("segtype", result.level),
        ("adminlang", "en"),
        ("srclang", ZH_LANG),
        ("o-tmf", "aligner"),
    ]
    if date is not None:
        attrs.append(("creationdate", date))
    attr_text = " ".join(f'{k}="{_escape_attr(w.clean(v))}"' for k, v in attrs)
    w.lines.append(f"  <header {attr_text}>")
    w.prop("    ", "x-signature", sig.format())
    w.prop("    ", "x-model", sig.model)
    w.prop("    ", "x-level", result.level)
    w.prop("    ", "x-zh-path", result.zh_path)
    w.prop("    ", "x-en-path", result.en_path)
    w.lines.append("  </header>")
    w.lines.append("  <body>")
    keys = letter_keys(result.letters)
    n_tu = n_skipped = 0
    for li, (la, key) in enumerate(zip(result.letters, keys, strict=True)):
        for bi, bead in enumerate(la.beads):
            if not _is_unit(la, bead):
                n_skipped += 1
                continue
            n_tu += 1
            _tu(w, n_tu, key, li, la, bi, bead)
    w.lines.append("  </body>")
    w.lines.append("</tmx>")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(w.lines) + "\n")
    if w.removed:
        logger.warning("%s: removed %d character(s) not allowed in XML 1.0", path, w.removed)
    logger.debug("%s: wrote %d translation units (%d one-sided beads left out)", path, n_tu, n_skipped)
