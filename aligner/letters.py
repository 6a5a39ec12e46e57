"""Letters: split a document into letters, read their dates and parties, pair them zh↔en.

A letter opens with a heading (``中共中央致苏共中央的信…``, ``中共中央一九六四年五月七日给苏共中央的
信…``, ``LETTER OF THE CENTRAL COMMITTEE OF THE CPC OF MAY 7, 1964 TO …``, ``Letter from … to
…``) or, when it has none, right after the closing of the letter before it (greeting or
signature, then a date line such as ``一九六三年二月二十一日，莫斯科``). Paragraphs before the
first letter of a section are its front matter (``kind="front"``); a section with no
recognisable letter is one letter holding all its paragraphs. Closing formulas, salutations,
signatures and date lines stay in their letter: every paragraph of the document ends up in
exactly one :class:`~aligner.types.Letter`.

Senders and recipients are normalised with :data:`PARTY_ALIASES` (``中共中央`` / ``CPC`` ->
``"CPC"``); unknown ones are kept as written.

Example:
    >>> from aligner.readers import read_document
    >>> letters = split_letters(read_document("data/peoples-daily-1963-03-14.zh.txt"))
    >>> [lt.label for lt in letters]
    ['CPC→CPSU 1963-03-09', 'CPSU→CPC 1963-02-21']
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .types import Document, Letter, LetterPair, PairMethod, Section

__all__ = [
    "PARTY_ALIASES",
    "normalize_party",
    "pair_letters",
    "parse_en_date",
    "parse_zh_date",
    "split_letters",
]

logger = logging.getLogger(__name__)

# Canonical party name -> the ways documents write it (Chinese aliases match as substrings,
# others as whole words, case-insensitively). Add a row to recognise another party.
PARTY_ALIASES: dict[str, tuple[str, ...]] = {
    "CPC": (
        "中共中央",
        "中国共产党中央委员会",
        "中国共产党",
        "中共",
        "CPC",
        "C.P.C.",
        "Communist Party of China",
        "Chinese Communist Party",
    ),
    "CPSU": (
        "苏共中央",
        "苏联共产党中央委员会",
        "苏联共产党",
        "苏共",
        "CPSU",
        "C.P.S.U.",
        "Communist Party of the Soviet Union",
        "Soviet Communist Party",
    ),
}

SIMILARITY_THRESHOLD = 0.5  # lowest similarity at which two undated letters are paired
DATE_SCORE = 0.9  # score of a pair made by date alone
ORDER_SCORE = 0.3  # score of the single-letter-per-side fallback pair
FRONT_SCORE = 1.0  # score of front matter paired with front matter

_CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# ---------------------------------------------------------------------------------- dates

_ZH_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
_ZH_DIGIT = "〇○零一二三四五六七八九0-9０-９"
_ZH_NUM = _ZH_DIGIT + "十"
_ZH_DATE = (
    rf"(?:(?P<year>[{_ZH_DIGIT}]{{4}})\s*年\s*)?"
    rf"(?P<month>[{_ZH_NUM}]{{1,3}})\s*月\s*(?P<day>[{_ZH_NUM}]{{1,3}})\s*[日号]"
)
_ZH_DATE_RE = re.compile(_ZH_DATE)

_MONTHS = {
    name: k
    for k, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_EN_MDY = rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<year>\d{{4}})(?!\d))?"
_EN_DMY = rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}})(?!\d))?"
_EN_ISO = r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"
_EN_DATE_RES = tuple(re.compile(p, re.I) for p in (_EN_MDY, _EN_DMY, _EN_ISO))
# A day number next to another one ("February 20, 27 and 29", "14-15", "6 and 7 May") is a list.
_LIST_AFTER_RE = re.compile(r"\s*(?:,|and\b|&|-|–|—)\s*\d")
_LIST_BEFORE_RE = re.compile(r"\d\s*(?:,|and|&|-|–|—)\s*$")


def _zh_int(text: str) -> int | None:
    """``"二十九"`` -> 29, ``"十一"`` -> 11, ``"一九六三"`` -> 1963, ``"9"`` -> 9."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return (_ZH_DIGITS.get(tens, -100) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, -100) if ones else 0)
    value = 0
    for char in text:
        if char not in _ZH_DIGITS:
            return None
        value = value * 10 + _ZH_DIGITS[char]
    return value


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _zh_dates(text: str, year: int | None) -> Iterator[tuple[str, int, int]]:
    for m in _ZH_DATE_RE.finditer(text):
        y = _zh_int(m.group("year")) if m.group("year") else year
        iso = _iso(y, _zh_int(m.group("month")), _zh_int(m.group("day")))
        if iso:
            yield iso, m.start(), m.end()


