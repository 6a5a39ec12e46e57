"""Shared fixtures: paths of the real data, and the real bundled model loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ZH_PAIR = DATA / "seven-letters-1964.zh.json"
EN_PAIR = DATA / "seven-letters-1964.en.md"
ZH_SEED = DATA / "peoples-daily-1963-03-14.zh.txt"
BIBLE = DATA / "bible-zh-en"


@pytest.fixture(scope="session")
def embedder():
    """The default bundled model (offline), without the disk cache."""
    from aligner.embed import DEFAULT_MODEL, load_embedder

    return load_embedder(DEFAULT_MODEL, cache_dir=None)


@pytest.fixture(scope="session")
def pair_result(embedder):
    """The real letter pair aligned at paragraph level with the default options."""
    from aligner import align_letters

    return align_letters(ZH_PAIR, EN_PAIR, model=embedder, cache_dir=None)
