"""aligner: paragraph- and sentence-level alignment of Chinese and English letters, offline.

Importing the package is cheap and has no side effects; the public names below are
loaded on first use.

Example:
    >>> from aligner import align_letters                      # doctest: +SKIP
    >>> result = align_letters("data/seven-letters-1964.zh.json", "data/seven-letters-1964.en.md")
    >>> result.to_tmx("out.tmx")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "align_letters": "aligner.api",
    "align_texts": "aligner.api",
    "read_document": "aligner.readers",
    "split_letters": "aligner.letters",
    "pair_letters": "aligner.letters",
    "load_embedder": "aligner.embed",
    "Aligner": "aligner.align",
    "AlignmentResult": "aligner.result",
    "Bead": "aligner.types",
    "Document": "aligner.types",
    "Letter": "aligner.types",
    "LetterAlignment": "aligner.types",
    "LetterPair": "aligner.types",
    "Section": "aligner.types",
    "Signature": "aligner.types",
    "Unit": "aligner.types",
    "Score": "aligner.evaluate",
    "score": "aligner.evaluate",
    "score_documents": "aligner.evaluate",
    "read_beads": "aligner.export.beads",
    "write_beads": "aligner.export.beads",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'aligner' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return list(__all__)