def _en_dates(text: str, year: int | None) -> Iterator[tuple[str, int, int]]:
    found = []
    for pattern in _EN_DATE_RES:
        for m in pattern.finditer(text):
            month = m.group("month")
            number = int(month) if month.isdigit() else _MONTHS[month.lower().rstrip(".")]
            if not m.group("year") and _LIST_AFTER_RE.match(text, m.end()):
                continue
            if pattern is not _EN_DATE_RES[2] and _LIST_BEFORE_RE.search(text[: m.start()]):
                continue
            y = int(m.group("year")) if m.group("year") else year
            iso = _iso(y, number, int(m.group("day")))
            if iso:
                found.append((m.start(), iso, m.end()))
    for start, iso, end in sorted(found):
        yield iso, start, end


def parse_zh_date(text: str, year: int | None = None) -> str | None:
    """Return the first complete Chinese date in ``text`` as ISO ``YYYY-MM-DD``.

    Understands Chinese numerals (``一九六三年三月九日``, ``一九六○年``, ``二十九日``) and
    Arabic digits (``1963年3月9日``). A date without a year (``二月二十日``) takes ``year``
    from the context; without it, it is skipped.

    Args:
        text: any text.
        year: the year to assume for dates written without one.

    Returns:
        The ISO date, or ``None`` when ``text`` holds no valid complete date.

    Example:
        >>> parse_zh_date("一九六三年二月二十一日，莫斯科"), parse_zh_date("二月二十日", year=1964)
        ('1963-02-21', '1964-02-20')
    """
    return next((iso for iso, _, _ in _zh_dates(text, year)), None)


def parse_en_date(text: str, year: int | None = None) -> str | None:
    """Return the first complete English date in ``text`` as ISO ``YYYY-MM-DD``.

    Understands ``May 7, 1964``, ``7 May 1964``, ``Sept. 3, 1964``, upper case and ISO
    ``1964-05-07``. A list of days (``February 20, 27 and 29``) or a range (``February
    14-15``) is not one date and is skipped. A date without a year takes ``year``.

    Args:
        text: any text.
        year: the year to assume for dates written without one.

    Returns:
        The ISO date, or ``None`` when ``text`` holds no valid complete date.

    Example:
        >>> parse_en_date("OF MAY 7, 1964 TO"), parse_en_date("February 20, 27 and 29, 1964")
        ('1964-05-07', None)
    """
    return next((iso for iso, _, _ in _en_dates(text, year)), None)


def _dates(text: str, year: int | None) -> Iterator[tuple[str, int, int]]:
    return _zh_dates(text, year) if _CJK_RE.search(text) else _en_dates(text, year)


# ---------------------------------------------------------------------------------- parties


def normalize_party(name: str) -> str:
    """Map a party or committee name to its canonical form via :data:`PARTY_ALIASES`.

    The alias found earliest in ``name`` wins (the longest on ties); a name with no known
    alias is returned as written, whitespace normalised.

    Args:
        name: a sender or recipient as written, e.g. ``"THE CENTRAL COMMITTEE OF THE CPC"``.

    Returns:
        ``"CPC"``, ``"CPSU"``, ... or ``name`` itself.

    Example:
        >>> normalize_party("苏联共产党中央委员会"), normalize_party("the Central Committee of the CPC")
        ('CPSU', 'CPC')
        >>> normalize_party("Workers' Party of Korea")
        "Workers' Party of Korea"
    """
    text = " ".join(name.split()).strip(" ,.:;，。：；")
    best: tuple[int, int, str] | None = None
    for canonical, aliases in PARTY_ALIASES.items():
        for alias in aliases:
            if _CJK_RE.search(alias):
                pos = text.find(alias)
            else:
                m = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text, re.I)
                pos = m.start() if m else -1
            if pos >= 0 and (best is None or (pos, -len(alias)) < best[:2]):
                best = (pos, -len(alias), canonical)
    return best[2] if best else text


