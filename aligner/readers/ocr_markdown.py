"""Reader for OCR'd Markdown (e.g. a scanned pamphlet converted to Markdown).

Blank-line separated blocks are paragraphs; the lines of a block (soft or hard ``"  "``
breaks) are joined with a space, end-of-line hyphenation undone. The reader removes what
is not text of the work, recording every removed line in :attr:`Document.dropped` with a
reason and its line number:

- page numbers and catalogue codes (``45-40``, ``00025``, ``3—E—594pc``), lone ``*`` and
  rules, ``Printed in ...`` and publisher imprints (``FOREIGN LANGUAGES PRESS PEKING``);
- in a non-CJK edition, lines that are mostly Chinese (title, imprint, catalogue number);
- the contents list (a ``CONTENTS`` heading and its ``title<TAB>page`` entries), and an
  upper-case line just above the heading that is worded like the entries (a contents
  entry OCR misplaced);
- a title page printed twice (a bold / ``#`` block repeating an earlier one before the
  first prose paragraph).

A paragraph split by a page break (a line ending mid-sentence, then blank lines, then a
line continuing the sentence) is joined again. Markdown emphasis, heading marks and
backslash escapes are stripped; bold blocks and ``#`` headings are listed in
:attr:`Section.headings`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ..types import Document, Dropped, Section
from .plain import PAGE_NUMBER_RE, TERMINAL_RE, cjk_share, join_lines, normalize_space

logger = logging.getLogger(__name__)

NAME = "ocr_markdown"

_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_RULE_RE = re.compile(r"^(?:\\?[*_=~\-]\s*)+$")  # "*", "\*", "* * *", "---", "===" (setext)
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_PRIVATE = 0xE000  # escaped characters are parked in the private use area while stripping
_CATALOGUE_RE = re.compile(r"[0-9A-Za-z]+(?:\s?[-—–/.]\s?[0-9A-Za-z]+)*")
_PRINTED_RE = re.compile(r"printed in\b", re.I)
_IMPRINT_RE = re.compile(
    r"(?:[A-Z][\w'&.-]*\s+){0,5}(?:PRESS|PUBLISHING\s+HOUSE|PUBLISHERS?)"
    r"(?:[\s,]+[A-Z][A-Za-z]+){0,2}(?:[\s,]+\d{4})?",
    re.I,
)
_CONTENTS_RE = re.compile(r"(?:table of )?contents", re.I)
_ENTRY_RE = re.compile(r"(?P<title>\S.*?)(?:\t+|\s*(?:\.\s*){2,}|\s{2,})(?P<page>\d{1,4}|[ivxlcdm]{1,6})")
# Words that cannot end an English sentence: a paragraph ending in one continues.
_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from with into upon about between among and or but nor "
    "than as that which whose who whom your our their its his her my this these those such "
    "every each no not is are was were be been has have had will would shall should can could".split()
)
_CJK_LANGS = frozenset({"zh", "ja", "ko"})
_PROSE_CHARS = 100  # a kept paragraph this long ends the title pages
_ENTRY_LIKE = 0.6  # share of a line's words found in the contents entries that makes it a stray entry


@dataclass
class _Block:
    lines: list[tuple[int, str]]  # (1-based line number, raw line)
    heading: bool = False
    rule: bool = False
    text: str = ""
    bold: bool = False
    reason: str | None = None  # why the block is dropped; None when kept
    removed: list[Dropped] = field(default_factory=list)  # lines dropped from inside the block

    @property
    def title(self) -> bool:
        return self.heading or self.bold


def strip_markdown(text: str) -> str:
    """Remove Markdown emphasis, code marks, link syntax and backslash escapes.

    Example:
        >>> strip_markdown(r"**Bold** and *Pravda* \\* not_a_var")
        'Bold and Pravda * not_a_var'
    """
    text = _ESCAPE_RE.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("*", "").replace("`", "")
    text = re.sub(r"(?<!\w)_+|_+(?!\w)", "", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - _PRIVATE), text)
    return normalize_space(text)


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []

    def close() -> None:
        if current:
            blocks.append(_Block(list(current)))
            current.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip():
            close()
        elif _HEADING_RE.match(line) or _RULE_RE.fullmatch(line.strip()):
            close()
            blocks.append(
                _Block([(number, line)], heading=bool(_HEADING_RE.match(line)), rule=not _HEADING_RE.match(line))
            )
        else:
            current.append((number, line))
    close()
    return blocks


def _clean(block: _Block, hyphen_words: frozenset[str]) -> None:
    joined = ""
    for number, raw in block.lines:
        line = raw.strip()
        if block.heading:
            line = re.sub(r"\s+#+$", "", _HEADING_RE.sub("", line))
        elif len(block.lines) > 1 and PAGE_NUMBER_RE.fullmatch(line):
            block.removed.append(Dropped(raw, "page number", number))
            continue
        line = re.sub(r"(?<!\\)\\$", "", line).rstrip()  # backslash hard break
        joined = join_lines(joined, line, hyphen_words)
    inner = joined[2:-2] if len(joined) > 4 else ""
    block.bold = joined[:2] in ("**", "__") and joined[-2:] == joined[:2] and joined[:2] not in inner
    block.text = strip_markdown(joined)


def _drop_reason(block: _Block, lang: str) -> str | None:
    text = block.text
    if block.rule:
        return "stray asterisk" if "*" in block.lines[0][1] else "separator"
    if not text:
        return "empty markup"
    if PAGE_NUMBER_RE.fullmatch(text):
        return "page number"
    if len(text) <= 24 and _CATALOGUE_RE.fullmatch(text) and re.search(r"\d", text):
        return "catalogue number"
    if len(text) <= 80 and _PRINTED_RE.match(text):
        return "printer's imprint"
    if len(text) <= 80 and _IMPRINT_RE.fullmatch(text):
        return "publisher's imprint"
    if lang.split("-")[0].lower() not in _CJK_LANGS and cjk_share(text) > 0.5:
        if re.search("编号|书号", text):
            return "catalogue number (Chinese)"
        if re.search("出版|印刷|发行", text):
            return "publisher's imprint (Chinese)"
        if re.search("第.版|版次|袖珍本", text):
            return "edition note (Chinese)"
        return f"Chinese {'title line' if block.title else 'line'} in a non-Chinese edition"
    return None


def _entry(raw: str) -> re.Match[str] | None:
    return _ENTRY_RE.fullmatch(re.sub(r"[*_]", "", raw).strip())


def _drop_contents(blocks: list[_Block]) -> None:
    """Drop the contents list: its heading, its entries and a stray entry just above it."""
    for c, block in enumerate(blocks):
        if block.reason or not _CONTENTS_RE.fullmatch(block.text):
            continue
        if not (block.title or block.text.isupper()):
            continue
        block.reason = "contents list"
        titles: list[str] = []
        for nxt in blocks[c + 1 :]:
            if nxt.reason:
                continue
            entries = [_entry(raw) for _, raw in nxt.lines]
            if nxt.heading or not any(entries):
                break
            if not all(e or raw.strip().isupper() for e, (_, raw) in zip(entries, nxt.lines, strict=True)):
                break
            nxt.reason = "contents list"
            titles += [e.group("title") for e in entries if e]
        vocabulary = {w for t in titles for w in re.findall(r"\w+", t.casefold())}
        for above in reversed(blocks[:c]):
            words = set(re.findall(r"\w+", above.text.casefold()))
            if above.reason or above.title or not above.text.isupper() or not words:
                break
            if len(words & vocabulary) < _ENTRY_LIKE * len(words):
                break
            above.reason = "contents list (entry placed above the heading by OCR)"


def _drop_repeated_titles(blocks: list[_Block]) -> None:
    """Drop a title-page block printed again before the first prose paragraph."""
    seen: set[str] = set()
    for block in blocks:
        if block.reason:
            continue
        if not block.title:
            if len(block.text) >= _PROSE_CHARS:
                return
            continue
        key = block.text.casefold()
        if key in seen:
            block.reason = "repeated title page"
        seen.add(key)


def _continues(prev: _Block, block: _Block, lang: str) -> bool:
    """Whether ``block`` continues the paragraph of ``prev`` across a page break."""
    a, b = prev.text, block.text
    if prev.title or block.title or TERMINAL_RE.search(a):
        return False
    if lang.split("-")[0].lower() in _CJK_LANGS:
        return len(a) >= 20 and len(b) >= 10
    if b.lstrip("\"'“‘([")[:1].islower():
        return True
    last = re.search(r"([A-Za-z]+)$", a)
    if last and last.group(1).lower() in _FUNCTION_WORDS:
        return True
    return (a[-1].isalnum() or a[-1] in ",—–-") and len(a.split()) >= 8 and len(b.split()) >= 8


def read(text: str, path: str, lang: str) -> Document:
    """Read OCR'd Markdown into cleaned paragraphs.

    Args:
        text: the decoded file content.
        path: the file's path (recorded in the document and in error messages).
        lang: language code of the text (a non-CJK edition drops mostly-Chinese lines).

    Returns:
        A :class:`Document` with one section; :attr:`Section.headings` marks bold blocks
        and ``#`` headings.

    Example:
        >>> doc = read("**TITLE**\\n\\n12\\n\\nThe text goes on to the\\n\\nnext page.\\n", "x.md", "en")
        >>> doc.sections[0].paragraphs, sorted(doc.sections[0].headings)
        (('TITLE', 'The text goes on to the next page.'), [0])
        >>> [(d.text, d.reason, d.line) for d in doc.dropped]
        [('12', 'page number', 3)]
    """
    hyphen_words = frozenset(w.lower() for w in re.findall(r"[A-Za-z]+-[A-Za-z]+", text))
    blocks = _blocks(text.split("\n"))
    for block in blocks:
        _clean(block, hyphen_words)
        block.reason = _drop_reason(block, lang)
    _drop_contents(blocks)
    _drop_repeated_titles(blocks)

    kept: list[_Block] = []
    dropped: list[Dropped] = []
    for block in blocks:
        dropped += block.removed
        if block.reason:
            dropped += [Dropped(raw, block.reason, number) for number, raw in block.lines]
        elif kept and _continues(kept[-1], block, lang):
            logger.debug("%s:%d: paragraph continues across a page break", path, block.lines[0][0])
            kept[-1].text = join_lines(kept[-1].text, block.text, hyphen_words)
        else:
            kept.append(block)
    paragraphs = tuple(b.text for b in kept)
    headings = frozenset(k for k, b in enumerate(kept) if b.title)
    section = Section(paragraphs, title=paragraphs[0] if 0 in headings else None, headings=headings)
    dropped.sort(key=lambda d: d.line)
    logger.debug("%s: %d paragraphs, %d lines dropped", path, len(paragraphs), len(dropped))
    return Document(path, NAME, lang, (section,), tuple(dropped))
