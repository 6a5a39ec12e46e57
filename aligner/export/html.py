"""Side-by-side HTML review page: one self-contained file, no scripts, no external resources.

The page is meant for a person checking an alignment before it is used:

* a header with the two input files and the provenance signature;
* a summary: letters paired and unpaired, bead counts by type, how many two-sided beads
  score below the review threshold, how many units have no counterpart, the run's
  warnings and what the readers dropped, with a legend of the colours;
* a contents list linking to every letter, with its low-confidence count;
* per paired letter a heading (sender → recipient, date), the pairing method and the two
  titles, then a table with one row per bead: bead index, the Chinese units and the
  English units (each unit prefixed by its 0-based index), the bead type and the score.
  Two-sided beads scoring below ``threshold`` have the class ``low``, an orange tint and a
  "low" flag; 1-0 and 0-1 beads have the class ``gap``, a grey tint and "no counterpart"
  in the empty column;
* the unpaired letters, each with its table folded in a ``<details>`` element;
* at the end, the lines the readers dropped (page numbers, contents list, ...), folded in
  a ``<details>`` element.

All text is HTML-escaped; characters not allowed in XML 1.0 (C0 controls other than tab,
newline and carriage return) are removed, as in the TMX export, and carriage returns
become newlines (as an HTML parser would read them). Rows have stable ids
(``l{letter}-b{bead}``) so a reviewer can cite them (``page.html#l0-b12``).
"""

from __future__ import annotations

import html
import logging
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .jsonl import letter_keys
from .tmx import strip_illegal_xml

if TYPE_CHECKING:
    from ..result import AlignmentResult
    from ..types import Bead, Letter, LetterAlignment, Unit

logger = logging.getLogger(__name__)

#: Default review threshold: two-sided beads scoring below it are highlighted.
LOW_CONFIDENCE = 0.5

_CSS = """
:root { --line: #d0d7de; --muted: #57606a; --low: #fff1e0; --low-edge: #d9480f; --gap: #f3f4f6; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px 32px 48px; color: #1f2328; background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f6f8fa;
  padding: 2px 5px; border-radius: 4px; word-break: break-all; }
.files, .meta { color: var(--muted); margin: 2px 0; }
:lang(zh) { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
table.stats { border-collapse: collapse; margin: 8px 0; }
table.stats th { text-align: left; font-weight: 600; padding: 3px 18px 3px 0; vertical-align: top; }
table.stats td { padding: 3px 0; }
.pill { display: inline-block; margin: 0 6px 3px 0; padding: 0 7px; border: 1px solid var(--line);
  border-radius: 10px; font-size: 13px; white-space: nowrap; }
.legend span { display: inline-block; margin-right: 16px; font-size: 13px; color: var(--muted); }
.legend i { display: inline-block; width: 22px; height: 14px; margin-right: 5px; vertical-align: -2px;
  border: 1px solid var(--line); border-left-width: 4px; background: #fff; }
.legend i.low { background: var(--low); border-left-color: var(--low-edge); }
.legend i.gap { background: var(--gap); border-left-color: #8c959f; }
ul.warnings { margin: 6px 0; padding-left: 20px; color: #7d4e00; }
nav ol { margin: 6px 0; padding-left: 24px; }
nav li { margin: 2px 0; }
.count-low { color: var(--low-edge); font-weight: 600; }
table.beads { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: 10px; }
table.beads col.n { width: 3.2em; }
table.beads col.type { width: 4.2em; }
table.beads col.score { width: 6.4em; }
table.beads th { position: sticky; top: 0; z-index: 1; background: #f6f8fa; text-align: left;
  font-size: 13px; padding: 6px 8px; border-bottom: 2px solid var(--line); }
table.beads td { vertical-align: top; padding: 7px 8px; border-bottom: 1px solid var(--line);
  overflow-wrap: anywhere; }
td.n, td.type, td.score { font-size: 13px; color: var(--muted); font-variant-numeric: tabular-nums; }
td.zh { font-size: 16px; }
.u + .u { margin-top: 6px; }
.ui { display: inline-block; min-width: 1.6em; margin-right: 5px; padding: 0 3px; border-radius: 3px;
  background: #eaeef2; color: var(--muted); text-align: center;
  font: 11px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; vertical-align: 1px; }
tr.low td { background: var(--low); }
tr.low td.n { box-shadow: inset 4px 0 var(--low-edge); }
tr.gap td { background: var(--gap); }
tr.gap td.n { box-shadow: inset 4px 0 #8c959f; }
.none { color: #8c959f; font-style: italic; }
.flag { display: inline-block; margin-top: 2px; padding: 0 5px; border-radius: 3px;
  background: var(--low-edge); color: #fff; font-size: 11px; font-weight: 600; }
details > summary { cursor: pointer; color: #0969da; margin: 6px 0; }
section.unpaired h3 { color: var(--muted); }
table.dropped { border-collapse: collapse; width: 100%; font-size: 13px; }
table.dropped th, table.dropped td { text-align: left; vertical-align: top; padding: 3px 8px;
  border-bottom: 1px solid var(--line); }
table.dropped td.line { color: var(--muted); width: 5em; }
table.dropped td.reason { width: 12em; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
""".strip()


