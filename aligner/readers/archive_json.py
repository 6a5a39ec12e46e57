"""Reader for the archive JSON format (one article per file, text in ``parts``).

The format (see ``data/README.md``)::

    {"title": "...", "authors": [], "dates": [{"year": 1964, "month": 5, "day": 9}],
     "parts": [{"type": "paragraph", "text": "..."}, ...], "comments": [], ...}

Every part with text becomes one paragraph, verbatim apart from surrounding whitespace;
parts of a heading type (``title``, ``subtitle``) are also listed in
:attr:`Section.headings`. Parts without text are recorded in :attr:`Document.dropped`, so
nothing of the parts is lost. ``title`` and the first full date become the section's title
and date; other scalar top-level values go to :attr:`Section.meta`, the rest is ignored.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from ..errors import InputError
from ..types import Document, Dropped, Section

logger = logging.getLogger(__name__)

NAME = "archive_json"

HEADING_TYPES = frozenset({"title", "subtitle", "heading"})


def _date(value: Any) -> str | None:
    """``{"year": 1964, "month": 5, "day": 9}`` -> ``"1964-05-09"``; None when incomplete."""
    if not isinstance(value, dict):
        return None
    try:
        return datetime.date(int(value["year"]), int(value["month"]), int(value["day"])).isoformat()
    except (KeyError, TypeError, ValueError):
        return None


def read(text: str, path: str, lang: str) -> Document:
    """Read an archive JSON article.

    Args:
        text: the decoded file content.
        path: the file's path (recorded in the document and in error messages).
        lang: language code of the text.

    Returns:
        A :class:`Document` with one section.

    Raises:
        InputError: the JSON does not parse, is not an object, or has no ``parts`` list.

    Example:
        >>> doc = read('{"title": "T", "parts": [{"type": "paragraph", "text": "一。"}]}', "x.json", "zh")
        >>> doc.sections[0].title, doc.sections[0].paragraphs
        ('T', ('一。',))
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"JSON does not parse: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise InputError(path, problem) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InputError(path, f'expected a JSON object with a "parts" list, got a JSON {kind}')
    parts = data.get("parts")
    if not isinstance(parts, list):
        expected = '{"parts": [{"type": "paragraph", "text": ...}, ...]}'
        raise InputError(path, f'JSON has no "parts" list (expected {expected})')

    paragraphs: list[str] = []
    headings: set[int] = set()
    dropped: list[Dropped] = []
    for k, part in enumerate(parts):
        kind = part.get("type", "") if isinstance(part, dict) else ""
        body = part.get("text") if isinstance(part, dict) else part
        if isinstance(body, str) and body.strip():
            if kind in HEADING_TYPES:
                headings.add(len(paragraphs))
            paragraphs.append(body.strip())
        else:
            shown = body if isinstance(body, str) else json.dumps(part, ensure_ascii=False)
            dropped.append(Dropped(shown, f"part {k} (type {kind or '?'!s}) has no text", 0))

    title = data.get("title")
    title = title.strip() or None if isinstance(title, str) else None
    raw_dates = data.get("dates") if isinstance(data.get("dates"), list) else []
    dates = [d for d in map(_date, raw_dates) if d]
    meta = [("date", d) for d in dates[1:]]
    for key, value in data.items():
        if key in ("title", "dates", "parts"):
            continue
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
            meta.append((key, str(value)))
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            meta.append((key, "、".join(value)))
    section = Section(
        tuple(paragraphs),
        title=title,
        date=dates[0] if dates else None,
        headings=frozenset(headings),
        meta=tuple(meta),
    )
    logger.debug("%s: %d parts, %d paragraphs", path, len(parts), len(paragraphs))
    return Document(path, NAME, lang, (section,), tuple(dropped))
