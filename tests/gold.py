"""The hand-made paragraph gold of the real letter pair, resolved into index beads."""

from __future__ import annotations

from conftest import DATA

from aligner.gold import load_prefix_gold

GOLD = DATA / "gold" / "seven-letters-1964.paragraph.json"


def resolve_gold():
    """``{zh letter key: [(zh indices, en indices), ...]}`` for the real pair."""
    return load_prefix_gold(GOLD)