def _esc(text: object) -> str:
    """Escape ``text`` for HTML content or a double-quoted attribute (line ends become ``\\n``)."""
    clean = strip_illegal_xml(str(text))[0].replace("\r\n", "\n").replace("\r", "\n")
    return html.escape(clean, quote=True)


def _is_low(bead: Bead, threshold: float) -> bool:
    """A two-sided bead whose score is below ``threshold`` (or not a number)."""
    return bool(bead.src) and bool(bead.tgt) and not bead.score >= threshold


def _who(la: LetterAlignment) -> tuple[str, str | None]:
    """``("CPC → CPSU", "1964-05-07")`` for a letter alignment (Chinese side first)."""
    zh, en = la.pair.zh, la.pair.en
    first = zh if zh is not None else en
    if first is None:
        return "letter", None
    if first.kind == "front":
        return "Front matter", first.date
    other = en if zh is not None else None

    def pick(name: str) -> str | None:
        value = getattr(first, name)
        if value is None and other is not None:
            value = getattr(other, name)
        return value

    return f"{pick('sender') or '?'} → {pick('recipient') or '?'}", pick("date")


def _kind_order(kind: str) -> tuple[int, int]:
    n, m = kind.split("-")
    return int(n), int(m)


def _pills(counts: Counter[str]) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], _kind_order(kv[0])))
    return "".join(f'<span class="pill">{_esc(k)}: {v}</span>' for k, v in items)


def _units(units: tuple[Unit, ...], idx: Iterable[int]) -> str:
    parts = []
    for i in idx:
        unit = units[i]
        where = f"paragraph {unit.paragraph}"
        if unit.sentence is not None:
            where += f", sentence {unit.sentence}"
        badge = f'<span class="ui" title="unit {i}, {where}">{i}</span>'
        parts.append(f'<div class="u">{badge}{_esc(unit.text)}</div>')
    return "".join(parts)


def _bead_row(li: int, bi: int, la: LetterAlignment, bead: Bead, threshold: float) -> str:
    if not bead.src or not bead.tgt:
        cls, flag = "bead gap", ""
    elif _is_low(bead, threshold):
        cls, flag = "bead low", '<br><span class="flag" title="score below the review threshold">low</span>'
    else:
        cls, flag = "bead", ""
    none = '<span class="none">— no counterpart —</span>'
    zh = _units(la.zh_units, bead.src) if bead.src else none
    en = _units(la.en_units, bead.tgt) if bead.tgt else none
    if cls == "bead gap":
        score = '<span class="none" title="a unit with no counterpart has no score">–</span>'
    elif math.isfinite(bead.score):
        score = f'<span title="{bead.score:.6f}">{bead.score:.3f}</span>'
    else:
        score = "n/a"
    return (
        f'<tr id="l{li}-b{bi}" class="{cls}"><td class="n">{bi}</td>'
        f'<td class="zh" lang="zh-CN">{zh}</td><td class="en" lang="en">{en}</td>'
        f'<td class="type">{_esc(bead.kind)}</td><td class="score">{score}{flag}</td></tr>'
    )