# ---------------------------------------------------------------------------------- headings

_ZH_NAME = r"[^\s，。：；！？、“”‘’（）《》,.:;!?()]{1,30}?"
_ZH_DATE_PLAIN = re.sub(r"\?P<\w+>", "?:", _ZH_DATE)  # the same pattern without named groups
_ZH_HEADING_RE = re.compile(
    rf"(?P<sender>{_ZH_NAME})(?P<date>{_ZH_DATE_PLAIN})?(?:致|给)(?P<recipient>{_ZH_NAME})的(?:复信|回信|信件|信)"
)
_ZH_PRONOUN_RE = re.compile("[你我他她]们?|这|那")
_EN_HEADING_RE = re.compile(
    r"(?:letter|reply|message)\s+(?:of|from)\s+(?P<sender>.+?)\s+to\s+(?P<recipient>.+?)\s*[.:]?", re.I | re.S
)
_EN_SENTENCE_BREAK_RE = re.compile(r"[.!?]\s+[A-Z]")
_ZH_GREETING_RE = re.compile(r"敬礼|此致|致以")
_EN_GREETING_RE = re.compile(
    r"(?:with\s+)?(?:(?:fraternal|communist|comradely|warm|warmest|best|revolutionary)\s+)+greetings"
    r"|yours\b|sincerely\b|greetings[,.!]?$",
    re.I,
)
_END_PUNCT_RE = re.compile(r"[。.!?！？；;，,]$")
_SALUTATION_RE = re.compile(r"亲爱的|敬爱的|.{0,12}同志们?[：:！!，,]?$|(?:my\s+)?dear\b", re.I)


@dataclass(frozen=True)
class _Heading:
    title: str
    sender: str | None
    recipient: str | None
    date: str | None


def _parse_heading(text: str, year: int | None) -> _Heading | None:
    """The letter heading at the start of paragraph ``text``, or None."""
    if _CJK_RE.search(text):
        m = _ZH_HEADING_RE.match(text)
        if not m or len(text) > 120 or "。" in text or _ZH_PRONOUN_RE.search(m.group("sender")):
            return None
        date = parse_zh_date(m.group("date"), year) if m.group("date") else None
        sender, recipient = normalize_party(m.group("sender")), normalize_party(m.group("recipient"))
        return _Heading(m.group(0), sender, recipient, date)
    m = _EN_HEADING_RE.fullmatch(text)
    if not m or len(text) > 250 or _EN_SENTENCE_BREAK_RE.search(text):
        return None
    date = parse_en_date(text, year)
    strip_date = [(s, e) for _, s, e in _en_dates(text, year)]

    def party(group: str) -> str:
        start, end = m.span(group)
        part = text[start:end]
        for s, e in reversed(strip_date):
            if start <= s and e <= end:
                part = part[: s - start] + part[e - start :]
        part = re.sub(r"(?:,|\s)+(?:of|dated|on)?\s*$", "", part, flags=re.I)
        return normalize_party(part)

    return _Heading(text.strip(), party("sender"), party("recipient"), date)


def _is_date_line(text: str, year: int | None) -> str | None:
    """The date of a paragraph that is only a date (with an optional place), else None."""
    if len(text) > 40:
        return None
    for iso, start, end in _dates(text, year):
        rest = (text[:start] + " " + text[end:]).strip(" ,，.。、")
        if _CJK_RE.search(text) and len(rest) <= 10 and "。" not in rest:
            return iso
        if not _CJK_RE.search(text) and len(rest.split()) <= 3:
            return iso
        return None
    return None


def _is_greeting(text: str) -> bool:
    if _CJK_RE.search(text):
        return (len(text) <= 30 and bool(_ZH_GREETING_RE.search(text))) or text.endswith(("此致", "致以"))
    return len(text) <= 60 and bool(_EN_GREETING_RE.match(text))


