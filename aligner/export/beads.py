"""The bead format of Vecalign / Bertalign / Bleualign gold files: one bead per line.

Each line is ``[src indices]:[tgt indices]`` with 0-based unit indices, ``[]`` for an
empty side, optionally followed by ``:score``, e.g. ``[3,4]:[5]:0.812``. Chinese is the
source side throughout this project.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

BeadTuple = tuple[tuple[int, ...], tuple[int, ...]]

_LINE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*(?::\s*(\S+))?\s*$")


def _ints(field: str) -> tuple[int, ...]:
    return tuple(int(x) for x in field.replace(" ", "").split(",") if x != "")


def parse_bead_line(line: str) -> tuple[tuple[int, ...], tuple[int, ...], float | None]:
    """Parse one line such as ``[0,1]:[2]`` or ``[]:[3]:0.5``.

    Returns:
        ``(src, tgt, score)``; ``score`` is ``None`` when the line has none.

    Raises:
        ValueError: when the line is not in the bead format.
    """
    m = _LINE.match(line)
    if not m:
        raise ValueError(f"not a bead line (expected e.g. '[0,1]:[2]'): {line.strip()!r}")
    score = float(m.group(3)) if m.group(3) is not None else None
    return _ints(m.group(1)), _ints(m.group(2)), score


def format_bead(src: Sequence[int], tgt: Sequence[int], score: float | None = None) -> str:
    """Format one bead as ``[0,1]:[2]`` (plus ``:score`` with 6 decimals when given)."""
    text = f"[{','.join(str(i) for i in src)}]:[{','.join(str(i) for i in tgt)}]"
    if score is not None:
        text += f":{score:.6f}"
    return text


def read_beads(path: str | Path) -> list[BeadTuple]:
    """Read a bead file; blank lines and lines starting with ``#`` are skipped.

    Raises:
        ValueError: naming the file and line number of the first malformed line.
    """
    beads: list[BeadTuple] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                src, tgt, _ = parse_bead_line(line)
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
            beads.append((src, tgt))
    return beads


def write_beads(
    beads: Iterable[tuple[Sequence[int], Sequence[int]]],
    path: str | Path,
    scores: Iterable[float] | None = None,
) -> None:
    """Write beads one per line, with scores when ``scores`` is given."""
    beads = list(beads)
    score_list: list[float | None] = list(scores) if scores is not None else [None] * len(beads)
    if len(score_list) != len(beads):
        raise ValueError(f"scores: expected {len(beads)} values, got {len(score_list)}")
    with open(path, "w", encoding="utf-8") as fh:
        for (src, tgt), score in zip(beads, score_list, strict=True):
            fh.write(format_bead(src, tgt, score) + "\n")