def _bead_table(li: int, la: LetterAlignment, threshold: float) -> list[str]:
    out = [
        '<table class="beads">',
        '<colgroup><col class="n"><col class="zh"><col class="en"><col class="type"><col class="score"></colgroup>',
        "<thead><tr><th>#</th><th>Chinese</th><th>English</th><th>type</th><th>score</th></tr></thead>",
        "<tbody>",
    ]
    out += [_bead_row(li, bi, la, bead, threshold) for bi, bead in enumerate(la.beads)]
    out += ["</tbody>", "</table>"]
    return out


def _titles(zh: Letter | None, en: Letter | None) -> str:
    parts = []
    if zh is not None and zh.title:
        parts.append(f'Chinese title: <span lang="zh-CN">{_esc(zh.title)}</span>')
    if en is not None and en.title:
        parts.append(f"English title: {_esc(en.title)}")
    return f'<p class="meta">{" · ".join(parts)}</p>' if parts else ""


def _letter_section(li: int, key: str, la: LetterAlignment, threshold: float) -> list[str]:
    who, date = _who(la)
    heading = f"{_esc(who)}, {_esc(date)}" if date else f"{_esc(who)}, undated"
    kinds = Counter(b.kind for b in la.beads)
    n_low = sum(_is_low(b, threshold) for b in la.beads)
    paired = la.pair.zh is not None and la.pair.en is not None
    tag = "h2" if paired else "h3"
    cls = "letter" if paired else "letter unpaired"
    out = [f'<section class="{cls}" id="letter-{li}">', f"<{tag}>{heading}</{tag}>"]
    if paired:
        low_cls = "count-low" if n_low else ""
        out.append(
            f'<p class="meta">Key <code>{_esc(key)}</code> · paired by <b>{_esc(la.pair.method)}</b> '
            f"(score {la.pair.score:.2f}) · {len(la.zh_units)} Chinese and {len(la.en_units)} English "
            f'units · {len(la.beads)} beads, <span class="{low_cls}">{n_low} low confidence</span></p>'
        )
        out.append(_titles(la.pair.zh, la.pair.en))
        out.append(f'<p class="meta">{_pills(kinds)}</p>')
        out += _bead_table(li, la, threshold)
    else:
        has, lacks = ("Chinese", "English") if la.pair.zh is not None else ("English", "Chinese")
        n_units = len(la.zh_units) if la.pair.zh is not None else len(la.en_units)
        out.append(
            f'<p class="meta">Key <code>{_esc(key)}</code> · <b>unpaired</b>: no {lacks} counterpart '
            f"was found, so its {n_units} {has} units are all beads with no counterpart.</p>"
        )
        out.append(_titles(la.pair.zh, la.pair.en))
        out.append(f"<details><summary>Show the {n_units} {has} units</summary>")
        out += _bead_table(li, la, threshold)
        out.append("</details>")
    out.append("</section>")
    return out