def _is_signature(text: str, year: int | None) -> bool:
    return len(text) <= 60 and not _END_PUNCT_RE.search(text) and _is_date_line(text, year) is None


# ---------------------------------------------------------------------------------- splitting


def _year(section: Section) -> int | None:
    return int(section.date[:4]) if section.date else None


def _closes(paragraphs: Sequence[str], i: int, headings: dict[int, _Heading], year: int | None) -> bool:
    """Whether paragraph ``i`` is the date line that ends a letter's closing."""
    if i < 1 or i - 1 in headings or _is_date_line(paragraphs[i], year) is None:
        return False
    before = paragraphs[i - 1]
    return _is_greeting(before) or _is_signature(before, year)


def _closing_date(paragraphs: Sequence[str], year: int | None) -> tuple[int, str] | None:
    """Index and date of the closing date line among a letter's last four paragraphs."""
    for k in range(len(paragraphs) - 1, max(len(paragraphs) - 5, 0), -1):
        iso = _is_date_line(paragraphs[k], year)
        if iso:
            return k, iso
    return None


def _letter(
    doc: Document,
    index: int,
    section: Section,
    start: int,
    end: int,
    heading: _Heading | None,
    titles: list[_Heading],
) -> Letter:
    """The Letter of paragraphs ``start:end`` of a section, with its metadata."""
    paragraphs = section.paragraphs[start:end]
    year = int(heading.date[:4]) if heading and heading.date else _year(section)
    sender = recipient = date = title = None
    if heading:
        title, sender, recipient, date = heading.title, heading.sender, heading.recipient, heading.date
    closing = _closing_date(paragraphs, year)
    if date is None and closing:
        date = closing[1]
    if date is None:  # English editions put the date line right under the heading
        date = next((d for p in paragraphs[1:4] if (d := _is_date_line(p, year))), None)
    if sender is None and closing and closing[0] > 0:
        signature = paragraphs[closing[0] - 1]
        if _is_signature(signature, year) and not _is_greeting(signature):
            sender = normalize_party(signature)
    if recipient is None and not heading and len(paragraphs) > 1:
        first = paragraphs[0]  # the addressee line, when a salutation follows it
        if _is_signature(first, year) and not _is_greeting(first) and _SALUTATION_RE.match(paragraphs[1]):
            recipient = normalize_party(first)
    if title is None:
        title = next((t.title for t in titles if (t.sender, t.recipient) == (sender, recipient)), None)
        titles[:] = [t for t in titles if t.title != title]
    return Letter(
        lang=doc.lang,
        paragraphs=paragraphs,
        sender=sender,
        recipient=recipient,
        date=date,
        title=title,
        kind="letter",
        source=doc.path,
        section=index,
        start=start,
    )


def _split_section(doc: Document, index: int, section: Section) -> list[Letter]:
    paragraphs = section.paragraphs
    if not paragraphs:
        return []
    year = _year(section)
    headings = {k: h for k, p in enumerate(paragraphs) if (h := _parse_heading(p, year))}
    starts = set(headings)
    for k in range(len(paragraphs) - 1):
        if _closes(paragraphs, k, headings, year):
            starts.add(k + 1)
    # Titles of the record (a People's Daily subtitle lists its letters) name letters
    # that have no heading of their own.
    titles = [
        _Heading(m.group(0), normalize_party(m.group("sender")), normalize_party(m.group("recipient")), None)
        for text in (section.title, section.subtitle)
        if text
        for m in _ZH_HEADING_RE.finditer(text)
    ]
    titles = [t for t in titles if t.title not in {h.title for h in headings.values()}]
    if not starts:
        return [_letter(doc, index, section, 0, len(paragraphs), None, titles)]
    bounds = sorted(starts)
    letters: list[Letter] = []
    if bounds[0] > 0:
        lead = paragraphs[: bounds[0]]
        if _closes(paragraphs, bounds[0] - 1, headings, year):  # a letter without a heading
            letters.append(_letter(doc, index, section, 0, bounds[0], None, titles))
        else:
            letters.append(Letter(doc.lang, lead, kind="front", source=doc.path, section=index))
    for start, end in zip(bounds, bounds[1:] + [len(paragraphs)], strict=True):
        letters.append(_letter(doc, index, section, start, end, headings.get(start), titles))
    return letters


