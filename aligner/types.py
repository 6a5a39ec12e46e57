"""Plain, frozen dataclasses passed between the pipeline stages.

Data flows one way::

    readers -> Document -> letters -> Letter, LetterPair -> segment -> Unit
            -> align -> Bead -> LetterAlignment -> AlignmentResult -> export / evaluate

Each stage knows only the dataclasses of the stage before it, never file formats.
Index conventions: every index is 0-based; a bead's ``src`` indexes the Chinese units
and ``tgt`` the English units of the same :class:`LetterAlignment` (Chinese first,
like every alignment in this project).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["paragraph", "sentence"]
LEVELS: tuple[str, ...] = ("paragraph", "sentence")


@dataclass(frozen=True)
class Dropped:
    """A piece of source text a reader removed on purpose, kept so nothing is lost silently.

    Attributes:
        text: the removed text, verbatim.
        reason: why it was removed, e.g. ``"page number"``, ``"contents list"``.
        line: 1-based line number in the source file (0 when the format has no lines).
    """

    text: str
    reason: str
    line: int = 0


@dataclass(frozen=True)
class Section:
    """One record or article of a source file (a file may hold several).

    Attributes:
        paragraphs: body paragraphs in reading order, cleaned (no page numbers, no
            hyphenation at line ends, no Markdown emphasis), never empty strings.
        title: the record's title (People's Daily 〖BT〗, archive ``title``), if any.
        subtitle: the record's subtitle (〖FT〗), if any.
        date: the record's publication date as ISO ``YYYY-MM-DD``, if known.
        headings: indices into ``paragraphs`` that the source marked as headings
            (Markdown ``#`` or a bold block); a hint for the letter splitter.
        meta: other fields of the record as ``(key, value)`` pairs, in source order.
    """

    paragraphs: tuple[str, ...]
    title: str | None = None
    subtitle: str | None = None
    date: str | None = None
    headings: frozenset[int] = frozenset()
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Document:
    """What a reader returns for one file.

    Attributes:
        path: the file the document was read from (as given by the caller).
        format: the reader's name, e.g. ``"peoples_daily"``, ``"archive_json"``.
        lang: language code of the text (``"zh"`` or ``"en"``; others allowed).
        sections: the records of the file, in order.
        dropped: everything the reader removed, with reasons.
    """

    path: str
    format: str
    lang: str
    sections: tuple[Section, ...]
    dropped: tuple[Dropped, ...] = ()

    @property
    def n_paragraphs(self) -> int:
        """Total number of paragraphs over all sections."""
        return sum(len(s.paragraphs) for s in self.sections)


LetterKind = Literal["letter", "front"]


@dataclass(frozen=True)
class Letter:
    """One letter (or the front matter before the first letter) of a document.

    Attributes:
        lang: language code of the text.
        paragraphs: the letter's paragraphs, heading, salutation and closing formulas
            (此致 / 敬礼 / signature / date) included, in reading order.
        sender: normalised sender, e.g. ``"CPC"`` or ``"CPSU"`` when recognised,
            otherwise the sender as written; ``None`` when unknown.
        recipient: normalised recipient, same conventions as ``sender``.
        date: the letter's own date as ISO ``YYYY-MM-DD`` (not the publication date).
        title: the letter's heading as written, if any.
        kind: ``"letter"``, or ``"front"`` for a publisher's note / title before the
            first letter.
        source: path of the document the letter comes from.
        section: index of the section in that document.
        start: index of the letter's first paragraph within the section.
    """

    lang: str
    paragraphs: tuple[str, ...]
    sender: str | None = None
    recipient: str | None = None
    date: str | None = None
    title: str | None = None
    kind: LetterKind = "letter"
    source: str = ""
    section: int = 0
    start: int = 0

    @property
    def label(self) -> str:
        """A short human-readable name, e.g. ``"CPC→CPSU 1964-05-07"``."""
        if self.kind == "front":
            return f"front matter ({self.lang})"
        who = f"{self.sender or '?'}→{self.recipient or '?'}"
        return f"{who} {self.date or 'undated'}"


PairMethod = Literal["date+sender", "date", "similarity", "order", "unpaired"]


@dataclass(frozen=True)
class LetterPair:
    """A Chinese letter and its English counterpart; one side is ``None`` when unpaired.

    Attributes:
        zh: the Chinese letter, or ``None``.
        en: the English letter, or ``None``.
        method: how the pair was made (``"unpaired"`` when a side is missing).
        score: confidence of the pairing in [0, 1] (1.0 for date+sender matches).
    """

    zh: Letter | None
    en: Letter | None
    method: PairMethod
    score: float = 1.0


@dataclass(frozen=True)
class Unit:
    """One alignment unit: a paragraph, or a sentence of a paragraph.

    Attributes:
        text: the unit's text.
        paragraph: index of the paragraph in its letter.
        sentence: index of the sentence within that paragraph (``None`` at paragraph level).
    """

    text: str
    paragraph: int
    sentence: int | None = None


@dataclass(frozen=True)
class Bead:
    """A group of Chinese units aligned with a group of English units.

    ``src`` and ``tgt`` are sorted, contiguous runs of 0-based unit indices; one of them
    may be empty (a 1-0 or 0-1 bead: a unit with no counterpart).

    Attributes:
        src: Chinese unit indices.
        tgt: English unit indices.
        score: confidence in [0, 1]; 0.0 for beads with an empty side.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0

    @property
    def kind(self) -> str:
        """The bead type as ``"n-m"``, e.g. ``"1-1"``, ``"2-1"``, ``"1-0"``."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class LetterAlignment:
    """The alignment of one letter pair (or of one unpaired letter, all 1-0 or 0-1).

    Attributes:
        pair: the letter pair aligned.
        level: ``"paragraph"`` or ``"sentence"``.
        zh_units: the Chinese units, indexed by ``Bead.src``.
        en_units: the English units, indexed by ``Bead.tgt``.
        beads: the beads in document order; every unit appears in exactly one bead.
    """

    pair: LetterPair
    level: Level
    zh_units: tuple[Unit, ...]
    en_units: tuple[Unit, ...]
    beads: tuple[Bead, ...]

    def texts(self, bead: Bead, sep_zh: str = "", sep_en: str = " ") -> tuple[str, str]:
        """Return the joined Chinese and English text of ``bead``."""
        zh = sep_zh.join(self.zh_units[i].text for i in bead.src)
        en = sep_en.join(self.en_units[i].text for i in bead.tgt)
        return zh, en


@dataclass(frozen=True)
class Signature:
    """Everything needed to reproduce a result: library version, model and options.

    Attributes:
        version: the aligner package version.
        model: the embedding model's name.
        options: every option that influenced the result, as sorted ``(name, value)``
            pairs of strings.
    """

    version: str
    model: str
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def format(self) -> str:
        """One line such as ``aligner 0.1.0|model:usem3|level:paragraph|...``."""
        parts = [f"aligner {self.version}", f"model:{self.model}"]
        parts += [f"{k}:{v}" for k, v in self.options]
        return "|".join(parts)