def _summary(result: AlignmentResult, keys: list[str], threshold: float) -> list[str]:
    paired, unpaired = result.paired, result.unpaired
    zh_only = sum(la.pair.zh is not None for la in unpaired)
    beads = [b for la in result.letters for b in la.beads]
    two_sided = [b for b in beads if b.src and b.tgt]
    n_low = sum(_is_low(b, threshold) for b in beads)
    n_zh_gap = sum(bool(b.src) and not b.tgt for b in beads)
    n_en_gap = sum(bool(b.tgt) and not b.src for b in beads)
    reasons = Counter(d.reason for d in result.dropped)
    dropped = ", ".join(f"{_esc(r)}: {n}" for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    out = [
        '<section id="summary">',
        "<h2>Summary</h2>",
        '<table class="stats">',
        f"<tr><th>Letters</th><td>{len(paired)} paired, {len(unpaired)} unpaired "
        f"({zh_only} Chinese only, {len(unpaired) - zh_only} English only)</td></tr>",
        f"<tr><th>Level</th><td>{_esc(result.level)}</td></tr>",
        f"<tr><th>Beads</th><td>{len(beads)}<br>{_pills(Counter(b.kind for b in beads))}</td></tr>",
        f'<tr><th>Low confidence</th><td><span class="{"count-low" if n_low else ""}">{n_low}</span> of '
        f"{len(two_sided)} two-sided beads score below {threshold:.2f}</td></tr>",
        f"<tr><th>No counterpart</th><td>{n_zh_gap} Chinese-only (1-0) and {n_en_gap} English-only (0-1) "
        "beads</td></tr>",
        f"<tr><th>Dropped</th><td>{len(result.dropped)} lines removed by the readers{': ' if dropped else ''}"
        f'{dropped} (<a href="#dropped">list</a>)</td></tr>',
        "</table>",
        f'<p class="legend"><span><i class="low"></i>low confidence (score below {threshold:.2f})</span>'
        '<span><i class="gap"></i>no counterpart (1-0 / 0-1)</span><span><i></i>aligned</span></p>',
    ]
    if result.warnings:
        out.append('<h3>Warnings</h3><ul class="warnings">')
        out += [f"<li>{_esc(w)}</li>" for w in result.warnings]
        out.append("</ul>")
    out.append("</section>")
    out.append("<nav><h2>Letters</h2><ol>")
    for li, (la, key) in enumerate(zip(result.letters, keys, strict=True)):
        n = sum(_is_low(b, threshold) for b in la.beads)
        state = _esc(la.pair.method)
        low = f', <span class="count-low">{n} low</span>' if n else ""
        out.append(f'<li><a href="#letter-{li}">{_esc(key)}</a> — {state}, {len(la.beads)} beads{low}</li>')
    out.append("</ol></nav>")
    return out


def _dropped(result: AlignmentResult) -> list[str]:
    out = ['<section id="dropped">', "<h2>Dropped lines</h2>"]
    if not result.dropped:
        out += ['<p class="meta">The readers dropped nothing.</p>', "</section>"]
        return out
    out.append(f"<details><summary>Show the {len(result.dropped)} lines the readers removed</summary>")
    out.append('<table class="dropped"><thead><tr><th>line</th><th>reason</th><th>text</th></tr></thead>')
    out.append("<tbody>")
    for d in result.dropped:
        line = str(d.line) if d.line else ""
        reason, text = _esc(d.reason), _esc(d.text)
        out.append(f'<tr><td class="line">{line}</td><td class="reason">{reason}</td><td>{text}</td></tr>')
    out += ["</tbody></table>", "</details>", "</section>"]
    return out


def write_html(result: AlignmentResult, path: str | Path, threshold: float = LOW_CONFIDENCE) -> None:
    """Write a self-contained side-by-side review page for ``result``.

    The page needs no scripts and loads nothing from elsewhere; see the module docstring
    for its layout.

    Args:
        result: the alignment to show.
        path: the file to write (overwritten), UTF-8.
        threshold: two-sided beads with a score below this value (in [0, 1]) are
            highlighted as low confidence.

    Raises:
        ValueError: when ``threshold`` is not a number in [0, 1].

    Example:
        >>> write_html(result, "review.html", threshold=0.4)  # doctest: +SKIP
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold: expected a number in [0, 1], got {threshold!r}")
    keys = letter_keys(result.letters)
    title = "Alignment review"
    if result.zh_path or result.en_path:
        title += f": {Path(result.zh_path).name or '?'} ↔ {Path(result.en_path).name or '?'}"
    sig = result.signature
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="aligner {_esc(sig.version)}">',
        f"<title>{_esc(title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Alignment review</h1>",
        f'<p class="files">Chinese: <code>{_esc(result.zh_path or "?")}</code> · '
        f"English: <code>{_esc(result.en_path or '?')}</code></p>",
        f'<p class="files">Signature: <code>{_esc(sig.format())}</code></p>',
        "</header>",
    ]
    out += _summary(result, keys, threshold)
    for li, (la, key) in enumerate(zip(result.letters, keys, strict=True)):
        if la.pair.zh is not None and la.pair.en is not None:
            out += _letter_section(li, key, la, threshold)
    if result.unpaired:
        out.append('<h2 id="unpaired">Unpaired letters</h2>')
        out.append(
            '<p class="meta">These letters have no counterpart in the other edition; '
            "their text is kept and shown here, folded.</p>"
        )
        for li, (la, key) in enumerate(zip(result.letters, keys, strict=True)):
            if la.pair.zh is None or la.pair.en is None:
                out += _letter_section(li, key, la, threshold)
    out += _dropped(result)
    out += [f"<footer>Made by aligner {_esc(sig.version)} · <code>{_esc(sig.format())}</code></footer>"]
    out += ["</body>", "</html>"]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(line for line in out if line) + "\n")
    logger.debug("%s: wrote the review page (%d letters)", path, len(result.letters))