def split_letters(doc: Document) -> list[Letter]:
    """Split a document into its letters (and the front matter before the first one).

    Each section is split on its own: a letter starts at a letter heading, or after the
    closing date line of the letter before it. Paragraphs before the first letter form a
    ``kind="front"`` letter; a section without any recognisable letter becomes one letter
    holding all its paragraphs. Sender and recipient come from the heading (else from the
    signature above the closing date and the addressee line), the date from the heading
    (else from the closing date line, else from a date line just below the heading).

    Args:
        doc: a document from :func:`aligner.readers.read_document`.

    Returns:
        The letters in document order; together they hold every paragraph of ``doc``
        exactly once, in order.

    Raises:
        TypeError: ``doc`` is not a :class:`~aligner.types.Document`.
        InputError: the document has no paragraphs.

    Example:
        >>> from aligner.types import Document, Section
        >>> doc = Document("x", "plain", "en", (Section(("LETTER OF THE CPC OF MAY 7, 1964 TO THE CPSU",
        ...                                               "Dear Comrades,", "Text.")),))
        >>> [(lt.kind, lt.sender, lt.recipient, lt.date) for lt in split_letters(doc)]
        [('letter', 'CPC', 'CPSU', '1964-05-07')]
    """
    if not isinstance(doc, Document):
        raise TypeError(f"doc: expected a Document, got {type(doc).__name__}")
    if doc.n_paragraphs == 0:
        raise InputError(doc.path, "the document has no paragraphs to split into letters")
    letters = [lt for k, section in enumerate(doc.sections) for lt in _split_section(doc, k, section)]
    logger.debug("%s: %s", doc.path, [lt.label for lt in letters])
    return letters


# ---------------------------------------------------------------------------------- pairing

Similarity = Callable[[Sequence[Letter], Sequence[Letter]], Any]


def _compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _check_letters(name: str, letters: Sequence[Letter]) -> list[Letter]:
    out = list(letters)
    for k, letter in enumerate(out):
        if not isinstance(letter, Letter):
            raise TypeError(f"{name}[{k}]: expected a Letter, got {type(letter).__name__}")
    return out


