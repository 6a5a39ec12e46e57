"""Reader for the People's Daily record format (〖XX/名〗value〖-XX/名〗 fields).

A record is a run of fields such as::

    〖RQ/日期〗19630314〖-RQ/日期〗
    〖BT/标题〗中苏两党为举行双边会谈交换的信件〖-BT/标题〗
    〖ZW/正文〗
        first paragraph
        second paragraph
    〖-ZW/正文〗

``RQ`` becomes :attr:`Section.date`, ``BT`` the title, ``FT`` the subtitle, ``ZW`` the body
(one paragraph per indented line; an unindented line continues the paragraph above), and
every other field goes to :attr:`Section.meta` as ``("ZQ/总期", "2066")``. A file may hold
several records: a field code that repeats within the current record starts the next one.
Text outside any field is recorded in :attr:`Document.dropped`.
"""

from __future__ import annotations

import bisect
import datetime
import logging
import re

from ..errors import InputError
from ..types import Document, Dropped, Section
from .plain import join_lines, normalize_space

logger = logging.getLogger(__name__)

NAME = "peoples_daily"

_OPEN_RE = re.compile(r"〖([A-Z]{1,6})/([^〗\n]*)〗")
_INDENT_RE = re.compile(r"^[ \t\u3000\u00a0]")

Field = tuple[str, str, str, int]  # (code, name, value, offset of the value in the text)


def _line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset, given the offsets of line starts."""
    return bisect.bisect_right(starts, offset)


def _fields(text: str, path: str, starts: list[int], dropped: list[Dropped]) -> list[Field]:
    opens = list(_OPEN_RE.finditer(text))
    if not opens:
        raise InputError(path, "no People's Daily record fields (〖XX/名〗…〖-XX/名〗) found")
    fields: list[Field] = []
    pos = 0
    for k, m in enumerate(opens):
        if m.start() < pos:  # an opening tag inside the previous field's value: not a field
            continue
        _outside(text, pos, m.start(), starts, dropped)
        code, name = m.group(1), m.group(2)
        nxt = next((o.start() for o in opens[k + 1 :] if o.start() >= m.end()), len(text))
        close = text.find(f"〖-{code}/", m.end())
        if close != -1 and close <= nxt:
            end = text.find("〗", close)
            pos = len(text) if end == -1 else end + 1
        else:
            line = _line_of(starts, m.start())
            logger.warning("%s:%d: field 〖%s/%s〗 is not closed", path, line, code, name)
            close, pos = nxt, nxt
        fields.append((code, name, text[m.end() : close], m.end()))
    _outside(text, pos, len(text), starts, dropped)
    return fields


def _outside(text: str, start: int, end: int, starts: list[int], dropped: list[Dropped]) -> None:
    """Record every non-blank line of ``text[start:end]`` (text between fields) as dropped."""
    offset = start
    for line in text[start:end].split("\n"):
        if line.strip():
            dropped.append(Dropped(line.strip(), "text outside a record field", _line_of(starts, offset)))
        offset += len(line) + 1


def _body(value: str) -> list[str]:
    """Paragraphs of a ZW field: one per indented line (or per line when none is indented)."""
    lines = [line for line in value.split("\n") if line.strip()]
    indented = any(_INDENT_RE.match(line) for line in lines)
    paragraphs: list[str] = []
    for line in lines:
        clean = normalize_space(line)
        if paragraphs and indented and not _INDENT_RE.match(line):
            paragraphs[-1] = join_lines(paragraphs[-1], clean)
        else:
            paragraphs.append(clean)
    return paragraphs


def _iso_date(value: str) -> str | None:
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _section(fields: list[Field]) -> Section:
    paragraphs: list[str] = []
    title = subtitle = date = None
    meta: list[tuple[str, str]] = []
    for code, name, value, _ in fields:
        clean = normalize_space(value)
        if code == "ZW":
            paragraphs.extend(_body(value))
        elif code == "BT" and title is None:
            title = clean
        elif code == "FT" and subtitle is None:
            subtitle = clean
        elif code == "RQ" and date is None and _iso_date(clean):
            date = _iso_date(clean)
        else:
            meta.append((f"{code}/{name}", clean))
    return Section(tuple(paragraphs), title=title, subtitle=subtitle, date=date, meta=tuple(meta))


def read(text: str, path: str, lang: str) -> Document:
    """Read one or more People's Daily records.

    Args:
        text: the decoded file content.
        path: the file's path (recorded in the document and in error messages).
        lang: language code of the text.

    Returns:
        A :class:`Document` with one section per record.

    Raises:
        InputError: the text holds no 〖XX/名〗 field at all.

    Example:
        >>> text = "〖RQ/日期〗19630314〖-RQ/日期〗〖ZW/正文〗\\n    第一段。\\n〖-ZW/正文〗"
        >>> doc = read(text, "x.txt", "zh")
        >>> doc.sections[0].date, doc.sections[0].paragraphs
        ('1963-03-14', ('第一段。',))
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    dropped: list[Dropped] = []
    records: list[list[Field]] = []
    for field in _fields(text, path, starts, dropped):
        if not records or field[0] in {f[0] for f in records[-1]}:
            records.append([])
        records[-1].append(field)
    sections = tuple(_section(record) for record in records)
    logger.debug("%s: %d records", path, len(sections))
    return Document(path, NAME, lang, sections, tuple(dropped))
