"""Readers: one file format per module, each turning decoded text into a :class:`Document`.

:func:`read_document` reads a file (decoding, format and language detection, error
messages that name the file); the readers themselves are pure functions
``read(text, path, lang) -> Document`` registered by name in :data:`READERS`, so they can
be fed strings directly.

Example:
    >>> from aligner.readers import read_document
    >>> doc = read_document("data/seven-letters-1964.en.md")
    >>> doc.format, doc.lang, doc.n_paragraphs
    ('ocr_markdown', 'en', 26)
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from ..types import Document
from . import archive_json, ocr_markdown, peoples_daily, plain

__all__ = ["READERS", "detect_format", "detect_lang", "read_document"]

logger = logging.getLogger(__name__)

Reader = Callable[[str, str, str], Document]

READERS: dict[str, Reader] = {
    peoples_daily.NAME: peoples_daily.read,
    archive_json.NAME: archive_json.read,
    ocr_markdown.NAME: ocr_markdown.read,
    plain.NAME: plain.read,
}

ZH_SHARE = 0.2  # a text whose letters are at least this share CJK ideographs is Chinese

_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_MD_SIGN_RE = re.compile(r"^\s{0,3}#{1,6}\s|\*\*|^\s*\\\*\s*$|^\s*[*_-]{3,}\s*$", re.M)
_LONE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$", re.M)
_ICONV_HINT = "pass encoding=... or convert it, e.g. iconv -f GB18030 -t UTF-8"


def detect_format(text: str, path: str | os.PathLike[str] = "") -> str:
    """Guess the reader for ``text`` from its content (the path's suffix only breaks ties).

    People's Daily records contain ``〖ZW/`` fields; a JSON object (or any text in a
    ``.json`` file) is archive JSON; Markdown or OCR signs (``**``, ``#`` headings, lone
    ``\\*``, rules, two or more lone page-number lines, a ``.md`` suffix) mean OCR
    Markdown; anything else is plain text.

    Args:
        text: the decoded file content.
        path: the file's path, if any.

    Returns:
        A key of :data:`READERS`.

    Example:
        >>> detect_format("〖ZW/正文〗\\n    正文。\\n〖-ZW/正文〗")
        'peoples_daily'
        >>> detect_format("Just a line.\\nAnother line.\\n")
        'plain'
    """
    suffix = Path(str(path)).suffix.lower()
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head and head in "{[":
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return archive_json.NAME
    if "〖ZW/" in text or re.search(r"〖[A-Z]{1,6}/[^〗\n]*〗.*?〖-[A-Z]{1,6}/", text):
        return peoples_daily.NAME
    if suffix == ".json":
        return archive_json.NAME
    if suffix in (".md", ".markdown") or _MD_SIGN_RE.search(text) or len(_LONE_NUMBER_RE.findall(text)) >= 2:
        return ocr_markdown.NAME
    return plain.NAME


def detect_lang(text: str) -> str:
    """Guess the language of ``text`` from its share of CJK ideographs (local, no model).

    Args:
        text: any text.

    Returns:
        ``"zh"`` when at least :data:`ZH_SHARE` of its letters are CJK ideographs,
        ``"en"`` otherwise (also for text without letters).

    Example:
        >>> detect_lang("中共中央致苏共中央的信"), detect_lang("Dear Comrades,")
        ('zh', 'en')
    """
    return "zh" if plain.cjk_share(text) >= ZH_SHARE else "en"


def _lang_sample(text: str, fmt: str) -> str:
    """The text to detect the language on: for JSON, its string values (escapes decoded)."""
    if fmt != archive_json.NAME:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    parts = data.get("parts") if isinstance(data, dict) else None
    if isinstance(parts, list):
        return "\n".join(p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))
    return text


def _decode(raw: bytes, path: str, encoding: str | None) -> str:
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"encoding: unknown encoding {encoding!r}") from None
        name = encoding
    elif raw.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        name = "utf-16"
    else:
        name = "utf-8"
    try:
        text = raw.decode(name)
    except UnicodeDecodeError as exc:
        shown = "UTF-8" if name == "utf-8" else name
        bad = raw[exc.start]
        hint = _ICONV_HINT if encoding is None else "check the encoding= you passed"
        problem = f"not {shown} text (invalid byte 0x{bad:02x} at offset {exc.start}); {hint}"
        raise InputError(path, problem) from None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise InputError(path, f"contains NUL bytes: a binary file, or UTF-16 without a byte order mark; {_ICONV_HINT}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(
    path: str | os.PathLike[str],
    lang: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
) -> Document:
    """Read a file into a :class:`Document`.

    The bytes are decoded as UTF-8 (a byte order mark is fine) or UTF-16 with a byte order
    mark, unless ``encoding`` says otherwise; the format and language are detected from the
    content unless given.

    Args:
        path: the file to read.
        lang: language code of the text (``"zh"``, ``"en"``, ...); detected when ``None``.
        format: a key of :data:`READERS`; detected with :func:`detect_format` when ``None``.
        encoding: a Python codec name (e.g. ``"gb18030"``) to decode the file with.

    Returns:
        The document, with everything the reader removed listed in ``dropped``.

    Raises:
        InputError: the file is missing, a directory, unreadable, not decodable, empty or
            whitespace only, malformed for its format, or holds no paragraphs. The message
            names the file and the problem.
        ValueError: ``format``, ``lang`` or ``encoding`` is not valid (the message names
            the parameter and the valid values).

    Example:
        >>> doc = read_document("data/peoples-daily-1963-03-14.zh.txt")
        >>> doc.format, doc.lang, doc.sections[0].date
        ('peoples_daily', 'zh', '1963-03-14')
    """
    if format is not None and format not in READERS:
        raise ValueError(f"format: expected one of {sorted(READERS)} or None, got {format!r}")
    if lang is not None and (not isinstance(lang, str) or not _LANG_RE.fullmatch(lang)):
        raise ValueError(f"lang: expected a language code such as 'zh' or 'en', or None, got {lang!r}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path: expected a str or os.PathLike, got {type(path).__name__}")
    name = os.fspath(path)
    file = Path(name)
    if not file.exists():
        raise InputError(name, "no such file")
    if file.is_dir():
        raise InputError(name, "is a directory, not a file")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot read the file ({exc.strerror or exc})") from None
    if not raw:
        raise InputError(name, "the file is empty")
    text = _decode(raw, name, encoding)
    if not text.strip():
        raise InputError(name, "the file holds only whitespace")
    fmt = format or detect_format(text, name)
    language = lang or detect_lang(_lang_sample(text, fmt))
    doc = READERS[fmt](text, name, language)
    if doc.n_paragraphs == 0:
        raise InputError(name, f"no paragraphs found (read as {fmt})")
    logger.info(
        "%s: %s, %s, %d sections, %d paragraphs, %d lines dropped",
        name,
        fmt,
        language,
        len(doc.sections),
        doc.n_paragraphs,
        len(doc.dropped),
    )
    return doc
