"""The result of an alignment run: typed, with ``to_*`` exporters and a provenance signature."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .types import Bead, Dropped, LetterAlignment, Level, Signature


@dataclass(frozen=True)
class AlignmentResult:
    """All letter alignments of one Chinese/English document pair.

    Attributes:
        letters: one :class:`LetterAlignment` per letter pair, then one per unpaired
            letter (its beads all 1-0 or 0-1), in document order.
        level: ``"paragraph"`` or ``"sentence"``.
        signature: library version, model and every option that made the result.
        zh_path: the Chinese input file.
        en_path: the English input file.
        dropped: what the readers removed on purpose (page numbers, contents list, ...).
        warnings: human-readable notes (unpaired letters, low-confidence pairs, ...).
    """

    letters: tuple[LetterAlignment, ...]
    level: Level
    signature: Signature
    zh_path: str = ""
    en_path: str = ""
    dropped: tuple[Dropped, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def paired(self) -> tuple[LetterAlignment, ...]:
        """Letter alignments whose two sides are both present."""
        return tuple(la for la in self.letters if la.pair.zh is not None and la.pair.en is not None)

    @property
    def unpaired(self) -> tuple[LetterAlignment, ...]:
        """Letter alignments with one side missing (reported, never dropped)."""
        return tuple(la for la in self.letters if la.pair.zh is None or la.pair.en is None)

    def iter_beads(self) -> Iterator[tuple[LetterAlignment, Bead]]:
        """Yield ``(letter_alignment, bead)`` for every bead of every letter, in order."""
        for la in self.letters:
            for bead in la.beads:
                yield la, bead

    def to_tmx(self, path: str | Path, creationdate: str | datetime | None = None) -> None:
        """Write a TMX 1.4b file: one ``<tu>`` per bead with text on both sides.

        ``creationdate`` (``"YYYYMMDDThhmmssZ"`` or an aware datetime) goes into the header;
        ``None`` leaves it out, so the same result always gives the same bytes.
        """
        from .export.tmx import write_tmx

        write_tmx(self, path, creationdate=creationdate)

    def to_tsv(self, path: str | Path) -> None:
        """Write a tab-separated file, one row per bead (1-0 and 0-1 beads included)."""
        from .export.tsv import write_tsv

        write_tsv(self, path)

    def to_jsonl(self, path: str | Path) -> None:
        """Write one JSON object per bead (letter metadata, indices, texts, score)."""
        from .export.jsonl import write_jsonl

        write_jsonl(self, path)

    def to_html(self, path: str | Path) -> None:
        """Write a side-by-side HTML review page; low-confidence beads are highlighted."""
        from .export.html import write_html

        write_html(self, path)

    def to_beads(self, path: str | Path, with_scores: bool = True) -> None:
        """Write the beads of a single-pair result in the ``[0,1]:[2]`` format.

        Raises:
            ValueError: when the result holds more than one letter alignment (the bead
                format has no way to say which letter a bead belongs to).
        """
        from .export.beads import write_beads

        if len(self.letters) != 1:
            raise ValueError(
                f"to_beads: the bead format holds one document, this result has {len(self.letters)} "
                "letter alignments; use to_jsonl, or align pre-split files (presplit=True)"
            )
        beads = self.letters[0].beads
        write_beads([(b.src, b.tgt) for b in beads], path, [b.score for b in beads] if with_scores else None)

    def save(self, path: str | Path) -> None:
        """Write the result in the format given by the extension of ``path``.

        ``.tmx``, ``.tsv``, ``.jsonl``, ``.html``/``.htm`` and ``.align`` are known.

        Raises:
            ValueError: for any other extension, listing the valid ones.
        """
        suffix = Path(path).suffix.lower()
        writers = {
            ".tmx": self.to_tmx,
            ".tsv": self.to_tsv,
            ".jsonl": self.to_jsonl,
            ".html": self.to_html,
            ".htm": self.to_html,
            ".align": self.to_beads,
        }
        if suffix not in writers:
            raise ValueError(f"path: unknown output extension {suffix!r}; expected one of {sorted(writers)}")
        writers[suffix](path)
