"""Reader for plain text files (users' own files).

Paragraphs are either one per line, or blocks of lines separated by blank lines; the reader
decides which from the text: when the lines inside blank-line separated blocks mostly end
mid-sentence (wrapped text), a block is a paragraph, otherwise every line is one. Whitespace
is normalised; lone page numbers are dropped and recorded in :attr:`Document.dropped`.

The small text helpers at the top (CJK detection, joining wrapped lines) are shared by the
other readers of this package.
"""

from __future__ import annotations

import logging
import re

from ..types import Document, Dropped, Section

logger = logging.getLogger(__name__)

NAME = "plain"

# CJK ideographs (URO, extension A, compatibility) and the full-width punctuation that
# Chinese text uses; no space is put between two of these when wrapped lines are joined.
_CJK_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
CJK_RE = re.compile(f"[{_CJK_CHARS}]")
_CJKISH_RE = re.compile(f"[{_CJK_CHARS}{_CJK_PUNCT}]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_SPACE_RE = re.compile(r"\s+")
# A line or paragraph that ends a sentence: terminal punctuation, then closing quotes/brackets.
TERMINAL_RE = re.compile(r"[.!?;:。！？；：…][\"'”’)\]）」』》]*$")
PAGE_NUMBER_RE = re.compile(r"\d{1,3}")


def cjk_share(text: str) -> float:
    """Share of CJK ideographs among the letters (CJK + Latin) of ``text``; 0.0 if none."""
    cjk = len(CJK_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    return cjk / (cjk + latin) if cjk + latin else 0.0


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (ideographic space included) to one space and strip."""
    return _SPACE_RE.sub(" ", text).strip()


def join_lines(left: str, right: str, hyphen_words: frozenset[str] = frozenset()) -> str:
    """Join two wrapped lines of one paragraph.

    Chinese text is joined without a space; a line ending in a dash is joined without a
    space; end-of-line hyphenation is undone (``inter-`` + ``national`` -> ``international``)
    when the next line starts in lower case, unless the hyphenated word is attested in
    ``hyphen_words`` (lower-cased ``"word-word"`` forms seen elsewhere in the text). A line
    break after a hyphen followed by a capital keeps the hyphen (``Marxist-`` + ``Leninist``).

    Args:
        left: the text so far (already stripped).
        right: the next line (already stripped).
        hyphen_words: hyphenated words attested in the document, lower case.

    Returns:
        The joined text.
    """
    if not left:
        return right
    if not right:
        return left
    if _CJKISH_RE.match(left[-1]) and _CJKISH_RE.match(right[0]):
        return left + right
    if left.endswith(("—", "–")):
        return left + right
    m = re.search(r"(\w+)-$", left)
    if m:
        tail = re.match(r"\w+", right)
        if left[-2].isalpha() and right[0].islower() and tail:
            if f"{m.group(1)}-{tail.group(0)}".lower() in hyphen_words:
                return left + right
            return left[:-1] + right
        return left + right
    return f"{left} {right}"


def _blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Blank-line separated blocks of ``(1-based line number, stripped line)``."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped:
            current.append((number, stripped))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _wrapped(blocks: list[list[tuple[int, str]]]) -> bool:
    """Whether multi-line blocks hold wrapped paragraphs (lines ending mid-sentence)."""
    inner = [line for block in blocks if len(block) > 1 for _, line in block[:-1]]
    if not inner or len(blocks) < 2:
        return False
    open_ended = sum(1 for line in inner if not TERMINAL_RE.search(line))
    return open_ended > len(inner) / 2


def read(text: str, path: str, lang: str) -> Document:
    """Read a plain text file: one paragraph per line, or blank-line separated paragraphs.

    Args:
        text: the decoded file content.
        path: the file's path (recorded in the document and in error messages).
        lang: language code of the text.

    Returns:
        A :class:`Document` with one section.

    Example:
        >>> doc = read("First paragraph.\\nSecond one.\\n", "x.txt", "en")
        >>> doc.sections[0].paragraphs
        ('First paragraph.', 'Second one.')
    """
    blocks = _blocks(text.split("\n"))
    by_block = _wrapped(blocks)
    logger.debug("%s: %d blocks, one paragraph per %s", path, len(blocks), "block" if by_block else "line")
    paragraphs: list[str] = []
    dropped: list[Dropped] = []
    for block in blocks:
        units = [block] if by_block else [[line] for line in block]
        for unit in units:
            kept = []
            for number, line in unit:
                if PAGE_NUMBER_RE.fullmatch(line):
                    dropped.append(Dropped(line, "page number", number))
                else:
                    kept.append(normalize_space(line))
            joined = ""
            for line in kept:
                joined = join_lines(joined, line)
            if joined:
                paragraphs.append(joined)
    return Document(path, NAME, lang, (Section(tuple(paragraphs)),), tuple(dropped))