def pair_letters(
    zh: Sequence[Letter],
    en: Sequence[Letter],
    similarity: Similarity | None = None,
    *,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[LetterPair]:
    """Pair Chinese letters with their English counterparts.

    In turn: front matter with front matter (method ``"order"``, score 1.0); letters with
    the same date and sender (``"date+sender"``, 1.0; a matching recipient is preferred);
    letters with the same date whose senders and recipients do not contradict (``"date"``,
    0.9). The rest, if ``similarity`` is given, pair by mutual best similarity of at least
    ``threshold`` (``"similarity"``, score = the similarity). Without ``similarity``, when
    each side has a single letter and both are still unpaired, and neither their dates nor
    their senders contradict, they pair by ``"order"`` with a low score (0.3). Everything
    left over is reported as ``LetterPair(zh, None, "unpaired", 0.0)`` or
    ``LetterPair(None, en, "unpaired", 0.0)``, never dropped.

    Args:
        zh: the Chinese letters, in document order (from :func:`split_letters`).
        en: the English letters, in document order.
        similarity: optional ``(zh_letters, en_letters) -> array`` of shape
            ``(len(zh_letters), len(en_letters))``, called once with the still unpaired
            letters (``kind="letter"``) of each side; higher is more similar.
        threshold: the lowest similarity that may pair two letters, in [0, 1].

    Returns:
        The pairs in Chinese document order; unpaired English letters are inserted before
        the first pair whose English letter comes after them (at the end if none).

    Raises:
        TypeError: an item is not a Letter, or ``similarity`` is not callable.
        ValueError: ``threshold`` is out of range, or ``similarity`` returned a wrong shape.

    Example:
        >>> a = Letter("zh", ("信",), sender="CPC", date="1964-05-07")
        >>> b = Letter("en", ("Letter",), sender="CPC", date="1964-05-07")
        >>> [(p.method, p.score) for p in pair_letters([a], [b])]
        [('date+sender', 1.0)]
    """
    zh, en = _check_letters("zh", zh), _check_letters("en", en)
    if similarity is not None and not callable(similarity):
        raise TypeError(f"similarity: expected a callable or None, got {type(similarity).__name__}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold: expected a number in [0, 1], got {threshold!r}")
    match: dict[int, tuple[int, PairMethod, float]] = {}  # zh index -> (en index, method, score)
    used: set[int] = set()

    def link(i: int, j: int, method: PairMethod, score: float) -> None:
        match[i] = (j, method, score)
        used.add(j)

    def free(side: list[Letter], kind: str, taken: Any) -> list[int]:
        return [k for k, lt in enumerate(side) if lt.kind == kind and k not in taken]

    for i, j in zip(free(zh, "front", match), free(en, "front", used), strict=False):
        link(i, j, "order", FRONT_SCORE)
    for i in free(zh, "letter", match):
        a = zh[i]
        if a.date and a.sender:
            cands = [j for j in free(en, "letter", used) if (en[j].date, en[j].sender) == (a.date, a.sender)]
            cands.sort(key=lambda j: (not _compatible(a.recipient, en[j].recipient), j))
            if cands:
                link(i, cands[0], "date+sender", 1.0)
    for i in free(zh, "letter", match):
        a = zh[i]
        cands = [
            j
            for j in free(en, "letter", used)
            if a.date
            and en[j].date == a.date
            and _compatible(a.sender, en[j].sender)
            and _compatible(a.recipient, en[j].recipient)
        ]
        if cands:
            link(i, cands[0], "date", DATE_SCORE)

    rest_zh, rest_en = free(zh, "letter", match), free(en, "letter", used)
    if similarity is not None and rest_zh and rest_en:
        _pair_by_similarity(zh, en, rest_zh, rest_en, similarity, threshold, link)
    elif similarity is None and len(rest_zh) == len(rest_en) == 1:
        a, b = zh[rest_zh[0]], en[rest_en[0]]
        singles = sum(lt.kind == "letter" for lt in zh) == sum(lt.kind == "letter" for lt in en) == 1
        if singles and _compatible(a.date, b.date) and _compatible(a.sender, b.sender):
            link(rest_zh[0], rest_en[0], "order", ORDER_SCORE)

    pairs: list[tuple[int | None, LetterPair]] = []
    for i, letter in enumerate(zh):
        if i in match:
            j, method, score = match[i]
            pairs.append((j, LetterPair(letter, en[j], method, score)))
        else:
            pairs.append((None, LetterPair(letter, None, "unpaired", 0.0)))
    for j, letter in enumerate(en):
        if j in used:
            continue
        at = next((k for k, (e, _) in enumerate(pairs) if e is not None and e > j), len(pairs))
        pairs.insert(at, (j, LetterPair(None, letter, "unpaired", 0.0)))
    result = [p for _, p in pairs]
    logger.debug("pairs: %s", [(p.zh and p.zh.label, p.en and p.en.label, p.method) for p in result])
    return result


def _pair_by_similarity(
    zh: list[Letter],
    en: list[Letter],
    rest_zh: list[int],
    rest_en: list[int],
    similarity: Similarity,
    threshold: float,
    link: Callable[[int, int, PairMethod, float], None],
) -> None:
    import numpy as np  # only needed here; keeps importing this module light

    matrix = np.asarray(similarity([zh[i] for i in rest_zh], [en[j] for j in rest_en]), dtype=np.float64)
    if matrix.shape != (len(rest_zh), len(rest_en)):
        raise ValueError(
            f"similarity: expected a {len(rest_zh)}x{len(rest_en)} matrix (zh x en), got shape {matrix.shape}"
        )
    matrix = np.where(np.isfinite(matrix), matrix, -np.inf)
    row_best = matrix.argmax(axis=1)
    col_best = matrix.argmax(axis=0)
    for a, b in enumerate(row_best):
        score = float(matrix[a, b])
        if col_best[b] == a and score >= threshold and score > 0.0:
            link(rest_zh[a], rest_en[b], "similarity", min(score, 1.0))
